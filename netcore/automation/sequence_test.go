package automation

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// The real-clock tolerance for sequence timing: a send may come at most
// this late against its planned offset from the run's start (never early).
// 80 ms is generous enough for -race on a loaded 2-core machine; drift is
// tested exactly, on a fake clock, by TestSequenceDoesNotDrift.
const seqTolerance = 80 * time.Millisecond

func TestSequenceTimingRealClock(t *testing.T) {
	seq := Sequence{Repeat: 3, Steps: []Step{
		{Payload: Payload{Text: "A{{counter}}"}, DelayMS: 40},
		{Payload: Payload{Text: "01 02", Hex: true}, DelayMS: 60},
		{Payload: Payload{Text: "C"}, DelayMS: 100},
	}}
	var offsets []time.Duration
	var payloads []string
	var steps []Progress
	start := time.Now()
	n, err := seq.Run(context.Background(), func(b []byte) error {
		offsets = append(offsets, time.Since(start))
		payloads = append(payloads, string(b))
		return nil
	}, func(p Progress) { steps = append(steps, p) })
	if err != nil || n != 9 {
		t.Fatalf("Run = %d, %v; want 9 sends", n, err)
	}
	planned := []time.Duration{0, 40, 100, 200, 240, 300, 400, 440, 500}
	for i, p := range planned {
		p *= time.Millisecond
		if offsets[i] < p || offsets[i] > p+seqTolerance {
			t.Errorf("send %d at %v; planned %v (tolerance +%v, never early)", i+1, offsets[i], p, seqTolerance)
		}
	}
	wantPayloads := []string{"A0", "\x01\x02", "C", "A1", "\x01\x02", "C", "A2", "\x01\x02", "C"}
	for i := range wantPayloads {
		if payloads[i] != wantPayloads[i] {
			t.Fatalf("payloads = %q; want %q", payloads, wantPayloads)
		}
	}
	if steps[4] != (Progress{Loop: 2, Loops: 3, Step: 1, Steps: 3, Sent: 4}) || len(steps) != 9 {
		t.Fatalf("progress = %+v", steps)
	}
}

// TestSequenceDoesNotDrift runs on synctest's fake clock, where every send
// takes 7 ms: sends must still land exactly on their planned offsets, and a
// send that blocks past a whole interval re-anchors the schedule rather
// than bursting.
func TestSequenceDoesNotDrift(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		seq := Sequence{Repeat: 4, Steps: []Step{{Payload: Payload{Text: "a"}, DelayMS: 30}, {Payload: Payload{Text: "b"}, DelayMS: 20}}}
		start := time.Now()
		var at []time.Duration
		_, err := seq.Run(context.Background(), func([]byte) error {
			at = append(at, time.Since(start))
			time.Sleep(7 * time.Millisecond)
			return nil
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
		want := []time.Duration{0, 30, 50, 80, 100, 130, 150, 180}
		for i := range want {
			if at[i] != want[i]*time.Millisecond {
				t.Fatalf("sends at %v; want exactly %v ms", at, want)
			}
		}

		seq = Sequence{Steps: []Step{{Payload: Payload{Text: "0"}, DelayMS: 100}, {Payload: Payload{Text: "1"}, DelayMS: 100},
			{Payload: Payload{Text: "2"}, DelayMS: 100}, {Payload: Payload{Text: "3"}}}}
		start = time.Now()
		at = at[:0]
		_, err = seq.Run(context.Background(), func(b []byte) error {
			at = append(at, time.Since(start))
			if b[0] == '1' {
				time.Sleep(350 * time.Millisecond) // a blocked send
			}
			return nil
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
		want = []time.Duration{0, 100, 450, 550}
		for i := range want {
			if at[i] != want[i]*time.Millisecond {
				t.Fatalf("after a blocked send, sends at %v; want %v ms", at, want)
			}
		}
	})
}

func TestSequenceStopMidRun(t *testing.T) {
	seq := Sequence{Forever: true, Steps: []Step{{Payload: Payload{Text: "x"}, DelayMS: 10}}}
	ctx, cancel := context.WithCancel(context.Background())
	sends := 0
	n, err := seq.Run(ctx, func([]byte) error {
		sends++
		if sends == 3 {
			cancel()
		}
		return nil
	}, nil)
	if !errors.Is(err, context.Canceled) || n != 3 || sends != 3 {
		t.Fatalf("Run = %d, %v after %d sends; want context.Canceled after 3", n, err, sends)
	}

	// Stopping during a long delay returns at once.
	long := Sequence{Repeat: 2, Steps: []Step{{Payload: Payload{Text: "x"}, DelayMS: 10_000}}}
	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	n, err = long.Run(ctx, func([]byte) error { return nil }, nil)
	if el := time.Since(start); !errors.Is(err, context.Canceled) || n != 1 || el > 50*time.Millisecond+seqTolerance {
		t.Fatalf("Run = %d, %v after %v; want a prompt stop after 1 send", n, err, el)
	}
}

func TestSequenceSendErrorStops(t *testing.T) {
	boom := errors.New("connection reset")
	seq := Sequence{Repeat: 5, Steps: []Step{{Name: "hello", Payload: Payload{Text: "a"}}, {Name: "query", Payload: Payload{Text: "b"}}}}
	calls := 0
	n, err := seq.Run(context.Background(), func([]byte) error {
		calls++
		if calls == 2 {
			return boom
		}
		return nil
	}, nil)
	if !errors.Is(err, ErrSend) || !errors.Is(err, boom) || !strings.Contains(err.Error(), `step 2 ("query") (loop 1)`) || n != 1 || calls != 2 {
		t.Fatalf("Run = %d, %v after %d calls", n, err, calls)
	}
}

func TestSequenceValidation(t *testing.T) {
	cases := []struct {
		seq  Sequence
		want string
	}{
		{Sequence{}, "no steps"},
		{Sequence{Steps: []Step{{Payload: Payload{Text: "ok"}}, {Name: "bad", Payload: Payload{Text: "{{nope}}"}}}}, `step 2 ("bad"): invalid definition: unknown placeholder "nope"`},
		{Sequence{Steps: []Step{{Payload: Payload{Text: "x"}, DelayMS: -5}}}, "step 1: invalid definition: delay_ms"},
		{Sequence{Steps: []Step{{Payload: Payload{Text: "x", Encoding: "ebcdic"}}}}, "unknown encoding"},
		{Sequence{Forever: true, Steps: []Step{{Payload: Payload{Text: "x"}}}}, "needs a delay"},
		{Sequence{Repeat: -1, Steps: []Step{{Payload: Payload{Text: "x"}}}}, "repeat"},
	}
	for _, c := range cases {
		err := c.seq.Validate()
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Validate(%+v) = %v; want ErrInvalid containing %q", c.seq, err, c.want)
		}
		if n, err := c.seq.Run(context.Background(), func([]byte) error { t.Fatal("sent"); return nil }, nil); err == nil || n != 0 {
			t.Errorf("Run of an invalid sequence = %d, %v", n, err)
		}
	}
}
