package widgets

import (
	"fmt"
	"image/color"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/netdebug/netdebug/netcore/codec"
)

// HistoryLimit is how many past sends the send box remembers.
const HistoryLimit = 50

// SendSettings are the send box choices the app persists.
type SendSettings struct {
	Hex        bool
	Encoding   codec.Encoding
	LineEnding codec.LineEnding
	Escapes    bool
	IntervalMS int
	Count      int
}

// DefaultSendSettings sends UTF-8 text with no line ending.
var DefaultSendSettings = SendSettings{Encoding: codec.UTF8, LineEnding: codec.LineNone, Escapes: true, IntervalMS: 1000}

// HistoryItem is one remembered send.
type HistoryItem struct {
	Text string `json:"text"`
	Hex  bool   `json:"hex,omitempty"`
}

// SendBox is the message editor shared by every tab that sends: multi-line
// input, text/hex, encoding, line ending, escapes, Send (and Ctrl+Enter), a
// history of the last 50 sends, periodic sending and a hex preview.
type SendBox struct {
	widget.BaseWidget

	// OnSend sends a payload; an error is shown under the box.
	OnSend func(codec.Payload) error
	// OnStartPeriodic starts sending every interval, count times (0 = no
	// limit); OnStopPeriodic stops it. Leave them nil to hide the controls.
	OnStartPeriodic func(p codec.Payload, interval time.Duration, count int) error
	OnStopPeriodic  func()
	// Preview turns a payload into the bytes it will send, for the preview
	// line; nil uses Payload.Build.
	Preview func(codec.Payload) ([]byte, error)
	// OnHistoryChanged and OnSettingsChanged let the app persist.
	OnHistoryChanged  func([]HistoryItem)
	OnSettingsChanged func(SendSettings)
	// OnShortcut receives Ctrl+1…9 typed in the box (quick commands).
	OnShortcut func(n int)
	// ErrorText words an error for the error line (the app translates the
	// kind of problem); nil shows err.Error().
	ErrorText func(error) string

	history  []HistoryItem
	settings SendSettings
	running  bool
	// buildErr is why the text cannot be sent as typed (from the preview);
	// sendErr is what the last Send or periodic start was refused with. The
	// one error line shows sendErr, else buildErr.
	buildErr string
	sendErr  string

	entry      *sendEntry
	format     *widget.RadioGroup
	encSel     *widget.Select
	lineSel    *widget.Select
	escapes    *widget.Check
	sendBtn    *widget.Button
	historyBtn *widget.Button
	interval   *widget.Entry
	count      *widget.Entry
	periodic   *widget.Button
	status     *widget.Label
	preview    *widget.Label
	extra      *fyne.Container
}

// NewSendBox returns a send box with default settings.
func NewSendBox() *SendBox {
	s := &SendBox{settings: DefaultSendSettings}
	s.ExtendBaseWidget(s)
	s.build()
	return s
}

func (s *SendBox) build() {
	s.entry = newSendEntry(s)
	s.entry.SetPlaceHolder(lang.L("Type a message; Ctrl+Enter sends"))
	s.entry.OnChanged = func(string) {
		s.sendErr = "" // the message changed: a refusal of the old one is stale
		s.updatePreview()
	}
	s.entry.SetMinRowsVisible(3)

	s.format = widget.NewRadioGroup([]string{lang.L("Text"), lang.L("Hex")}, func(v string) {
		s.settings.Hex = v == lang.L("Hex")
		s.syncEnabled()
		s.changed()
	})
	s.format.Horizontal = true
	s.format.Required = true
	s.encSel = newSelect(codec.EncodingNames(), func(v string) {
		s.settings.Encoding = codec.MustEncoding(v)
		s.changed()
	})
	var lineLabels []string
	for _, l := range codec.LineEndings() {
		lineLabels = append(lineLabels, lineLabel(l))
	}
	s.lineSel = newSelect(lineLabels, func(v string) {
		for _, l := range codec.LineEndings() {
			if lineLabel(l) == v {
				s.settings.LineEnding = l
			}
		}
		s.changed()
	})
	s.escapes = widget.NewCheck(lang.L(`Escapes (\r \n \xHH)`), func(on bool) {
		s.settings.Escapes = on
		s.changed()
	})
	s.sendBtn = widget.NewButtonWithIcon(lang.L("Send"), theme.MailSendIcon(), s.Send)
	s.sendBtn.Importance = widget.HighImportance
	s.historyBtn = widget.NewButtonWithIcon("", theme.HistoryIcon(), s.showHistory)

	s.interval = widget.NewEntry()
	s.interval.SetPlaceHolder("ms")
	s.interval.OnChanged = func(v string) {
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
			s.settings.IntervalMS = n
			s.changed()
		}
	}
	s.count = widget.NewEntry()
	s.count.SetPlaceHolder("0 = ∞")
	s.count.OnChanged = func(v string) {
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
			s.settings.Count = n
			s.changed()
		}
	}
	s.periodic = widget.NewButtonWithIcon(lang.L("Start periodic"), theme.MediaPlayIcon(), s.togglePeriodic)

	// One line, always there (empty when all is well): an error appearing
	// or going must not move the controls under the pointer.
	s.status = widget.NewLabel("")
	s.status.Truncation = fyne.TextTruncateEllipsis
	s.status.Importance = widget.DangerImportance
	s.preview = widget.NewLabel("")
	s.preview.TextStyle = fyne.TextStyle{Monospace: true}
	s.preview.Truncation = fyne.TextTruncateEllipsis
	s.preview.Importance = widget.LowImportance
	s.extra = container.NewHBox()

	s.ApplySettings(s.settings)
}

