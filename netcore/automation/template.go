package automation

import (
	"crypto/rand"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/netdebug/netdebug/netcore/codec"
)

// Template is a compiled payload with placeholders. It keeps the running
// values of its counters, so the same Template must be reused from send to
// send. It is safe for concurrent use.
type Template struct {
	src  codec.Payload
	segs []segment
	cfg  config

	mu     sync.Mutex
	values []int64 // current value of each counter, by counterSpec.idx
}

type config struct {
	now        func() time.Time
	rand       io.Reader
	captures   bool
	groupNames []string // regexp.SubexpNames(): index 0 is the whole match
}

// Option changes how a template is compiled or expanded.
type Option func(*config)

// WithClock sets the clock {{time}} reads (tests pin it). The default is time.Now.
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// WithRand sets the source of {{rand:N}} bytes. The default is crypto/rand.
func WithRand(r io.Reader) Option { return func(c *config) { c.rand = r } }

// withCaptures turns on $1 / ${name} / $$ in literal text, validated against
// a regexp's SubexpNames (a single "" for the non-regex match modes: $0 only).
func withCaptures(names []string) Option {
	return func(c *config) { c.captures, c.groupNames = true, names }
}

// Compile parses p.Text as a template. Text parts are encoded in p.Encoding
// (with escapes when p.Escapes) or, when p.Hex, parsed as hex; placeholders
// are described in the package documentation. In text mode p.LineEnding is
// appended after everything else, as codec.Payload.Build does. Errors are
// *TemplateError values naming the 1-based character position.
func Compile(p codec.Payload, opts ...Option) (*Template, error) {
	t := &Template{src: p, cfg: config{now: time.Now, rand: rand.Reader}}
	for _, o := range opts {
		o(&t.cfg)
	}
	ps := &parser{rs: []rune(p.Text), p: p, cfg: &t.cfg}
	if err := ps.run(); err != nil {
		return nil, err
	}
	if !p.Hex {
		if le := p.LineEnding.Bytes(); len(le) > 0 {
			ps.addLiteral(le, len(ps.rs)+1)
		}
	}
	t.segs = ps.segs
	t.values = make([]int64, ps.nCounters)
	t.resetLocked()
	return t, nil
}

// Build compiles and expands p once: for one-off sends where no counter
// needs to survive.
func Build(p codec.Payload) ([]byte, error) {
	t, err := Compile(p)
	if err != nil {
		return nil, err
	}
	return t.Expand()
}

// Payload returns what the template was compiled from.
func (t *Template) Payload() codec.Payload { return t.src }

// Dynamic reports whether two expansions can differ: the template has a
// counter, a time, random bytes or capture references.
func (t *Template) Dynamic() bool {
	for _, s := range t.segs {
		switch s.kind {
		case segCounter, segTime, segRand, segCapture:
			return true
		}
	}
	return false
}

// Expand returns the bytes to send and advances every counter by its step.
// A failed expansion advances nothing.
func (t *Template) Expand() ([]byte, error) { return t.expand(nil, true) }

// Preview returns what Expand would return now, without advancing counters.
// (Random bytes and the time are drawn afresh, so they differ from the send.)
func (t *Template) Preview() ([]byte, error) { return t.expand(nil, false) }

// Reset puts every counter back to its start value.
func (t *Template) Reset() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.resetLocked()
}

func (t *Template) resetLocked() {
	for _, s := range t.segs {
		if s.kind == segCounter {
			t.values[s.ctr.idx] = s.ctr.start
		}
	}
}

// expand produces the payload; caps holds capture-group bytes by index.
func (t *Template) expand(caps [][]byte, advance bool) ([]byte, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	var now time.Time
	var out []byte
	var slots []sumSlot
	for i := range t.segs {
		s := &t.segs[i]
		switch s.kind {
		case segLiteral:
			out = append(out, s.lit...)
		case segCounter:
			out = s.ctr.appendValue(out, t.values[s.ctr.idx])
		case segTime:
			if now.IsZero() {
				now = t.cfg.now()
			}
			out = appendTime(out, s.tfmt, now)
		case segRand:
			start := len(out)
			out = append(out, make([]byte, s.n)...)
			if _, err := io.ReadFull(t.cfg.rand, out[start:]); err != nil {
				return nil, &TemplateError{Pos: s.pos, Reason: "cannot read random bytes: " + err.Error(), Kind: ErrBadParameter, Err: err}
			}
		case segChecksum:
			slots = append(slots, sumSlot{seg: s, start: len(out), end: len(out) + s.sum.size()})
			out = append(out, make([]byte, s.sum.size())...)
		case segCapture:
			if s.n < len(caps) {
				out = append(out, caps[s.n]...)
			}
		}
	}
	if err := fillChecksums(out, slots); err != nil {
		return nil, err
	}
	if advance {
		for _, s := range t.segs {
			if s.kind == segCounter {
				t.values[s.ctr.idx] += s.ctr.step
			}
		}
	}
	return out, nil
}

