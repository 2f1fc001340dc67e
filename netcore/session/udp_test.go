package session

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/netdebug/netdebug/netcore/framing"
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
				t.Skipf("%s: %v", fam.peer, err)
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
		t.Skip("skipped: needs root to create a network namespace")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("skipped: the ip command (iproute2) is missing")
	}
	if os.Getenv("NETDEBUG_IN_NETNS") == "" {
		ns := fmt.Sprintf("ndmc%d", os.Getpid())
		if out, err := exec.Command("ip", "netns", "add", ns).CombinedOutput(); err != nil {
			t.Skipf("skipped: cannot create a network namespace: %v %s", err, out)
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
		cmd := exec.Command("ip", "netns", "exec", ns, os.Args[0], "-test.run", "^TestUDPMulticastAndBroadcastInNamespace$", "-test.v")
		cmd.Env = append(os.Environ(), "NETDEBUG_IN_NETNS=1")
		out, err := cmd.CombinedOutput()
		t.Logf("inside the namespace:\n%s", out)
		if err != nil {
			t.Fatal(err)
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
