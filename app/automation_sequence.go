package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/netdebug/netdebug/netcore/automation"
	"github.com/netdebug/netdebug/widgets"
)

// sequencePanel is the tab's send sequence: steps (a payload and the pause
// after it) run once, N times or forever on a goroutine, with the step
// being sent highlighted.
type sequencePanel struct {
	a        *automationPanel
	seq      automation.Sequence
	list     *widget.List
	sel      int
	current  int // the step being sent, -1 when idle
	bar      *listToolbar
	mode     *widget.Select
	times    *widget.Entry
	runBtn   *widget.Button
	progress *widget.Label
	status   pageStatus
	hint     func()
	content  fyne.CanvasObject
	editor   *payloadEditor

	run   *sequenceRun
	runID int
}

// sequenceRun is one run in progress.
type sequenceRun struct {
	id     int
	cancel context.CancelFunc
	done   chan struct{}
	sent   atomic.Int64
	// latest progress, handed to the UI at most once per UI turn.
	latest  atomic.Pointer[automation.Progress]
	pending atomic.Bool
}

func newSequencePanel(a *automationPanel) *sequencePanel {
	s := &sequencePanel{a: a, sel: -1, current: -1, status: newPageStatus()}
	s.seq = automation.Sequence{Version: automation.FormatVersion}
	if v := a.p.str(prefAutoSequence, ""); v != "" {
		seq, err := automation.ImportSequence([]byte(v))
		if err != nil {
			s.status.fail(fmt.Errorf("%s: %w", tr("The saved sequence could not be read"), err))
		} else {
			s.seq = seq
		}
	}
	s.list = widget.NewList(func() int { return len(s.seq.Steps) }, s.newRow, s.updateRow)
	s.list.OnSelected = func(id widget.ListItemID) { s.sel = id; s.syncBar() }
	s.list.OnUnselected = func(widget.ListItemID) { s.sel = -1; s.syncBar() }
	s.bar = newListToolbar(a.u.win, s.add, func() { s.edit(s.sel) }, s.askDelete, func() { s.move(s.sel, s.sel-1) }, func() { s.move(s.sel, s.sel+1) }, s.importFile, s.exportFile)

	s.mode = newSelect([]string{tr("Once"), tr("Repeat"), tr("Forever")}, nil)
	s.times = widget.NewEntry()
	s.times.SetPlaceHolder(tr("times"))
	s.times.SetText(strconv.Itoa(max(s.seq.Repeat, 1)))
	switch {
	case s.seq.Forever:
		s.mode.SetSelectedIndex(2)
	case s.seq.Repeat > 1:
		s.mode.SetSelectedIndex(1)
	default:
		s.mode.SetSelectedIndex(0)
	}
	s.mode.OnChanged = func(string) { s.readMode(); s.syncControls() }
	s.times.OnChanged = func(string) { s.readMode() }
	s.runBtn = widget.NewButtonWithIcon(tr("Run"), theme.MediaPlayIcon(), s.toggle)
	s.runBtn.Importance = widget.HighImportance
	s.progress = widget.NewLabel("")
	s.progress.Truncation = fyne.TextTruncateEllipsis
	s.progress.Hide()
	s.syncControls()

	controls := newFlow(s.runBtn, widgets.FitOptionsAtLeast(s.mode, 95), container.NewHBox(widget.NewLabel("×"), fixedWidth(s.times, 70)))
	list, hint := listWithHint(s.list, func() int { return len(s.seq.Steps) },
		tr("No steps yet. + adds the send box's payload as a step, with the pause after it."))
	s.hint = hint
	s.content = container.NewBorder(container.NewVBox(controls, s.progress), container.NewVBox(s.bar.box, s.status.Label), nil, nil, list)
	return s
}

func (s *sequencePanel) newRow() fyne.CanvasObject {
	marker := widget.NewIcon(nil)
	num := widget.NewLabel("99")
	text := widget.NewLabel("")
	text.Truncation = fyne.TextTruncateEllipsis
	text.TextStyle = fyne.TextStyle{Monospace: true}
	delay := widget.NewLabel("")
	return container.NewBorder(nil, nil, container.NewHBox(marker, num), delay, text)
}

func (s *sequencePanel) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	if id >= len(s.seq.Steps) {
		return
	}
	st := s.seq.Steps[id]
	row := o.(*fyne.Container)
	text := row.Objects[0].(*widget.Label)
	left := row.Objects[1].(*fyne.Container)
	marker, num := left.Objects[0].(*widget.Icon), left.Objects[1].(*widget.Label)
	num.SetText(strconv.Itoa(id + 1))
	label := payloadSummary(st.Payload)
	if st.Name != "" {
		label = st.Name + ": " + label
	}
	// The step being sent stands out: an arrow, bold, in the accent colour.
	if id == s.current {
		marker.SetResource(theme.MediaPlayIcon())
		text.TextStyle.Bold = true
		text.Importance = widget.HighImportance
	} else {
		marker.SetResource(nil) // keeps its width, so rows stay aligned
		text.TextStyle.Bold = false
		text.Importance = widget.MediumImportance
	}
	text.SetText(label)
	row.Objects[2].(*widget.Label).SetText(trf("{{.MS}} ms", map[string]any{"MS": st.DelayMS}))
}

