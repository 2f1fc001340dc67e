package session

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/netdebug/netdebug/netcore/framing"
	"github.com/netdebug/netdebug/netcore/internal/testenv"
)

func TestTCPClientEcho10MB(t *testing.T) {
	addr := echoServer(t)
	rec := newRecorder()
	c, err := NewTCPClient(TCPClientConfig{Address: addr}, rec.handle)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	payload := make([]byte, 10<<20)
	rand.Read(payload)
	go func() {
		for off := 0; off < len(payload); off += 100_000 {
			if err := c.Send(payload[off:min(off+100_000, len(payload))]); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	rec.waitFor(t, "10 MB echoed", func(_ []Event, rx []byte) bool { return len(rx) >= len(payload) })
	rec.mu.Lock()
	got := rec.rx.Bytes()
	rec.mu.Unlock()
	if !bytes.Equal(got, payload) {
		t.Fatalf("echo differs: got %d bytes", len(got))
	}
	st := c.Stats()
	if st.RxBytes != uint64(len(payload)) || st.TxBytes != uint64(len(payload)) || st.TxPackets != 105 || st.RxPackets == 0 {
		t.Fatalf("stats = %+v", st)
	}
}

func TestTCPClientPeerCloses(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			c.Write([]byte("bye"))
			c.Close()
		}
	}()
	rec := newRecorder()
	c, _ := NewTCPClient(TCPClientConfig{Address: ln.Addr().String()}, rec.handle)
	if err := c.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(t, "closed by peer", hasKind(Closed))
	rec.mu.Lock()
	var closed Event
	for _, ev := range rec.events {
		if ev.Kind == Closed {
			closed = ev
		}
	}
	rx := rec.rx.String()
	rec.mu.Unlock()
	if closed.Err != nil || closed.Msg != "closed by peer" || rx != "bye" {
		t.Fatalf("closed = %+v, rx %q", closed, rx)
	}
	c.Close()
	if c.State() != Disconnected {
		t.Fatalf("state %v", c.State())
	}
	if err := c.Send([]byte("x")); !errors.Is(err, ErrNotConnected) {
		t.Fatalf("send after close: %v", err)
	}
}

func TestTCPClientRefused(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	c, _ := NewTCPClient(TCPClientConfig{Address: addr}, nil)
	err := c.Connect(context.Background())
	if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), addr) {
		t.Fatalf("err = %v; want ErrRefused naming %s", err, addr)
	}
	if c.State() != Disconnected {
		t.Fatal("state after refusal")
	}
}

// fullBacklog returns an address whose listen queue is full, so a connect
// to it hangs until cancelled.
func fullBacklog(t *testing.T) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		testenv.Skip(t, "raw socket: %v", err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, _ := syscall.Getsockname(fd)
	addr := (&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: sa.(*syscall.SockaddrInet4).Port}).String()
	// Fill the queue until a connect stops completing.
	for i := 0; i < 16; i++ {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err != nil {
			return addr
		}
		t.Cleanup(func() { c.Close() })
	}
	testenv.Skip(t, "could not fill the listen backlog on this system")
	return ""
}