// sumSlot is where one checksum goes and which bytes it covers.
type sumSlot struct {
	seg        *segment
	start, end int // the checksum's own bytes
	from, to   int // the bytes it covers
	done       bool
}

// fillChecksums resolves every range against the final length, then writes
// checksums in dependency order: one whose range covers another checksum's
// bytes waits for that one, so {{crc16modbus:to=end}} at the front of a frame
// works, and a cycle is an error.
func fillChecksums(out []byte, slots []sumSlot) error {
	n := len(out)
	for i := range slots {
		sl := &slots[i]
		sp := &sl.seg.sum
		from, to := sp.from, sl.start
		if from < 0 {
			from += n
		}
		switch sp.toAt {
		case toEnd:
			to = n
		case toValue:
			to = sp.to
			if to < 0 {
				to += n
			}
		}
		if from < 0 || to > n || from > to {
			return terr(sl.seg.pos, ErrRangeOutOfBounds, "%s range from=%d to=%d does not fit the %d-byte payload (offsets are 0-based, to is exclusive, negative counts from the end)",
				sp.alg.Name, from, to, n)
		}
		if from < sl.end && sl.start < to {
			return terr(sl.seg.pos, ErrRangeOutOfBounds, "%s range %d..%d covers the checksum's own bytes at %d..%d",
				sp.alg.Name, from, to, sl.start, sl.end)
		}
		sl.from, sl.to = from, to
	}
	for left := len(slots); left > 0; {
		progress := false
		for i := range slots {
			sl := &slots[i]
			if sl.done || waitsOnOther(slots, i) {
				continue
			}
			sl.seg.sum.write(out[sl.start:sl.end], sl.seg.sum.alg.Sum(out[sl.from:sl.to]))
			sl.done, progress = true, true
			left--
		}
		if !progress {
			for i := range slots {
				if !slots[i].done {
					return terr(slots[i].seg.pos, ErrRangeOutOfBounds, "checksum ranges cover each other in a cycle")
				}
			}
		}
	}
	return nil
}

func waitsOnOther(slots []sumSlot, i int) bool {
	me := slots[i]
	for j, o := range slots {
		if j != i && !o.done && me.from < o.end && o.start < me.to {
			return true
		}
	}
	return false
}

// Expander keeps one Template per payload for a send box: the template is
// recompiled only when the payload changes, so counters carry on between
// sends of the same text and restart when the user edits it.
type Expander struct {
	mu   sync.Mutex
	opts []Option
	tmpl *Template
}

// NewExpander returns an Expander whose templates use opts.
func NewExpander(opts ...Option) *Expander { return &Expander{opts: opts} }

func (x *Expander) template(p codec.Payload) (*Template, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.tmpl != nil && x.tmpl.src == p {
		return x.tmpl, nil
	}
	t, err := Compile(p, x.opts...)
	if err != nil {
		return nil, err
	}
	x.tmpl = t
	return t, nil
}

// Expand returns the bytes for p and advances its counters.
func (x *Expander) Expand(p codec.Payload) ([]byte, error) {
	t, err := x.template(p)
	if err != nil {
		return nil, err
	}
	return t.Expand()
}

// Preview returns the bytes for p without advancing its counters.
func (x *Expander) Preview(p codec.Payload) ([]byte, error) {
	t, err := x.template(p)
	if err != nil {
		return nil, err
	}
	return t.Preview()
}

// Reset restarts the counters of the current template.
func (x *Expander) Reset() {
	x.mu.Lock()
	t := x.tmpl
	x.mu.Unlock()
	if t != nil {
		t.Reset()
	}
}

// String describes the template for logs.
func (t *Template) String() string {
	return fmt.Sprintf("template %q (hex=%v, %s)", t.src.Text, t.src.Hex, t.src.Encoding)
}
