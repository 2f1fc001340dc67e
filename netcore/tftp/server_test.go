package tftp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var serverSizes = []int{0, 1, 511, 512, 513, 4 * 1468, 8 * 1468, 100 << 10}

// rawRequest sends one request and returns the server's first answer.
func rawRequest(t *testing.T, addr string, op Opcode, name string, opts ...Option) Packet {
	t.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	srv, _ := netip.ParseAddrPort(addr)
	if _, err := c.WriteToUDPAddrPort(appendRequest(nil, op, name, ModeOctet, opts), srv); err != nil {
		t.Fatal(err)
	}
	p, from, err := readPacket(c, make([]byte, 70000), 3*time.Second)
	if err != nil {
		t.Fatalf("%s %q: no answer: %v", op, name, err)
	}
	if p.Op != OpERROR {
		// Do not leave the transfer waiting for us.
		_, _ = c.WriteToUDPAddrPort(appendError(nil, CodeNotDefined, "test done"), from)
	}
	return p
}

// TestServerJail: requests that try to leave the root are refused with
// ERROR 2, missing files with ERROR 1, and nothing outside the root is read
// or written.
func TestServerJail(t *testing.T) {
	base := t.TempDir()
	root := filepath.Join(base, "root")
	outside := filepath.Join(base, "outside")
	for _, d := range []string{root, outside, filepath.Join(root, "sub")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	secret := []byte("secret outside the root")
	writeFile(t, outside, "secret", secret)
	writeFile(t, root, "ok.txt", []byte("inside"))
	writeFile(t, filepath.Join(root, "sub"), "in-sub.txt", []byte("inside sub"))
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Symlink("../outside/secret", filepath.Join(root, "link-out")))
	must(os.Symlink("../outside", filepath.Join(root, "dir-out")))
	must(os.Symlink("sub/in-sub.txt", filepath.Join(root, "link-in")))
	must(os.Symlink("/etc/hostname", filepath.Join(root, "link-abs")))

	s := &Server{Root: root, AllowUpload: true}
	addr := startServer(t, s)
	cases := []struct {
		name string
		code ErrorCode
	}{
		{"../outside/secret", CodeAccessViolation},
		{"../x", CodeAccessViolation},
		{"sub/../../outside/secret", CodeAccessViolation},
		{"/etc/passwd", CodeAccessViolation},
		{`..\outside\secret`, CodeAccessViolation},
		{`sub\in-sub.txt`, CodeAccessViolation},
		{`C:\x`, CodeAccessViolation},
		{"C:x", CodeAccessViolation},
		{"link-out", CodeAccessViolation},
		{"dir-out/secret", CodeAccessViolation},
		{"link-abs", CodeAccessViolation},
		{"sub", CodeAccessViolation},
		{"", CodeAccessViolation},
		{"missing.txt", CodeFileNotFound},
		{"sub/missing.txt", CodeFileNotFound},
	}
	for _, tc := range cases {
		p := rawRequest(t, addr, OpRRQ, tc.name)
		if p.Op != OpERROR || p.Code != tc.code {
			t.Errorf("RRQ %q: got %v %d %q, want ERROR %d", tc.name, p.Op, p.Code, p.Message, tc.code)
		}
		if tc.code == CodeFileNotFound {
			continue
		}
		p = rawRequest(t, addr, OpWRQ, tc.name)
		if p.Op != OpERROR || p.Code != CodeAccessViolation {
			t.Errorf("WRQ %q: got %v %d %q, want ERROR 2", tc.name, p.Op, p.Code, p.Message)
		}
	}
	// Symlinks that stay inside the root work, and the client gets the bytes.
	c := testClient(addr)
	download(t, c, "link-in", []byte("inside sub"))
	download(t, c, "./sub//in-sub.txt", []byte("inside sub"))

	// Nothing was written outside, and the secret is intact.
	if names := dirEntries(t, outside); len(names) != 1 {
		t.Fatalf("outside folder holds %v", names)
	}
	if names := dirEntries(t, base); len(names) != 2 {
		t.Fatalf("base folder holds %v", names)
	}
	got, _ := os.ReadFile(filepath.Join(outside, "secret"))
	checkBytes(t, got, secret)
}

