package session

import (
	"bytes"
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// recorder collects events for assertions.
type recorder struct {
	mu     sync.Mutex
	events []Event
	rx     bytes.Buffer
	signal chan struct{}
}

func newRecorder() *recorder { return &recorder{signal: make(chan struct{}, 1)} }

func (r *recorder) handle(ev Event) {
	ev.Data = append([]byte(nil), ev.Data...) // lent by the session
	r.mu.Lock()
	r.events = append(r.events, ev)
	if ev.Kind == Received {
		r.rx.Write(ev.Data)
	}
	r.mu.Unlock()
	select {
	case r.signal <- struct{}{}:
	default:
	}
}

// waitFor polls until cond holds (checked under the lock) or fails the test.
func (r *recorder) waitFor(t *testing.T, what string, cond func(evs []Event, rx []byte) bool) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		r.mu.Lock()
		ok := cond(r.events, r.rx.Bytes())
		r.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-r.signal:
		case <-time.After(20 * time.Millisecond):
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func (r *recorder) count(k Kind) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, ev := range r.events {
		if ev.Kind == k {
			n++
		}
	}
	return n
}

func hasKind(k Kind) func([]Event, []byte) bool {
	return func(evs []Event, _ []byte) bool {
		for _, ev := range evs {
			if ev.Kind == k {
				return true
			}
		}
		return false
	}
}

// echoServer accepts connections on 127.0.0.1:0 and echoes everything.
func echoServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				buf := make([]byte, 64<<10)
				for {
					n, err := c.Read(buf)
					if n > 0 {
						if _, werr := c.Write(buf[:n]); werr != nil {
							return
						}
					}
					if err != nil {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// readSlowly reads up to size bytes from r at most 2 MiB per 50 ms (32 MiB
// take 0.8 s) and returns how many it got before an error or size.
func readSlowly(r io.Reader, size int) int {
	buf := make([]byte, 2<<20)
	total := 0
	for total < size {
		time.Sleep(50 * time.Millisecond)
		n, err := io.ReadAtLeast(r, buf, 1)
		total += n
		if err != nil {
			break
		}
	}
	return total
}
