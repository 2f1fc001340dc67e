package main

import (
	"context"
	"sync"
	"sync/atomic"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/netdebug/netdebug/netcore/automation"
	"github.com/netdebug/netdebug/netcore/session"
	"github.com/netdebug/netdebug/widgets"
)

// Preference keys of the automation panel, under the tab's prefix.
const (
	prefAutoShown    = "automation.shown"
	prefAutoSplit    = "automation.split"
	prefAutoPage     = "automation.page"
	prefAutoQuick    = "quick"
	prefAutoSequence = "sequence"
	prefAutoRules    = "rules"
)

// automationTarget says where quick commands and sequences go now, read
// on the UI goroutine. An error says why nothing can be sent (not
// connected, no client selected…).
type automationTarget func() (sender, error)

// automationPanel is a tab's Automation area: quick commands, a send
// sequence and auto-reply rules, shown to the right of the log when the
// Automation button is on. Everything here runs on the UI goroutine except
// the session handler returned by session and the sequence runner.
type automationPanel struct {
	u       *appUI
	p       prefs
	log     *sessionLog
	send    *widgets.SendBox
	framing *framingControls
	target  automationTarget
	queue   *sendQueue // quick commands go out in order with the send box's sends

	quick *quickPanel
	seq   *sequencePanel
	rules *rulesPanel

	pages  *container.AppTabs
	side   fyne.CanvasObject // pages, scrolling sideways when squeezed
	toggle *widget.Button
	split  *container.Split
	center fyne.CanvasObject
	// root holds the center alone, or the center and the panel side by
	// side; the window's Ctrl+1…9 finds the visible tab's panel by it.
	root  *fyne.Container
	shown bool

	// ctx lives as long as the tab's session: delayed replies and a
	// running sequence end with it.
	ctx    context.Context
	cancel context.CancelFunc
	// opts are the send options replies use (the length prefix), kept
	// current from the UI goroutine for the network goroutines.
	opts atomic.Pointer[sendOptions]
}

// newAutomation builds a tab's panel. Call wrap with the tab's center
// (the log) to place it, put toggle somewhere in the tab's top row, wrap
// the session's handler with session, and call refresh on each flush.
func (u *appUI) newAutomation(p prefs, log *sessionLog, out *sendPath, target automationTarget) *automationPanel {
	send, f := out.box, out.framing
	a := &automationPanel{u: u, p: p, log: log, send: send, framing: f, target: target, queue: out.queue}
	a.opts.Store(&sendOptions{})
	a.quick = newQuickPanel(a)
	a.seq = newSequencePanel(a)
	a.rules = newRulesPanel(a)
	a.pages = container.NewAppTabs(
		// Short titles: on the TCP server and UDP tabs at 1100 px the
		// panel has about 270 px beside the log and the client list.
		container.NewTabItem(tr("Quick"), a.quick.content),
		container.NewTabItem(tr("Sequence"), a.seq.content),
		container.NewTabItem(tr("Auto-reply"), a.rules.content),
	)
	if i := p.integer(prefAutoPage, 0); i >= 0 && i < len(a.pages.Items) {
		a.pages.SelectIndex(i)
	}
	a.pages.OnSelected = func(*container.TabItem) { p.setInt(prefAutoPage, a.pages.SelectedIndex()) }
	// The log beside it has a wide toolbar: rather than make the window
	// grow past 1100 px, a narrow panel scrolls sideways.
	a.side = container.NewHScroll(a.pages)
	a.toggle = widget.NewButtonWithIcon(tr("Automation"), theme.MediaFastForwardIcon(), func() { a.setShown(!a.shown) })

	send.OnShortcut = a.quick.sendShortcut
	prevSettings := send.OnSettingsChanged
	send.OnSettingsChanged = func(s widgets.SendSettings) {
		if prevSettings != nil {
			prevSettings(s)
		}
		_ = a.rules.engine.SetEncoding(s.Encoding)
	}
	_ = a.rules.engine.SetEncoding(send.Settings().Encoding)

	registerQuickShortcuts(u, a)
	u.onQuit(a.shutdown)
	return a
}

// wrap returns what the tab shows in the middle: center, with the panel
// beside it when shown.
func (a *automationPanel) wrap(center fyne.CanvasObject) fyne.CanvasObject {
	a.center = center
	a.root = container.NewStack()
	a.setShown(a.p.boolean(prefAutoShown, false))
	return a.root
}

