package testenv

import (
	"strings"
	"testing"
	"time"
)

// recorder is a testing.TB that keeps errors instead of failing.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, format)
	if len(args) > 0 {
		if s, ok := args[0].(string); ok {
			r.errs[len(r.errs)-1] = s
		}
	}
}

func leaky(stop chan struct{}) { <-stop }

// TestGoroutinesNamesALeak: a goroutine started after the baseline and
// still running is reported with its stack; once it ends, nothing is.
func TestGoroutinesNamesALeak(t *testing.T) {
	r := &recorder{TB: t}
	check := Goroutines(r, 50*time.Millisecond)
	stop := make(chan struct{})
	go leaky(stop)
	check()
	if len(r.errs) != 1 || !strings.Contains(r.errs[0], "testenv.leaky") {
		t.Fatalf("reported %q, want one goroutine in testenv.leaky", r.errs)
	}
	close(stop)
	r.errs = nil
	check()
	if len(r.errs) != 0 {
		t.Fatalf("after the goroutine ended: %q", r.errs)
	}
}
