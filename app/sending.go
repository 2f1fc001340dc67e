package main

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/netdebug/netdebug/netcore/codec"
	"github.com/netdebug/netdebug/netcore/framing"
	"github.com/netdebug/netdebug/netcore/session"
	"github.com/netdebug/netdebug/widgets"
)

// framingControls is the framing editor plus "add the length prefix to
// sends", persisted under the tab's preferences. Every socket tab has one.
type framingControls struct {
	editor *widgets.FramingEditor
	prefix *widget.Check
	box    fyne.CanvasObject
	// apply is called with every valid configuration the user makes.
	apply func(framing.Config)
}

func newFramingControls(p prefs, apply func(framing.Config)) *framingControls {
	f := &framingControls{editor: widgets.NewFramingEditor(), apply: apply}
	var fc framing.Config
	if p.load("framing", &fc) {
		f.editor.SetConfig(fc)
	}
	f.prefix = widget.NewCheck(tr("Add the length prefix to sends"), func(on bool) { p.setBool("prefixSends", on) })
	f.prefix.SetChecked(p.boolean("prefixSends", false))
	f.editor.OnChanged = func(c framing.Config) {
		p.save("framing", c)
		f.sync()
		if f.apply != nil {
			f.apply(c)
		}
	}
	f.sync()
	f.box = container.NewHBox(f.editor, f.prefix)
	return f
}

func (f *framingControls) sync() {
	if f.editor.Config().Mode == framing.LengthPrefix {
		f.prefix.Enable()
	} else {
		f.prefix.Disable()
	}
}

// set shows c as if the user had chosen it.
func (f *framingControls) set(c framing.Config) {
	f.editor.SetConfig(c)
	f.sync()
	if f.apply != nil {
		f.apply(c)
	}
}

// config is the framing in force.
func (f *framingControls) config() framing.Config { return f.editor.Config() }

// check reports a framing the user left invalid.
func (f *framingControls) check() error {
	if e := f.editor.Error(); e != "" {
		return textErr(e)
	}
	return nil
}

// sendOpts captures what applies to outgoing payloads, on the UI goroutine.
func (f *framingControls) sendOpts() sendOptions {
	return sendOptions{prefix: f.prefix.Checked && !f.prefix.Disabled(), framing: f.editor.Config()}
}

type textErr string

func (e textErr) Error() string { return string(e) }

// sender sends one payload somewhere; tabs give one per target.
type sender func([]byte) error

// sendQueueLen bounds the sends a tab holds while its peer is not reading.
const sendQueueLen = 64

// errSendBusy refuses a send while sendQueueLen earlier ones still wait.
// It is translated when shown: a package variable is set before the
// translations are loaded.
var errSendBusy error = sendBusyErr{}

type sendBusyErr struct{}

func (sendBusyErr) Error() string {
	return tr("still sending earlier messages: the peer is not reading (they time out after 10 s)")
}

// sendQueue runs the sends a person starts (Send, Ctrl+Enter, quick
// commands) in order on one goroutine per tab, so that a peer which stops
// reading, which blocks a write until the socket's write timeout, never
// freezes the window. What cannot be queued is refused at once; an error
// from the socket comes back to onErr on the UI goroutine.
type sendQueue struct {
	ch    chan queuedSend
	onErr func(error)
}

type queuedSend struct {
	out sender
	b   []byte
	// done, if set, runs on the UI goroutine after the send, with its error.
	done func(error)
}

func newSendQueue(onErr func(error)) *sendQueue {
	q := &sendQueue{ch: make(chan queuedSend, sendQueueLen), onErr: onErr}
	go q.run()
	return q
}

func (q *sendQueue) run() {
	for s := range q.ch {
		err := s.out(s.b)
		if err != nil || s.done != nil {
			uiDo(func() {
				if s.done != nil {
					s.done(err)
				} else {
					q.onErr(err)
				}
			})
		}
	}
}

// send queues b for out, or refuses it when the queue is full. A nil queue
// sends at once (UDP, whose writes do not wait for the peer): the error is
// returned and also given to done.
func (q *sendQueue) send(out sender, b []byte, done func(error)) error {
	if q == nil {
		err := out(b)
		if done != nil {
			done(err)
			return nil
		}
		return err
	}
	select {
	case q.ch <- queuedSend{out: out, b: b, done: done}:
		return nil
	default:
		return errSendBusy
	}
}