func TestTCPClientCancelDuringConnect(t *testing.T) {
	addr := fullBacklog(t)
	c, _ := NewTCPClient(TCPClientConfig{Address: addr, ConnectTimeout: 30 * time.Second}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(150*time.Millisecond, cancel)
	start := time.Now()
	err := c.Connect(ctx)
	if !errors.Is(err, ErrCancelled) {
		t.Fatalf("err = %v; want ErrCancelled", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("cancel took %v", d)
	}
	// Close during a connect cancels it too.
	c2, _ := NewTCPClient(TCPClientConfig{Address: addr, ConnectTimeout: 30 * time.Second}, nil)
	time.AfterFunc(150*time.Millisecond, func() { c2.Close() })
	if err := c2.Connect(context.Background()); !errors.Is(err, ErrCancelled) {
		t.Fatalf("close during connect: %v", err)
	}
}

func TestTCPClientConnectTimeout(t *testing.T) {
	addr := fullBacklog(t)
	c, _ := NewTCPClient(TCPClientConfig{Address: addr, ConnectTimeout: 200 * time.Millisecond}, nil)
	if err := c.Connect(context.Background()); !errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v; want ErrTimeout", err)
	}
}

func TestTCPClientGoroutinesAfter200Cycles(t *testing.T) {
	addr := echoServer(t)
	leaks := testenv.Goroutines(t, 5*time.Second)
	for i := 0; i < 200; i++ {
		rec := newRecorder()
		c, err := NewTCPClient(TCPClientConfig{Address: addr}, rec.handle)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Connect(context.Background()); err != nil {
			t.Fatal(err)
		}
		if err := c.Send([]byte("ping")); err != nil {
			t.Fatal(err)
		}
		if i%20 == 0 {
			rec.waitFor(t, "echo", func(_ []Event, rx []byte) bool { return string(rx) == "ping" })
		}
		c.Close()
	}
	// The echo server's own goroutines end once it sees each close.
	leaks()
}

func TestTCPClientReconnects(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	defer ln.Close()
	var accepted atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if accepted.Add(1) == 1 {
				c.Close() // drop the first connection
				continue
			}
			defer c.Close()
			io.Copy(io.Discard, c)
		}
	}()
	rec := newRecorder()
	c, _ := NewTCPClient(TCPClientConfig{Address: ln.Addr().String(), Reconnect: true, ReconnectDelay: 50 * time.Millisecond}, rec.handle)
	if err := c.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rec.waitFor(t, "second connection", func(evs []Event, _ []byte) bool {
		n := 0
		for _, ev := range evs {
			if ev.Kind == Connected {
				n++
			}
		}
		return n >= 2
	})
	if c.State() != Online {
		t.Fatalf("state %v", c.State())
	}
	c.Close()
	if c.State() != Disconnected {
		t.Fatalf("after close: %v", c.State())
	}
}

func TestTCPClientFramingAndLocalAddress(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	defer ln.Close()
	remote := make(chan string, 1)
	// The frame "three" is split across two segments: the second is
	// written only once the client has delivered the first two frames, so
	// the client cannot have read both parts at once.
	firstRead, finished := make(chan struct{}), make(chan struct{})
	defer close(finished)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		remote <- c.RemoteAddr().String()
		c.Write([]byte("one\ntwo\nthr"))
		select {
		case <-firstRead:
		case <-finished:
			return
		}
		c.Write([]byte("ee\n"))
		<-finished
	}()
	rec := newRecorder()
	c, err := NewTCPClient(TCPClientConfig{
		Address: ln.Addr().String(), LocalAddress: "127.0.0.1",
		Framing: framing.Config{Mode: framing.Delimiter, Delimiter: []byte("\n")},
	}, rec.handle)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if r := <-remote; r != c.LocalAddr() {
		t.Fatalf("server saw %s, client local %s", r, c.LocalAddr())
	}
	frames := func(evs []Event) string {
		var got []string
		for _, ev := range evs {
			if ev.Kind == Received {
				got = append(got, string(ev.Data))
			}
		}
		return strings.Join(got, "|")
	}
	rec.waitFor(t, "the first two frames", func(evs []Event, _ []byte) bool { return frames(evs) == "one\n|two\n" })
	if st := c.Stats(); st.RxFrames != 2 || st.RxBytes != 11 {
		t.Fatalf("after the first segment: stats %+v, want 2 frames of 11 bytes read", st)
	}
	close(firstRead)
	rec.waitFor(t, "three frames", func(evs []Event, _ []byte) bool {
		var got []string
		for _, ev := range evs {
			if ev.Kind == Received {
				got = append(got, string(ev.Data))
			}
		}
		return strings.Join(got, "|") == "one\n|two\n|three\n"
	})
	if st := c.Stats(); st.RxFrames != 3 || st.RxPackets != 2 {
		t.Fatalf("stats %+v, want 3 frames from 2 reads", st)
	}
}

func TestTCPClientBadConfig(t *testing.T) {
	for _, addr := range []string{"", "host", ":", "a b:80", "999.1.1.1:80", "host:0", "host:65536", "host:abc", "[::1:80"} {
		if _, err := NewTCPClient(TCPClientConfig{Address: addr}, nil); !errors.Is(err, ErrInvalidAddress) {
			t.Errorf("address %q: err = %v", addr, err)
		}
	}
	if _, err := NewTCPClient(TCPClientConfig{Address: "h:1", LocalAddress: "not-an-ip"}, nil); !errors.Is(err, ErrInvalidAddress) {
		t.Errorf("bad local address: %v", err)
	}
	if _, err := NewTCPClient(TCPClientConfig{Address: "h:1", Framing: framing.Config{Mode: framing.Fixed}}, nil); !errors.Is(err, framing.ErrBadConfig) {
		t.Errorf("bad framing: %v", err)
	}
	if _, err := NewTCPClient(TCPClientConfig{Address: "[::1]:80"}, nil); err != nil {
		t.Errorf("IPv6: %v", err)
	}
}

