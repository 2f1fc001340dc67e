package main

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/netdebug/netdebug/netcore/chat"
)

// chatSync brings the Chat tab up to date with its engine. The engine
// reports changes from its goroutines (one per datagram under a flood);
// chatSync only notes what changed, and a ticker hands the UI one update
// per flushInterval at most, with the previous update finished first, so
// a flood costs a fixed number of UI updates per second.
type chatSync struct {
	flush func(all bool, keys map[string]bool) // runs on the UI goroutine

	mu   sync.Mutex
	keys map[string]bool // conversations whose messages changed
	all  bool            // lists or state changed

	dirty    atomic.Bool
	inFlight atomic.Bool
	stop     chan struct{}
	done     chan struct{}
	once     sync.Once
}

func newChatSync(flush func(all bool, keys map[string]bool)) *chatSync {
	s := &chatSync{flush: flush, keys: map[string]bool{}, stop: make(chan struct{}), done: make(chan struct{})}
	go s.run()
	return s
}

// changed is the engine's OnChange; safe from any goroutine, never blocks.
func (s *chatSync) changed(ch chat.Change) {
	s.mu.Lock()
	if ch.Kind == chat.MessagesChanged {
		s.keys[ch.Key] = true
	} else {
		s.all = true
	}
	s.mu.Unlock()
	s.dirty.Store(true)
}

func (s *chatSync) run() {
	defer close(s.done)
	t := time.NewTicker(flushInterval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			if !s.dirty.Load() || !s.inFlight.CompareAndSwap(false, true) {
				continue
			}
			s.dirty.Store(false)
			s.mu.Lock()
			all, keys := s.all, s.keys
			s.all, s.keys = false, map[string]bool{}
			s.mu.Unlock()
			uiDo(func() {
				defer s.inFlight.Store(false)
				s.flush(all, keys)
			})
		}
	}
}

// close stops the ticker; a flush already handed to the UI still runs.
func (s *chatSync) close() {
	s.once.Do(func() { close(s.stop) })
	<-s.done
}
