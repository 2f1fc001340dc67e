package netinfo

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/netdebug/netdebug/netcore/internal/testenv"
)

func TestParsePorts(t *testing.T) {
	cases := map[string]string{
		"80":               "80",
		" 1-5 ":            "1-5",
		"22,80,8000-8003":  "22,80,8000-8003",
		"80,80,79-81":      "80,79,81", // repeats dropped, order kept
		"65535":            "65535",
		"1 - 3, 10":        "1-3,10",
		"8080-8080":        "8080",
		"443,444,445,1000": "443-445,1000",
	}
	for in, want := range cases {
		ps, err := ParsePorts(in)
		if err != nil || ps.String() != want {
			t.Errorf("ParsePorts(%q) = %v, %v; want %s", in, ps, err, want)
		}
	}
	if ps, _ := ParsePorts("1-65535"); len(ps) != 65535 {
		t.Errorf("1-65535 gave %d ports", len(ps))
	}
	errs := map[string]string{
		"":        "no port given",
		"0":       "port 0 cannot be connected to",
		"65536":   "out of range",
		"80-":     "a port number is missing",
		"-80":     "a port number is missing",
		"90-80":   "runs backwards; write 80-90",
		"http":    "not a number",
		"80,,81":  "a port number is missing",
		"1-99999": "out of range",
	}
	for in, want := range errs {
		_, err := ParsePorts(in)
		if !errors.Is(err, ErrInvalidPort) || !strings.Contains(err.Error(), want) {
			t.Errorf("ParsePorts(%q) = %v; want ErrInvalidPort with %q", in, err, want)
		}
	}
}

// openPort listens on 127.0.0.1:0 and accepts (and closes) connections
// until the test ends. It counts what it accepted.
func openPort(t *testing.T) (int, *atomic.Int32) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var n atomic.Int32
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			n.Add(1)
			c.Close()
		}
	})
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	return ln.Addr().(*net.TCPAddr).Port, &n
}

// closedPort is a port that was just free: listen, note it, close.
func closedPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return p
}

func TestPortCheckOpenAndClosed(t *testing.T) {
	open, accepted := openPort(t)
	closed := closedPort(t)
	var c PortChecker
	pc, err := c.Check(context.Background(), "127.0.0.1", Ports{open, closed})
	if err != nil {
		t.Fatal(err)
	}
	if len(pc.Results) != 2 || pc.Results[0].Port != open || pc.Results[1].Port != closed {
		t.Fatalf("results = %+v", pc.Results)
	}
	if pc.Results[0].State != PortOpen || pc.Results[1].State != PortClosed {
		t.Errorf("states = %v, %v; want open, closed (%v)", pc.Results[0].State, pc.Results[1].State, pc.Results[1].Err)
	}
	for deadline := time.Now().Add(2 * time.Second); accepted.Load() == 0 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	if accepted.Load() != 1 {
		t.Errorf("listener accepted %d connections, want 1", accepted.Load())
	}
	text := pc.Text()
	for _, w := range []string{"Host     127.0.0.1", "1 open, 1 closed, 0 filtered, 0 errors", fmt.Sprintf("%-5d  open", open)} {
		if !strings.Contains(text, w) {
			t.Errorf("Text lacks %q:\n%s", w, text)
		}
	}
}

// baseline returns a check that goroutines and open files are back to
// what they were when baseline was called.
func baseline(t *testing.T) func() {
	t.Helper()
	fds := func() int {
		ents, err := os.ReadDir("/proc/self/fd")
		if err != nil && runtime.GOOS == "linux" {
			t.Fatalf("cannot count open files: %v", err)
		}
		if err != nil {
			return -1 // not Linux: only goroutines are checked
		}
		return len(ents)
	}
	leaks := testenv.Goroutines(t, 2*time.Second)
	f0 := fds()
	return func() {
		t.Helper()
		leaks()
		var f int
		for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			if f = fds(); f <= f0 {
				return
			}
		}
		t.Errorf("open files %d -> %d", f0, f)
	}
}

func TestPortCheckRangeWithProgress(t *testing.T) {
	open1, _ := openPort(t)
	open2, _ := openPort(t)
	closed := closedPort(t)
	ports, err := ParsePorts(fmt.Sprintf("%d,%d,%d-%d", open1, open2, closed-5, closed+5))
	if err != nil {
		t.Fatal(err)
	}
	settled := baseline(t)
	defer settled()
	var mu sync.Mutex
	var seen []int
	c := PortChecker{Concurrency: 4, Timeout: time.Second, Progress: func(done, total int) {
		mu.Lock()
		defer mu.Unlock()
		if total != len(ports) {
			t.Errorf("progress total = %d, want %d", total, len(ports))
		}
		seen = append(seen, done)
	}}
	pc, err := c.Check(context.Background(), "localhost", ports)
	if err != nil {
		t.Fatal(err)
	}
	if pc.Addr.String() != "127.0.0.1" {
		t.Errorf("localhost checked as %v", pc.Addr)
	}
	want := make([]int, len(ports))
	for i := range want {
		want[i] = i + 1
	}
	if !slices.Equal(seen, want) {
		t.Errorf("progress calls = %v, want 1..%d in order", seen, len(ports))
	}
	if len(pc.Results) != len(ports) {
		t.Fatalf("%d results for %d ports", len(pc.Results), len(ports))
	}
	for i, r := range pc.Results {
		if r.Port != ports[i] {
			t.Errorf("result %d is port %d, want %d", i, r.Port, ports[i])
		}
		switch r.Port {
		case open1, open2:
			if r.State != PortOpen {
				t.Errorf("port %d = %v, want open", r.Port, r.State)
			}
		case closed:
			if r.State != PortClosed {
				t.Errorf("port %d = %v, want closed", r.Port, r.State)
			}
		}
	}
	if pc.Count(PortOpen) < 2 || pc.Cancelled {
		t.Errorf("summary %s, cancelled %v", pc.Summary(), pc.Cancelled)
	}
}

