package main

import (
	"bytes"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const heartbeatRules = `{
  "version": 1,
  "rules": [
    {"name": "heartbeat", "match": "regex", "pattern": "PING (\\d+)", "reply": "PONG $1{{crc16modbus}}"}
  ]
}`

const abSequence = `{
  "version": 1,
  "repeat": 3,
  "steps": [
    {"text": "A{{counter}}", "delay_ms": 10},
    {"text": "B", "delay_ms": 10}
  ]
}`

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCLIUDPRulesAnswerTheSender(t *testing.T) {
	rules := writeFile(t, "rules.json", heartbeatRules)
	ln, _ := net.ListenPacket("udp", "127.0.0.1:0")
	addr := ln.LocalAddr().String()
	ln.Close()
	type result struct {
		code        int
		out, errOut string
	}
	done := make(chan result)
	go func() {
		code, out, errOut := runCLITest("", "udp", "--bind", addr, "--rules", rules, "--wait", "1500ms")
		done <- result{code, out, errOut}
	}()
	p, _ := net.ListenPacket("udp", "127.0.0.1:0")
	defer p.Close()
	want := withCRC([]byte("PONG 42"))
	buf := make([]byte, 32)
	var n int
	var err error
	for range 50 {
		p.WriteTo([]byte("PING 42"), mustAddr(addr))
		p.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		if n, _, err = p.ReadFrom(buf); err == nil {
			break
		}
	}
	if err != nil || !bytes.Equal(buf[:n], want) {
		t.Fatalf("reply % X %v, want % X", buf[:n], err, want)
	}
	r := <-done
	if r.code != 0 || !strings.Contains(r.errOut, `rule 1 "heartbeat": `) || !strings.Contains(r.errOut, "hits, ") {
		t.Fatalf("exit %d, stderr %q", r.code, r.errOut)
	}
	// Every PING sent before the reply came back was answered too.
	if !strings.Contains(r.errOut, "0 suppressed, 0 failed (limit 10/s, burst 10)") {
		t.Fatalf("stderr %q", r.errOut)
	}
}

func TestCLITCPSequenceAndRules(t *testing.T) {
	seq := writeFile(t, "seq.json", abSequence)
	rules := writeFile(t, "rules.json", heartbeatRules)
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	defer ln.Close()
	got := make(chan []byte, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.Write([]byte("PING 7"))
		all, _ := io.ReadAll(c) // until the CLI closes
		got <- all
	}()
	code, _, errOut := runCLITest("", "tcp", ln.Addr().String(), "--sequence", seq, "--rules", rules, "--wait", "300ms")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	b := <-got
	// The reply to PING 7 comes whenever it arrived; the sequence's sends
	// keep their order around it.
	reply := withCRC([]byte("PONG 7"))
	i := bytes.Index(b, reply)
	if i < 0 {
		t.Fatalf("no reply in % X", b)
	}
	rest := append(append([]byte(nil), b[:i]...), b[i+len(reply):]...)
	if string(rest) != "A0BA1BA2B" {
		t.Fatalf("sequence %q", rest)
	}
	if !strings.Contains(errOut, "sequence done: 6 sends") || !strings.Contains(errOut, `rule 1 "heartbeat": 1 hits, 1 replies`) {
		t.Fatalf("stderr %q", errOut)
	}
}

func TestCLITCPServerSequencePerClientAndRules(t *testing.T) {
	seq := writeFile(t, "seq.json", abSequence)
	rules := writeFile(t, "rules.json", heartbeatRules)
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	done := make(chan string)
	go func() {
		_, _, errOut := runCLITest("", "tcp-server", addr, "--sequence", seq, "--rules", rules, "--wait", "1500ms")
		done <- errOut
	}()
	dial := func() net.Conn {
		for range 100 {
			if c, err := net.Dial("tcp", addr); err == nil {
				return c
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Fatal("the server did not start")
		return nil
	}
	a := dial()
	defer a.Close()
	b := dial()
	defer b.Close()
	for _, c := range []net.Conn{a, b} {
		if got := readN(t, c, 9); string(got) != "A0BA1BA2B" {
			t.Fatalf("%s got %q", c.LocalAddr(), got)
		}
	}
	a.Write([]byte("PING 5"))
	want := withCRC([]byte("PONG 5"))
	if got := readN(t, a, len(want)); !bytes.Equal(got, want) {
		t.Fatalf("reply % X", got)
	}
	b.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	if n, err := b.Read(make([]byte, 16)); err == nil {
		t.Fatalf("the other client got %d bytes", n)
	}
	errOut := <-done
	if strings.Count(errOut, "sequence done: 6 sends") != 2 || !strings.Contains(errOut, `rule 1 "heartbeat": 1 hits, 1 replies`) {
		t.Fatalf("stderr %q", errOut)
	}
}

func TestCLIAutomationBadFiles(t *testing.T) {
	badRules := writeFile(t, "bad-rules.json", `{"version": 1, "rules": [{"name": "broken", "match": "regex", "pattern": "(", "reply": "x"}]}`)
	badSeq := writeFile(t, "bad-seq.json", "{\"version\": 1,\n \"steps\": [}")
	badTemplate := writeFile(t, "bad-step.json", `{"version": 1, "steps": [{"name": "poll", "text": "01 {{crc17}}", "hex": true}]}`)
	seq := writeFile(t, "seq.json", abSequence)
	missing := filepath.Join(t.TempDir(), "nope.json")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"tcp", "127.0.0.1:9", "--rules", badRules}, `rule 1 ("broken"): invalid definition: invalid regular expression`},
		{[]string{"tcp", "127.0.0.1:9", "--sequence", badSeq}, "line 2"},
		{[]string{"tcp-server", "127.0.0.1:0", "--rules", badRules}, `rule 1 ("broken")`},
		{[]string{"tcp-server", "127.0.0.1:0", "--sequence", badTemplate}, `step 1 ("poll")`},
		{[]string{"udp", "--bind", "127.0.0.1:0", "--rules", missing}, "nope.json"},
		{[]string{"udp", "--bind", "127.0.0.1:0", "--to", "127.0.0.1:9", "--sequence", badTemplate}, "crc17"},
		{[]string{"udp", "--bind", "127.0.0.1:0", "--sequence", seq}, "--sequence needs --to"},
	}
	for _, c := range cases {
		code, _, errOut := runCLITest("", c.args...)
		if code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, errOut, c.want)
		}
	}
}

func TestCLIUDPSequenceToTarget(t *testing.T) {
	seq := writeFile(t, "seq.json", abSequence)
	p, _ := net.ListenPacket("udp", "127.0.0.1:0")
	defer p.Close()
	code, _, errOut := runCLITest("", "udp", "--bind", "127.0.0.1:0", "--to", p.LocalAddr().String(), "--sequence", seq, "--wait", "1ms")
	if code != 0 || !strings.Contains(errOut, "sequence done: 6 sends") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got []string
	buf := make([]byte, 16)
	for range 6 {
		p.SetReadDeadline(time.Now().Add(2 * time.Second))
		n, _, err := p.ReadFrom(buf)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(buf[:n]))
	}
	if strings.Join(got, ",") != "A0,B,A1,B,A2,B" {
		t.Fatalf("datagrams %q", got)
	}
}