func TestTCPClientIPv6AndHostname(t *testing.T) {
	for _, network := range []struct{ listen, dial string }{{"[::1]:0", "[::1]"}, {"127.0.0.1:0", "localhost"}} {
		ln, err := net.Listen("tcp", network.listen)
		if err != nil {
			t.Logf("skip %s: %v", network.listen, err)
			continue
		}
		go func() {
			c, err := ln.Accept()
			if err == nil {
				c.Write([]byte("hi"))
				c.Close()
			}
		}()
		_, port, _ := net.SplitHostPort(ln.Addr().String())
		rec := newRecorder()
		c, err := NewTCPClient(TCPClientConfig{Address: net.JoinHostPort(strings.Trim(network.dial, "[]"), port)}, rec.handle)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Connect(context.Background()); err != nil {
			// localhost may resolve to ::1 first where the listener is v4 only.
			t.Fatalf("%s: %v", network.dial, err)
		}
		rec.waitFor(t, "hi", func(_ []Event, rx []byte) bool { return string(rx) == "hi" })
		c.Close()
		ln.Close()
	}
}

func TestPeriodicSendCountAndStop(t *testing.T) {
	addr := echoServer(t)
	rec := newRecorder()
	c, _ := NewTCPClient(TCPClientConfig{Address: addr}, rec.handle)
	if err := c.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	done := make(chan int, 1)
	p, err := StartPeriodic(context.Background(), time.Millisecond, 25, func() error { return c.Send([]byte("x")) }, func(n int, err error) { done <- n })
	if err != nil {
		t.Fatal(err)
	}
	if n := <-done; n != 25 || p.Sent() != 25 {
		t.Fatalf("sent %d", n)
	}
	rec.waitFor(t, "25 bytes echoed", func(_ []Event, rx []byte) bool { return len(rx) == 25 })

	p2, _ := StartPeriodic(context.Background(), 5*time.Millisecond, 0, func() error { return c.Send([]byte("y")) }, nil)
	rec.waitFor(t, "three periodic sends echoed", func(_ []Event, rx []byte) bool { return len(rx) >= 28 })
	p2.Stop()
	// Done closes when the run's goroutine has returned: nothing can send
	// after it, so the count is final.
	select {
	case <-p2.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("an unbounded periodic run did not end after Stop")
	}
	n := p2.Sent()
	if n < 3 || c.Stats().TxBytes != uint64(25+n) {
		t.Fatalf("unbounded periodic: %d sent, the client counted %d bytes sent, want 25+%d", n, c.Stats().TxBytes, n)
	}
	if _, err := StartPeriodic(context.Background(), 0, 0, nil, nil); !errors.Is(err, ErrBadInterval) {
		t.Fatalf("0 ms interval: %v", err)
	}
	// A send error stops the run and is reported.
	c.Close()
	p3, _ := StartPeriodic(context.Background(), time.Millisecond, 0, func() error { return c.Send([]byte("z")) }, nil)
	<-p3.Done()
	if !errors.Is(p3.Err(), ErrNotConnected) {
		t.Fatalf("periodic after close: %v", p3.Err())
	}
}

func TestSendFileProgressAndCancel(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	defer ln.Close()
	got := make(chan int64, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		n, _ := io.Copy(io.Discard, c)
		got <- n
	}()
	c, _ := NewTCPClient(TCPClientConfig{Address: ln.Addr().String()}, nil)
	if err := c.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	data := make([]byte, 3<<20)
	var last atomic.Int64
	n, err := c.SendFile(context.Background(), "blob", bytes.NewReader(data), int64(len(data)), func(sent, total int64) { last.Store(sent) })
	if err != nil || n != int64(len(data)) || last.Load() != n {
		t.Fatalf("sent %d err %v progress %d", n, err, last.Load())
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.SendFile(ctx, "blob", bytes.NewReader(data), -1, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled send: %v", err)
	}
	c.Close()
	if n := <-got; n != int64(len(data)) {
		t.Fatalf("server got %d", n)
	}
}

// silentPeer accepts one connection and never reads from it, so writes to
// it block once the socket buffers are full. release closes it.
func silentPeer(t *testing.T) (addr string, release func()) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	conns := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			conns <- c
		}
		close(conns)
	}()
	var once sync.Once
	release = func() {
		once.Do(func() {
			ln.Close()
			for c := range conns {
				c.Close()
			}
		})
	}
	t.Cleanup(release)
	return ln.Addr().String(), release
}

