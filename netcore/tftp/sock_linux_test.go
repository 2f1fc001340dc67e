package tftp

import (
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// blockingPair opens a blocking socket and an ordinary peer on loopback.
func blockingPair(t *testing.T, v6 bool) (*blockingSocket, *net.UDPConn, netip.AddrPort) {
	t.Helper()
	s, err := listenBlocking(v6, netip.Addr{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	network, lo := "udp4", netip.MustParseAddr("127.0.0.1")
	if v6 {
		network, lo = "udp6", netip.IPv6Loopback()
	}
	peer, err := net.ListenUDP(network, net.UDPAddrFromAddrPort(netip.AddrPortFrom(lo, 0)))
	if err != nil {
		if v6 {
			skipOrFail(t, "no IPv6 loopback here: %v", err)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() { peer.Close() })
	// The socket is bound to the wildcard address; reach it on loopback.
	sa, err := unixSockname(s)
	if err != nil {
		t.Fatal(err)
	}
	return s, peer, netip.AddrPortFrom(lo, sa)
}

func TestBlockingSocketRoundTrip(t *testing.T) {
	for _, v6 := range []bool{false, true} {
		t.Run(map[bool]string{false: "IPv4", true: "IPv6"}[v6], func(t *testing.T) {
			s, peer, addr := blockingPair(t, v6)
			if _, err := peer.WriteToUDPAddrPort([]byte("hello"), addr); err != nil {
				t.Fatal(err)
			}
			s.SetReadDeadline(time.Now().Add(5 * time.Second))
			buf := make([]byte, 64)
			n, from, err := s.ReadFromUDPAddrPort(buf)
			if err != nil {
				t.Fatal(err)
			}
			want := peer.LocalAddr().(*net.UDPAddr).AddrPort()
			if string(buf[:n]) != "hello" || from != want {
				t.Fatalf("got %q from %v, want %q from %v", buf[:n], from, "hello", want)
			}
			if _, err := s.WriteToUDPAddrPort([]byte("back"), from); err != nil {
				t.Fatal(err)
			}
			peer.SetReadDeadline(time.Now().Add(5 * time.Second))
			n, back, err := peer.ReadFromUDPAddrPort(buf)
			if err != nil || string(buf[:n]) != "back" || back.Port() != addr.Port() {
				t.Fatalf("peer got %q from %v (%v), want %q from port %d", buf[:n], back, err, "back", addr.Port())
			}
		})
	}
}

func TestBlockingSocketDeadline(t *testing.T) {
	s, _, _ := blockingPair(t, false)
	buf := make([]byte, 64)

	const wait = 40 * time.Millisecond
	start := time.Now()
	s.SetReadDeadline(start.Add(wait))
	_, _, err := s.ReadFromUDPAddrPort(buf)
	if took := time.Since(start); !errors.Is(err, os.ErrDeadlineExceeded) || took < wait || took > wait+2*time.Second {
		t.Fatalf("read returned %v after %v, want a deadline error after %v", err, took, wait)
	}

	s.SetReadDeadline(time.Unix(1, 0))
	if _, _, err := s.ReadFromUDPAddrPort(buf); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("deadline in the past: %v", err)
	}

	// A deadline set by another goroutine while the read is blocked with
	// none is seen within the poll quantum.
	s.SetReadDeadline(time.Time{})
	go func() {
		time.Sleep(30 * time.Millisecond)
		s.SetReadDeadline(time.Now())
	}()
	start = time.Now()
	_, _, err = s.ReadFromUDPAddrPort(buf)
	if took := time.Since(start); !errors.Is(err, os.ErrDeadlineExceeded) || took > 2*time.Second {
		t.Fatalf("read returned %v after %v, want a deadline error soon after 30ms", err, took)
	}
}

// interrupt wakes a read that waits for a deadline an hour away, every later
// read fails at once, and the socket can still send (the ERROR to the peer).
func TestBlockingSocketInterrupt(t *testing.T) {
	// With no kernel timeout to fall back on, only interrupt can wake the
	// read in time.
	saved := pollQuantum
	pollQuantum = time.Hour
	defer func() { pollQuantum = saved }()
	s, peer, _ := blockingPair(t, false)
	s.SetReadDeadline(time.Now().Add(time.Hour))
	done := make(chan error, 1)
	go func() {
		_, _, err := s.ReadFromUDPAddrPort(make([]byte, 64))
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	s.interrupt()
	select {
	case err := <-done:
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("interrupted read: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("interrupt did not wake the read")
	}
	if _, _, err := s.ReadFromUDPAddrPort(make([]byte, 64)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read after interrupt: %v", err)
	}
	to := peer.LocalAddr().(*net.UDPAddr).AddrPort()
	if _, err := s.WriteToUDPAddrPort([]byte("bye"), to); err != nil {
		t.Fatalf("send after interrupt: %v", err)
	}
	peer.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 64)
	if n, _, err := peer.ReadFromUDPAddrPort(buf); err != nil || string(buf[:n]) != "bye" {
		t.Fatalf("peer got %q, %v", buf[:n], err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.ReadFromUDPAddrPort(buf); !errors.Is(err, os.ErrClosed) {
		t.Fatalf("read after close: %v", err)
	}
}

// The receive path allocates nothing per datagram.
func TestBlockingSocketNoAllocations(t *testing.T) {
	s, peer, addr := blockingPair(t, false)
	const runs = 100
	for range runs + 1 {
		if _, err := peer.WriteToUDPAddrPort(make([]byte, 512), addr); err != nil {
			t.Fatal(err)
		}
	}
	s.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 600)
	allocs := testing.AllocsPerRun(runs, func() {
		if n, _, err := s.ReadFromUDPAddrPort(buf); err != nil || n != 512 {
			t.Fatalf("read %d bytes: %v", n, err)
		}
	})
	if allocs != 0 {
		t.Fatalf("%.1f allocations per datagram, want 0", allocs)
	}
}

// A cancelled download on the blocking socket stops at once, even though its
// read waits for a retransmit timeout of many seconds.
func TestBlockingDownloadCancelWakesRead(t *testing.T) {
	silent, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	c := NewClient(silent.LocalAddr().String())
	c.InitialRTO, c.MinRTO = 30*time.Second, 30*time.Second
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		// Cancel once the request has arrived, so the client is in its read.
		silent.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, _, _ = silent.ReadFromUDPAddrPort(make([]byte, 600))
		cancel()
	}()
	start := time.Now()
	_, err = c.Download(ctx, "f", io.Discard)
	if !errors.Is(err, ErrCancelled) {
		t.Fatalf("download: %v, want ErrCancelled", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("cancel took %v", took)
	}
}

// The polling budget doubles while datagrams come soon after a read gave up
// polling, and halves to nothing while they come late or not at all.
func TestAdaptSpin(t *testing.T) {
	saved := spinMax
	spinMax = 50 * time.Microsecond
	defer func() { spinMax = saved }()

	soon, late := 10*time.Microsecond, 2*time.Millisecond
	spin := time.Duration(0)
	for _, want := range []time.Duration{5, 10, 20, 40, 50, 50} {
		spin = adaptSpin(spin, soon, true)
		if spin != want*time.Microsecond {
			t.Fatalf("after a short sleep: budget %v, want %v", spin, want*time.Microsecond)
		}
	}
	for _, want := range []time.Duration{25000, 12500, 6250, 0, 0} {
		spin = adaptSpin(spin, late, true)
		if spin != want*time.Nanosecond {
			t.Fatalf("after a long sleep: budget %v, want %v", spin, want*time.Nanosecond)
		}
	}
	if got := adaptSpin(40*time.Microsecond, soon, false); got != 20*time.Microsecond {
		t.Fatalf("after a timeout: budget %v, want 20µs", got)
	}
}

// A read that finds nothing queued polls, then sleeps, and still gets a
// datagram that arrives while it polls or while it sleeps.
func TestBlockingSocketWaitsThroughPollAndSleep(t *testing.T) {
	// The budget as on a machine with CPUs to spare, so the check below
	// checks something on one CPU too, where spinMax is 0.
	saved := spinMax
	spinMax = 50 * time.Microsecond
	defer func() { spinMax = saved }()
	s, peer, addr := blockingPair(t, false)
	if s.spin != spinMax {
		t.Fatalf("a new socket's budget is %v, want %v", s.spin, spinMax)
	}
	s.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 64)
	for _, delay := range []time.Duration{0, 20 * time.Microsecond, 5 * time.Millisecond, 30 * time.Millisecond} {
		go func() {
			time.Sleep(delay)
			peer.WriteToUDPAddrPort([]byte("x"), addr)
		}()
		if n, _, err := s.ReadFromUDPAddrPort(buf); err != nil || string(buf[:n]) != "x" {
			t.Fatalf("sent after %v: got %q, %v", delay, buf[:n], err)
		}
	}
	// Two long sleeps in a row: the budget shrank.
	if s.spin >= spinMax {
		t.Fatalf("budget still %v after long sleeps", s.spin)
	}
}

// A socket opened on a given address is bound to it (a server answers from
// the address the request came to); a zoned IPv6 address is left to the
// runtime's socket.
func TestBlockingSocketBindsLocalAddress(t *testing.T) {
	for _, a := range []string{"127.0.0.1", "::1"} {
		local := netip.MustParseAddr(a)
		s, err := listenBlocking(local.Is6(), local)
		if err != nil {
			if local.Is6() {
				t.Logf("no IPv6 loopback here: %v", err)
				continue
			}
			t.Fatal(err)
		}
		sa, err := unix.Getsockname(s.fd)
		s.Close()
		if err != nil {
			t.Fatal(err)
		}
		var got netip.Addr
		switch sa := sa.(type) {
		case *unix.SockaddrInet4:
			got = netip.AddrFrom4(sa.Addr)
		case *unix.SockaddrInet6:
			got = netip.AddrFrom16(sa.Addr)
		}
		if got != local {
			t.Fatalf("bound to %v, want %v", got, local)
		}
	}
	if _, err := listenBlocking(true, netip.MustParseAddr("fe80::1%lo")); err == nil {
		t.Fatal("a zoned address was accepted")
	}
	u, err := openTransferSocket("udp6", netip.MustParseAddr("fe80::1%nosuchif"), true)
	if err == nil {
		u.Close()
		t.Fatal("a zone naming no interface opened a socket")
	}
}

// Polling gives up at once while maxSpinners other reads poll, and
// otherwise catches a datagram that comes within the budget.
func TestBlockingSocketPollLimit(t *testing.T) {
	s, peer, addr := blockingPair(t, false)
	buf := make([]byte, 64)
	s.spin = time.Second

	spinners.Add(maxSpinners)
	start := time.Now()
	_, _, err := s.poll(buf)
	spinners.Add(-maxSpinners)
	if err != unix.EAGAIN || time.Since(start) > 500*time.Millisecond {
		t.Fatalf("poll with no free slot: %v after %v, want EAGAIN at once", err, time.Since(start))
	}

	go func() {
		time.Sleep(5 * time.Millisecond)
		peer.WriteToUDPAddrPort([]byte("p"), addr)
	}()
	n, _, err := s.poll(buf)
	if err != nil || string(buf[:n]) != "p" {
		t.Fatalf("poll: %q, %v", buf[:n], err)
	}
	if got := spinners.Load(); got != 0 {
		t.Fatalf("%d polls still counted", got)
	}
}
