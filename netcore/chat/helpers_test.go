package chat

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"
)

// newChat makes a chat with history in a temporary folder; online starts
// it on 127.0.0.1:0.
func newChat(t *testing.T, nick string, online bool, mod ...func(*Config)) *Chat {
	t.Helper()
	// Announces stay on loopback and off DefaultPort unless a test says
	// otherwise: tests must not talk to a NetDebug running here or on the LAN.
	cfg := Config{Nickname: nick, Dir: t.TempDir(), AnnouncePorts: []int{}, Broadcasts: loopbackBroadcast}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if online {
		if err := c.Start("127.0.0.1:0", false); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func port(c *Chat) string { return fmt.Sprint(c.State().Local.Port()) }

// waitFor polls cond until it holds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// lastMessage waits for key to have n messages and returns the last.
func waitMessages(t *testing.T, c *Chat, key string, n int) []Message {
	t.Helper()
	var msgs []Message
	waitFor(t, fmt.Sprintf("%d messages in %s", n, key), func() bool {
		msgs = c.Messages(key)
		return len(msgs) >= n
	})
	return msgs
}

// rawPeer is a plain UDP socket: the seed programs' side.
type rawPeer struct {
	conn *net.UDPConn
}

func newRawPeer(t *testing.T) *rawPeer {
	t.Helper()
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &rawPeer{conn: conn}
}

func (p *rawPeer) addr() netip.AddrPort { return p.conn.LocalAddr().(*net.UDPAddr).AddrPort() }

func (p *rawPeer) sendTo(t *testing.T, c *Chat, b []byte) {
	t.Helper()
	if _, err := p.conn.WriteToUDPAddrPort(b, c.State().Local); err != nil {
		t.Fatal(err)
	}
}

func (p *rawPeer) read(t *testing.T) []byte {
	t.Helper()
	p.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 65536)
	n, _, err := p.conn.ReadFromUDPAddrPort(buf)
	if err != nil {
		t.Fatal(err)
	}
	return buf[:n]
}

// changeLog records OnChange calls.
type changeLog struct {
	mu  sync.Mutex
	all []Change
}

func (l *changeLog) add(ch Change) {
	l.mu.Lock()
	l.all = append(l.all, ch)
	l.mu.Unlock()
}

func (l *changeLog) count(k ChangeKind) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, ch := range l.all {
		if ch.Kind == k {
			n++
		}
	}
	return n
}

func hasConversation(c *Chat, key string) bool {
	_, ok := c.Conversation(key)
	return ok
}

func keys(cs []Conversation) string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Key)
	}
	return strings.Join(out, ",")
}

func loopbackBroadcast() []netip.Addr { return []netip.Addr{netip.MustParseAddr("127.255.255.255")} }