// within runs f and fails the test if it has not returned after limit; the
// peer is released then so that f can end.
func within(t *testing.T, limit time.Duration, release func(), f func() error) (error, time.Duration) {
	t.Helper()
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err, time.Since(start)
	case <-time.After(limit):
		release()
		<-done
		t.Fatalf("still blocked after %v", limit)
		return nil, 0
	}
}

// TestTCPClientSlowReaderIsNotATimeout: WriteTimeout bounds a stall, not
// a whole send. A peer that reads steadily but slowly takes a send that
// lasts several timeouts.
func TestTCPClientSlowReaderIsNotATimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	const size = 32 << 20
	got := make(chan int, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			got <- -1
			return
		}
		defer conn.Close()
		got <- readSlowly(conn, size)
	}()
	c, _ := NewTCPClient(TCPClientConfig{Address: ln.Addr().String(), WriteTimeout: 250 * time.Millisecond}, nil)
	if err := c.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	if err := c.Send(make([]byte, size)); err != nil {
		t.Fatalf("a slow but steady reader failed the send after %v: %v", time.Since(start), err)
	}
	if n := <-got; n != size {
		t.Fatalf("the peer read %d of %d bytes", n, size)
	}
}

// TestTCPClientWriteTimeout: a peer that stops reading fails a send with
// ErrTimeout after WriteTimeout; it used to block Send for ever.
func TestTCPClientWriteTimeout(t *testing.T) {
	addr, release := silentPeer(t)
	c, _ := NewTCPClient(TCPClientConfig{Address: addr, WriteTimeout: 300 * time.Millisecond}, nil)
	if err := c.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	big := make([]byte, 64<<20) // more than loopback socket buffers hold
	err, took := within(t, 10*time.Second, release, func() error { return c.Send(big) })
	if !errors.Is(err, ErrTimeout) || !strings.Contains(err.Error(), addr) || !strings.Contains(err.Error(), "not reading") {
		t.Fatalf("err = %v; want ErrTimeout naming %s", err, addr)
	}
	if took < 250*time.Millisecond {
		t.Fatalf("gave up after %v, before the write timeout", took)
	}
	if c.Stats().TxBytes == 0 {
		t.Fatal("the bytes that did go out are not counted")
	}
	// The connection stays usable: the next write gets a fresh deadline.
	if c.State() != Online {
		t.Fatalf("state %v", c.State())
	}
}

// TestTCPClientSendFileCancelWhileBlocked: cancelling a file send cuts
// short a write blocked on a peer that does not read, long before the write
// timeout.
func TestTCPClientSendFileCancelWhileBlocked(t *testing.T) {
	addr, release := silentPeer(t)
	rec := newRecorder()
	c, _ := NewTCPClient(TCPClientConfig{Address: addr, WriteTimeout: time.Minute}, rec.handle)
	if err := c.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var last atomic.Int64
	stalled := make(chan struct{})
	go func() {
		// Cancel once the progress has stopped moving: the write is blocked.
		prev := int64(-1)
		for ctx.Err() == nil {
			time.Sleep(500 * time.Millisecond)
			n := last.Load()
			if n == prev { // progress is only reported after a write returns
				close(stalled)
				cancel()
				return
			}
			prev = n
		}
	}()
	var n int64
	err, _ := within(t, 20*time.Second, release, func() error {
		var err error
		n, err = c.SendFile(ctx, "big", io.LimitReader(zeros{}, 1<<30), 1<<30, func(sent, _ int64) { last.Store(sent) })
		return err
	})
	select {
	case <-stalled:
	default:
		t.Fatalf("the send ended before it blocked: %v", err)
	}
	if !errors.Is(err, context.Canceled) || !errors.Is(err, ErrCancelled) {
		t.Fatalf("err = %v; want cancelled", err)
	}
	if n <= 0 || n >= 1<<30 {
		t.Fatalf("sent %d", n)
	}
	rec.waitFor(t, "the cancel in the log", func(evs []Event, _ []byte) bool {
		for _, ev := range evs {
			if ev.Kind == Info && strings.Contains(ev.Msg, "cancelled") {
				return true
			}
		}
		return false
	})
	// A cancelled write leaves no stale deadline behind: the next write
	// waits for its own timeout, not zero.
	ctx2, cancel2 := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel2()
	err, took := within(t, 10*time.Second, release, func() error { return c.write(ctx2, make([]byte, 1<<20)) })
	if !errors.Is(err, context.DeadlineExceeded) || took < 250*time.Millisecond {
		t.Fatalf("next write: %v after %v", err, took)
	}
}

