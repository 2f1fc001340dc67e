package main

import (
	"bytes"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netdebug/netdebug/netcore/netinfo"
)

// cliRun runs a command and returns its exit status and output.
func cliRun(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := runCLI(args, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestCLIToolsHelp(t *testing.T) {
	for _, cmd := range []string{"info", "lookup", "subnet", "port"} {
		code, out, _ := cliRun(cmd, "--help")
		if code != 0 || !strings.Contains(out, "Usage: netdebug "+cmd) || !strings.Contains(out, "Exit status") {
			t.Errorf("%s --help: exit %d\n%s", cmd, code, out)
		}
	}
	_, out, _ := cliRun("help")
	for _, cmd := range []string{"info", "lookup", "subnet", "port"} {
		if !strings.Contains(out, "  "+cmd+" ") {
			t.Errorf("help does not list %s:\n%s", cmd, out)
		}
	}
	if _, out, _ := cliRun("port", "--help"); !strings.Contains(out, "whatever the ports' states") {
		t.Errorf("port --help does not say how closed ports count:\n%s", out)
	}
}

func TestCLIInfo(t *testing.T) {
	host, _ := os.Hostname()
	code, out, errOut := cliRun("info")
	if code != 0 || !strings.Contains(out, "Hostname  "+host) || !strings.Contains(out, "INTERFACE") || errOut != "" {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if runtime.GOOS == "linux" && !strings.Contains(out, "127.0.0.1/8") {
		t.Errorf("no loopback address:\n%s", out)
	}
	if code, _, errOut := cliRun("info", "extra"); code != 2 || !strings.Contains(errOut, "wrong number of arguments") {
		t.Errorf("info extra: exit %d, %q", code, errOut)
	}
	if code, _, _ := cliRun("info", "--bogus"); code != 2 {
		t.Errorf("info --bogus: exit %d", code)
	}
}

func TestCLIInfoSockets(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the socket list is read from /proc/net on Linux")
	}
	p := newPeer(t)
	code, out, errOut := cliRun("info", "--sockets")
	if code != 0 || !strings.Contains(out, "PROTO") || !strings.Contains(out, "127.0.0.1:"+p.port()) {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "ESTABLISHED") && strings.HasPrefix(line, "tcp") {
			t.Errorf("--sockets lists a connected socket: %s", line)
		}
	}
}

func TestCLILookup(t *testing.T) {
	good := []struct{ q, want string }{
		{"localhost", "127.0.0.1"},
		{"127.0.0.1", "Name"},
		{"3306/tcp", "mysql"},
		{"ssh", "22"},
	}
	for _, c := range good {
		code, out, errOut := cliRun("lookup", c.q)
		if code != 0 || !strings.Contains(out, c.want) {
			t.Errorf("lookup %s: exit %d\n%s%s", c.q, code, out, errOut)
		}
	}
	bad := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"lookup", "bad name"}, 2, "contains a space"},
		{[]string{"lookup", "300.1.1.1"}, 2, "more than 255"},
		{[]string{"lookup", "3306/"}, 2, "nothing after '/'"},
		{[]string{"lookup", "99999"}, 2, "out of range"},
		{[]string{"lookup", "no-such-service-xyz/tcp"}, 1, "not found"},
		{[]string{"lookup", "nothing.invalid", "--timeout", "2s"}, 1, "nothing.invalid"},
		{[]string{"lookup"}, 2, "wrong number of arguments"},
		{[]string{"lookup", "a", "b"}, 2, "wrong number of arguments"},
		{[]string{"lookup", "localhost", "--timeout", "0s"}, 2, "--timeout"},
	}
	for _, c := range bad {
		code, out, errOut := cliRun(c.args...)
		if code != c.code || !strings.Contains(errOut, c.want) || out != "" {
			t.Errorf("%v: exit %d, want %d\nstdout %q\nstderr %q", c.args, code, c.code, out, errOut)
		}
	}
}