// TestServerUploadRules: uploads are refused unless allowed, never replace a
// file unless Overwrite, and an upload in progress is invisible until done.
func TestServerUploadRules(t *testing.T) {
	root := servedDir(t, false)
	writeFile(t, root, "exists.txt", []byte("old"))
	data := testData(10000)
	up := func(addr, name string) error {
		c := testClient(addr)
		_, err := c.Upload(context.Background(), name, bytes.NewReader(data), int64(len(data)))
		return err
	}

	addr := startServer(t, &Server{Root: root})
	if err := up(addr, "new.txt"); !errors.Is(err, ErrAccessViolation) {
		t.Fatalf("upload with uploads off: %v, want ErrAccessViolation", err)
	}
	if names := dirEntries(t, root); len(names) != 1 {
		t.Fatalf("root holds %v", names)
	}

	addr = startServer(t, &Server{Root: root, AllowUpload: true})
	if err := up(addr, "exists.txt"); !errors.Is(err, ErrFileExists) {
		t.Fatalf("upload over an existing file: %v, want ErrFileExists", err)
	}
	if got, _ := os.ReadFile(filepath.Join(root, "exists.txt")); string(got) != "old" {
		t.Fatalf("existing file changed to %q", got)
	}
	if err := up(addr, "sub/new.txt"); !errors.Is(err, ErrFileNotFound) {
		t.Fatalf("upload into a missing folder: %v, want ErrFileNotFound", err)
	}
	if err := up(addr, "new.txt"); err != nil {
		t.Fatal(err)
	}
	waitFile(t, filepath.Join(root, "new.txt"), data)

	addr = startServer(t, &Server{Root: root, AllowUpload: true, Overwrite: true})
	if err := up(addr, "exists.txt"); err != nil {
		t.Fatal(err)
	}
	waitFile(t, filepath.Join(root, "exists.txt"), data)
	if names := dirEntries(t, root); len(names) != 2 {
		t.Fatalf("root holds %v (a temporary file left?)", names)
	}
}

// TestServerConcurrent: 20 downloads at once, each byte-exact.
func TestServerConcurrent(t *testing.T) {
	root := servedDir(t, false)
	const n = 20
	for i := range n {
		writeFile(t, root, fmt.Sprintf("f%d.bin", i), testData(256<<10+i))
	}
	var mu sync.Mutex
	peers := map[netip.AddrPort]bool{}
	addr := startServer(t, &Server{Root: root, OnEvent: func(e Event) {
		if e.Kind == EventDone && e.Err == nil {
			mu.Lock()
			peers[e.Transfer.Peer] = true
			mu.Unlock()
			if e.Result.Hashed {
				t.Errorf("served file hashed without HashDownloads")
			}
		}
	}})
	var wg sync.WaitGroup
	tids := make(chan netip.AddrPort, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := testClient(addr)
			c.OnEvent = func(e Event) {
				if e.Kind == EventOptions {
					tids <- e.Transfer.Peer
				}
			}
			var buf bytes.Buffer
			if _, err := c.Download(context.Background(), fmt.Sprintf("f%d.bin", i), &buf); err != nil {
				t.Error(err)
				return
			}
			if !bytes.Equal(buf.Bytes(), testData(256<<10+i)) {
				t.Errorf("f%d.bin differs", i)
			}
		}()
	}
	wg.Wait()
	close(tids)
	distinct := map[netip.AddrPort]bool{}
	for tid := range tids {
		distinct[tid] = true
	}
	if len(distinct) != n {
		t.Fatalf("%d distinct server ports for %d transfers", len(distinct), n)
	}
	time.Sleep(10 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	if len(peers) != n {
		t.Fatalf("server reported %d finished transfers", len(peers))
	}
}