type zeros struct{}

func (zeros) Read(b []byte) (int, error) {
	clear(b)
	return len(b), nil
}

// TestTCPClientReconnectTurnedOff: turning reconnect off while the client
// waits to reconnect stops it at once, with a Closed event saying so and
// the state Disconnected; it used to stop silently.
func TestTCPClientReconnectTurnedOff(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			ln.Close() // no one to reconnect to
			c.Close()
		}
	}()
	rec := newRecorder()
	c, _ := NewTCPClient(TCPClientConfig{Address: addr, Reconnect: true, ReconnectDelay: time.Hour}, rec.handle)
	if err := c.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rec.waitFor(t, "the connection lost", hasKind(Closed))
	if c.State() != Reconnecting {
		t.Fatalf("state %v", c.State())
	}
	c.SetReconnect(false)
	rec.waitFor(t, "reconnecting stopped", func(evs []Event, _ []byte) bool {
		last := evs[len(evs)-1]
		return last.Kind == Closed && last.Msg == "reconnecting stopped" && last.Err == nil
	})
	if c.State() != Disconnected {
		t.Fatalf("state %v", c.State())
	}
	// A stale "off" does not cut the next wait short once it is on again.
	c2, _ := NewTCPClient(TCPClientConfig{Address: addr, Reconnect: true, ReconnectDelay: 300 * time.Millisecond}, nil)
	c2.SetReconnect(false)
	c2.SetReconnect(true)
	start := time.Now()
	if !c2.waitReconnect(context.Background()) || time.Since(start) < 250*time.Millisecond {
		t.Fatalf("wait after off and on: %v", time.Since(start))
	}
}

// TestTCPClientLocalAddressNotLocal: a local address that is not on this
// computer is named in the error, not the remote address.
func TestTCPClientLocalAddressNotLocal(t *testing.T) {
	remote := echoServer(t)
	// Whether 192.0.2.77 (TEST-NET-1) is foreign here is the system's
	// business; what the client makes of it is the test's.
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("192.0.2.77")}}
	if pc, perr := d.Dial("tcp", remote); !errors.Is(perr, syscall.EADDRNOTAVAIL) {
		if pc != nil {
			pc.Close()
		}
		testenv.Skip(t, "binding 192.0.2.77 does not fail with EADDRNOTAVAIL on this system: %v", perr)
	}
	c, err := NewTCPClient(TCPClientConfig{Address: remote, LocalAddress: "192.0.2.77"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = c.Connect(context.Background())
	if !errors.Is(err, ErrAddrNotLocal) {
		t.Fatalf("err = %v; the system refuses 192.0.2.77 with EADDRNOTAVAIL, want ErrAddrNotLocal", err)
	}
	if !strings.Contains(err.Error(), "192.0.2.77") || strings.Contains(err.Error(), remote) {
		t.Fatalf("err = %q; want it to name the local address 192.0.2.77, not %s", err, remote)
	}
	// A local port in use is the local address's problem too.
	busy, _ := net.Listen("tcp", "127.0.0.1:0")
	defer busy.Close()
	c2, _ := NewTCPClient(TCPClientConfig{Address: remote, LocalAddress: busy.Addr().String()}, nil)
	err = c2.Connect(context.Background())
	if !errors.Is(err, ErrAddrInUse) || !strings.Contains(err.Error(), busy.Addr().String()) || strings.Contains(err.Error(), remote) {
		t.Fatalf("err = %v; want ErrAddrInUse naming %s", err, busy.Addr())
	}
}
