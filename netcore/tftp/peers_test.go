package tftp

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	pintftp "github.com/pin/tftp/v3"
)

// Peer programs are found through an environment variable naming the binary,
// then on PATH, then in the usual places. When one is missing the test is
// skipped, unless NETDEBUG_REQUIRE_PEERS=1 (set by `make test`), which makes
// it fail so that CI cannot skip silently.
type peer struct {
	env, name, pkg string
	places         []string
	check          func(path string) error // nil: existing is enough
}

var (
	peerAtftpd = peer{env: "ATFTPD", name: "atftpd", pkg: "atftpd (apt-get download atftpd; dpkg -x)",
		places: []string{"/usr/sbin/atftpd", "../../.ci/cache/atftpd/usr/sbin/atftpd"}}
	peerTftpdHPA = peer{env: "IN_TFTPD", name: "in.tftpd", pkg: "tftpd-hpa", places: []string{"/usr/sbin/in.tftpd"},
		check: outputContains([]string{"-V"}, "tftp-hpa")}
	peerAtftp   = peer{env: "ATFTP", name: "atftp", pkg: "atftp", places: []string{"/usr/bin/atftp"}}
	peerTftpHPA = peer{env: "TFTP_HPA", name: "tftp", pkg: "tftp-hpa", places: []string{"/usr/bin/tftp"},
		check: outputContains([]string{"-V"}, "tftp-hpa")}
	peerCurl = peer{env: "CURL", name: "curl", pkg: "curl", places: []string{"/usr/bin/curl"},
		check: outputContains([]string{"--version"}, "tftp")}
	peerIP  = peer{env: "IP", name: "ip", pkg: "iproute2", places: []string{"/usr/sbin/ip", "/sbin/ip"}}
	peerNft = peer{env: "NFT", name: "nft", pkg: "nftables", places: []string{"/usr/sbin/nft"}}
)

func outputContains(args []string, want string) func(string) error {
	return func(path string) error {
		out, _ := exec.Command(path, args...).CombinedOutput()
		if !strings.Contains(string(out), want) {
			return fmt.Errorf("%s %s does not mention %q", path, strings.Join(args, " "), want)
		}
		return nil
	}
}

var peerCache sync.Map // name -> string path or error

func (p peer) find() (string, error) {
	if v, ok := peerCache.Load(p.name); ok {
		if err, isErr := v.(error); isErr {
			return "", err
		}
		return v.(string), nil
	}
	path, err := p.locate()
	if err != nil {
		peerCache.Store(p.name, err)
		return "", err
	}
	peerCache.Store(p.name, path)
	return path, nil
}

func (p peer) locate() (string, error) {
	var candidates []string
	if v := os.Getenv(p.env); v != "" {
		candidates = []string{v}
	} else {
		if lp, err := exec.LookPath(p.name); err == nil {
			candidates = append(candidates, lp)
		}
		candidates = append(candidates, p.places...)
	}
	var why []string
	for _, c := range candidates {
		fi, err := os.Stat(c)
		if err != nil || fi.IsDir() {
			why = append(why, c+": not found")
			continue
		}
		abs, _ := filepath.Abs(c)
		if p.check != nil {
			if err := p.check(abs); err != nil {
				why = append(why, err.Error())
				continue
			}
		}
		return abs, nil
	}
	return "", fmt.Errorf("%s not available (install %s or set %s): %s", p.name, p.pkg, p.env, strings.Join(why, "; "))
}

// need returns the peer's path, or skips (fails under NETDEBUG_REQUIRE_PEERS=1).
func (p peer) need(t testing.TB) string {
	t.Helper()
	path, err := p.find()
	if err != nil {
		skipOrFail(t, "%v", err)
	}
	return path
}

func skipOrFail(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("NETDEBUG_REQUIRE_PEERS") == "1" {
		t.Fatalf("NETDEBUG_REQUIRE_PEERS=1: "+format, args...)
	}
	t.Skipf(format, args...)
}

// testData returns deterministic pseudo-random content of size n.
func testData(n int) []byte {
	r := rand.New(rand.NewPCG(uint64(n), 77))
	b := make([]byte, n)
	for i := 0; i < n; i += 8 {
		var w [8]byte
		binary.LittleEndian.PutUint64(w[:], r.Uint64())
		copy(b[i:], w[:])
	}
	return b
}

// servedDir makes a temporary folder that daemons dropping privileges to
// "nobody" can read (and, with writable, write).
func servedDir(t testing.TB, writable bool) string {
	t.Helper()
	d := t.TempDir()
	mode := os.FileMode(0o755)
	if writable {
		mode = 0o777
	}
	for _, p := range []string{filepath.Dir(d), d} {
		if err := os.Chmod(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(d, mode); err != nil {
		t.Fatal(err)
	}
	return d
}

func writeFile(t testing.TB, dir, name string, data []byte) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, 0o644); err != nil {
		t.Fatal(err)
	}
}

// freePort finds a UDP port on 127.0.0.1 that is free right now.
func freePort(t testing.TB) int {
	t.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// syncBuffer collects a daemon's output.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.b.Len() > 1<<20 {
		return len(p), nil
	}
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// daemon is a peer server process started by a test.
type daemon struct {
	addr  string
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *syncBuffer
	done  chan struct{}
}

// kill stops the daemon at once (SIGKILL) and waits for it.
func (d *daemon) kill() {
	_ = d.cmd.Process.Kill()
	<-d.done
	_ = d.stdin.Close()
}

