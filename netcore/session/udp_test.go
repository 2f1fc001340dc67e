package session

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/netdebug/netdebug/netcore/framing"
	"github.com/netdebug/netdebug/netcore/internal/testenv"
)

func openUDP(t *testing.T, cfg UDPConfig, h Handler) *UDPSession {
	t.Helper()
	s, err := OpenUDP(cfg, h)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestUDPRoundTrip(t *testing.T) {
	for _, fam := range []struct{ bind, peer string }{{"127.0.0.1:0", "127.0.0.1:0"}, {"[::1]:0", "[::1]:0"}} {
		t.Run(fam.bind, func(t *testing.T) {
			peer, err := net.ListenPacket("udp", fam.peer)
			if err != nil {
				testenv.Skip(t, "%s: %v", fam.peer, err)
			}
			defer peer.Close()
			rec := newRecorder()
			s := openUDP(t, UDPConfig{Bind: fam.bind, Remote: peer.LocalAddr().String()}, rec.handle)
			gb := []byte{0xC4, 0xE3, 0xBA, 0xC3}
			if err := s.Send(gb); err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 100)
			peer.SetReadDeadline(time.Now().Add(5 * time.Second))
			n, from, err := peer.ReadFrom(buf)
			if err != nil || !bytes.Equal(buf[:n], gb) {
				t.Fatalf("peer got % X, %v", buf[:n], err)
			}
			peer.WriteTo([]byte("pong"), from)
			rec.waitFor(t, "pong", func(_ []Event, rx []byte) bool { return string(rx) == "pong" })
			if got := s.LastSender(); got != peer.LocalAddr().String() {
				t.Fatalf("last sender %q, peer %q", got, peer.LocalAddr())
			}
			st := s.Stats()
			if st.RxPackets != 1 || st.TxPackets != 1 || st.RxBytes != 4 || st.TxBytes != 4 {
				t.Fatalf("stats %+v", st)
			}
		})
	}
}

func TestUDPSendersListAndReply(t *testing.T) {
	rec := newRecorder()
	s := openUDP(t, UDPConfig{Bind: "127.0.0.1:0"}, rec.handle)
	var peers []net.PacketConn
	for i := 0; i < 3; i++ {
		p, _ := net.ListenPacket("udp", "127.0.0.1:0")
		defer p.Close()
		peers = append(peers, p)
		for j := 0; j <= i; j++ {
			p.WriteTo([]byte(fmt.Sprintf("%d/%d", i, j)), mustUDP(s.LocalAddr()))
		}
		time.Sleep(20 * time.Millisecond)
	}
	rec.waitFor(t, "6 datagrams", func(evs []Event, _ []byte) bool {
		n := 0
		for _, ev := range evs {
			if ev.Kind == Received {
				n++
			}
		}
		return n == 6
	})
	senders := s.Senders()
	if len(senders) != 3 || senders[0].Addr != peers[2].LocalAddr().String() || senders[0].Packets != 3 || senders[2].Packets != 1 {
		t.Fatalf("senders %+v", senders)
	}
	// Reply to a chosen sender.
	if err := s.SendTo(senders[1].Addr, []byte("hi 1")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 16)
	peers[1].SetReadDeadline(time.Now().Add(5 * time.Second))
	n, _, err := peers[1].ReadFrom(buf)
	if err != nil || string(buf[:n]) != "hi 1" {
		t.Fatalf("reply: %q %v", buf[:n], err)
	}
}

func mustUDP(s string) *net.UDPAddr {
	a, err := net.ResolveUDPAddr("udp", s)
	if err != nil {
		panic(err)
	}
	return a
}

