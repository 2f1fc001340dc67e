package main

import (
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"

	"github.com/netdebug/netdebug/netcore/session"
	"github.com/netdebug/netdebug/widgets"
)

// flushInterval is how often the adapter brings the UI up to date. Events
// between two flushes cost one fyne.Do, however many there are.
const flushInterval = 40 * time.Millisecond

// maxPendingControl bounds the control events held between flushes (a
// burst of thousands of clients connecting); the log still has every one.
const maxPendingControl = 4096

// Adapter is the one bridge from netcore events to the UI. Sessions call
// Handle on their goroutines; data goes straight into the bounded log store,
// and a ticker refreshes the view and hands connection events to the tab in
// one fyne.Do per flush. A flood therefore costs bounded memory and a fixed
// number of UI updates per second.
type Adapter struct {
	store *widgets.LogStore
	view  *widgets.LogView

	// OnControl receives connection events (not data) on the UI goroutine,
	// in order.
	OnControl func([]session.Event)
	// OnFlush runs on the UI goroutine after each flush, for counters and
	// lists the tab keeps.
	OnFlush func()

	mu      sync.Mutex
	control []session.Event
	lost    int

	dirty    atomic.Bool
	inFlight atomic.Bool
	stop     chan struct{}
	done     chan struct{}
	once     sync.Once
}

// NewAdapter connects a store (and optionally its view) to the UI.
func NewAdapter(store *widgets.LogStore, view *widgets.LogView) *Adapter {
	return &Adapter{store: store, view: view, stop: make(chan struct{}), done: make(chan struct{})}
}

// Start begins flushing. Stop ends it.
func (a *Adapter) Start() *Adapter {
	go a.run()
	return a
}

// Stop ends the flush loop after a last flush.
func (a *Adapter) Stop() {
	a.once.Do(func() { close(a.stop) })
	<-a.done
}

// Handle records one event; safe from any goroutine.
func (a *Adapter) Handle(ev session.Event) {
	switch ev.Kind {
	case session.Received:
		a.store.Append(widgets.Record{Time: ev.Time, Dir: widgets.RX, Peer: ev.Peer, Data: ev.Data})
	case session.Sent:
		a.store.Append(widgets.Record{Time: ev.Time, Dir: widgets.TX, Peer: ev.Peer, Data: ev.Data})
	default:
		dir := widgets.Note
		if ev.Kind == session.Error || (ev.Kind == session.Closed && ev.Err != nil) {
			dir = widgets.Fault
		}
		a.store.Append(widgets.Record{Time: ev.Time, Dir: dir, Peer: ev.Peer, Data: []byte(eventText(ev))})
		a.mu.Lock()
		if len(a.control) >= maxPendingControl {
			a.control = a.control[1:]
			a.lost++
		}
		a.control = append(a.control, ev)
		a.mu.Unlock()
	}
	a.dirty.Store(true)
}

// Note adds an informational line to the log from the UI or any goroutine.
func (a *Adapter) Note(peer, msg string) {
	a.store.Append(widgets.Record{Time: time.Now(), Dir: widgets.Note, Peer: peer, Data: []byte(msg)})
	a.dirty.Store(true)
}

// Fault adds an error line to the log.
func (a *Adapter) Fault(peer string, err error) {
	a.store.Append(widgets.Record{Time: time.Now(), Dir: widgets.Fault, Peer: peer, Data: []byte(err.Error())})
	a.dirty.Store(true)
}

func (a *Adapter) run() {
	defer close(a.done)
	t := time.NewTicker(flushInterval)
	defer t.Stop()
	// trail: one more flush once traffic has stopped, after the view's
	// status interval, so the counters it refreshes at most that often end
	// on the final figures.
	var trail time.Time
	// Under a flood the log is redrawn at most every floodInterval: nobody
	// reads 25 screens of traffic a second, and each redraw is a frame the
	// window pushes to the display while clicks wait.
	var lastFlush time.Time
	var lastBytes uint64
	for {
		select {
		case <-a.stop:
			a.flush(true)
			return
		case now := <-t.C:
			if a.dirty.Load() {
				trail = now.Add(widgets.StatusInterval)
			} else if !trail.IsZero() && now.After(trail) {
				trail = time.Time{}
				a.dirty.Store(true)
			}
			c := a.store.Counters()
			total := c.RxBytes + c.TxBytes
			lastBytes = min(lastBytes, total) // the counters were reset
			if total-lastBytes >= floodBytes && now.Sub(lastFlush) < floodInterval {
				continue
			}
			if a.flush(false) {
				lastFlush, lastBytes = now, total
			}
		}
	}
}

// A flush that would carry floodBytes or more waits until floodInterval
// has passed since the last one.
const (
	floodBytes    = 1 << 20
	floodInterval = 150 * time.Millisecond
)

// flush schedules one UI update if anything changed and the previous one
// has run (so a slow UI never builds a queue of updates), and reports
// whether it did.
func (a *Adapter) flush(final bool) bool {
	if !a.dirty.Load() {
		return false
	}
	if !final && !a.inFlight.CompareAndSwap(false, true) {
		return false
	}
	a.dirty.Store(false)
	a.mu.Lock()
	events := a.control
	a.control = nil
	a.mu.Unlock()
	update := func() {
		defer a.inFlight.Store(false)
		if a.view != nil {
			a.view.Update()
		}
		if len(events) > 0 && a.OnControl != nil {
			a.OnControl(events)
		}
		if a.OnFlush != nil {
			a.OnFlush()
		}
	}
	// Never DoAndWait: Stop may be called on the UI goroutine.
	uiDo(update)
	return true
}

// eventText is the log line for a non-data event.
func eventText(ev session.Event) string {
	switch {
	case ev.Err != nil && ev.Msg != "" && ev.Msg != ev.Err.Error():
		return ev.Msg + ": " + ev.Err.Error()
	case ev.Err != nil:
		return ev.Err.Error()
	case ev.Kind == session.Connected:
		return trf("connected (local {{.Local}})", map[string]any{"Local": ev.Msg})
	case ev.Kind == session.Closed:
		return trf("disconnected: {{.Reason}}", map[string]any{"Reason": tr(ev.Msg)})
	case ev.Kind == session.Listening:
		return trf("listening on {{.Addr}}", map[string]any{"Addr": ev.Msg})
	case ev.Kind == session.Stopped:
		return tr("stopped")
	}
	return tr(ev.Msg)
}

// uiDo runs f on the UI goroutine. It is a variable so tests, whose Fyne
// driver runs fyne.Do inline on the calling goroutine, can serialise UI
// work with their own reads of widget state.
var uiDo = fyne.Do