func (a *automationPanel) setShown(on bool) {
	if a.split != nil {
		a.p.p.SetFloat(a.p.prefix+prefAutoSplit, a.split.Offset)
	}
	a.shown = on
	a.p.setBool(prefAutoShown, on)
	if on {
		a.split = container.NewHSplit(a.center, a.side)
		a.split.Offset = min(max(a.p.p.FloatWithFallback(a.p.prefix+prefAutoSplit, 0.6), 0.25), 0.85)
		a.root.Objects = []fyne.CanvasObject{a.split}
		a.toggle.Importance = widget.HighImportance
		a.toggle.SetIcon(theme.MenuExpandIcon())
	} else {
		a.split = nil
		a.root.Objects = []fyne.CanvasObject{a.center}
		a.toggle.Importance = widget.MediumImportance
		a.toggle.SetIcon(theme.MediaFastForwardIcon())
	}
	a.root.Refresh()
	a.toggle.Refresh()
}

// show opens the panel on page i (0 quick, 1 sequence, 2 auto-reply).
func (a *automationPanel) show(i int) {
	if !a.shown {
		a.setShown(true)
	}
	a.pages.SelectIndex(i)
}

// replyTo picks, for one received event, the function that answers its
// sender.
type replyTo func(ev session.Event) sender

// session starts a new session scope and returns next wrapped so that
// received data is also offered to the rules. reply must only be called
// once the session exists (events come after that). Call stop when the
// session ends.
func (a *automationPanel) session(next session.Handler, reply replyTo) session.Handler {
	a.stop()
	a.ctx, a.cancel = context.WithCancel(context.Background())
	a.syncOpts()
	ctx, engine, active, opts := a.ctx, a.rules.engine, &a.rules.active, &a.opts
	clients := &clientScopes{parent: ctx}
	return func(ev session.Event) {
		next(ev)
		switch ev.Kind {
		case session.Received:
			if !active.Load() {
				return
			}
			send := reply(ev)
			o := opts.Load()
			// ev.Data is lent: Handle matches and expands the reply before
			// it returns, so nothing keeps it.
			engine.Handle(clients.get(ev.Client), ev.Data, ev.Peer, func(b []byte) error {
				b, err := o.finish(b)
				if err != nil {
					return err
				}
				return send(b)
			})
		case session.Closed:
			if ev.Client != 0 {
				clients.end(ev.Client)
			}
		}
	}
}

// stop ends the session scope: pending delayed replies and a running
// sequence stop.
func (a *automationPanel) stop() {
	if a.cancel != nil {
		a.cancel()
		a.cancel = nil
	}
	a.seq.stop()
}

// sessionContext is the context sends of the current session live in.
func (a *automationPanel) sessionContext() context.Context {
	if a.ctx == nil || a.ctx.Err() != nil {
		return context.Background()
	}
	return a.ctx
}

// refresh brings the counters up to date; tabs call it on each flush.
func (a *automationPanel) refresh() {
	a.syncOpts()
	a.rules.refresh()
}

// syncOpts copies the tab's send options (the length prefix) for replies.
func (a *automationPanel) syncOpts() {
	o := a.framing.sendOpts()
	a.opts.Store(&o)
}

func (a *automationPanel) shutdown() {
	if a.split != nil {
		a.p.p.SetFloat(a.p.prefix+prefAutoSplit, a.split.Offset)
	}
	a.stop()
	a.seq.wait()
	a.rules.engine.Close()
}

// clientScopes gives each TCP server client a context for its delayed
// replies, ended when the client leaves. Client 0 (TCP client, UDP) uses
// the session's.
type clientScopes struct {
	parent context.Context
	mu     sync.Mutex
	m      map[uint64]scope
}

type scope struct {
	ctx    context.Context
	cancel context.CancelFunc
}