// readMode takes Once / Repeat N / Forever into the sequence.
func (s *sequencePanel) readMode() {
	switch s.mode.SelectedIndex() {
	case 0:
		s.seq.Repeat, s.seq.Forever = 0, false
	case 1:
		s.seq.Forever = false
		if n, err := strconv.Atoi(strings.TrimSpace(s.times.Text)); err == nil && n >= 1 {
			s.seq.Repeat = n
		}
	case 2:
		s.seq.Forever = true
	}
	s.save()
}

func (s *sequencePanel) syncControls() {
	running := s.run != nil
	if s.mode.SelectedIndex() == 1 && !running {
		s.times.Enable()
	} else {
		s.times.Disable()
	}
	for _, w := range []fyne.Disableable{s.mode, s.bar.add} {
		if running {
			w.Disable()
		} else {
			w.Enable()
		}
	}
	s.bar.imp.Disabled = running
	s.syncBar()
	if running {
		s.runBtn.SetText(tr("Stop"))
		s.runBtn.SetIcon(theme.MediaStopIcon())
		s.runBtn.Importance = widget.WarningImportance
	} else {
		s.runBtn.SetText(tr("Run"))
		s.runBtn.SetIcon(theme.MediaPlayIcon())
		s.runBtn.Importance = widget.HighImportance
	}
	s.runBtn.Refresh()
}

// syncBar enables the step buttons for the selection; a running sequence
// cannot be edited.
func (s *sequencePanel) syncBar() {
	if s.run != nil {
		s.bar.selected(-1, 0)
		return
	}
	s.bar.selected(s.sel, len(s.seq.Steps))
}

func (s *sequencePanel) save() {
	if data, err := s.seq.Export(); err == nil {
		s.a.p.setStr(prefAutoSequence, string(data))
	}
}

func (s *sequencePanel) changed() {
	s.save()
	s.list.Refresh()
	s.hint()
	if s.sel >= len(s.seq.Steps) {
		s.sel = -1
		s.list.UnselectAll()
	}
	s.syncBar()
}

func (s *sequencePanel) toggle() {
	if s.run != nil {
		s.stop()
		return
	}
	s.start()
}

// start runs the sequence through the tab's current target.
func (s *sequencePanel) start() {
	if s.run != nil {
		return
	}
	if s.mode.SelectedIndex() == 1 {
		if _, err := intField(s.times, tr("The number of times"), 1, 1_000_000_000, 1); err != nil {
			s.status.fail(err)
			return
		}
	}
	seq := s.seq
	seq.Steps = append([]automation.Step(nil), s.seq.Steps...)
	if err := seq.Validate(); err != nil {
		s.status.fail(err)
		return
	}
	send, err := s.a.target()
	if err != nil {
		s.status.fail(err)
		return
	}
	opts := s.a.framing.sendOpts()
	ctx, cancel := context.WithCancel(s.a.sessionContext())
	s.runID++
	r := &sequenceRun{id: s.runID, cancel: cancel, done: make(chan struct{})}
	s.run = r
	s.status.info(tr("Running…"))
	s.syncControls()
	go func() {
		defer close(r.done)
		n, err := seq.Run(ctx, func(b []byte) error {
			b, err := opts.finish(b)
			if err != nil {
				return err
			}
			if err := send(b); err != nil {
				return err
			}
			r.sent.Add(1)
			return nil
		}, func(p automation.Progress) {
			r.latest.Store(&p)
			// One UI update in flight at most: with zero delays the steps
			// outrun the UI, which then shows the latest.
			if !r.pending.Swap(true) {
				uiDo(func() {
					r.pending.Store(false)
					s.showProgress(r)
				})
			}
		})
		cancel()
		uiDo(func() { s.finished(r, n, err) })
	}()
}

func (s *sequencePanel) showProgress(r *sequenceRun) {
	if s.run != r {
		return
	}
	p := r.latest.Load()
	if p == nil {
		return
	}
	s.progress.SetText(progressText(*p, int(r.sent.Load())))
	s.progress.Show()
	s.setCurrent(p.Step)
}

func progressText(p automation.Progress, sent int) string {
	loops := "∞"
	if p.Loops > 0 {
		loops = strconv.Itoa(p.Loops)
	}
	return trf("loop {{.Loop}}/{{.Loops}}, step {{.Step}}/{{.Steps}} · sent {{.Sent}}", map[string]any{
		"Loop": p.Loop, "Loops": loops, "Step": p.Step + 1, "Steps": p.Steps, "Sent": sent})
}

