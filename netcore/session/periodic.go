package session

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// ErrBadInterval is returned for a periodic interval below 1 ms.
var ErrBadInterval = errors.New("interval must be at least 1 ms")

// Periodic sends on a timer until stopped, after Count sends (when Count >
// 0), or at the first send error. Make one with StartPeriodic.
type Periodic struct {
	cancel context.CancelFunc
	done   chan struct{}
	mu     sync.Mutex
	sent   int
	err    error
}

// StartPeriodic calls send every interval. next builds each payload, so a
// template can change between sends. onStop, if set, runs once on the
// periodic goroutine when it ends, with the count and the error that stopped
// it (nil when stopped by Stop, ctx or Count).
func StartPeriodic(ctx context.Context, interval time.Duration, count int, send func() error, onStop func(sent int, err error)) (*Periodic, error) {
	if interval < time.Millisecond {
		return nil, fmt.Errorf("%w (got %v)", ErrBadInterval, interval)
	}
	if count < 0 {
		return nil, fmt.Errorf("send count must be 0 (no limit) or more, got %d", count)
	}
	ctx, cancel := context.WithCancel(ctx)
	p := &Periodic{cancel: cancel, done: make(chan struct{})}
	go p.run(ctx, interval, count, send, onStop)
	return p, nil
}

func (p *Periodic) run(ctx context.Context, interval time.Duration, count int, send func() error, onStop func(int, error)) {
	defer close(p.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	var err error
	n := 0
loop:
	for ctx.Err() == nil {
		if err = send(); err != nil {
			break
		}
		n++
		p.mu.Lock()
		p.sent = n
		p.mu.Unlock()
		if count > 0 && n >= count {
			break
		}
		select {
		case <-ctx.Done():
			break loop
		case <-t.C:
		}
	}
	p.mu.Lock()
	p.err = err
	p.mu.Unlock()
	if onStop != nil {
		onStop(n, err)
	}
}

// Stop ends the sends and waits for the goroutine to finish. It may be
// called more than once.
func (p *Periodic) Stop() {
	p.cancel()
	<-p.done
}

// Done is closed when the periodic send has ended.
func (p *Periodic) Done() <-chan struct{} { return p.done }

// Sent reports how many sends succeeded so far.
func (p *Periodic) Sent() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sent
}

// Err is the send error that stopped the run, if any.
func (p *Periodic) Err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}
