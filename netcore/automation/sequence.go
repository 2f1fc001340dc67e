package automation

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Step is one payload of a sequence and the pause that follows it.
type Step struct {
	Name string `json:"name,omitempty"`
	Payload
	// DelayMS is the pause after this step is sent, before the next step
	// (or the first step of the next loop). The last send of a run has none.
	DelayMS int `json:"delay_ms,omitempty"`
}

// Sequence is an ordered list of steps run once, N times or forever: the
// JSON format of a sequence file (see the package documentation).
type Sequence struct {
	Version int    `json:"version"`
	Name    string `json:"name,omitempty"`
	Repeat  int    `json:"repeat,omitempty"`  // times to run the steps; 0 and 1 both mean once
	Forever bool   `json:"forever,omitempty"` // loop until stopped; Repeat is ignored
	Steps   []Step `json:"steps"`
}

// Progress says which step is about to be sent.
type Progress struct {
	Loop  int // 1-based
	Loops int // 0 when the sequence runs forever
	Step  int // 0-based index into Steps
	Steps int
	Sent  int // sends completed so far in this run
}

const maxRepeat = 1_000_000_000

// Loops is how many times the steps run; 0 means forever.
func (s Sequence) Loops() int {
	if s.Forever {
		return 0
	}
	return max(s.Repeat, 1)
}

// compile checks the sequence and compiles each step's template.
func (s Sequence) compile(opts []Option) ([]*Template, error) {
	if len(s.Steps) == 0 {
		return nil, invalid("the sequence has no steps")
	}
	if s.Repeat < 0 || s.Repeat > maxRepeat {
		return nil, invalid("repeat must be from 1 to %d (or use forever)", maxRepeat)
	}
	tmpls := make([]*Template, len(s.Steps))
	total := 0
	for i, st := range s.Steps {
		if st.DelayMS < 0 || time.Duration(st.DelayMS)*time.Millisecond > maxDelay {
			return nil, fmt.Errorf("%s: %w", itemLabel("step", i, st.Name), invalid("delay_ms must be from 0 to %d", maxDelay.Milliseconds()))
		}
		t, err := st.Payload.Compile(opts...)
		if err != nil {
			return nil, fmt.Errorf("%s: %w: %w", itemLabel("step", i, st.Name), ErrInvalid, err)
		}
		tmpls[i] = t
		total += st.DelayMS
	}
	if s.Forever && total == 0 {
		return nil, invalid("a sequence that loops forever needs a delay on at least one step")
	}
	return tmpls, nil
}

// Validate reports the first problem: no steps, a bad delay or repeat, or a
// step whose template does not compile (named, with its position).
func (s Sequence) Validate() error {
	_, err := s.compile(nil)
	return err
}

// Run sends the steps through send, calling progress (if not nil) before
// each one, until the last loop ends, ctx is cancelled (Run returns
// ctx.Err()) or send fails (Run returns an error wrapping ErrSend that
// names the step). It returns how many sends succeeded. Templates are
// compiled once per run, so counters continue across loops.
//
// Timing: every send is scheduled at an absolute offset from the start of
// the run (the sum of the delays before it) on the monotonic clock, so timer
// jitter and the time sends take never accumulate over loops. If a send
// falls behind by a whole (non-zero) delay or more, as when a socket blocks,
// the schedule restarts from that moment instead of firing the missed sends
// in a burst.
func (s Sequence) Run(ctx context.Context, send func([]byte) error, progress func(Progress), opts ...Option) (int, error) {
	tmpls, err := s.compile(opts)
	if err != nil {
		return 0, err
	}
	loops := s.Loops()
	sent := 0
	start := time.Now()
	var at, gap time.Duration // planned offset of the next send; the delay before it
	for loop := 1; loops == 0 || loop <= loops; loop++ {
		for i, st := range s.Steps {
			if late := time.Since(start) - at; gap > 0 && late >= gap {
				start = time.Now().Add(-at) // missed a whole interval: re-anchor, don't burst
			}
			if err := sleepUntil(ctx, start.Add(at)); err != nil {
				return sent, err
			}
			if progress != nil {
				progress(Progress{Loop: loop, Loops: loops, Step: i, Steps: len(s.Steps), Sent: sent})
			}
			b, err := tmpls[i].Expand()
			if err != nil {
				return sent, fmt.Errorf("%s (loop %d): %w", itemLabel("step", i, st.Name), loop, err)
			}
			if err := send(b); err != nil {
				return sent, fmt.Errorf("%s (loop %d): %w: %w", itemLabel("step", i, st.Name), loop, ErrSend, err)
			}
			sent++
			gap = time.Duration(st.DelayMS) * time.Millisecond
			at += gap
		}
	}
	return sent, nil
}

// sleepUntil waits for the deadline or ctx, whichever comes first. It
// returns ctx.Err() even when the deadline has passed, so a stop request is
// honoured before the next send.
func sleepUntil(ctx context.Context, deadline time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	d := time.Until(deadline)
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// ImportSequence reads a sequence file. Malformed JSON, a wrong version, an
// unknown field or an invalid step is refused with a message naming it.
func ImportSequence(data []byte) (Sequence, error) {
	var top struct {
		Version int               `json:"version"`
		Name    string            `json:"name"`
		Repeat  int               `json:"repeat"`
		Forever bool              `json:"forever"`
		Steps   []json.RawMessage `json:"steps"`
	}
	if err := decodeStrict(data, &top); err != nil {
		return Sequence{}, fmt.Errorf("%w: sequence file: %w", ErrMalformedJSON, err)
	}
	if err := checkVersion(top.Version, "sequence"); err != nil {
		return Sequence{}, err
	}
	steps, err := decodeItems[Step](top.Steps, "step")
	if err != nil {
		return Sequence{}, err
	}
	seq := Sequence{Version: FormatVersion, Name: top.Name, Repeat: top.Repeat, Forever: top.Forever, Steps: steps}
	if err := seq.Validate(); err != nil {
		return Sequence{}, err
	}
	return seq, nil
}

// Export writes the sequence as indented JSON with the current version.
func (s Sequence) Export() ([]byte, error) {
	s.Version = FormatVersion
	if s.Steps == nil {
		s.Steps = []Step{}
	}
	return marshal(s)
}

// LoadSequenceFile reads and checks a sequence file, for the CLI's --sequence.
func LoadSequenceFile(path string) (Sequence, error) {
	var seq Sequence
	err := readFile(path, func(b []byte) (err error) { seq, err = ImportSequence(b); return err })
	return seq, err
}