func lineLabel(l codec.LineEnding) string {
	if l == codec.LineNone {
		return lang.L("No line ending")
	}
	return l.Label()
}

// CreateRenderer lays the box out: options on top, the editor with Send to
// its right, periodic controls, then preview and errors.
func (s *SendBox) CreateRenderer() fyne.WidgetRenderer {
	options := container.NewHBox(s.format, FitOptions(s.encSel), FitOptions(s.lineSel), s.escapes, s.extra)
	buttons := container.NewVBox(s.sendBtn, s.historyBtn)
	editor := container.NewBorder(nil, nil, nil, buttons, s.entry)
	var periodic fyne.CanvasObject = layoutSpacer()
	if s.OnStartPeriodic != nil {
		periodic = container.NewHBox(
			widget.NewLabel(lang.L("Every")), sized(s.interval, 80), widget.NewLabel(lang.L("ms,")),
			sized(s.count, 80), widget.NewLabel(lang.L("times")), s.periodic)
	}
	line := canvas.NewRectangle(color.Transparent)
	line.SetMinSize(fyne.NewSize(0, widget.NewLabel("Ag").MinSize().Height))
	bottom := container.NewVBox(container.NewBorder(nil, nil, periodic, nil, s.preview), container.NewStack(line, s.status))
	return widget.NewSimpleRenderer(container.NewBorder(options, bottom, nil, nil, editor))
}

// AddOption puts an extra control in the options row (e.g. a target menu).
func (s *SendBox) AddOption(o fyne.CanvasObject) {
	s.extra.Add(o)
}

// Settings returns the current choices.
func (s *SendBox) Settings() SendSettings { return s.settings }

// ApplySettings sets the controls without calling OnSettingsChanged.
func (s *SendBox) ApplySettings(st SendSettings) {
	if st.Encoding == "" {
		st.Encoding = codec.UTF8
	}
	if st.LineEnding == "" {
		st.LineEnding = codec.LineNone
	}
	cb := s.OnSettingsChanged
	s.OnSettingsChanged = nil
	if st.Hex {
		s.format.SetSelected(lang.L("Hex"))
	} else {
		s.format.SetSelected(lang.L("Text"))
	}
	s.encSel.SetSelected(string(st.Encoding))
	s.lineSel.SetSelected(lineLabel(st.LineEnding))
	s.escapes.SetChecked(st.Escapes)
	if st.IntervalMS > 0 {
		s.interval.SetText(strconv.Itoa(st.IntervalMS))
	}
	s.count.SetText(strconv.Itoa(st.Count))
	s.settings = st
	s.OnSettingsChanged = cb
	s.syncEnabled()
	s.updatePreview()
}

func (s *SendBox) syncEnabled() {
	if s.settings.Hex {
		s.encSel.Disable()
		s.lineSel.Disable()
		s.escapes.Disable()
	} else {
		s.encSel.Enable()
		s.lineSel.Enable()
		s.escapes.Enable()
	}
}

func (s *SendBox) changed() {
	s.sendErr = ""
	s.updatePreview()
	if s.OnSettingsChanged != nil {
		s.OnSettingsChanged(s.settings)
	}
}

// Text is the editor's content.
func (s *SendBox) Text() string { return s.entry.Text }