// TestServerLimitAndShutdown: requests over MaxTransfers get ERROR 0, and
// Shutdown ends running transfers with an ERROR to their clients.
func TestServerLimitAndShutdown(t *testing.T) {
	root := servedDir(t, false)
	writeFile(t, root, "f.bin", testData(1<<20))
	s := &Server{Root: root, MaxTransfers: 1}
	uc, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve(uc) }()
	addr := uc.LocalAddr().String()

	started := make(chan struct{})
	result := make(chan error, 1)
	gate := make(chan struct{}) // holds the client still until the server is shut down
	go func() {
		c := testClient(addr)
		c.Options = Options{}
		var once sync.Once
		c.OnEvent = func(e Event) {
			if e.Kind == EventOptions {
				once.Do(func() { close(started) })
			}
		}
		_, err := c.Download(context.Background(), "f.bin", &gatedWriter{w: &bytes.Buffer{}, gate: gate})
		result <- err
	}()
	<-started
	if p := rawRequest(t, addr, OpRRQ, "f.bin"); p.Op != OpERROR || p.Code != CodeNotDefined || !strings.Contains(p.Message, "busy") {
		t.Fatalf("request over the limit got %v %d %q", p.Op, p.Code, p.Message)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-served; !errors.Is(err, ErrServerClosed) {
		t.Fatalf("Serve: %v", err)
	}
	// The stalled client still holds its socket; the ERROR waits for it.
	close(gate)
	err = <-result
	var re *RemoteError
	if !errors.As(err, &re) || re.Message != "server shutting down" {
		t.Fatalf("client got %v, want the server's shutdown ERROR", err)
	}
	if err := s.Serve(uc); !errors.Is(err, ErrServerClosed) {
		t.Fatalf("Serve after Shutdown: %v", err)
	}
}

// TestServerEvents: start (with client, file, direction, size), options,
// progress and done (with the result) for each transfer and each refusal.
func TestServerEvents(t *testing.T) {
	root := servedDir(t, false)
	data := testData(70000)
	writeFile(t, root, "f.bin", data)
	var mu sync.Mutex
	var events []Event
	addr := startServer(t, &Server{Root: root, TraceLimit: 3, HashDownloads: true, AllowUpload: true, OnEvent: func(e Event) {
		mu.Lock()
		events = append(events, e)
		mu.Unlock()
	}})
	c := testClient(addr)
	download(t, c, "f.bin", data)
	if _, err := c.Download(context.Background(), "../x", &bytes.Buffer{}); !errors.Is(err, ErrAccessViolation) {
		t.Fatalf("../x: %v", err)
	}
	up := testData(3000)
	if _, err := c.Upload(context.Background(), "up.bin", bytes.NewReader(up), int64(len(up))); err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	byID := map[uint64][]Event{}
	for _, e := range events {
		byID[e.Transfer.ID] = append(byID[e.Transfer.ID], e)
	}
	if len(byID) != 3 {
		t.Fatalf("%d transfers in events", len(byID))
	}
	upEvents := byID[3]
	if done := upEvents[len(upEvents)-1]; done.Kind != EventDone || done.Transfer.Direction != Upload ||
		done.Transfer.Size != int64(len(up)) || done.Result.SHA256Hex() != sha256Hex(up) {
		t.Fatalf("upload done event %+v", done)
	}
	ok := byID[1]
	if ok[0].Kind != EventStart || ok[0].Transfer.File != "f.bin" || ok[0].Transfer.Size != int64(len(data)) ||
		ok[0].Transfer.Direction != Download || !ok[0].Transfer.Peer.IsValid() {
		t.Fatalf("start event %+v", ok[0])
	}
	last := ok[len(ok)-1]
	if last.Kind != EventDone || last.Err != nil || last.Result.Bytes != int64(len(data)) || last.Result.SHA256Hex() != sha256Hex(data) {
		t.Fatalf("done event %+v", last)
	}
	if len(last.Result.Trace) != 6 || last.Result.Trace[0].Op != OpOACK {
		t.Fatalf("server trace %v", last.Result.Trace)
	}
	bad := byID[2]
	if bad[0].Kind != EventStart || bad[len(bad)-1].Kind != EventDone || !errors.Is(bad[len(bad)-1].Err, ErrAccessViolation) {
		t.Fatalf("refused request events %+v", bad)
	}
}

