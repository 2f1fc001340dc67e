package tftp

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"testing"
	"time"
)

// TestMain doubles as a helper: with NETDEBUG_TFTP_HELPER=server the test
// binary runs our TFTP server instead of the tests (and with =get, in the
// comparisons, one download as our client's whole process). The lossy-link tests
// start it inside a network namespace with `ip netns exec`, where every
// socket the server opens belongs to that namespace.
func TestMain(m *testing.M) {
	if h := os.Getenv("NETDEBUG_TFTP_HELPER"); h != "" {
		run, ok := helpers[h]
		if !ok {
			fmt.Fprintf(os.Stderr, "unknown NETDEBUG_TFTP_HELPER %q\n", h)
			os.Exit(2)
		}
		os.Exit(run())
	}
	os.Exit(m.Run())
}

// helpers are the modes the test binary runs in instead of the tests;
// platform files add to it.
var helpers = map[string]func() int{"server": helperServer}

// helperServer serves NETDEBUG_TFTP_ROOT on NETDEBUG_TFTP_ADDR until its
// standard input closes.
func helperServer() int {
	s := &Server{Root: os.Getenv("NETDEBUG_TFTP_ROOT"), AllowUpload: true, Overwrite: true}
	uc, err := Listen(os.Getenv("NETDEBUG_TFTP_ADDR"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if os.Getenv("NETDEBUG_TFTP_TRACE") != "" {
		s.TraceLimit = 100000
	}
	s.OnEvent = func(e Event) {
		if e.Kind == EventDone {
			fmt.Printf("%s %s %s: %v, %v, %+v\n", e.Transfer.Peer, e.Transfer.Direction, e.Transfer.File,
				e.Err, e.Result.Duration.Round(time.Millisecond), e.Result.Stats)
			for _, r := range e.Result.Trace {
				fmt.Println(r)
			}
		}
	}
	if path := os.Getenv("NETDEBUG_TFTP_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err == nil && pprof.StartCPUProfile(f) == nil {
			defer pprof.StopCPUProfile()
		}
	}
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.Shutdown(ctx)
	}()
	if err := s.Serve(uc); err != nil && err != ErrServerClosed {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}
