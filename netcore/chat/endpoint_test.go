package chat

import (
	"errors"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netdebug/netdebug/netcore/session"
)

// failSink records what a reader reports.
type failSink struct {
	mu     sync.Mutex
	failed []error
}

func (s *failSink) datagram(netip.AddrPort, []byte, time.Time) {}
func (s *failSink) bounced(netip.AddrPort, []byte, error)      {}
func (s *failSink) readFailed(_ *udpEndpoint, err error) {
	s.mu.Lock()
	s.failed = append(s.failed, err)
	s.mu.Unlock()
}
func (s *failSink) errs() []error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]error(nil), s.failed...)
}

// The fallback reader (Windows, macOS) gives up after many errors in a
// row; it used to return without a word, and the chat stayed "online"
// receiving nothing.
func TestGenericReaderReportsGivingUp(t *testing.T) {
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	sink := &failSink{}
	e := &udpEndpoint{conn: conn, sink: sink}
	conn.SetReadDeadline(time.Unix(1, 0)) // every read fails at once
	e.genericReadLoop()
	errs := sink.errs()
	if len(errs) != 1 || !errors.Is(errs[0], session.ErrTimeout) || !strings.Contains(errs[0].Error(), "101 times in a row") {
		t.Fatalf("reported %v", errs)
	}
	// Closing is not a failure.
	conn.SetReadDeadline(time.Time{})
	done := make(chan struct{})
	e2 := &udpEndpoint{conn: conn, sink: sink}
	go func() { e2.genericReadLoop(); close(done) }()
	conn.Close()
	<-done
	if n := len(sink.errs()); n != 1 {
		t.Fatalf("closing reported %d failures", n)
	}
}

// A chat whose socket stops receiving goes offline and says why, and can
// go online again.
func TestReadFailureTakesTheChatOffline(t *testing.T) {
	var log changeLog
	c := newChat(t, "me", true, func(cfg *Config) { cfg.OnChange = log.add })
	c.mu.Lock()
	conn := c.run.udp.conn
	c.mu.Unlock()
	before := log.count(StateChanged)
	conn.SetReadDeadline(time.Unix(1, 0))
	waitFor(t, "offline", func() bool {
		st := c.State()
		return !st.Online && st.OfflineErr != nil && log.count(StateChanged) > before
	})
	if err := c.State().OfflineErr; !errors.Is(err, session.ErrTimeout) || !strings.Contains(err.Error(), "receiving on the chat socket failed") {
		t.Fatalf("offline error %v", err)
	}
	// Sending says offline rather than pretending.
	p := newRawPeer(t)
	key := UDPKey(p.addr())
	if _, err := c.AddPeer(t.Context(), "127.0.0.1", strconv.Itoa(int(p.addr().Port())), UDP); err != nil {
		t.Fatal(err)
	}
	if m, _ := c.Send(key, "hello"); m.Status != StatusFailed {
		t.Fatalf("sent while offline: %+v", m)
	}
	// Online again: the error is gone and messages come in.
	if err := c.Start("127.0.0.1:0", false); err != nil {
		t.Fatal(err)
	}
	if st := c.State(); !st.Online || st.OfflineErr != nil {
		t.Fatalf("after going online again: %+v", st)
	}
	p.sendTo(t, c, []byte("back"))
	if msgs := waitMessages(t, c, key, 2); msgs[len(msgs)-1].Text != "back" {
		t.Fatalf("messages %+v", msgs)
	}
}