func TestUDPOversizeAndBadInput(t *testing.T) {
	s := openUDP(t, UDPConfig{Bind: "127.0.0.1:0", Remote: "127.0.0.1:9"}, nil)
	err := s.Send(make([]byte, MaxUDPPayload+1))
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "65507") {
		t.Fatalf("oversize: %v", err)
	}
	if s.Stats().TxPackets != 0 {
		t.Fatal("an oversize datagram was counted as sent")
	}
	if err := s.Send(make([]byte, MaxUDPPayload)); err != nil {
		t.Fatalf("max size: %v", err)
	}
	// Port in use.
	if _, err := OpenUDP(UDPConfig{Bind: s.LocalAddr()}, nil); !errors.Is(err, ErrAddrInUse) {
		t.Fatalf("port in use: %v", err)
	}
	// An address that is not ours.
	if _, err := OpenUDP(UDPConfig{Bind: "192.0.2.7:0"}, nil); !errors.Is(err, ErrAddrNotLocal) {
		t.Fatalf("foreign bind: %v", err)
	}
	for _, g := range []string{"10.0.0.1", "not-an-ip", "ff"} {
		if err := s.JoinGroup(g, ""); !errors.Is(err, ErrBadGroup) {
			t.Errorf("group %q: %v", g, err)
		}
	}
	if err := s.JoinGroup("239.1.2.3", "no-such-if0"); !errors.Is(err, ErrInvalidAddress) {
		t.Errorf("bad interface: %v", err)
	}
	if err := s.SetRemote("host:0"); !errors.Is(err, ErrInvalidAddress) {
		t.Errorf("remote port 0: %v", err)
	}
	s2 := openUDP(t, UDPConfig{Bind: "127.0.0.1:0"}, nil)
	if err := s2.Send([]byte("x")); !errors.Is(err, ErrInvalidAddress) {
		t.Errorf("send without a remote: %v", err)
	}
	if err := s.SetMulticastTTL(300); err == nil {
		t.Error("TTL 300 accepted")
	}
}

func TestUDPFramingPerSender(t *testing.T) {
	rec := newRecorder()
	s := openUDP(t, UDPConfig{Bind: "127.0.0.1:0", Framing: framing.Config{Mode: framing.Delimiter, Delimiter: []byte("\n")}}, rec.handle)
	p, _ := net.ListenPacket("udp", "127.0.0.1:0")
	defer p.Close()
	to := mustUDP(s.LocalAddr())
	p.WriteTo([]byte("a\nb"), to)
	p.WriteTo([]byte("c\n"), to)
	rec.waitFor(t, "two lines", func(evs []Event, _ []byte) bool {
		var got []string
		for _, ev := range evs {
			if ev.Kind == Received {
				got = append(got, string(ev.Data))
			}
		}
		return strings.Join(got, "|") == "a\n|bc\n"
	})
}

// childPassed reports whether a -test.v run's output shows test name run
// and passed (not skipped, not failed).
func childPassed(out, name string) bool {
	return strings.Contains(out, "=== RUN   "+name+"\n") && strings.Contains(out, "--- PASS: "+name+" (") &&
		!strings.Contains(out, "--- SKIP: "+name) && !strings.Contains(out, "--- FAIL: "+name)
}

