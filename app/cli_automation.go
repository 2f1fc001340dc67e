package main

import (
	"context"
	"errors"
	"flag"
	"sync"

	"github.com/netdebug/netdebug/netcore/automation"
	"github.com/netdebug/netdebug/netcore/codec"
	"github.com/netdebug/netdebug/netcore/session"
)

// automationFlags are --rules and --sequence, shared by tcp, tcp-server and
// udp. The files are the GUI's exports (see the automation package doc).
type automationFlags struct {
	rules, sequence string
}

func (af *automationFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&af.rules, "rules", "", "auto-reply rules `file` (JSON, as the Auto-reply page exports): answer what arrives")
	fs.StringVar(&af.sequence, "sequence", "", "send sequence `file` (JSON, as the Sequence page exports)")
}

// cliAutomation is what the flags loaded: an engine answering received
// data (nil without --rules) and a sequence (nil without --sequence).
type cliAutomation struct {
	engine *automation.Engine
	seq    *automation.Sequence
	pr     *printer
	wg     sync.WaitGroup // sequences running per client (tcp-server)
}

// load reads the files. An error is a usage error (exit status 2) and
// carries the automation package's message naming the file, rule or step.
func (af *automationFlags) load(enc codec.Encoding, pr *printer) (*cliAutomation, error) {
	a := &cliAutomation{pr: pr}
	if af.rules != "" {
		set, err := automation.LoadRuleSetFile(af.rules)
		if err != nil {
			return nil, err
		}
		a.engine, err = automation.NewEngine(set, automation.WithEncoding(enc), automation.WithEvents(func(ev automation.Event) {
			if ev.Kind == automation.ReplyFailed {
				pr.note("%s: %v", ev.From, ev.Err)
			}
		}))
		if err != nil {
			return nil, err
		}
	}
	if af.sequence != "" {
		seq, err := automation.LoadSequenceFile(af.sequence)
		if err != nil {
			return nil, err
		}
		a.seq = &seq
	}
	return a, nil
}

// answers reports whether ev goes to the rules (checked before making a
// reply function, so a run without --rules costs nothing per read).
func (a *cliAutomation) answers(ev session.Event) bool {
	return a.engine != nil && ev.Kind == session.Received
}

// handle offers a received event to the rules; reply answers its sender.
// ev.Data is lent, and Handle is done with it when it returns.
func (a *cliAutomation) handle(ctx context.Context, ev session.Event, reply sender) {
	if a.answers(ev) {
		a.engine.Handle(ctx, ev.Data, ev.Peer, automation.ReplyFunc(reply))
	}
}

// runSequence sends the sequence through send, if there is one. who
// prefixes the notes (a client's address, or "").
func (a *cliAutomation) runSequence(ctx context.Context, who string, send sender) error {
	if a.seq == nil {
		return nil
	}
	n, err := a.seq.Run(ctx, send, nil)
	prefix := ""
	if who != "" {
		prefix = who + ": "
	}
	switch {
	case errors.Is(err, context.Canceled):
		a.pr.note("%ssequence stopped after %d sends", prefix, n)
		return nil
	case err != nil:
		a.pr.note("%ssequence stopped after %d sends: %v", prefix, n, err)
		return err
	}
	a.pr.note("%ssequence done: %d sends", prefix, n)
	return nil
}

// finish cancels pending delayed replies, waits for per-client sequences
// and prints each rule's counters to stderr.
func (a *cliAutomation) finish() {
	a.wg.Wait()
	if a.engine == nil {
		return
	}
	a.engine.Close()
	for i, st := range a.engine.Stats() {
		a.pr.note("rule %d %q: %d hits, %d replies, %d suppressed, %d failed (limit %s/s, burst %d)",
			i+1, st.Name, st.Hits, st.Replies, st.Suppressed, st.Failed, formatRate(st.Rate.PerSecond), st.Rate.Burst)
	}
}
