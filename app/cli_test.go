package main

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer safe for the CLI's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *lockedBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *lockedBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func runCLITest(stdin string, args ...string) (int, string, string) {
	var out, errOut lockedBuffer
	code := runCLI(args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestCLIHelpAndVersion(t *testing.T) {
	code, out, _ := runCLITest("", "help")
	if code != 0 || !strings.Contains(out, "tcp-server") || !strings.Contains(out, "udp") {
		t.Fatalf("help: %d %q", code, out)
	}
	for _, cmd := range []string{"tcp", "tcp-server", "udp", "version"} {
		code, out, _ := runCLITest("", cmd, "--help")
		if code != 0 || !strings.Contains(out, "Usage: netdebug "+cmd) {
			t.Errorf("%s --help: %d %q", cmd, code, out)
		}
	}
	if code, out, _ := runCLITest("", "version"); code != 0 || !strings.HasPrefix(out, "NetDebug ") {
		t.Errorf("version: %d %q", code, out)
	}
	if code, _, errOut := runCLITest("", "frobnicate"); code != 2 || !strings.Contains(errOut, "unknown command") {
		t.Errorf("unknown: %d %q", code, errOut)
	}
}

func TestCLITCPSendsGB2312AndPrintsHex(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	defer ln.Close()
	got := make(chan []byte, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		buf := make([]byte, 6)
		io.ReadFull(c, buf)
		got <- buf
		c.Write([]byte{0xC4, 0xE3, 0xBA, 0xC3})
	}()
	code, out, errOut := runCLITest("", "tcp", ln.Addr().String(), "--send", "你好", "--encoding", "gb2312", "--line-ending", "crlf", "--show", "hex", "--wait", "3s")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if b := <-got; !bytes.Equal(b, []byte{0xC4, 0xE3, 0xBA, 0xC3, '\r', '\n'}) {
		t.Fatalf("server got % X", b)
	}
	if strings.TrimSpace(out) != "C4 E3 BA C3" {
		t.Fatalf("stdout %q", out)
	}
	// The same reply as text in GB2312.
	go func() {
		c, err := ln.Accept()
		if err == nil {
			c.Write([]byte{0xC4, 0xE3, 0xBA, 0xC3})
			c.Close()
		}
	}()
	code, out, _ = runCLITest("", "tcp", ln.Addr().String(), "--encoding", "gb2312", "--wait", "0")
	if code != 0 || out != "你好" {
		t.Fatalf("text: %d %q", code, out)
	}
}

func TestCLIFailures(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := ln.Addr().String()
	ln.Close()
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"tcp", closed}, 1, "nothing is listening"},
		{[]string{"tcp", "127.0.0.1:0"}, 2, "out of range"},
		{[]string{"tcp", "127.0.0.1:abc"}, 2, "not a number"},
		{[]string{"tcp", "", "--send", "x"}, 2, "empty"},
		{[]string{"tcp", "127.0.0.1:80", "--hex", "4G"}, 2, "position 2"},
		{[]string{"tcp", "127.0.0.1:80", "--encoding", "klingon"}, 2, "unknown encoding"},
		{[]string{"tcp", "127.0.0.1:80", "--show", "pictures"}, 2, "--show"},
		{[]string{"tcp"}, 2, "wrong number of arguments"},
		{[]string{"udp", "--bind", "127.0.0.1:0", "--send", "x"}, 2, "needs --to"},
		{[]string{"udp", "--bind", "192.0.2.9:0"}, 1, "not an address of this computer"},
		{[]string{"udp", "--bind", "127.0.0.1:0", "--join", "1.2.3.4", "--wait", "1ms"}, 1, "not a multicast address"},
		{[]string{"udp", "--bind", "127.0.0.1:0", "--to", "127.0.0.1:9", "--send", strings.Repeat("x", 70000)}, 1, "65507"},
		{[]string{"tcp-server", "999.0.0.1:80"}, 2, "not a valid IPv4"},
	}
	for _, c := range cases {
		code, _, errOut := runCLITest("", c.args...)
		if code != c.code || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, errOut, c.code, c.want)
		}
	}
	busy, _ := net.Listen("tcp", "127.0.0.1:0")
	defer busy.Close()
	if code, _, errOut := runCLITest("", "tcp-server", busy.Addr().String()); code != 1 || !strings.Contains(errOut, "already") || !strings.Contains(errOut, busy.Addr().String()) {
		t.Errorf("busy: %d %q", code, errOut)
	}
}