func TestPortCheckCancel(t *testing.T) {
	// Cancel from the progress callback after three ports.
	base := closedPort(t)
	ports, _ := ParsePorts(fmt.Sprintf("%d-%d", max(base-100, 1), max(base-100, 1)+199))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := PortChecker{Concurrency: 1, Progress: func(done, total int) {
		if done == 3 {
			cancel()
		}
	}}
	pc, err := c.Check(ctx, "127.0.0.1", ports)
	if !errors.Is(err, context.Canceled) || !pc.Cancelled {
		t.Fatalf("err = %v, cancelled = %v", err, pc.Cancelled)
	}
	if n := len(pc.Results); n < 3 || n >= len(ports) {
		t.Errorf("%d results after cancelling at 3 of %d", n, len(ports))
	}
	if !strings.Contains(pc.Text(), "cancelled after") {
		t.Errorf("Text does not say it was cancelled:\n%s", pc.Text())
	}

	// Cancel while every connect hangs.
	ctx2, cancel2 := context.WithCancel(context.Background())
	hang := PortChecker{Timeout: time.Minute, dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}}
	time.AfterFunc(50*time.Millisecond, cancel2)
	start := time.Now()
	pc, err = hang.Check(ctx2, "127.0.0.1", ports)
	if !errors.Is(err, context.Canceled) || len(pc.Results) != 0 {
		t.Errorf("hung check: err %v, %d results", err, len(pc.Results))
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("cancel took %v", d)
	}
}

func TestPortCheckFilteredAndError(t *testing.T) {
	c := PortChecker{Timeout: 50 * time.Millisecond, dial: func(ctx context.Context, _, addr string) (net.Conn, error) {
		if strings.HasSuffix(addr, ":81") {
			return nil, &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ENETUNREACH)}
		}
		<-ctx.Done() // a firewall that drops the SYN
		return nil, ctx.Err()
	}}
	pc, err := c.Check(context.Background(), "127.0.0.1", Ports{80, 81, 82, 83})
	if err != nil {
		t.Fatal(err)
	}
	states := []PortState{PortFiltered, PortError, PortFiltered, PortFiltered}
	for i, r := range pc.Results {
		if r.State != states[i] {
			t.Errorf("port %d = %v, want %v", r.Port, r.State, states[i])
		}
	}
	text := pc.Text()
	for _, w := range []string{"connect: network is unreachable", "82-83  filtered", "no answer before the timeout"} {
		if !strings.Contains(text, w) {
			t.Errorf("Text lacks %q:\n%s", w, text)
		}
	}
}

func TestPortCheckOnlyTheTypedHost(t *testing.T) {
	d := startFakeDNS(t)
	var queries atomic.Int32
	res := d.resolver()
	dialDNS := res.Dial
	res.Dial = func(ctx context.Context, n, a string) (net.Conn, error) {
		queries.Add(1)
		return dialDNS(ctx, n, a)
	}
	var mu sync.Mutex
	dialed := map[string]bool{}
	c := PortChecker{Resolver: res, dial: func(_ context.Context, _, addr string) (net.Conn, error) {
		mu.Lock()
		dialed[addr] = true
		mu.Unlock()
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	}}
	ports, _ := ParsePorts("1-20")
	pc, err := c.Check(context.Background(), "device.test", ports)
	if err != nil {
		t.Fatal(err)
	}
	if pc.Addr.String() != "192.0.2.10" || pc.Count(PortClosed) != 20 {
		t.Errorf("checked %v: %s", pc.Addr, pc.Summary())
	}
	for a := range dialed {
		if !strings.HasPrefix(a, "192.0.2.10:") {
			t.Errorf("dialed %s, not the one address of the host", a)
		}
	}
	if q := queries.Load(); q == 0 || q > 2 {
		t.Errorf("%d DNS queries for one host; want one lookup (A and AAAA)", q)
	}
	if !strings.Contains(pc.Text(), "Host     device.test (192.0.2.10)") || !strings.Contains(pc.Text(), "1-20  closed") {
		t.Errorf("Text:\n%s", pc.Text())
	}
}

func TestPortCheckBadInput(t *testing.T) {
	var c PortChecker
	ctx := context.Background()
	if _, err := c.Check(ctx, "1.2.3.256", Ports{80}); !errors.Is(err, ErrInvalidAddress) {
		t.Errorf("bad address: %v", err)
	}
	if _, err := c.Check(ctx, "bad..host", Ports{80}); !errors.Is(err, ErrInvalidName) {
		t.Errorf("bad name: %v", err)
	}
	if _, err := c.Check(ctx, "127.0.0.1", nil); !errors.Is(err, ErrInvalidPort) {
		t.Errorf("no ports: %v", err)
	}
	if _, err := c.Check(ctx, "127.0.0.1", Ports{0}); !errors.Is(err, ErrInvalidPort) {
		t.Errorf("port 0: %v", err)
	}
	open, _ := openPort(t)
	if pc, err := c.Check(ctx, "[127.0.0.1]", Ports{open}); err != nil || pc.Results[0].State != PortOpen {
		t.Errorf("bracketed host: %v", err)
	}
}
