package main

import (
	"net"
	"strings"
	"testing"
	"time"
)

// TestCLILocalAddressNamed: a --local address that is not on this computer
// is reported by its own address, not the remote one.
func TestCLILocalAddressNamed(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	defer ln.Close()
	remote := ln.Addr().String()
	for _, local := range []string{"192.0.2.9", "192.0.2.9:40000"} {
		code, _, errOut := runCLITest("", "tcp", remote, "--local", local, "--wait", "1ms")
		// (The wording is netcore's: only the address and the gist are pinned.)
		if code != 1 || !strings.Contains(errOut, "netdebug tcp: 192.0.2.9") || !strings.Contains(errOut, "not an address of this computer") || strings.Contains(errOut, remote) {
			t.Errorf("--local %s: exit %d, stderr %q", local, code, errOut)
		}
	}
	// A local address of this computer still works.
	go func() {
		if c, err := ln.Accept(); err == nil {
			c.Close()
		}
	}()
	if code, _, errOut := runCLITest("", "tcp", remote, "--local", "127.0.0.1", "--wait", "0"); code != 0 {
		t.Errorf("--local 127.0.0.1: exit %d, stderr %q", code, errOut)
	}
}

// TestCLIClientNeedsHost: ":PORT" means every interface when binding, but
// a client has to be told whom to talk to.
func TestCLIClientNeedsHost(t *testing.T) {
	for _, args := range [][]string{
		{"tcp", ":80"},
		{"tcp", "[]:80"},
		{"udp", "--bind", "127.0.0.1:0", "--to", ":9000", "--send", "x"},
		{"tftp", "get", ":69", "file.bin", t.TempDir()},
	} {
		code, _, errOut := runCLITest("", args...)
		if code != 2 || !strings.Contains(errOut, "the host is empty") {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
		}
	}
}

// TestCLITCPResetExitsNonZero: a peer that resets the connection is an
// error (exit 1, the reason on stderr); a clean close is not.
func TestCLITCPResetExitsNonZero(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		c.Write([]byte("bye"))
		time.Sleep(100 * time.Millisecond)
		c.(*net.TCPConn).SetLinger(0) // close with RST
		c.Close()
	}()
	code, out, errOut := runCLITest("", "tcp", ln.Addr().String(), "--wait", "5s")
	if code != 1 || !strings.Contains(errOut, "netdebug tcp: ") || !strings.Contains(errOut, "reset") {
		t.Fatalf("reset: exit %d, stderr %q", code, errOut)
	}
	if out != "bye" {
		t.Fatalf("stdout %q", out)
	}
	go func() {
		if c, err := ln.Accept(); err == nil {
			c.Close()
		}
	}()
	if code, _, errOut := runCLITest("", "tcp", ln.Addr().String(), "--wait", "5s"); code != 0 || !strings.Contains(errOut, "closed by peer") {
		t.Fatalf("clean close: exit %d, stderr %q", code, errOut)
	}
}
