package session

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netdebug/netdebug/netcore/framing"
	"github.com/netdebug/netdebug/netcore/internal/testenv"
)

func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		testenv.Skip(t, "cannot count file descriptors: %v", err)
	}
	return len(ents)
}

func startServer(t *testing.T, cfg TCPServerConfig, h Handler) *TCPServer {
	t.Helper()
	if cfg.Address == "" {
		cfg.Address = "127.0.0.1:0"
	}
	s, err := NewTCPServer(cfg, h)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Shutdown(context.Background()) })
	return s
}

func waitClients(t *testing.T, s *TCPServer, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for s.ClientCount() != n {
		if time.Now().After(deadline) {
			t.Fatalf("clients: %d, want %d", s.ClientCount(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestTCPServerThousandClients(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	leaks := testenv.Goroutines(t, 5*time.Second)
	baseFD := openFDs(t)

	s, err := NewTCPServer(TCPServerConfig{Address: "127.0.0.1:0"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	const n = 1000
	conns := make([]net.Conn, n)
	for i := range conns {
		c, err := net.Dial("tcp", s.Addr())
		if err != nil {
			t.Fatalf("client %d: %v", i, err)
		}
		conns[i] = c
	}
	waitClients(t, s, n)

	// Send to all: every client gets the exact bytes.
	msg := bytes.Repeat([]byte("broadcast-你好-"), 100)
	got, err := s.SendAll(msg)
	if err != nil || got != n {
		t.Fatalf("SendAll = %d, %v", got, err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for _, c := range conns {
		wg.Add(1)
		go func(c net.Conn) {
			defer wg.Done()
			buf := make([]byte, len(msg))
			c.SetReadDeadline(time.Now().Add(20 * time.Second))
			if _, err := io.ReadFull(c, buf); err != nil {
				errs <- err
				return
			}
			if !bytes.Equal(buf, msg) {
				errs <- errors.New("broadcast bytes differ")
			}
		}(c)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	// Per-client send reaches only that client.
	clients := s.Clients()
	target := clients[n/2]
	if err := s.Send(target.ID, []byte("just you")); err != nil {
		t.Fatal(err)
	}
	var hits int
	var mu sync.Mutex
	for _, c := range conns {
		wg.Add(1)
		go func(c net.Conn) {
			defer wg.Done()
			c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
			buf := make([]byte, 16)
			n, _ := c.Read(buf)
			if n > 0 {
				mu.Lock()
				hits++
				if string(buf[:n]) != "just you" || c.LocalAddr().String() != target.Addr {
					t.Errorf("%s got %q", c.LocalAddr(), buf[:n])
				}
				mu.Unlock()
			}
		}(c)
	}
	wg.Wait()
	if hits != 1 {
		t.Fatalf("%d clients got the private message", hits)
	}

	for _, c := range conns {
		c.Close()
	}
	waitClients(t, s, 0)
	if st := s.Stats(); st.TxBytes != uint64(len(msg)*n+8) {
		t.Fatalf("tx bytes %d", st.TxBytes)
	}
	s.Shutdown(context.Background())
	leaks()
	deadline := time.Now().Add(5 * time.Second)
	for openFDs(t) > baseFD && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if fds := openFDs(t); fds > baseFD {
		t.Fatalf("file descriptors: %d, baseline %d", fds, baseFD)
	}
}

func TestTCPServerChurn(t *testing.T) {
	rec := newRecorder()
	s := startServer(t, TCPServerConfig{Echo: true}, rec.handle)
	for i := 0; i < 500; i++ {
		c, err := net.Dial("tcp", s.Addr())
		if err != nil {
			t.Fatal(err)
		}
		if i%50 == 0 {
			c.Write([]byte("ping"))
			buf := make([]byte, 4)
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "ping" {
				t.Fatalf("echo %d: %q %v", i, buf, err)
			}
		}
		c.Close()
	}
	// The server may still be accepting connections the kernel completed.
	deadline := time.Now().Add(20 * time.Second)
	for s.Accepted() < 500 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	waitClients(t, s, 0)
	if s.Accepted() != 500 {
		t.Fatalf("accepted %d", s.Accepted())
	}
	rec.waitFor(t, "500 closes", func(evs []Event, _ []byte) bool {
		n := 0
		for _, ev := range evs {
			if ev.Kind == Closed {
				n++
			}
		}
		return n == 500
	})
}

func TestTCPServerMaxClientsAndKick(t *testing.T) {
	rec := newRecorder()
	s := startServer(t, TCPServerConfig{MaxClients: 2}, rec.handle)
	var conns []net.Conn
	for i := 0; i < 3; i++ {
		c, err := net.Dial("tcp", s.Addr())
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		defer c.Close()
		if i < 2 {
			waitClients(t, s, i+1)
		}
	}
	// The third is closed by the server.
	conns[2].SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := conns[2].Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("third client: %v", err)
	}
	rec.waitFor(t, "refusal logged", hasKind(Refused))
	if s.Refused() != 1 || s.ClientCount() != 2 {
		t.Fatalf("refused %d clients %d", s.Refused(), s.ClientCount())
	}
	// Kick the first.
	first := s.Clients()[0]
	if err := s.Disconnect(first.ID); err != nil {
		t.Fatal(err)
	}
	waitClients(t, s, 1)
	if err := s.Send(first.ID, []byte("x")); !errors.Is(err, ErrUnknownClient) {
		t.Fatalf("send to kicked: %v", err)
	}
	rec.waitFor(t, "kick logged", func(evs []Event, _ []byte) bool {
		for _, ev := range evs {
			if ev.Kind == Closed && ev.Msg == "disconnected by you" && ev.Client == first.ID {
				return true
			}
		}
		return false
	})
}

func TestTCPServerFramingSplitsStickyPackets(t *testing.T) {
	rec := newRecorder()
	s := startServer(t, TCPServerConfig{Framing: framing.Config{Mode: framing.LengthPrefix, PrefixLen: 4}}, rec.handle)
	c, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var stream []byte
	for _, m := range []string{"first", "第二", "third message"} {
		b, _ := (framing.Config{Mode: framing.LengthPrefix, PrefixLen: 4}).AddPrefix([]byte(m))
		stream = append(stream, b...)
	}
	c.Write(stream) // one write: the sticky-packet case
	rec.waitFor(t, "three messages", func(evs []Event, _ []byte) bool {
		var got []string
		for _, ev := range evs {
			if ev.Kind == Received {
				got = append(got, string(ev.Data[4:]))
			}
		}
		return strings.Join(got, "|") == "first|第二|third message"
	})
	if st := s.Stats(); st.RxFrames != 3 {
		t.Fatalf("frames %d", st.RxFrames)
	}
}

func TestTCPServerBadInput(t *testing.T) {
	s := startServer(t, TCPServerConfig{}, nil)
	_, port, _ := net.SplitHostPort(s.Addr())
	s2, _ := NewTCPServer(TCPServerConfig{Address: "127.0.0.1:" + port}, nil)
	if err := s2.Start(); !errors.Is(err, ErrAddrInUse) || !strings.Contains(err.Error(), "already in use") {
		t.Fatalf("port in use: %v", err)
	}
	s3, _ := NewTCPServer(TCPServerConfig{Address: "192.0.2.1:0"}, nil)
	if err := s3.Start(); !errors.Is(err, ErrAddrNotLocal) {
		t.Fatalf("foreign address: %v", err)
	}
	for _, a := range []string{"127.0.0.1:99999", "127.0.0.1:x", "bad host:80"} {
		if _, err := NewTCPServer(TCPServerConfig{Address: a}, nil); !errors.Is(err, ErrInvalidAddress) {
			t.Errorf("%q: %v", a, err)
		}
	}
	if _, err := NewTCPServer(TCPServerConfig{Address: ":0", MaxClients: -1}, nil); err == nil {
		t.Error("negative max clients accepted")
	}
	if _, err := s.SendAll([]byte("x")); !errors.Is(err, ErrNotConnected) {
		t.Errorf("send to nobody: %v", err)
	}
	// IPv6 and all-interfaces binds work.
	for _, a := range []string{"[::1]:0", ":0", "0.0.0.0:0"} {
		sv, err := NewTCPServer(TCPServerConfig{Address: a}, nil)
		if err == nil {
			err = sv.Start()
		}
		if err != nil {
			t.Errorf("%s: %v", a, err)
			continue
		}
		sv.Shutdown(context.Background())
	}
}

func TestTCPServerPerClientCapture(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, TCPServerConfig{}, nil)
	var mu sync.Mutex
	paths := map[string]string{}
	s.SetCapturePerClient(func(ci ClientInfo) *Capture {
		p := dir + "/" + strings.ReplaceAll(ci.Addr, ":", "_")
		c, err := CreateCapture(p)
		if err != nil {
			t.Error(err)
			return nil
		}
		mu.Lock()
		paths[ci.Addr] = p
		mu.Unlock()
		return c
	})
	all, _ := CreateCapture(dir + "/all")
	s.SetCapture(all)
	a, _ := net.Dial("tcp", s.Addr())
	b, _ := net.Dial("tcp", s.Addr())
	waitClients(t, s, 2)
	a.Write([]byte("from a"))
	b.Write([]byte("from b"))
	// Both messages were read (and so captured) before the clients go.
	for deadline := time.Now().Add(5 * time.Second); s.Stats().RxBytes < 12; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("server read %d of 12 bytes", s.Stats().RxBytes)
		}
	}
	a.Close()
	b.Close()
	waitClients(t, s, 0)
	all.Close()
	mu.Lock()
	defer mu.Unlock()
	// One file per client was created, under each client's address.
	if len(paths) != 2 || paths[a.LocalAddr().String()] == "" || paths[b.LocalAddr().String()] == "" {
		t.Fatalf("per-client files %v, want one for %s and one for %s", paths, a.LocalAddr(), b.LocalAddr())
	}
	for addr, p := range paths {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s: per-client file: %v", addr, err)
		}
		got, _ := os.ReadFile(p)
		want := "from a"
		if addr == b.LocalAddr().String() {
			want = "from b"
		}
		if string(got) != want {
			t.Errorf("%s captured %q", addr, got)
		}
	}
	if got, _ := os.ReadFile(dir + "/all"); len(got) != 12 {
		t.Errorf("session capture %q", got)
	}
}

// hookReader runs hook once, before the first read after `after` bytes.
type hookReader struct {
	r     io.Reader
	after int64
	read  int64
	hook  func()
}

func (h *hookReader) Read(p []byte) (int, error) {
	if h.hook != nil && h.read >= h.after {
		h.hook()
		h.hook = nil
	}
	n, err := h.r.Read(p)
	h.read += int64(n)
	return n, err
}

// drain reads c to the end and sends the count.
func drain(c net.Conn) <-chan int64 {
	done := make(chan int64, 1)
	go func() {
		n, _ := io.Copy(io.Discard, c)
		done <- n
	}()
	return done
}

func clientErrors(rec *recorder, id uint64) int {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	n := 0
	for _, ev := range rec.events {
		if ev.Kind == Error && ev.Client == id {
			n++
		}
	}
	return n
}

// TestTCPServerSendFileToAllReportsFailedClient: one of two clients resets
// mid-transfer. The other gets the whole file; the send reports the failed
// client instead of success, and tries it no more after its first failure.
func TestTCPServerSendFileToAllReportsFailedClient(t *testing.T) {
	rec := newRecorder()
	s := startServer(t, TCPServerConfig{}, rec.handle)
	good, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer good.Close()
	waitClients(t, s, 1)
	bad, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer bad.Close()
	waitClients(t, s, 2)
	cl := s.Clients()
	goodID, badID := cl[0].ID, cl[1].ID
	got := drain(good)

	const size = 8 << 20
	r := &hookReader{r: bytes.NewReader(make([]byte, size)), after: 1 << 20, hook: func() {
		bad.(*net.TCPConn).SetLinger(0) // close with RST
		bad.Close()
		waitClients(t, s, 1)
	}}
	n, err := s.SendFile(context.Background(), 0, "blob", r, size, nil)
	if n != size {
		t.Fatalf("sent %d bytes, want %d (%v)", n, size, err)
	}
	var sfe *SendFileError
	if !errors.As(err, &sfe) {
		t.Fatalf("send to all with a failed client: %v, want a *SendFileError", err)
	}
	if len(sfe.Failed) != 1 || sfe.Failed[0].ID != badID || sfe.Clients != 2 {
		t.Fatalf("failed clients %+v of %d, want client %d of 2", sfe.Failed, sfe.Clients, badID)
	}
	if msg := err.Error(); !strings.Contains(msg, "1 of 2 clients failed") || !strings.Contains(msg, bad.LocalAddr().String()) {
		t.Fatalf("error %q does not say how many and which clients failed", msg)
	}
	if k := clientErrors(rec, badID); k != 1 {
		t.Fatalf("%d error events for the failed client, want 1 (it should be dropped)", k)
	}
	rec.waitFor(t, "partial send logged", func(evs []Event, _ []byte) bool {
		for _, ev := range evs {
			if ev.Kind == Info && strings.HasPrefix(ev.Msg, "sent file") {
				t.Fatalf("a partial send was logged as a success: %q", ev.Msg)
			}
			if ev.Kind == Error && ev.Client == 0 && ev.Err != nil && strings.Contains(ev.Err.Error(), "sent to 1 of 2 clients") {
				return true
			}
		}
		return false
	})
	s.Disconnect(goodID)
	if g := <-got; g != size {
		t.Fatalf("the good client got %d bytes, want %d", g, size)
	}
}

// TestTCPServerSendFileDropsStuckClient: a client that stops reading costs
// the send one write timeout, not one per chunk.
func TestTCPServerSendFileDropsStuckClient(t *testing.T) {
	rec := newRecorder()
	s := startServer(t, TCPServerConfig{WriteTimeout: 300 * time.Millisecond}, rec.handle)
	good, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer good.Close()
	waitClients(t, s, 1)
	stuck, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer stuck.Close() // never read
	stuck.(*net.TCPConn).SetReadBuffer(16 << 10)
	waitClients(t, s, 2)
	cl := s.Clients()
	goodID, stuckID := cl[0].ID, cl[1].ID
	got := drain(good)

	// Far more than the stuck client's buffers hold: without dropping it
	// every later chunk would wait the write timeout (over a minute).
	const size = 16 << 20
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	start := time.Now()
	n, err := s.SendFile(ctx, 0, "blob", bytes.NewReader(make([]byte, size)), size, nil)
	elapsed := time.Since(start)
	var sfe *SendFileError
	if n != size || !errors.As(err, &sfe) || len(sfe.Failed) != 1 || sfe.Failed[0].ID != stuckID || !errors.Is(err, ErrTimeout) {
		t.Fatalf("sent %d of %d: %v", n, size, err)
	}
	if elapsed > 8*time.Second {
		t.Fatalf("the send took %v: the stuck client was not dropped", elapsed)
	}
	if k := clientErrors(rec, stuckID); k != 1 {
		t.Fatalf("%d error events for the stuck client, want 1", k)
	}
	s.Disconnect(goodID)
	if g := <-got; g != size {
		t.Fatalf("the good client got %d bytes, want %d", g, size)
	}
}

// TestTCPServerPerClientCaptureWriteError: a per-client file that fails is
// closed (its handle released) and the error reported.
func TestTCPServerPerClientCaptureWriteError(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		testenv.Skip(t, "no /dev/full")
	}
	rec := newRecorder()
	s := startServer(t, TCPServerConfig{}, rec.handle)
	var mu sync.Mutex
	var caps []*Capture
	s.SetCapturePerClient(func(ClientInfo) *Capture {
		c, err := CreateCapture("/dev/full") // every write fails: no space
		if err != nil {
			t.Error(err)
			return nil
		}
		mu.Lock()
		caps = append(caps, c)
		mu.Unlock()
		return c
	})
	c, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	waitClients(t, s, 1)
	id := s.Clients()[0].ID
	// More than the capture's buffer, so the write reaches the file.
	if _, err := c.Write(make([]byte, 512<<10)); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(t, "capture error reported", func(evs []Event, _ []byte) bool {
		for _, ev := range evs {
			if ev.Kind == Error && ev.Client == id && ev.Err != nil && strings.Contains(ev.Err.Error(), "file closed") {
				return true
			}
		}
		return false
	})
	mu.Lock()
	defer mu.Unlock()
	if len(caps) != 1 {
		t.Fatalf("%d captures opened", len(caps))
	}
	caps[0].mu.Lock()
	open := caps[0].f != nil
	caps[0].mu.Unlock()
	if open {
		t.Fatal("the failed per-client file was left open")
	}
	if k := clientErrors(rec, id); k != 1 {
		t.Fatalf("%d error events, want 1", k)
	}
}

// TestTCPServerSlowReaderIsNotATimeout: the write timeout bounds a stall,
// not a whole send, so a client that reads slowly but steadily takes a send
// that lasts several timeouts.
func TestTCPServerSlowReaderIsNotATimeout(t *testing.T) {
	s := startServer(t, TCPServerConfig{WriteTimeout: 250 * time.Millisecond}, nil)
	c, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	waitClients(t, s, 1)
	const size = 32 << 20
	got := make(chan int, 1)
	go func() { got <- readSlowly(c, size) }()
	start := time.Now()
	if err := s.Send(s.Clients()[0].ID, make([]byte, size)); err != nil {
		t.Fatalf("a slow but steady reader failed the send after %v: %v", time.Since(start), err)
	}
	if n := <-got; n != size {
		t.Fatalf("the client read %d of %d bytes", n, size)
	}
}
