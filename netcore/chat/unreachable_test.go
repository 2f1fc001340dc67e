package chat

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/netdebug/netdebug/netcore/session"
)

// closedUDPPort returns a loopback port nothing listens on.
func closedUDPPort(t *testing.T) int {
	t.Helper()
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := pc.LocalAddr().(*net.UDPAddr).Port
	pc.Close()
	return p
}

func TestUnreachablePeerBecomesDeliveryNote(t *testing.T) {
	if !reportsICMP {
		t.Skipf("%s does not report ICMP errors for unconnected UDP sockets", runtime.GOOS)
	}
	c := newChat(t, "me", true)
	live := newRawPeer(t)
	dead, err := c.AddPeer(context.Background(), "127.0.0.1", strconv.Itoa(closedUDPPort(t)), UDP)
	if err != nil {
		t.Fatal(err)
	}
	alive, _ := c.AddPeer(context.Background(), "127.0.0.1", strconv.Itoa(int(live.addr().Port())), UDP)

	// Two messages to the dead peer: the bounce names the one it quotes.
	first, _ := c.Send(dead, "first")
	// On loopback the ICMP error may be read before Send returns.
	if first.Status != StatusSent && first.Status != StatusUndelivered {
		t.Fatalf("first %+v", first)
	}
	waitFor(t, "the first bounce", func() bool { return c.Messages(dead)[0].Status == StatusUndelivered })
	second, _ := c.Send(dead, "second")
	// Right after a bounce the socket holds a pending error; a send to a
	// live peer must still go out.
	for i := range 5 {
		m, _ := c.Send(alive, "hi "+strconv.Itoa(i))
		if m.Status != StatusSent {
			t.Fatalf("send to the live peer after a bounce: %+v", m)
		}
		if got := string(live.read(t)); got != "hi "+strconv.Itoa(i) {
			t.Fatalf("live peer read %q", got)
		}
	}
	waitFor(t, "the second bounce", func() bool { return c.Messages(dead)[1].Status == StatusUndelivered })
	msgs := c.Messages(dead)
	for i, m := range msgs {
		if m.ID != []int64{first.ID, second.ID}[i] || !strings.Contains(m.Note, "port unreachable") || !strings.Contains(m.Note, dead) {
			t.Fatalf("message %d: %+v", i, m)
		}
	}
	for _, m := range c.Messages(alive) {
		if m.Status != StatusSent {
			t.Fatalf("live peer's message marked: %+v", m)
		}
	}
	// Retry: still unreachable, marked again; the chat keeps working.
	if err := c.Retry(dead, first.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the retry to bounce", func() bool {
		m := c.Messages(dead)[0]
		return m.Attempts == 2 && m.Status == StatusUndelivered
	})
	if !c.State().Online {
		t.Fatal("offline after bounces")
	}
}

func TestUnreachableErrorsSayWhat(t *testing.T) {
	to := netip.MustParseAddrPort("192.0.2.1:9900")
	for _, tc := range []struct {
		errno  syscall.Errno
		is     error
		phrase string
	}{
		{syscall.ECONNREFUSED, session.ErrRefused, "port unreachable"},
		{syscall.EHOSTUNREACH, session.ErrUnreachable, "host unreachable"},
		{syscall.ENETUNREACH, session.ErrUnreachable, "network unreachable"},
	} {
		err := icmpError(tc.errno, to)
		if !errors.Is(err, tc.is) || !strings.Contains(err.Error(), tc.phrase) || !strings.Contains(err.Error(), "192.0.2.1:9900") {
			t.Errorf("%d: %v", tc.errno, err)
		}
	}
}

func TestBounceIgnoresOldAndUnknown(t *testing.T) {
	c := newChat(t, "me", false)
	key, _ := c.AddPeer(context.Background(), "127.0.0.1", "9", UDP)
	m, _ := c.Send(key, "x") // offline: failed
	to := netip.MustParseAddrPort("127.0.0.1:9")
	c.bounced(to, []byte("x"), errors.New("bounce"))
	if got := c.Messages(key)[0]; got.Status != StatusFailed || got.Note == "bounce" {
		t.Fatalf("a failed message was re-marked: %+v", got)
	}
	// Mark it sent an hour ago: too old to be the one bounced.
	c.mu.Lock()
	c.convs[key].msgs[0].Status = StatusSent
	c.convs[key].msgs[0].Time = time.Now().Add(-time.Hour)
	c.mu.Unlock()
	c.bounced(to, []byte("x"), errors.New("bounce"))
	c.bounced(netip.MustParseAddrPort("127.0.0.1:10"), nil, errors.New("bounce"))
	if got := c.Messages(key)[0]; got.Status != StatusSent || got.ID != m.ID {
		t.Fatalf("old message re-marked: %+v", got)
	}
}