// TestPrivilegedPort: binding port 69 without the privilege gives an error
// that wraps ErrPrivilegedPort and the OS error.
func TestPrivilegedPort(t *testing.T) {
	err := listenError("0.0.0.0:69", 69, &net.OpError{Op: "listen", Net: "udp", Err: os.NewSyscallError("bind", syscall.EACCES)})
	if !errors.Is(err, ErrPrivilegedPort) || !errors.Is(err, syscall.EACCES) {
		t.Fatalf("mapped to %v", err)
	}
	if err := listenError("0.0.0.0:6969", 6969, syscall.EACCES); errors.Is(err, ErrPrivilegedPort) {
		t.Fatalf("high port mapped to %v", err)
	}
}

// TestListenAndServe: the server stops when its context ends, ending
// running transfers, and returns ErrServerClosed.
func TestListenAndServe(t *testing.T) {
	root := servedDir(t, false)
	writeFile(t, root, "f.bin", testData(1000))
	port := freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	s := &Server{Root: root}
	go func() { done <- s.ListenAndServe(ctx, fmt.Sprintf("127.0.0.1:%d", port)) }()
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	var err error
	for range 50 {
		if _, err = testClient(addr).Download(context.Background(), "f.bin", &bytes.Buffer{}); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, ErrServerClosed) {
			t.Fatalf("ListenAndServe returned %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ListenAndServe did not return")
	}
	if err := s.ListenAndServe(context.Background(), "127.0.0.1:0"); !errors.Is(err, ErrServerClosed) {
		t.Fatalf("after shutdown: %v", err)
	}
}

// TestServerAddresses: a server on the wildcard address answers from the
// address the client used (the client accepts nothing else), over IPv4 and,
// where the host has it, IPv6.
func TestServerAddresses(t *testing.T) {
	root := servedDir(t, false)
	data := testData(50000)
	writeFile(t, root, "f.bin", data)
	for _, tc := range []struct{ listen, dial string }{
		{"0.0.0.0:0", "127.0.0.1"},
		{"[::1]:0", "[::1]"},
		{"[::]:0", "[::1]"},
		{"[::]:0", "127.0.0.1"}, // dual stack
	} {
		t.Run(tc.listen+"-"+tc.dial, func(t *testing.T) {
			if strings.Contains(tc.listen+tc.dial, "[") {
				needIPv6(t)
			}
			// The system can listen there, so our Listen must.
			uc, err := Listen(tc.listen)
			if err != nil {
				t.Fatalf("Listen(%s): %v", tc.listen, err)
			}
			s := &Server{Root: root}
			done := make(chan error, 1)
			go func() { done <- s.Serve(uc) }()
			defer func() {
				_ = s.Shutdown(context.Background())
				<-done
			}()
			_, port, _ := net.SplitHostPort(uc.LocalAddr().String())
			addr := tc.dial + ":" + port
			res := download(t, testClient(addr), "f.bin", data)
			if res.Transfer.Peer.Addr().String() != strings.Trim(tc.dial, "[]") {
				t.Fatalf("answered from %v", res.Transfer.Peer)
			}
		})
	}
}

// TestListenKeepsTheFamilyAsked: 0.0.0.0 listens on IPv4 and says so, rather
// than a dual-stack socket shown as [::]; an empty host stays dual-stack.
func TestListenKeepsTheFamilyAsked(t *testing.T) {
	uc, err := Listen("0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	defer uc.Close()
	if a := uc.LocalAddr().(*net.UDPAddr); a.IP.To4() == nil {
		t.Fatalf("0.0.0.0 listens on %v", a)
	}
	needIPv6(t)
	uc6, err := Listen(":0")
	if err != nil {
		t.Fatalf("Listen(:0) on a system with a dual-stack socket: %v", err)
	}
	defer uc6.Close()
	if a := uc6.LocalAddr().(*net.UDPAddr); a.IP.To4() != nil || !a.IP.IsUnspecified() {
		t.Fatalf("empty host listens on %v, want the dual-stack [::]", a)
	}
}

// needIPv6 skips (fails under NETDEBUG_REQUIRE_PEERS=1) unless the system
// has IPv6 loopback and a dual-stack socket, probed without our code.
func needIPv6(t *testing.T) {
	t.Helper()
	for _, addr := range []string{"[::1]:0", "[::]:0"} {
		c, err := net.ListenPacket("udp6", addr)
		if err != nil {
			skipOrFail(t, "no IPv6 here (%s): %v", addr, err)
		}
		c.Close()
	}
}