// SetText replaces the editor's content.
func (s *SendBox) SetText(t string) { s.entry.SetText(t) }

// FocusEditor puts the keyboard focus in the editor.
func (s *SendBox) FocusEditor() {
	if c := fyne.CurrentApp().Driver().CanvasForObject(s.entry); c != nil {
		c.Focus(s.entry)
	}
}

// Payload is what Send would send now.
func (s *SendBox) Payload() codec.Payload {
	return codec.Payload{
		Text: s.entry.Text, Hex: s.settings.Hex, Encoding: s.settings.Encoding,
		LineEnding: s.settings.LineEnding, Escapes: s.settings.Escapes,
	}
}

// Send hands the payload to OnSend, shows any error, and records it in the
// history.
func (s *SendBox) Send() {
	if s.OnSend == nil {
		return
	}
	p := s.Payload()
	if err := s.OnSend(p); err != nil {
		s.ShowError(err)
		return
	}
	s.ShowError(nil)
	s.remember(HistoryItem{Text: p.Text, Hex: p.Hex})
}

// ShowError shows err on the error line under the box (nil clears it). It
// stays until the message or its settings change, sending is enabled or
// disabled (the session it was about has started or ended), or a send
// succeeds.
func (s *SendBox) ShowError(err error) {
	s.sendErr = ""
	if err != nil {
		s.sendErr = s.errText(err)
	}
	s.showStatus()
}

func (s *SendBox) errText(err error) string {
	if s.ErrorText != nil {
		return s.ErrorText(err)
	}
	return err.Error()
}

// ShownError is what the error line says now ("" when nothing is wrong).
func (s *SendBox) ShownError() string { return s.status.Text }

func (s *SendBox) showStatus() {
	text := s.sendErr
	if text == "" {
		text = s.buildErr
	}
	if s.status.Text != text {
		s.status.SetText(text)
	}
}

func (s *SendBox) updatePreview() {
	if s.entry == nil || s.preview == nil {
		return
	}
	build := s.Preview
	if build == nil {
		build = codec.Payload.Build
	}
	defer s.showStatus()
	s.buildErr = ""
	p := s.Payload()
	if p.Text == "" {
		s.preview.SetText("")
		return
	}
	b, err := build(p)
	if err != nil {
		// Said once, on the error line; the preview has no bytes to show.
		s.buildErr = s.errText(err)
		s.preview.SetText("")
		return
	}
	const show = 64
	text := codec.FormatHex(b[:min(len(b), show)])
	if len(b) > show {
		text += fmt.Sprintf(" … (%d B)", len(b))
	} else {
		text += fmt.Sprintf("  (%d B)", len(b))
	}
	s.preview.SetText(text)
}

// RefreshPreview recomputes the preview (after the app changes Preview).
func (s *SendBox) RefreshPreview() { s.updatePreview() }

// History returns the remembered sends, newest first.
func (s *SendBox) History() []HistoryItem { return append([]HistoryItem(nil), s.history...) }

// SetHistory replaces the history (loaded from preferences).
func (s *SendBox) SetHistory(h []HistoryItem) {
	if len(h) > HistoryLimit {
		h = h[:HistoryLimit]
	}
	s.history = append([]HistoryItem(nil), h...)
}

func (s *SendBox) remember(item HistoryItem) {
	if item.Text == "" {
		return
	}
	out := []HistoryItem{item}
	for _, h := range s.history {
		if h != item {
			out = append(out, h)
		}
	}
	if len(out) > HistoryLimit {
		out = out[:HistoryLimit]
	}
	s.history = out
	if s.OnHistoryChanged != nil {
		s.OnHistoryChanged(s.History())
	}
}

func (s *SendBox) showHistory() {
	c := fyne.CurrentApp().Driver().CanvasForObject(s.historyBtn)
	if c == nil {
		return
	}
	var items []*fyne.MenuItem
	for _, h := range s.history {
		label := strings.ReplaceAll(h.Text, "\n", "⏎")
		if len([]rune(label)) > 60 {
			label = string([]rune(label)[:60]) + "…"
		}
		if h.Hex {
			label = "[HEX] " + label
		}
		item := h
		items = append(items, fyne.NewMenuItem(label, func() { s.UseHistory(item) }))
	}
	if len(items) == 0 {
		items = append(items, &fyne.MenuItem{Label: lang.L("No history yet"), Disabled: true})
	}
	widget.ShowPopUpMenuAtRelativePosition(fyne.NewMenu("", items...), c, fyne.NewPos(0, s.historyBtn.Size().Height), s.historyBtn)
}

