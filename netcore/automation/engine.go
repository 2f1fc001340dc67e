package automation

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/netdebug/netdebug/netcore/codec"
)

// ReplyFunc sends a reply to whoever sent the data: the TCP client's
// connection, the TCP server's connection to that client, or a UDP WriteTo
// the sender's address.
type ReplyFunc func([]byte) error

// EventKind says what happened to a reply.
type EventKind uint8

// The reply events.
const (
	ReplySent       EventKind = iota // the reply was handed to the ReplyFunc without error
	ReplySuppressed                  // the rate limit dropped it
	ReplyFailed                      // the template or the send failed; Err says why
	ReplyCancelled                   // a delayed reply was dropped because its context ended or the engine closed
)

func (k EventKind) String() string {
	return [...]string{"sent", "suppressed", "failed", "cancelled"}[k]
}

// Event reports one reply, for the traffic log. Handlers run on the
// goroutine that called Handle or on a delayed reply's goroutine, and must
// not block.
type Event struct {
	Kind EventKind
	Rule int    // index in the rule set
	Name string // the rule's name
	From string // the sender, as passed to Handle
	Data []byte // the reply bytes (nil when suppressed)
	Err  error
	At   time.Time
}

// Outcome is what Handle did with one chunk of received data.
type Outcome struct {
	Rule       int    // index of the rule that matched; -1 when none did
	Name       string // its name
	Suppressed bool   // the rate limit dropped the reply
	Delayed    bool   // the reply will be sent after the rule's delay
	Reply      []byte // the reply (already sent unless Delayed)
	Err        error  // template or send error; wraps ErrSend for send errors
}

// Matched reports whether a rule matched.
func (o Outcome) Matched() bool { return o.Rule >= 0 }

// Engine applies a tab's auto-reply rules to received data. The first
// enabled rule that matches wins and later rules are not tried: rules read
// like a firewall list, most specific first, and one received message never
// causes two replies. An Engine knows nothing of sockets; it is safe for
// concurrent use, so a TCP server may share one across its clients.
type Engine struct {
	defEnc codec.Encoding
	onEv   func(Event)
	topts  []Option
	now    func() time.Time

	mu     sync.RWMutex
	rules  []*compiledRule
	closed bool
	done   chan struct{}
	wg     sync.WaitGroup
}

// EngineOption configures an Engine.
type EngineOption func(*Engine)

// WithEncoding sets the encoding for rules that name none: the tab's.
func WithEncoding(e codec.Encoding) EngineOption { return func(en *Engine) { en.defEnc = e } }

// WithEvents sets a handler told about every reply sent, suppressed, failed
// or cancelled.
func WithEvents(fn func(Event)) EngineOption { return func(en *Engine) { en.onEv = fn } }

// WithTemplateOptions passes options (a clock, a random source) to every
// reply template.
func WithTemplateOptions(opts ...Option) EngineOption {
	return func(en *Engine) { en.topts = append(en.topts, opts...) }
}

// withEngineClock sets the clock the rate limiter reads (tests).
func withEngineClock(now func() time.Time) EngineOption { return func(en *Engine) { en.now = now } }

// NewEngine compiles set and returns an engine running it.
func NewEngine(set RuleSet, opts ...EngineOption) (*Engine, error) {
	e := &Engine{defEnc: codec.UTF8, now: time.Now, done: make(chan struct{})}
	for _, o := range opts {
		o(e)
	}
	if err := e.setRules(set, e.defEnc); err != nil {
		return nil, err
	}
	return e, nil
}

// SetRules replaces the rules. A rule keeps its hit counters and its rate
// limiter when the new set has a rule of the same non-empty name (names
// used twice start afresh), so editing or reordering rules does not zero
// the counters beside them. On error the old rules stay in force.
func (e *Engine) SetRules(set RuleSet) error {
	e.mu.RLock()
	defEnc := e.defEnc
	e.mu.RUnlock()
	return e.setRules(set, defEnc)
}

// SetEncoding changes the encoding used by rules that name none (the tab's
// encoding changed) and recompiles them, keeping their counters.
func (e *Engine) SetEncoding(enc codec.Encoding) error {
	return e.setRules(e.Rules(), enc)
}