// netns runs a command inside a network namespace.
func netns(t *testing.T, ns string, args ...string) {
	t.Helper()
	cmd := exec.Command("ip", append([]string{"netns", "exec", ns}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// TestUDPMulticastAndBroadcastInNamespace needs a route for multicast and
// broadcast, which a fresh network namespace with a veth pair provides.
func TestUDPMulticastAndBroadcastInNamespace(t *testing.T) {
	if os.Geteuid() != 0 {
		testenv.Skip(t, "needs root to create a network namespace")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		testenv.Skip(t, "the ip command (iproute2) is missing")
	}
	if os.Getenv("NETDEBUG_IN_NETNS") == "" {
		ns := fmt.Sprintf("ndmc%d", os.Getpid())
		if out, err := exec.Command("ip", "netns", "add", ns).CombinedOutput(); err != nil {
			testenv.Skip(t, "cannot create a network namespace: %v %s", err, out)
		}
		t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
		netns(t, ns, "ip", "link", "add", "mc0", "type", "veth", "peer", "name", "mc1")
		netns(t, ns, "ip", "addr", "add", "10.79.0.1/24", "dev", "mc0")
		netns(t, ns, "ip", "addr", "add", "10.79.0.2/24", "dev", "mc1")
		netns(t, ns, "ip", "link", "set", "lo", "up")
		netns(t, ns, "ip", "link", "set", "mc0", "up")
		netns(t, ns, "ip", "link", "set", "mc1", "up")
		netns(t, ns, "ip", "route", "add", "224.0.0.0/4", "dev", "mc0")
		netns(t, ns, "ip", "-6", "addr", "add", "fd79::1/64", "dev", "mc0", "nodad")
		// Run this test again inside the namespace.
		const name = "TestUDPMulticastAndBroadcastInNamespace"
		cmd := exec.Command("ip", "netns", "exec", ns, os.Args[0], "-test.run", "^"+name+"$", "-test.v", "-test.count=1")
		cmd.Env = append(os.Environ(), "NETDEBUG_IN_NETNS=1")
		out, err := cmd.CombinedOutput()
		t.Logf("inside the namespace:\n%s", out)
		if err != nil {
			t.Fatal(err)
		}
		// A child that matched nothing or skipped also exits 0.
		if !childPassed(string(out), name) {
			t.Fatalf("the run inside the namespace did not run and pass %s", name)
		}
		return
	}

	rec := newRecorder()
	s := openUDP(t, UDPConfig{Bind: "0.0.0.0:0"}, rec.handle)
	_, port, _ := net.SplitHostPort(s.LocalAddr())
	if err := s.JoinGroup("239.7.7.7", "mc0"); err != nil {
		t.Fatal(err)
	}
	if g := s.Groups(); len(g) != 1 || g[0] != "239.7.7.7%mc0" {
		t.Fatalf("groups %v", g)
	}
	sender := openUDP(t, UDPConfig{Bind: "10.79.0.1:0"}, nil)
	if err := sender.SetMulticastTTL(1); err != nil {
		t.Fatal(err)
	}
	if err := sender.SetMulticastInterface("mc0"); err != nil {
		t.Fatal(err)
	}
	if err := sender.SendTo("239.7.7.7:"+port, []byte("group hello")); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(t, "multicast datagram", func(_ []Event, rx []byte) bool { return string(rx) == "group hello" })

	// Subnet-directed broadcast reaches the socket bound to every address.
	if err := sender.SendTo("10.79.0.255:"+port, []byte("|bcast")); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(t, "broadcast datagram", func(_ []Event, rx []byte) bool { return string(rx) == "group hello|bcast" })

	if err := s.LeaveGroup("239.7.7.7", "mc0"); err != nil {
		t.Fatal(err)
	}
	if err := s.LeaveGroup("239.7.7.7", "mc0"); !errors.Is(err, ErrBadGroup) {
		t.Fatalf("second leave: %v", err)
	}

	// IPv6 group on an IPv6 socket.
	s6 := openUDP(t, UDPConfig{Bind: "[::]:0"}, rec.handle)
	_, port6, _ := net.SplitHostPort(s6.LocalAddr())
	if err := s6.JoinGroup("ff12::7", "mc0"); err != nil {
		t.Fatal(err)
	}
	snd6 := openUDP(t, UDPConfig{Bind: "[::]:0"}, nil)
	snd6.SetMulticastInterface("mc0")
	if err := snd6.SendTo("[ff12::7]:"+port6, []byte("|v6")); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(t, "IPv6 multicast", func(_ []Event, rx []byte) bool { return strings.HasSuffix(string(rx), "|v6") })
}

// received lists the Received events as "peer=data".
func received(evs []Event) []string {
	var got []string
	for _, ev := range evs {
		if ev.Kind == Received {
			got = append(got, ev.Peer+"="+string(ev.Data))
		}
	}
	return got
}

// waitPackets waits until the session has noted n datagrams from peer.
func waitPackets(t *testing.T, s *UDPSession, peer string, n uint64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		for _, snd := range s.Senders() {
			if snd.Addr == peer && snd.Packets >= n {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d datagrams not noted", peer, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestUDPFramingChangeReportsPending: a partial frame held when the framing
// changes is reported, as the TCP reader does, not dropped.
func TestUDPFramingChangeReportsPending(t *testing.T) {
	rec := newRecorder()
	s := openUDP(t, UDPConfig{Bind: "127.0.0.1:0", Framing: framing.Config{Mode: framing.Delimiter, Delimiter: []byte("\n")}}, rec.handle)
	p, _ := net.ListenPacket("udp", "127.0.0.1:0")
	defer p.Close()
	from := p.LocalAddr().String()
	to := mustUDP(s.LocalAddr())
	p.WriteTo([]byte("line\npartial"), to)
	waitPackets(t, s, from, 1)
	if err := s.SetFraming(framing.Config{Mode: framing.Fixed, FixedLen: 4}); err != nil {
		t.Fatal(err)
	}
	p.WriteTo([]byte("abcd"), to)
	want := strings.Join([]string{from + "=line\n", from + "=partial", from + "=abcd"}, "|")
	rec.waitFor(t, want, func(evs []Event, _ []byte) bool { return strings.Join(received(evs), "|") == want })
	if st := s.Stats(); st.RxFrames != 3 || st.RxBytes != 16 {
		t.Fatalf("stats %+v, want 3 frames of 16 bytes", st)
	}
}

// TestUDPEvictedSenderReportsPending: the sender dropped from the full
// sender list has its partial frame reported first.
func TestUDPEvictedSenderReportsPending(t *testing.T) {
	rec := newRecorder()
	s := openUDP(t, UDPConfig{Bind: "127.0.0.1:0", Framing: framing.Config{Mode: framing.Delimiter, Delimiter: []byte("\n")}}, rec.handle)
	to := mustUDP(s.LocalAddr())
	first, _ := net.ListenPacket("udp", "127.0.0.1:0")
	defer first.Close()
	first.WriteTo([]byte("held"), to)
	waitPackets(t, s, first.LocalAddr().String(), 1)
	for i := 0; i < maxSenders; i++ {
		p, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		p.WriteTo([]byte("x\n"), to)
		if i%32 == 31 {
			waitPackets(t, s, p.LocalAddr().String(), 1) // keep the socket buffer from overflowing
		}
	}
	rec.waitFor(t, "every frame", func(evs []Event, _ []byte) bool { return len(received(evs)) == maxSenders+1 })
	// The 257th sender evicts the first, whose partial frame comes just
	// before that sender's message.
	rec.mu.Lock()
	got := received(rec.events)
	rec.mu.Unlock()
	if got[maxSenders-1] != first.LocalAddr().String()+"=held" {
		t.Fatalf("message %d is %q, want the evicted sender's partial frame", maxSenders-1, got[maxSenders-1])
	}
	if n := len(s.Senders()); n != maxSenders {
		t.Fatalf("%d senders listed", n)
	}
	if st := s.Stats(); st.RxFrames != maxSenders+1 {
		t.Fatalf("frames %d, want %d", st.RxFrames, maxSenders+1)
	}
}

// TestUDPIdleGapJoinsDatagrams: in idle-gap mode datagrams from one sender
// that follow each other within the gap are one message, ended by silence;
// another sender's datagrams are not mixed in.
func TestUDPIdleGapJoinsDatagrams(t *testing.T) {
	const gap = 300 * time.Millisecond
	rec := newRecorder()
	s := openUDP(t, UDPConfig{Bind: "127.0.0.1:0", Framing: framing.Config{Mode: framing.IdleGap, Gap: gap}}, rec.handle)
	to := mustUDP(s.LocalAddr())
	p, _ := net.ListenPacket("udp", "127.0.0.1:0")
	defer p.Close()
	q, _ := net.ListenPacket("udp", "127.0.0.1:0")
	defer q.Close()
	pa, qa := p.LocalAddr().String(), q.LocalAddr().String()
	start := time.Now()
	p.WriteTo([]byte("a"), to)
	p.WriteTo([]byte("b"), to)
	q.WriteTo([]byte("x"), to)
	p.WriteTo([]byte("c"), to)
	rec.waitFor(t, "two joined messages", func(evs []Event, _ []byte) bool { return len(received(evs)) >= 2 })
	if time.Since(start) < gap {
		t.Fatalf("a message ended before the sender was quiet for %v", gap)
	}
	rec.mu.Lock()
	got := received(rec.events)
	rec.mu.Unlock()
	sort.Strings(got)
	want := []string{pa + "=abc", qa + "=x"}
	sort.Strings(want)
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("messages %q, want %q", got, want)
	}
	// After the gap a datagram starts a new message.
	p.WriteTo([]byte("d"), to)
	rec.waitFor(t, "third message", func(evs []Event, _ []byte) bool { return len(received(evs)) == 3 })
	rec.mu.Lock()
	got = received(rec.events)
	rec.mu.Unlock()
	if got[2] != pa+"=d" {
		t.Fatalf("third message %q", got[2])
	}
	if st := s.Stats(); st.RxFrames != 3 || st.RxPackets != 5 {
		t.Fatalf("stats %+v", st)
	}
	// A frame still pending when the session closes is reported.
	p.WriteTo([]byte("e"), to)
	waitPackets(t, s, pa, 5)
	s.Close()
	rec.mu.Lock()
	got = received(rec.events)
	rec.mu.Unlock()
	if len(got) != 4 || got[3] != pa+"=e" {
		t.Fatalf("after close %q", got)
	}
}

// TestChildPassed: the check on the namespace run sees through an exit
// status of 0 that comes from a skip or from no test at all.
func TestChildPassed(t *testing.T) {
	const name = "TestX"
	for out, want := range map[string]bool{
		"=== RUN   TestX\n--- PASS: TestX (0.01s)\nPASS\n":                 true,
		"=== RUN   TestX\n    x_test.go:1: why\n--- SKIP: TestX (0.00s)\n": false,
		"testing: warning: no tests to run\nPASS\n":                        false,
		"=== RUN   TestXY\n--- PASS: TestXY (0.01s)\nPASS\n":               false,
	} {
		if got := childPassed(out, name); got != want {
			t.Errorf("childPassed(%q) = %v, want %v", out, got, want)
		}
	}
}
