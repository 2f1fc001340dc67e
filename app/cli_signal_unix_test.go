//go:build unix

package main

import (
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestCLISignalsCancel: Ctrl+C (SIGINT) and SIGTERM stop a command, so
// `tftp get` removes its temporary file before exiting.
func TestCLISignalsCancel(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) { testSignalCancels(t, sig) })
	}
}

func testSignalCancels(t *testing.T, sig syscall.Signal) {
	// Without the CLI handling sig this test would fail rather than kill
	// the test binary: the guard receives the signal too.
	guard := make(chan os.Signal, 1)
	signal.Notify(guard, sig)
	defer signal.Stop(guard)

	// A TFTP server that takes the request and never answers.
	srv, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	dir := t.TempDir()
	type result struct {
		code   int
		errOut string
	}
	done := make(chan result, 1)
	go func() {
		code, _, errOut := runCLITest("", "tftp", "get", srv.LocalAddr().String(), "fw.bin", dir, "--timeout", "5s", "--retries", "5")
		done <- result{code, errOut}
	}()
	srv.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, _, err := srv.ReadFrom(make([]byte, 1500)); err != nil {
		t.Fatalf("no request: %v", err)
	}
	parts, _ := filepath.Glob(filepath.Join(dir, ".netdebug-*.part"))
	if len(parts) != 1 {
		t.Fatalf("temporary files while downloading: %v", parts)
	}
	if err := syscall.Kill(os.Getpid(), sig); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-done:
		if r.code == 0 || !strings.Contains(strings.ToLower(r.errOut), "cancel") {
			t.Errorf("exit %d, stderr %q", r.code, r.errOut)
		}
	case <-time.After(4 * time.Second):
		t.Fatalf("%v did not stop tftp get", sig)
	}
	if parts, _ := filepath.Glob(filepath.Join(dir, "*")); len(parts) != 0 {
		t.Fatalf("left behind: %v", parts)
	}
}