func (c *clientScopes) get(id uint64) context.Context {
	if id == 0 {
		return c.parent
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.m[id]
	if !ok {
		if c.m == nil {
			c.m = map[uint64]scope{}
		}
		s.ctx, s.cancel = context.WithCancel(c.parent)
		c.m[id] = s
	}
	return s.ctx
}

func (c *clientScopes) end(id uint64) {
	c.mu.Lock()
	s, ok := c.m[id]
	delete(c.m, id)
	c.mu.Unlock()
	if ok {
		s.cancel()
	}
}

// quickShortcuts sends Ctrl+1…9 typed anywhere in the window (outside the
// send box, which has its own) to the visible tab's quick commands. Several
// tabs have quick commands but a window keeps one handler per shortcut, so
// one dispatcher per window owns them.
type quickShortcuts struct {
	u      *appUI
	panels []*automationPanel
}

var (
	shortcutsMu sync.Mutex
	shortcuts   = map[*appUI]*quickShortcuts{}
)

func registerQuickShortcuts(u *appUI, a *automationPanel) {
	shortcutsMu.Lock()
	defer shortcutsMu.Unlock()
	d := shortcuts[u]
	if d == nil {
		d = &quickShortcuts{u: u}
		shortcuts[u] = d
		for n := 1; n <= 9; n++ {
			key := fyne.KeyName(string(rune('0' + n)))
			u.win.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault},
				func(fyne.Shortcut) { d.fire(n) })
		}
		u.onQuit(func() {
			shortcutsMu.Lock()
			delete(shortcuts, u)
			shortcutsMu.Unlock()
		})
	}
	d.panels = append(d.panels, a)
}

// fire runs on the UI goroutine.
func (d *quickShortcuts) fire(n int) {
	if d.u.tabs == nil || d.u.tabs.Selected() == nil {
		return
	}
	visible := d.u.tabs.Selected().Content
	shortcutsMu.Lock()
	panels := append([]*automationPanel(nil), d.panels...)
	shortcutsMu.Unlock()
	for _, a := range panels {
		if a.root != nil && holds(visible, a.root) {
			a.quick.sendShortcut(n)
			return
		}
	}
}

// holds reports whether o is root or inside it (through containers).
func holds(root, o fyne.CanvasObject) bool {
	if root == o {
		return true
	}
	switch c := root.(type) {
	case *fyne.Container:
		for _, child := range c.Objects {
			if holds(child, o) {
				return true
			}
		}
	case *container.Split:
		return holds(c.Leading, o) || holds(c.Trailing, o)
	case *container.Scroll:
		return holds(c.Content, o)
	}
	return false
}

// listToolbar is the row of buttons under a list: add, edit, delete,
// move up and down, and a menu with import, export and any extras. Icons
// only: the panel may be 270 px wide.
type listToolbar struct {
	add, edit, del, up, down, more *widget.Button
	imp, exp                       *fyne.MenuItem
	menu                           *fyne.Menu
	box                            fyne.CanvasObject
}

func newListToolbar(win fyne.Window, add, edit, del, up, down, imp, exp func(), extra ...*fyne.MenuItem) *listToolbar {
	b := &listToolbar{
		add:  widget.NewButtonWithIcon("", theme.ContentAddIcon(), add),
		edit: widget.NewButtonWithIcon("", theme.DocumentCreateIcon(), edit),
		del:  widget.NewButtonWithIcon("", theme.DeleteIcon(), del),
		up:   widget.NewButtonWithIcon("", theme.MoveUpIcon(), up),
		down: widget.NewButtonWithIcon("", theme.MoveDownIcon(), down),
		imp:  fyne.NewMenuItem(tr("Import…"), imp),
		exp:  fyne.NewMenuItem(tr("Export…"), exp),
	}
	b.imp.Icon, b.exp.Icon = theme.FolderOpenIcon(), theme.DocumentSaveIcon()
	b.menu = fyne.NewMenu("", append([]*fyne.MenuItem{b.imp, b.exp}, extra...)...)
	b.more = widget.NewButtonWithIcon("", theme.MoreHorizontalIcon(), nil)
	b.more.OnTapped = func() {
		pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(b.more)
		widget.ShowPopUpMenuAtPosition(b.menu, win.Canvas(), pos.AddXY(0, b.more.Size().Height))
	}
	b.add.Importance = widget.HighImportance
	b.box = newFlow(b.add, b.edit, b.del, b.up, b.down, b.more)
	b.selected(-1, 0)
	return b
}

// selected enables the buttons that act on row i of n (-1: none).
func (b *listToolbar) selected(i, n int) {
	set := func(w *widget.Button, on bool) {
		if on {
			w.Enable()
		} else {
			w.Disable()
		}
	}
	set(b.edit, i >= 0 && i < n)
	set(b.del, i >= 0 && i < n)
	set(b.up, i > 0 && i < n)
	set(b.down, i >= 0 && i < n-1)
}

