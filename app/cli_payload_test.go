package main

import (
	"bytes"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// acceptOnce accepts one connection, reads n bytes, sends reply and closes.
func acceptOnce(t *testing.T, ln net.Listener, n int, reply []byte) <-chan []byte {
	t.Helper()
	got := make(chan []byte, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			got <- nil
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(5 * time.Second))
		buf := make([]byte, n)
		io.ReadFull(c, buf)
		got <- buf
		c.Write(reply)
	}()
	return got
}

// TestCLIShowBothPrintsTextAndHex: --show both prints the decoded text (in
// --encoding) and then the hex dump, as the README's example promises.
func TestCLIShowBothPrintsTextAndHex(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	defer ln.Close()
	got := acceptOnce(t, ln, 0, []byte{0xC4, 0xE3, 0xBA, 0xC3, '\r', '\n'})
	code, out, errOut := runCLITest("", "tcp", ln.Addr().String(), "--encoding", "gb2312", "--show", "both", "--wait", "0")
	<-got
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	text, hex := strings.Index(out, "你好"), strings.Index(out, "C4 E3 BA C3 0D 0A")
	if text < 0 || hex < 0 || text > hex {
		t.Fatalf("want the text, then the hex dump; stdout %q", out)
	}
	if !strings.HasPrefix(out, "6 bytes\n") {
		t.Fatalf("stdout %q", out)
	}
}

// TestCLITemplatesInPayloads: --send and --hex expand templates as the GUI
// does, for tcp, tcp-server (once per client) and udp (once per send).
func TestCLITemplatesInPayloads(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	defer ln.Close()
	got := acceptOnce(t, ln, 8, nil)
	code, _, errOut := runCLITest("", "tcp", ln.Addr().String(), "--hex", "01 03 00 00 00 0A {{crc16modbus}}", "--wait", "0")
	if code != 0 {
		t.Fatalf("--hex: exit %d: %s", code, errOut)
	}
	if b := <-got; !bytes.Equal(b, []byte{1, 3, 0, 0, 0, 0x0A, 0xC5, 0xCD}) {
		t.Fatalf("--hex sent % X", b)
	}
	got = acceptOnce(t, ln, 4, nil)
	code, _, errOut = runCLITest("", "tcp", ln.Addr().String(), "--send", "A{{counter}}", "--line-ending", "crlf", "--wait", "0")
	if b := <-got; code != 0 || string(b) != "A0\r\n" {
		t.Fatalf("--send: exit %d, sent %q, stderr %s", code, b, errOut)
	}
	if code, _, errOut := runCLITest("", "tcp", ln.Addr().String(), "--send", "A{{nope}}"); code != 2 || !strings.Contains(errOut, "position 2") {
		t.Fatalf("bad template: exit %d, stderr %q", code, errOut)
	}

	// tcp-server: each client gets the next counter.
	free, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := free.Addr().String()
	free.Close()
	done := make(chan int)
	go func() {
		code, _, _ := runCLITest("", "tcp-server", addr, "--send", "hi{{counter}}", "--wait", "1500ms")
		done <- code
	}()
	for i, want := range []string{"hi0", "hi1"} {
		var c net.Conn
		var err error
		for range 100 {
			if c, err = net.Dial("tcp", addr); err == nil {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		if err != nil {
			t.Fatal(err)
		}
		if b := readN(t, c, 3); string(b) != want {
			t.Fatalf("client %d got %q, want %q", i, b, want)
		}
		c.Close()
	}
	if code := <-done; code != 0 {
		t.Fatalf("tcp-server exit %d", code)
	}

	// udp --to, then udp --reply: each reply expands again.
	p, _ := net.ListenPacket("udp", "127.0.0.1:0")
	defer p.Close()
	code, _, errOut = runCLITest("", "udp", "--bind", "127.0.0.1:0", "--to", p.LocalAddr().String(), "--send", "u{{counter:start=7}}", "--wait", "1ms")
	buf := make([]byte, 64)
	p.SetReadDeadline(time.Now().Add(3 * time.Second))
	n, _, err := p.ReadFrom(buf)
	if code != 0 || err != nil || string(buf[:n]) != "u7" {
		t.Fatalf("udp --to: exit %d, got %q %v, stderr %s", code, buf[:n], err, errOut)
	}
	ul, _ := net.ListenPacket("udp", "127.0.0.1:0")
	uaddr := ul.LocalAddr().String()
	ul.Close()
	udone := make(chan int)
	go func() {
		code, _, _ := runCLITest("", "udp", "--bind", uaddr, "--reply", "--hex", "AA {{counter}}", "--wait", "1500ms")
		udone <- code
	}()
	for i, want := range [][]byte{{0xAA, 0}, {0xAA, 1}} {
		var err error
		for range 50 {
			p.WriteTo([]byte("x"), mustAddr(uaddr))
			p.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
			if n, _, err = p.ReadFrom(buf); err == nil {
				break
			}
		}
		if err != nil || !bytes.Equal(buf[:n], want) {
			t.Fatalf("reply %d: % X %v, want % X", i, buf[:n], err, want)
		}
	}
	<-udone
}
