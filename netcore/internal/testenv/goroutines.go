package testenv

import (
	"bytes"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// goroutines returns every goroutine's stack, keyed by its id.
func goroutines() map[uint64]string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	out := make(map[uint64]string)
	for _, g := range bytes.Split(buf, []byte("\n\n")) {
		head, _, _ := strings.Cut(string(g), " [")
		id, err := strconv.ParseUint(strings.TrimPrefix(head, "goroutine "), 10, 64)
		if err == nil {
			out[id] = string(g)
		}
	}
	return out
}

// settle waits until the set of goroutines has stayed the same for 50 ms
// (at most 2 s): goroutines that earlier tests left winding down either
// finish first or are part of the baseline, not of this case's count.
func settle() map[uint64]string {
	prev := goroutines()
	stable := time.Now()
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
		cur := goroutines()
		if !sameIDs(prev, cur) {
			prev, stable = cur, time.Now()
			continue
		}
		if time.Since(stable) >= 50*time.Millisecond {
			break
		}
	}
	return prev
}

func sameIDs(a, b map[uint64]string) bool {
	if len(a) != len(b) {
		return false
	}
	for id := range a {
		if _, ok := b[id]; !ok {
			return false
		}
	}
	return true
}

// Goroutines takes a settled baseline of the running goroutines and
// returns a check that every goroutine started since has ended (waiting up
// to limit); the check fails the test naming, with its stack, each one
// that remains. Goroutines of the baseline that end meanwhile cannot hide
// a new one, as they could behind a bare count.
func Goroutines(t testing.TB, limit time.Duration) func() {
	t.Helper()
	base := settle()
	return func() {
		t.Helper()
		var left []string
		for deadline := time.Now().Add(limit); ; time.Sleep(10 * time.Millisecond) {
			left = left[:0]
			for id, stack := range goroutines() {
				if _, ok := base[id]; !ok && !strings.Contains(stack, "testenv.Goroutines.func1") {
					left = append(left, stack)
				}
			}
			if len(left) == 0 || time.Now().After(deadline) {
				break
			}
		}
		for _, g := range left {
			t.Errorf("goroutine left running:\n%s", g)
		}
	}
}
