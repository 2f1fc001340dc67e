//go:build linux

package session

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// raiseFileLimit lifts RLIMIT_NOFILE so one process can hold both ends of
// n connections.
func raiseFileLimit(b *testing.B, n uint64) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		b.Skipf("skipped: cannot read the file limit: %v", err)
	}
	if lim.Cur >= n {
		return
	}
	want := syscall.Rlimit{Cur: n, Max: max(n, lim.Max)}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want); err != nil {
		want = syscall.Rlimit{Cur: lim.Max, Max: lim.Max}
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want)
		if lim.Max < n {
			b.Skipf("skipped: need %d file descriptors, the hard limit is %d and cannot be raised (%v)", n, lim.Max, err)
		}
	}
}

// rssBytes is this process's resident set (Linux /proc/self/statm).
func rssBytes(b *testing.B) uint64 {
	raw, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		b.Fatalf("reading the resident set: %v", err)
	}
	f := strings.Fields(string(raw))
	pages, err := strconv.ParseUint(f[1], 10, 64)
	if err != nil {
		b.Fatalf("statm %q: %v", raw, err)
	}
	return pages * uint64(os.Getpagesize())
}

func heapAndStacks() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc + m.StackInuse
}

// BenchmarkTCPServer10kClients holds 10,000 concurrent loopback clients:
// the time for the server to accept them all (from the first connection
// accepted to the last, so the client process's start-up is not in it),
// the time to send 1 KiB to all of them (until every client has read it),
// and the server's memory per connection, both as Go heap and stacks and
// as resident set (what the OS charges, kernel socket buffers excepted).
// The clients live in a second process (this test binary, as
// TestClientFleet) so each process stays under the file limit.
func BenchmarkTCPServer10kClients(b *testing.B) {
	const n = 10_000
	raiseFileLimit(b, n+1024)
	for i := 0; i < b.N; i++ {
		var accepted atomic.Int64
		var first, last time.Time
		all := make(chan struct{})
		s, err := NewTCPServer(TCPServerConfig{Address: "127.0.0.1:0"}, func(ev Event) {
			if ev.Kind != Connected {
				return
			}
			switch accepted.Add(1) {
			case 1:
				first = time.Now()
			case n:
				last = time.Now()
				close(all)
			}
		})
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Start(); err != nil {
			b.Fatal(err)
		}
		// Memory the previous round freed goes back to the OS first, or
		// the new connections reuse it and the RSS barely moves.
		debug.FreeOSMemory()
		before, rssBefore := heapAndStacks(), rssBytes(b)
		fleet := exec.Command(os.Args[0], "-test.run", "^TestClientFleet$")
		fleet.Env = append(os.Environ(), "NETDEBUG_FLEET_ADDR="+s.Addr(), fmt.Sprintf("NETDEBUG_FLEET_N=%d", n))
		stdin, _ := fleet.StdinPipe()
		stdout, _ := fleet.StdoutPipe()
		fleet.Stderr = os.Stderr
		if err := fleet.Start(); err != nil {
			b.Fatal(err)
		}
		lines := bufio.NewScanner(stdout)
		expect := func(word string) {
			for lines.Scan() {
				if strings.TrimSpace(lines.Text()) == word {
					return
				}
			}
			b.Fatalf("client fleet ended before %q", word)
		}
		select {
		case <-all:
		case <-time.After(2 * time.Minute):
			b.Fatalf("only %d of %d clients accepted", accepted.Load(), n)
		}
		// first is written before accepted reaches 2 and last before all
		// closes; both happen before this read.
		acceptTime := last.Sub(first)
		expect("dialed")
		perConn := float64(heapAndStacks()-before) / n
		rssPerConn := (float64(rssBytes(b)) - float64(rssBefore)) / n

		start := time.Now()
		got, err := s.SendAll(make([]byte, 1024))
		if err != nil || got != n {
			b.Fatalf("SendAll = %d, %v", got, err)
		}
		expect("read")
		sendTime := time.Since(start)
		stdin.Close()
		fleet.Wait()
		s.Shutdown(context.Background())
		b.ReportMetric(float64(acceptTime.Milliseconds()), "accept-all-ms")
		b.ReportMetric(float64(sendTime.Milliseconds()), "send-all-1KiB-ms")
		b.ReportMetric(perConn, "server-heap-B/conn")
		b.ReportMetric(rssPerConn, "server-RSS-B/conn")
	}
}

// TestClientFleet is not a test of its own: BenchmarkTCPServer10kClients
// runs this binary with NETDEBUG_FLEET_ADDR set to make the clients. It
// dials, says "dialed", reads 1 KiB on every connection, says "read", and
// holds the connections until its standard input closes.
func TestClientFleet(t *testing.T) {
	addr := os.Getenv("NETDEBUG_FLEET_ADDR")
	if addr == "" {
		t.Skip("helper process for BenchmarkTCPServer10kClients")
	}
	n, _ := strconv.Atoi(os.Getenv("NETDEBUG_FLEET_N"))
	conns := make([]net.Conn, n)
	var wg sync.WaitGroup
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for j := w; j < n; j += 16 {
				c, err := net.Dial("tcp", addr)
				if err != nil {
					t.Error(err)
					return
				}
				conns[j] = c
			}
		}(w)
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	fmt.Println("dialed")
	for _, c := range conns {
		wg.Add(1)
		go func(c net.Conn) {
			defer wg.Done()
			c.SetReadDeadline(time.Now().Add(2 * time.Minute))
			if _, err := io.ReadFull(c, make([]byte, 1024)); err != nil {
				t.Error(err)
			}
		}(c)
	}
	wg.Wait()
	fmt.Println("read")
	io.Copy(io.Discard, os.Stdin)
	for _, c := range conns {
		c.Close()
	}
}
