//go:build linux

package chat

import (
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/netdebug/netdebug/netcore/internal/testenv"
)

// netnsPair makes two network namespaces joined by a veth pair, with
// 10.78.N.1/24 and 10.78.N.2/24, and removes them when the test ends. It
// skips the test, saying why, where that is not possible.
func netnsPair(t *testing.T) (nsA, nsB string, ipA, ipB netip.Addr) {
	t.Helper()
	if os.Geteuid() != 0 {
		testenv.Skip(t, "network namespaces need root (broadcast does not reach other sockets on loopback reliably enough to stand in for a LAN)")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		testenv.Skip(t, "the ip command (iproute2) is not installed")
	}
	id := os.Getpid()%100000 + int(time.Now().UnixNano()%1000)*100000
	nsA, nsB = fmt.Sprintf("ndchat%da", id), fmt.Sprintf("ndchat%db", id)
	vA, vB := fmt.Sprintf("ndc%da", id%1000000), fmt.Sprintf("ndc%db", id%1000000)
	n := id%250 + 1
	ipA = netip.MustParseAddr(fmt.Sprintf("10.78.%d.1", n))
	ipB = netip.MustParseAddr(fmt.Sprintf("10.78.%d.2", n))
	run := func(args ...string) error {
		out, err := exec.Command("ip", args...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, out)
		}
		return nil
	}
	if err := run("netns", "add", nsA); err != nil {
		testenv.Skip(t, "cannot create a network namespace: %v", err)
	}
	t.Cleanup(func() { run("netns", "del", nsA) })
	if err := run("netns", "add", nsB); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { run("netns", "del", nsB) })
	for _, args := range [][]string{
		{"link", "add", vA, "netns", nsA, "type", "veth", "peer", "name", vB, "netns", nsB},
		{"-n", nsA, "addr", "add", ipA.String() + "/24", "dev", vA},
		{"-n", nsB, "addr", "add", ipB.String() + "/24", "dev", vB},
		{"-n", nsA, "link", "set", vA, "up"},
		{"-n", nsB, "link", "set", vB, "up"},
		{"-n", nsA, "link", "set", "lo", "up"},
		{"-n", nsB, "link", "set", "lo", "up"},
	} {
		if err := run(args...); err != nil {
			t.Fatal(err)
		}
	}
	return nsA, nsB, ipA, ipB
}

// inNetns runs f on a thread that has entered the namespace. The thread is
// never handed back to the runtime (the goroutine ends locked), so no other
// goroutine runs in the namespace by accident. Sockets made by f stay in
// the namespace after it returns.
func inNetns(t *testing.T, name string, f func()) {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		fd, err := unix.Open("/var/run/netns/"+name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			done <- err
			return
		}
		defer unix.Close(fd)
		if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
			done <- err
			return
		}
		f()
		done <- nil
	}()
	if err := <-done; err != nil {
		t.Fatalf("entering %s: %v", name, err)
	}
}

// Two instances on a real (virtual) LAN find each other by subnet
// broadcast on the same chat port, as two computers would.
func TestDiscoveryAcrossNetworkNamespaces(t *testing.T) {
	nsA, nsB, ipA, ipB := netnsPair(t)
	open := func(ns, nick string) *Chat {
		var c *Chat
		broadcasts := func() []netip.Addr {
			var out []netip.Addr
			inNetns(t, ns, func() { out = SubnetBroadcasts() })
			return out
		}
		c = newChat(t, nick, false, func(cfg *Config) {
			cfg.Discovery, cfg.AnnounceInterval, cfg.Broadcasts = true, 150*time.Millisecond, broadcasts
		})
		var err error
		inNetns(t, ns, func() { err = c.Start(fmt.Sprint(DefaultPort), false) })
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	// The announce goes to the subnet's broadcast address, found from the
	// namespace's interfaces.
	var got []netip.Addr
	inNetns(t, nsA, func() { got = SubnetBroadcasts() })
	want := netip.AddrFrom4([4]byte{ipA.As4()[0], ipA.As4()[1], ipA.As4()[2], 255})
	if len(got) != 1 || got[0] != want {
		t.Fatalf("broadcast addresses in %s: %v, want %s", nsA, got, want)
	}
	a := open(nsA, "Alice")
	b := open(nsB, "Bob")
	discoveryPair(t, a, b, netip.AddrPortFrom(ipA, DefaultPort), netip.AddrPortFrom(ipB, DefaultPort))
}