// UseHistory puts a remembered send back in the editor.
func (s *SendBox) UseHistory(h HistoryItem) {
	st := s.settings
	st.Hex = h.Hex
	s.ApplySettings(st)
	s.entry.SetText(h.Text)
}

func (s *SendBox) togglePeriodic() {
	if s.running {
		if s.OnStopPeriodic != nil {
			s.OnStopPeriodic()
		}
		return
	}
	ms, err := strconv.Atoi(strings.TrimSpace(s.interval.Text))
	if err != nil || ms < 1 {
		s.ShowError(fmt.Errorf("%s", lang.L("The interval must be a whole number of milliseconds, 1 or more")))
		return
	}
	n, err := strconv.Atoi(strings.TrimSpace(s.count.Text))
	if strings.TrimSpace(s.count.Text) == "" {
		n, err = 0, nil
	}
	if err != nil || n < 0 {
		s.ShowError(fmt.Errorf("%s", lang.L("The count must be 0 (no limit) or a positive whole number")))
		return
	}
	if s.OnStartPeriodic == nil {
		return
	}
	p := s.Payload()
	if err := s.OnStartPeriodic(p, time.Duration(ms)*time.Millisecond, n); err != nil {
		s.ShowError(err)
		return
	}
	s.ShowError(nil)
	s.remember(HistoryItem{Text: p.Text, Hex: p.Hex})
	s.SetPeriodicRunning(true, 0)
}

// SetPeriodicRunning updates the periodic button; sent is shown while it
// runs.
func (s *SendBox) SetPeriodicRunning(running bool, sent int) {
	s.running = running
	if running {
		s.periodic.SetIcon(theme.MediaStopIcon())
		s.periodic.SetText(lang.L("Stop ({{.Sent}} sent)", map[string]any{"Sent": sent}))
	} else {
		s.periodic.SetIcon(theme.MediaPlayIcon())
		s.periodic.SetText(lang.L("Start periodic"))
	}
}

// PeriodicRunning reports whether periodic sending is on.
func (s *SendBox) PeriodicRunning() bool { return s.running }

// SetSendEnabled enables or disables sending (e.g. while disconnected).
func (s *SendBox) SetSendEnabled(on bool) {
	s.ShowError(nil)
	if on {
		s.sendBtn.Enable()
		s.periodic.Enable()
	} else {
		s.sendBtn.Disable()
		if !s.running {
			s.periodic.Disable()
		}
	}
}

// SendEnabled reports whether Send is enabled.
func (s *SendBox) SendEnabled() bool { return !s.sendBtn.Disabled() }

// sendEntry is the multi-line editor: Ctrl+Enter sends, Ctrl+1…9 fire
// quick commands.
type sendEntry struct {
	widget.Entry
	box *SendBox
}

func newSendEntry(box *SendBox) *sendEntry {
	e := &sendEntry{box: box}
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapBreak
	e.TextStyle = fyne.TextStyle{Monospace: true}
	e.ExtendBaseWidget(e)
	return e
}

// TypedShortcut handles Ctrl+Enter and Ctrl+digit before the Entry does.
func (e *sendEntry) TypedShortcut(sc fyne.Shortcut) {
	if cs, ok := sc.(*desktop.CustomShortcut); ok && cs.Modifier == fyne.KeyModifierShortcutDefault {
		switch {
		case cs.KeyName == fyne.KeyReturn || cs.KeyName == fyne.KeyEnter:
			e.box.Send()
			return
		case len(cs.KeyName) == 1 && cs.KeyName[0] >= '1' && cs.KeyName[0] <= '9':
			if e.box.OnShortcut != nil {
				e.box.OnShortcut(int(cs.KeyName[0] - '0'))
			}
			return
		}
	}
	e.Entry.TypedShortcut(sc)
}

// newSelect is widget.NewSelect with its placeholder in the user's
// language: Fyne's own "(Select one)" is English only.
func newSelect(options []string, changed func(string)) *widget.Select {
	s := widget.NewSelect(options, changed)
	s.PlaceHolder = lang.L("(Select one)")
	return s
}

func sized(o fyne.CanvasObject, w float32) fyne.CanvasObject {
	return container.NewGridWrap(fyne.NewSize(w, o.MinSize().Height), o)
}

func layoutSpacer() fyne.CanvasObject { return container.NewHBox() }