// flowLayout places objects left to right at their minimum sizes and
// wraps to a new row when the width runs out, so the panel's controls
// fit the 190 px it gets beside the TCP server's client list and log.
type flowLayout struct {
	rows  int
	width float32
	box   *fyne.Container
}

// newFlow returns a container laying out objects with a flowLayout.
func newFlow(objects ...fyne.CanvasObject) *fyne.Container {
	f := &flowLayout{rows: 1}
	f.box = container.New(f, objects...)
	return f.box
}

func (f *flowLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var w, h float32
	for _, o := range objects {
		if o.Visible() {
			m := o.MinSize()
			w, h = max(w, m.Width), max(h, m.Height)
		}
	}
	pad := theme.Padding()
	return fyne.NewSize(w, float32(f.rows)*h+float32(f.rows-1)*pad)
}

func (f *flowLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	pad := theme.Padding()
	var x, y, rowH, widest float32
	rows := 1
	for _, o := range objects {
		if !o.Visible() {
			continue
		}
		m := o.MinSize()
		if x > 0 && x+m.Width > size.Width {
			x, y, rows = 0, y+rowH+pad, rows+1
			rowH = 0
		}
		o.Move(fyne.NewPos(x, y))
		o.Resize(m)
		x += m.Width + pad
		rowH = max(rowH, m.Height)
		widest = max(widest, m.Width)
	}
	// A layout narrower than one item is a container not yet placed
	// (hidden, or before the first resize): its row count means nothing.
	if rows != f.rows && size.Width >= widest {
		// The height we asked for was wrong for this width: ask again
		// once this layout pass is over.
		f.rows = rows
		uiDo(f.box.Refresh)
	}
}

// pageStatus is a page's status line, hidden until it has something to say
// (the panel is short on height too).
type pageStatus struct{ statusLabel }

func newPageStatus() pageStatus {
	s := pageStatus{newStatusLabel()}
	s.Hide()
	return s
}

func (s pageStatus) info(text string) { s.statusLabel.info(text); s.Show() }
func (s pageStatus) ok(text string)   { s.statusLabel.ok(text); s.Show() }
func (s pageStatus) fail(err error)   { s.statusLabel.fail(err); s.Show() }

// listWithHint shows hint in place of the list while it is empty; call
// the returned function after the list changes.
func listWithHint(list *widget.List, length func() int, hint string) (fyne.CanvasObject, func()) {
	l := widget.NewLabel(hint)
	l.Wrapping = fyne.TextWrapWord
	l.Importance = widget.LowImportance
	// In a scroll, so that a long hint wrapped in a narrow panel never
	// makes the window taller.
	box := container.NewVScroll(l)
	sync := func() {
		if length() == 0 {
			box.Show()
		} else {
			box.Hide()
		}
	}
	sync()
	return container.NewStack(list, box), sync
}

// automationFilter narrows file dialogs to JSON.
var automationFilter = widgets.FileFilter{Name: "JSON", Extensions: []string{"json"}}

// templateHelp is the one-line reminder of what a payload may contain.
func templateHelp() string {
	// The placeholders are syntax, not words: only the lead is translated
	// (and "{{" must stay out of tr, which reads it as a template).
	return tr("Templates:") + " {{counter}} {{time:%H:%M:%S}} {{rand:4}} {{hex:01 02}} {{crc16modbus}} {{sum8}} {{xor8}} {{crc32}}"
}

// ruleStatsText is the counters shown under a rule.
func ruleStatsText(st automation.RuleStats) string {
	text := trf("hits {{.Hits}} · replies {{.Replies}} · suppressed {{.Suppressed}}", map[string]any{
		"Hits": st.Hits, "Replies": st.Replies, "Suppressed": st.Suppressed,
	})
	if st.Failed > 0 {
		text += " · " + trf("failed {{.N}}", map[string]any{"N": st.Failed})
	}
	return text
}

// ruleLimitText is the rate limit in force for a rule.
func ruleLimitText(r automation.Rate) string {
	return trf("limit {{.Rate}}/s, burst {{.Burst}}", map[string]any{"Rate": formatRate(r.PerSecond), "Burst": r.Burst})
}