func TestCLITCPServerEchoAndGreeting(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	done := make(chan struct{})
	var code int
	var out string
	go func() {
		code, out, _ = runCLITest("", "tcp-server", addr, "--echo", "--send", "welcome", "--wait", "1500ms")
		close(done)
	}()
	var c net.Conn
	var err error
	for i := 0; i < 100; i++ {
		if c, err = net.Dial("tcp", addr); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got := readN(t, c, 7); string(got) != "welcome" {
		t.Fatalf("greeting %q", got)
	}
	c.Write([]byte("ping"))
	if got := readN(t, c, 4); string(got) != "ping" {
		t.Fatalf("echo %q", got)
	}
	<-done
	if code != 0 || !strings.Contains(out, c.LocalAddr().String()+": ping") {
		t.Fatalf("exit %d, stdout %q", code, out)
	}
}

func TestCLIUDPReply(t *testing.T) {
	ln, _ := net.ListenPacket("udp", "127.0.0.1:0")
	addr := ln.LocalAddr().String()
	ln.Close()
	done := make(chan string)
	go func() {
		_, out, _ := runCLITest("", "udp", "--bind", addr, "--reply", "--hex", "01 02", "--wait", "1500ms", "--show", "hex")
		done <- out
	}()
	p, _ := net.ListenPacket("udp", "127.0.0.1:0")
	defer p.Close()
	buf := make([]byte, 16)
	var n int
	var err error
	for i := 0; i < 50; i++ {
		p.WriteTo([]byte("hi"), mustAddr(addr))
		p.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		if n, _, err = p.ReadFrom(buf); err == nil {
			break
		}
	}
	if err != nil || !bytes.Equal(buf[:n], []byte{1, 2}) {
		t.Fatalf("reply % X %v", buf[:n], err)
	}
	if out := <-done; !strings.Contains(out, p.LocalAddr().String()+": 68 69") {
		t.Fatalf("stdout %q", out)
	}
}

func mustAddr(s string) *net.UDPAddr {
	a, _ := net.ResolveUDPAddr("udp", s)
	return a
}

func TestCLIHelpPrintedOnceAndBadFlags(t *testing.T) {
	code, out, errOut := runCLITest("", "tcp", "--help")
	if code != 0 || strings.Count(out, "Usage: netdebug tcp") != 1 || errOut != "" {
		t.Fatalf("help: %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, out, errOut = runCLITest("", "tcp", "--no-such-flag", "h:1")
	if code != 2 || out != "" || strings.Count(errOut, "no-such-flag") != 1 || strings.Count(errOut, "Usage:") != 1 {
		t.Fatalf("bad flag: %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// TestReplyLimit: `udp --reply` answers at most replyRate datagrams in a
// second, says so once, and answers again in the next second.
func TestReplyLimit(t *testing.T) {
	told := 0
	l := &replyLimit{perSecond: 3, onLimit: func() { told++ }}
	t0 := time.Unix(1000, 0)
	var got []bool
	for i := 0; i < 5; i++ {
		got = append(got, l.allow(t0.Add(time.Duration(i)*time.Millisecond)))
	}
	if fmt.Sprint(got) != "[true true true false false]" || told != 1 {
		t.Fatalf("first second: %v, told %d times", got, told)
	}
	if !l.allow(t0.Add(1100 * time.Millisecond)) {
		t.Fatal("not allowed again in the next second")
	}
}

// TestSecondsFlag: --timeout takes 3 as well as 3s, and says what it wants
// otherwise.
func TestSecondsFlag(t *testing.T) {
	var f secondsFlag
	for in, want := range map[string]time.Duration{"3": 3 * time.Second, "3s": 3 * time.Second, "0": 0, "2m": 2 * time.Minute} {
		if err := f.Set(in); err != nil || time.Duration(f) != want {
			t.Errorf("%q: %v, %v", in, time.Duration(f), err)
		}
	}
	if err := f.Set("soon"); err == nil || !strings.Contains(err.Error(), "seconds") {
		t.Errorf("bad value: %v", err)
	}
}
