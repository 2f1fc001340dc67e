package automation

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/netdebug/netdebug/netcore/internal/testenv"
)

func TestFirstEnabledMatchWins(t *testing.T) {
	eng, err := NewEngine(RuleSet{Rules: []Rule{
		{Name: "off", Disabled: true, Match: MatchContains, Pattern: "PING", Reply: "from off"},
		{Name: "specific", Match: MatchRegex, Pattern: `^PING \d+$`, Reply: "from specific"},
		{Name: "general", Match: MatchContains, Pattern: "PING", Reply: "from general"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	var got []string
	send := func(b []byte) error { got = append(got, string(b)); return nil }
	for _, in := range []string{"PING 1", "PING x", "nothing"} {
		eng.Handle(context.Background(), []byte(in), "p", send)
	}
	if len(got) != 2 || got[0] != "from specific" || got[1] != "from general" {
		t.Fatalf("replies = %q", got)
	}
	st := eng.Stats()
	if st[0].Hits != 0 || st[1].Hits != 1 || st[2].Hits != 1 || st[0].Enabled || !st[1].Enabled {
		t.Fatalf("stats = %+v", st)
	}
	if out := eng.Handle(context.Background(), []byte("nothing"), "p", send); out.Matched() || out.Rule != -1 {
		t.Fatalf("no-match outcome = %+v", out)
	}
}

func TestRateLimitTokenBucket(t *testing.T) {
	now := time.Unix(1000, 0)
	clock := func() time.Time { return now }
	eng, err := NewEngine(RuleSet{Rules: []Rule{{Name: "r", Match: MatchContains, Pattern: "x", Reply: "y", MaxPerSecond: 2, Burst: 2}}},
		withEngineClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	sent := 0
	send := func([]byte) error { sent++; return nil }
	try := func() bool { return !eng.Handle(context.Background(), []byte("x"), "p", send).Suppressed }
	for i, want := range []bool{true, true, false, false} {
		if got := try(); got != want {
			t.Fatalf("at t=0, reply %d allowed = %v; want %v", i+1, got, want)
		}
	}
	now = now.Add(500 * time.Millisecond) // refills one token at 2/s
	if !try() || try() {
		t.Fatal("after 500 ms exactly one more reply should be allowed")
	}
	now = now.Add(time.Hour) // refills to the burst, not beyond
	if !try() || !try() || try() {
		t.Fatal("after a long pause the burst (2) should be allowed, and no more")
	}
	st := eng.Stats()[0]
	if st.Hits != 9 || st.Replies != 5 || st.Suppressed != 4 || sent != 5 || st.Rate != (Rate{2, 2}) {
		t.Fatalf("stats = %+v, sent = %d", st, sent)
	}
}

func TestStatsSurviveSetRules(t *testing.T) {
	a := Rule{Name: "a", Match: MatchContains, Pattern: "a", Reply: "A"}
	b := Rule{Name: "b", Match: MatchContains, Pattern: "b", Reply: "B"}
	eng, _ := NewEngine(RuleSet{Rules: []Rule{a, b}})
	defer eng.Close()
	nop := func([]byte) error { return nil }
	eng.Handle(context.Background(), []byte("a"), "p", nop)
	eng.Handle(context.Background(), []byte("b"), "p", nop)
	eng.Handle(context.Background(), []byte("b"), "p", nop)
	b.Reply = "BB" // edited and moved first
	if err := eng.SetRules(RuleSet{Rules: []Rule{b, a, {Name: "c", Match: MatchContains, Pattern: "c"}}}); err != nil {
		t.Fatal(err)
	}
	st := eng.Stats()
	if st[0].Name != "b" || st[0].Hits != 2 || st[1].Hits != 1 || st[2].Hits != 0 {
		t.Fatalf("stats after SetRules = %+v", st)
	}
	if err := eng.SetRules(RuleSet{Rules: []Rule{{Name: "x", Match: "bogus"}}}); err == nil {
		t.Fatal("a bad rule set was accepted")
	}
	if len(eng.Rules().Rules) != 3 {
		t.Fatal("a refused SetRules replaced the rules")
	}
	eng.ResetStats()
	if eng.Stats()[0].Hits != 0 {
		t.Fatal("ResetStats did not zero the counters")
	}
}

func TestSendErrorAndEvents(t *testing.T) {
	var mu sync.Mutex
	var evs []Event
	eng, _ := NewEngine(RuleSet{Rules: []Rule{{Name: "r", Match: MatchContains, Pattern: "x", Reply: "y"}}},
		WithEvents(func(e Event) { mu.Lock(); evs = append(evs, e); mu.Unlock() }))
	defer eng.Close()
	boom := errors.New("boom")
	out := eng.Handle(context.Background(), []byte("x"), "1.2.3.4:5", func([]byte) error { return boom })
	if !errors.Is(out.Err, ErrSend) || !errors.Is(out.Err, boom) {
		t.Fatalf("outcome err = %v; want ErrSend wrapping boom", out.Err)
	}
	eng.Handle(context.Background(), []byte("x"), "1.2.3.4:5", func([]byte) error { return nil })
	mu.Lock()
	defer mu.Unlock()
	if len(evs) != 2 || evs[0].Kind != ReplyFailed || evs[1].Kind != ReplySent || string(evs[1].Data) != "y" || evs[1].From != "1.2.3.4:5" {
		t.Fatalf("events = %+v", evs)
	}
	if st := eng.Stats()[0]; st.Failed != 1 || st.Replies != 1 {
		t.Fatalf("stats = %+v", st)
	}
}

func TestDelayedReplies(t *testing.T) {
	leaks := testenv.Goroutines(t, 2*time.Second)
	const delay = 80 * time.Millisecond
	eng, _ := NewEngine(RuleSet{Rules: []Rule{{Name: "slow", Match: MatchContains, Pattern: "x", Reply: "y{{counter}}", DelayMS: 80}}})

	got := make(chan time.Time, 4)
	send := func([]byte) error { got <- time.Now(); return nil }
	start := time.Now()
	out := eng.Handle(context.Background(), []byte("x"), "p", send)
	if !out.Delayed || string(out.Reply) != "y0" {
		t.Fatalf("outcome = %+v", out)
	}
	select {
	case at := <-got:
		if el := at.Sub(start); el < delay {
			t.Fatalf("reply after %v; want at least %v", el, delay)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("delayed reply never came")
	}

	// Cancelled by the session's context.
	ctx, cancel := context.WithCancel(context.Background())
	eng.Handle(ctx, []byte("x"), "p", send)
	cancel()
	// Cancelled by Close.
	eng.Handle(context.Background(), []byte("x"), "p", send)
	closed := time.Now()
	eng.Close()
	if el := time.Since(closed); el > delay/2 {
		t.Fatalf("Close waited %v for a pending reply it should cancel", el)
	}
	select {
	case <-got:
		t.Fatal("a cancelled reply was sent")
	case <-time.After(2 * delay):
	}
	if out := eng.Handle(context.Background(), []byte("x"), "p", send); !errors.Is(out.Err, ErrEngineClosed) {
		t.Fatalf("Handle after Close = %+v", out)
	}
	if st := eng.Stats()[0]; st.Hits != 3 || st.Replies != 1 {
		t.Fatalf("stats = %+v", st)
	}
	leaks()
}

func TestSetEncodingFollowsTheTab(t *testing.T) {
	eng, err := NewEngine(RuleSet{Rules: []Rule{{Name: "t", Match: MatchRegex, Pattern: `温度(\d+)`, Reply: "好$1"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	var got []byte
	send := func(b []byte) error { got = b; return nil }
	data := gbk(t, "温度7")
	if out := eng.Handle(context.Background(), data, "p", send); out.Matched() {
		t.Fatal("GBK data matched a UTF-8 rule")
	}
	if err := eng.SetEncoding("gbk"); err != nil {
		t.Fatal(err)
	}
	eng.Handle(context.Background(), data, "p", send)
	if want := append(gbk(t, "好"), '7'); string(got) != string(want) {
		t.Fatalf("reply = % X; want % X", got, want)
	}
	if st := eng.Stats()[0]; st.Hits != 1 {
		t.Fatalf("stats = %+v", st)
	}
	if err := eng.SetEncoding("ASCII"); err == nil {
		t.Fatal("a reply that ASCII cannot encode was accepted")
	}
}

// TestConcurrentHandle: a TCP server shares one engine across its clients.
// Every reply must carry a distinct counter value and the counters must add up.
func TestConcurrentHandle(t *testing.T) {
	eng, err := NewEngine(RuleSet{Rules: []Rule{{Name: "n", Match: MatchPrefix, Pattern: "Q", Reply: "{{counter}}",
		MaxPerSecond: 1e6, Burst: 1_000_000}}})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	const clients, each = 8, 200
	var mu sync.Mutex
	seen := map[string]bool{}
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			for range each {
				eng.Handle(context.Background(), []byte("Q"), string(rune('a'+c)), func(b []byte) error {
					mu.Lock()
					seen[string(b)] = true
					mu.Unlock()
					return nil
				})
			}
		})
	}
	wg.Wait()
	if st := eng.Stats()[0]; st.Hits != clients*each || st.Replies != clients*each || len(seen) != clients*each {
		t.Fatalf("stats = %+v, distinct replies = %d; want %d", st, len(seen), clients*each)
	}
}