// periodicSender runs the send box's periodic sending for a tab.
type periodicSender struct {
	box *widgets.SendBox
	per *session.Periodic
}

// start sends p every interval through send, count times (0 = no limit).
// The payload's templates expand on every send.
func (ps *periodicSender) start(p codec.Payload, every time.Duration, count int, opts sendOptions, send sender) error {
	next, err := repeater(p, opts)
	if err != nil {
		return err
	}
	// per is written on the UI goroutine before any onStop callback can
	// reach it there (uiDo runs after start returns).
	var per *session.Periodic
	per, err = session.StartPeriodic(context.Background(), every, count, func() error {
		b, err := next()
		if err != nil {
			return err
		}
		return send(b)
	}, func(sent int, err error) {
		uiDo(func() {
			if ps.per == per {
				ps.per = nil
				ps.box.SetPeriodicRunning(false, sent)
			}
			if err != nil {
				ps.box.ShowError(err)
			}
		})
	})
	if err != nil {
		return err
	}
	ps.per = per
	return nil
}

// stop ends periodic sending.
func (ps *periodicSender) stop() {
	if ps.per == nil {
		return
	}
	per := ps.per
	ps.per = nil
	ps.box.SetPeriodicRunning(false, per.Sent())
	go per.Stop()
}

// running reports whether a periodic send is on.
func (ps *periodicSender) running() bool { return ps.per != nil }

// refresh shows the count so far; call it on each flush.
func (ps *periodicSender) refresh() {
	if ps.per != nil {
		ps.box.SetPeriodicRunning(true, ps.per.Sent())
	}
}

// shutdown stops and waits (quitting).
func (ps *periodicSender) shutdown() {
	if ps.per != nil {
		ps.per.Stop()
		ps.per = nil
	}
}

// sendPath is a socket tab's way out: the send box, templates, the length
// prefix option and periodic sending, all aimed at the tab's current target
// (the peer, the selected or all clients, a UDP address).
type sendPath struct {
	box      *widgets.SendBox
	payloads *payloadBuilder
	framing  *framingControls
	periodic *periodicSender
	// target says where a send goes now, or why it cannot go; it runs on
	// the UI goroutine and the sender it returns may run anywhere.
	target func() (sender, error)
	// queue carries the sends off the UI goroutine, in order.
	queue *sendQueue
}

// newSendPath builds a tab's send path. queued carries sends off the UI
// goroutine (TCP, where a write waits for the peer); without it a send goes
// out at once (UDP, where a datagram never waits, so an oversize or
// unroutable one is refused where it was typed).
func newSendPath(p prefs, f *framingControls, target func() (sender, error), queued bool) *sendPath {
	sp := &sendPath{box: newSendBox(p), payloads: newPayloadBuilder(), framing: f, target: target}
	if queued {
		sp.queue = newSendQueue(sp.box.ShowError)
	}
	sp.periodic = &periodicSender{box: sp.box}
	sp.box.Preview = sp.payloads.preview
	sp.box.ErrorText = errorText // the kind of problem in the user's language
	sp.box.OnSend = sp.send
	sp.box.OnStartPeriodic = sp.startPeriodic
	sp.box.OnStopPeriodic = sp.periodic.stop
	return sp
}

// send expands p, adds the length prefix when asked, and sends it.
func (sp *sendPath) send(p codec.Payload) error {
	out, err := sp.target()
	if err != nil {
		return err
	}
	b, err := sp.payloads.build(p)
	if err == nil {
		b, err = sp.framing.sendOpts().finish(b)
	}
	if err != nil {
		return err
	}
	return sp.queue.send(out, b, nil)
}

// startPeriodic sends p every interval to the target chosen now.
func (sp *sendPath) startPeriodic(p codec.Payload, every time.Duration, count int) error {
	out, err := sp.target()
	if err != nil {
		return err
	}
	return sp.periodic.start(p, every, count, sp.framing.sendOpts(), out)
}