func (s *sequencePanel) setCurrent(i int) {
	if i == s.current {
		return
	}
	old := s.current
	s.current = i
	if old >= 0 {
		s.list.RefreshItem(old)
	}
	if i >= 0 {
		s.list.RefreshItem(i)
		s.list.ScrollTo(i)
	}
}

func (s *sequencePanel) finished(r *sequenceRun, n int, err error) {
	if s.run != r {
		return
	}
	s.run = nil
	s.setCurrent(-1)
	s.progress.SetText("")
	s.progress.Hide()
	s.syncControls()
	switch {
	case errors.Is(err, context.Canceled):
		s.status.info(trf("Stopped after {{.N}} sends", map[string]any{"N": n}))
	case err != nil:
		s.status.fail(err)
	default:
		s.status.ok(trf("Done: {{.N}} sends", map[string]any{"N": n}))
	}
}

// stop ends a run; the goroutine reports when it has.
func (s *sequencePanel) stop() {
	if s.run != nil {
		s.run.cancel()
	}
}

// wait waits (a little) for a stopped run's goroutine, when quitting.
func (s *sequencePanel) wait() {
	if s.run == nil {
		return
	}
	select {
	case <-s.run.done:
	case <-time.After(2 * time.Second):
	}
}

func (s *sequencePanel) running() bool { return s.run != nil }

func (s *sequencePanel) add() {
	s.editor = s.a.editPayload(tr("New step"), "", payloadFromSendBox(s.a.send), 1000, true,
		func(name string, p automation.Payload, ms int) error {
			st := automation.Step{Name: name, Payload: p, DelayMS: ms}
			if _, err := p.Compile(); err != nil {
				return err
			}
			s.seq.Steps = append(s.seq.Steps, st)
			s.changed()
			s.list.Select(len(s.seq.Steps) - 1)
			return nil
		})
}

func (s *sequencePanel) edit(i int) {
	if i < 0 || i >= len(s.seq.Steps) || s.run != nil {
		return
	}
	st := s.seq.Steps[i]
	s.editor = s.a.editPayload(tr("Edit step"), st.Name, st.Payload, st.DelayMS, true,
		func(name string, p automation.Payload, ms int) error {
			if s.run != nil || i >= len(s.seq.Steps) {
				return errors.New(tr("Stop the sequence first"))
			}
			if _, err := p.Compile(); err != nil {
				return err
			}
			s.seq.Steps[i] = automation.Step{Name: name, Payload: p, DelayMS: ms}
			s.changed()
			return nil
		})
}

func (s *sequencePanel) askDelete() {
	if i := s.sel; i >= 0 && i < len(s.seq.Steps) && s.run == nil {
		s.a.confirmDelete(trf("step {{.N}}", map[string]any{"N": i + 1}), func() { s.delete(i) })
	}
}

func (s *sequencePanel) delete(i int) {
	if i < 0 || i >= len(s.seq.Steps) || s.run != nil {
		return
	}
	s.seq.Steps = append(s.seq.Steps[:i:i], s.seq.Steps[i+1:]...)
	s.changed()
}

func (s *sequencePanel) move(from, to int) {
	n := len(s.seq.Steps)
	if from < 0 || from >= n || to < 0 || to >= n || s.run != nil {
		return
	}
	s.seq.Steps[from], s.seq.Steps[to] = s.seq.Steps[to], s.seq.Steps[from]
	s.changed()
	s.list.Select(to)
}

// setSequence replaces the sequence (import) and shows its mode.
func (s *sequencePanel) setSequence(seq automation.Sequence) {
	s.seq = seq
	s.times.SetText(strconv.Itoa(max(seq.Repeat, 1)))
	switch {
	case seq.Forever:
		s.mode.SetSelectedIndex(2)
	case seq.Repeat > 1:
		s.mode.SetSelectedIndex(1)
	default:
		s.mode.SetSelectedIndex(0)
	}
	s.seq = seq // the mode's OnChanged may have rewritten Repeat
	s.list.UnselectAll()
	s.sel = -1
	s.changed()
	s.syncControls()
}

func (s *sequencePanel) importFile() {
	if s.run != nil {
		return
	}
	s.a.importJSON(tr("Import a sequence"), s.status, func(data []byte) error {
		seq, err := automation.ImportSequence(data)
		if err != nil {
			return err
		}
		if s.run != nil {
			return errors.New(tr("Stop the sequence first"))
		}
		s.setSequence(seq)
		return nil
	})
}

func (s *sequencePanel) exportFile() {
	data, err := s.seq.Export()
	s.a.exportJSON(tr("Export the sequence"), "sequence.json", s.status, data, err)
}