func TestCLISubnet(t *testing.T) {
	good := []struct {
		args []string
		want []string
	}{
		{[]string{"192.168.1.10/24"}, []string{"Network       192.168.1.0/24", "Broadcast     192.168.1.255", "Hosts         254", "Class         C", "private"}},
		{[]string{"10.0.0.1", "255.255.255.252"}, []string{"10.0.0.0/30", "Hosts         2"}},
		{[]string{"10.0.0.1 255.255.255.0"}, []string{"10.0.0.0/24"}},
		{[]string{"10.0.0.0/31"}, []string{"RFC 3021"}},
		{[]string{"0.0.0.0/0"}, []string{"4294967296"}},
		{[]string{"2001:db8::1/64"}, []string{"2001:db8::/64", "18446744073709551616"}},
		{[]string{"::1/128"}, []string{"loopback"}},
	}
	for _, c := range good {
		code, out, errOut := cliRun(append([]string{"subnet"}, c.args...)...)
		if code != 0 || errOut != "" {
			t.Errorf("%v: exit %d, %s", c.args, code, errOut)
		}
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: no %q in\n%s", c.args, w, out)
			}
		}
	}
	bad := []struct {
		args []string
		want string
	}{
		{[]string{"10.0.0.1", "255.0.255.0"}, "not contiguous"},
		{[]string{"10.0.0.1"}, "no prefix length or mask"},
		{[]string{"10.0.0.1/33"}, "33"},
		{[]string{"10.0.0.256/24"}, "more than 255"},
		{[]string{"a", "b", "c"}, "wrong number of arguments"},
		{nil, "wrong number of arguments"},
	}
	for _, c := range bad {
		code, out, errOut := cliRun(append([]string{"subnet"}, c.args...)...)
		if code != 2 || !strings.Contains(errOut, c.want) || out != "" {
			t.Errorf("%v: exit %d\nstdout %q\nstderr %q", c.args, code, out, errOut)
		}
	}
}

func TestCLIPort(t *testing.T) {
	p := newPeer(t)
	closed := strconv.Itoa(closedPort(t))

	code, out, errOut := cliRun("port", "127.0.0.1", p.port())
	if code != 0 || !strings.Contains(out, "1 open, 0 closed") || errOut != "" {
		t.Errorf("open port: exit %d\n%s%s", code, out, errOut)
	}
	// Closed is an answer, not a failure; --require-open makes it one.
	code, out, _ = cliRun("port", "127.0.0.1", closed)
	if code != 0 || !strings.Contains(out, "0 open, 1 closed") {
		t.Errorf("closed port: exit %d\n%s", code, out)
	}
	code, out, errOut = cliRun("port", "--require-open", "127.0.0.1", p.port()+","+closed)
	if code != 1 || !strings.Contains(out, "1 open, 1 closed") || !strings.Contains(errOut, "1 of 2 ports are not open") {
		t.Errorf("--require-open: exit %d\n%s%s", code, out, errOut)
	}
	if code, _, _ := cliRun("port", "127.0.0.1", p.port(), "--require-open"); code != 0 {
		t.Errorf("--require-open with the port open: exit %d", code)
	}
	// A range, with options; stderr is not a terminal, so no progress.
	code, out, errOut = cliRun("port", "--timeout", "1s", "--concurrency", "4", "localhost", "1-200")
	if code != 0 || !strings.Contains(out, "200 checked") || errOut != "" {
		t.Errorf("range: exit %d\n%s\nstderr %q", code, out, errOut)
	}

	bad := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"127.0.0.1", "0"}, 2, "port 0"},
		{[]string{"127.0.0.1", "65536"}, 2, "out of range"},
		{[]string{"127.0.0.1", "1-"}, 2, "missing"},
		{[]string{"127.0.0.1", "http"}, 2, "not a number"},
		{[]string{"300.1.1.1", "80"}, 2, "more than 255"},
		{[]string{"bad host", "80"}, 2, "contains a space"},
		{[]string{"", "80"}, 2, "host is empty"},
		{[]string{"127.0.0.1", "80", "--concurrency", "0"}, 2, "--concurrency"},
		{[]string{"127.0.0.1", "80", "--timeout", "0s"}, 2, "--timeout"},
		{[]string{"127.0.0.1"}, 2, "wrong number of arguments"},
		{[]string{"nothing.invalid", "80"}, 1, "nothing.invalid"},
	}
	for _, c := range bad {
		code, out, errOut := cliRun(append([]string{"port"}, c.args...)...)
		if code != c.code || !strings.Contains(errOut, c.want) || out != "" {
			t.Errorf("%v: exit %d, want %d\nstdout %q\nstderr %q", c.args, code, c.code, out, errOut)
		}
	}
}

func TestIsTerminal(t *testing.T) {
	var b bytes.Buffer
	if isTerminal(&b) {
		t.Error("a buffer is not a terminal")
	}
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if isTerminal(f) {
		t.Error("a file is not a terminal")
	}
}

func TestProgressLine(t *testing.T) {
	var b syncBuffer
	checker := &netinfo.PortChecker{}
	stop := progressLine(&b, checker, 10)
	checker.Progress(5, 10)
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(b.String(), "checked 5 of 10 ports (50%)") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	stop() // twice is harmless
	if s := b.String(); !strings.Contains(s, "\rchecked 5 of 10 ports (50%)") || !strings.HasSuffix(s, "\r\033[K") {
		t.Errorf("progress %q", s)
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