func (e *Engine) setRules(set RuleSet, defEnc codec.Encoding) error {
	defEnc, err := codec.ParseEncoding(string(defEnc)) // "gbk" and "GBK" alike
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	rules := make([]*compiledRule, len(set.Rules))
	for i, r := range set.Rules {
		cr, err := compileRule(r, defEnc, e.topts)
		if err != nil {
			return fmt.Errorf("%s: %w", itemLabel("rule", i, r.Name), err)
		}
		rules[i] = cr
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.defEnc = defEnc
	old := uniqueByName(e.rules)
	fresh := uniqueByName(rules)
	now := e.now()
	for _, cr := range rules {
		if prev, ok := old[cr.rule.Name]; ok && fresh[cr.rule.Name] == cr {
			cr.state = prev.state
			if prev.rate != cr.rate {
				cr.state.limiter.Store(newBucket(cr.rate, now))
			}
			continue
		}
		cr.state = &ruleState{}
		cr.state.limiter.Store(newBucket(cr.rate, now))
	}
	e.rules = rules
	return nil
}

func uniqueByName(rules []*compiledRule) map[string]*compiledRule {
	m := map[string]*compiledRule{}
	dup := map[string]bool{}
	for _, cr := range rules {
		n := cr.rule.Name
		if n == "" || dup[n] {
			continue
		}
		if _, seen := m[n]; seen {
			delete(m, n)
			dup[n] = true
			continue
		}
		m[n] = cr
	}
	return m
}

// Rules returns the rule set in force.
func (e *Engine) Rules() RuleSet {
	e.mu.RLock()
	defer e.mu.RUnlock()
	set := RuleSet{Version: FormatVersion, Rules: make([]Rule, len(e.rules))}
	for i, cr := range e.rules {
		set.Rules[i] = cr.rule
	}
	return set
}

// Stats returns each rule's counters, in rule order. The counters are
// atomics: calling Stats from the UI while data flows is cheap and safe.
func (e *Engine) Stats() []RuleStats {
	e.mu.RLock()
	defer e.mu.RUnlock()
	out := make([]RuleStats, len(e.rules))
	for i, cr := range e.rules {
		st := cr.state
		out[i] = RuleStats{Name: cr.rule.Name, Enabled: cr.rule.Enabled(), Hits: st.hits.Load(), Replies: st.replies.Load(),
			Suppressed: st.suppressed.Load(), Failed: st.failed.Load(), Rate: cr.rate}
	}
	return out
}

// ResetStats zeroes every rule's counters.
func (e *Engine) ResetStats() {
	e.mu.RLock()
	defer e.mu.RUnlock()
	for _, cr := range e.rules {
		cr.state.hits.Store(0)
		cr.state.replies.Store(0)
		cr.state.suppressed.Store(0)
		cr.state.failed.Store(0)
	}
}

// Handle matches one chunk of received data (a UDP datagram, a TCP read or
// a frame from the session's framer) against the rules. When a rule matches
// and its rate limit allows, the reply is expanded now (captures, counters)
// and passed to reply: at once, on the caller's goroutine, when the rule has
// no delay; otherwise from a timer goroutine after the delay, unless ctx
// ends or the engine closes first. Pass the session's (or, on a TCP server,
// the client connection's) context so its pending replies die with it.
func (e *Engine) Handle(ctx context.Context, data []byte, from string, reply ReplyFunc) Outcome {
	e.mu.RLock()
	rules, closed := e.rules, e.closed
	e.mu.RUnlock()
	if closed {
		return Outcome{Rule: -1, Err: ErrEngineClosed}
	}
	in := &input{data: data}
	for i, cr := range rules {
		if cr.rule.Disabled {
			continue
		}
		if loc := cr.match(in); loc != nil {
			return e.fire(ctx, i, cr, in, loc, from, reply)
		}
	}
	return Outcome{Rule: -1}
}

func (e *Engine) fire(ctx context.Context, i int, cr *compiledRule, in *input, loc []int, from string, reply ReplyFunc) Outcome {
	st := cr.state
	st.hits.Add(1)
	out := Outcome{Rule: i, Name: cr.rule.Name}
	ev := Event{Rule: i, Name: cr.rule.Name, From: from}
	if !st.limiter.Load().allow(e.now()) {
		st.suppressed.Add(1)
		out.Suppressed = true
		ev.Kind = ReplySuppressed
		e.emit(ev)
		return out
	}
	caps, err := cr.captureBytes(in, loc)
	var payload []byte
	if err == nil {
		payload, err = cr.reply.expand(caps, true)
	}
	if err != nil {
		st.failed.Add(1)
		out.Err = fmt.Errorf("%s: reply: %w", itemLabel("rule", i, cr.rule.Name), err)
		ev.Kind, ev.Err = ReplyFailed, out.Err
		e.emit(ev)
		return out
	}
	out.Reply, ev.Data = payload, payload
	if len(payload) == 0 {
		return out // a swallowing rule: counted, nothing to send
	}
	if cr.delay <= 0 {
		out.Err = e.send(ev, st, reply)
		return out
	}
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		out.Err = ErrEngineClosed
		return out
	}
	e.wg.Add(1)
	e.mu.Unlock()
	out.Delayed = true
	go func() {
		defer e.wg.Done()
		t := time.NewTimer(cr.delay)
		defer t.Stop()
		select {
		case <-t.C:
			_ = e.send(ev, st, reply)
		case <-ctx.Done():
			ev.Kind, ev.Err = ReplyCancelled, context.Cause(ctx)
			e.emit(ev)
		case <-e.done:
			ev.Kind, ev.Err = ReplyCancelled, ErrEngineClosed
			e.emit(ev)
		}
	}()
	return out
}

func (e *Engine) send(ev Event, st *ruleState, reply ReplyFunc) error {
	if reply == nil {
		reply = func([]byte) error { return errors.New("no reply function given to Handle") }
	}
	if err := reply(ev.Data); err != nil {
		st.failed.Add(1)
		ev.Kind, ev.Err = ReplyFailed, fmt.Errorf("%s: %w: %w", itemLabel("rule", ev.Rule, ev.Name), ErrSend, err)
		e.emit(ev)
		return ev.Err
	}
	st.replies.Add(1)
	ev.Kind = ReplySent
	e.emit(ev)
	return nil
}

func (e *Engine) emit(ev Event) {
	if e.onEv != nil {
		ev.At = time.Now()
		e.onEv(ev)
	}
}

// Close cancels every pending delayed reply and waits for replies being
// sent to finish. Handle then returns ErrEngineClosed. Close is idempotent.
func (e *Engine) Close() error {
	e.mu.Lock()
	if !e.closed {
		e.closed = true
		close(e.done)
	}
	e.mu.Unlock()
	e.wg.Wait()
	return nil
}