// startDaemon runs argv (with PORT replaced) and waits until it answers on
// 127.0.0.1:PORT, retrying on another port if the first one was taken.
func startDaemon(t testing.TB, argv ...string) *daemon {
	t.Helper()
	var lastOut string
	for range 5 {
		port := strconv.Itoa(freePort(t))
		args := make([]string, len(argv))
		for i, a := range argv {
			args[i] = strings.ReplaceAll(a, "PORT", port)
		}
		d := &daemon{addr: "127.0.0.1:" + port, cmd: exec.Command(args[0], args[1:]...), out: &syncBuffer{}, done: make(chan struct{})}
		d.cmd.Stdout, d.cmd.Stderr = d.out, d.out
		// A pipe that closes with us: helpers stop when their stdin ends.
		stdin, err := d.cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := d.cmd.Start(); err != nil {
			t.Fatalf("start %s: %v", args[0], err)
		}
		d.stdin = stdin
		go func() { _ = d.cmd.Wait(); close(d.done) }()
		if probe(d.addr, d.done, 5*time.Second) {
			t.Cleanup(func() {
				d.kill()
				if t.Failed() {
					t.Logf("%s output:\n%s", filepath.Base(args[0]), tail(d.out.String(), 4000))
				}
			})
			return d
		}
		d.kill()
		lastOut = d.out.String()
	}
	t.Fatalf("%s did not come up:\n%s", argv[0], tail(lastOut, 2000))
	return nil
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// probe sends an RRQ for a file that does not exist until a TFTP server
// answers (with anything) or the process exits.
func probe(addr string, exited chan struct{}, limit time.Duration) bool {
	c, err := net.ListenUDP("udp4", nil)
	if err != nil {
		return false
	}
	defer c.Close()
	ua, _ := net.ResolveUDPAddr("udp4", addr)
	req := appendRequest(nil, OpRRQ, "netdebug-probe-does-not-exist", ModeOctet, nil)
	buf := make([]byte, 1024)
	end := time.Now().Add(limit)
	for time.Now().Before(end) {
		select {
		case <-exited:
			return false
		default:
		}
		_, _ = c.WriteToUDP(req, ua)
		_ = c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		if n, from, err := c.ReadFromUDP(buf); err == nil && n >= 4 {
			// Tell the transfer port we are gone, so the daemon does not wait.
			_, _ = c.WriteToUDP(appendError(nil, CodeNotDefined, "probe done"), from)
			return true
		}
	}
	return false
}

// startAtftpd runs atftpd on a 127.0.0.1 high port serving dir.
func startAtftpd(t testing.TB, dir string, extra ...string) *daemon {
	bin := peerAtftpd.need(t)
	argv := []string{bin, "--daemon", "--no-fork", "--port", "PORT", "--bind-address", "127.0.0.1",
		"--logfile", "-", "--verbose=6"}
	argv = append(append(argv, extra...), dir)
	return startDaemon(t, argv...)
}

// startTftpdHPA runs tftpd-hpa on a 127.0.0.1 high port serving dir.
func startTftpdHPA(t testing.TB, dir string, extra ...string) *daemon {
	bin := peerTftpdHPA.need(t)
	argv := []string{bin, "--listen", "--foreground", "--address", "127.0.0.1:PORT", "--secure"}
	argv = append(append(argv, extra...), dir)
	return startDaemon(t, argv...)
}

// startPin runs an in-process pin/tftp v3.2.0 server serving dir.
func startPin(t testing.TB, dir string, allowWrite bool) string {
	t.Helper()
	read := func(name string, rf io.ReaderFrom) error {
		f, err := os.Open(filepath.Join(dir, filepath.Clean("/"+name)))
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = rf.ReadFrom(f)
		return err
	}
	var write func(string, io.WriterTo) error
	if allowWrite {
		write = func(name string, wt io.WriterTo) error {
			f, err := os.Create(filepath.Join(dir, filepath.Clean("/"+name)))
			if err != nil {
				return err
			}
			_, err = wt.WriteTo(f)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			return err
		}
	}
	s := pintftp.NewServer(read, write)
	s.SetTimeout(time.Second)
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = s.Serve(c); close(done) }()
	t.Cleanup(func() { s.Shutdown(); <-done })
	return c.LocalAddr().String()
}

// startServer runs our own server on 127.0.0.1:0.
func startServer(t testing.TB, s *Server) string {
	t.Helper()
	uc, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(uc) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-done; !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve returned %v, want ErrServerClosed", err)
		}
	})
	return uc.LocalAddr().String()
}

// download fetches remote into memory and checks it against want.
func download(t testing.TB, c *Client, remote string, want []byte) *Result {
	t.Helper()
	var buf bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := c.Download(ctx, remote, &buf)
	if err != nil {
		t.Fatalf("download %s: %v", remote, err)
	}
	checkBytes(t, buf.Bytes(), want)
	if res.Bytes != int64(len(want)) || res.SHA256 != sha256.Sum256(want) {
		t.Fatalf("result says %d bytes sha %x, want %d bytes", res.Bytes, res.SHA256[:4], len(want))
	}
	return res
}

func checkBytes(t testing.TB, got, want []byte) {
	t.Helper()
	if !bytes.Equal(got, want) {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		t.Fatalf("got %d bytes, want %d; first difference at %d", len(got), len(want), i)
	}
}

// testClient is a client for addr with test-friendly timeouts.
func testClient(addr string) *Client {
	c := NewClient(addr)
	c.Retries = 6
	return c
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return fmt.Sprintf("%x", s)
}
