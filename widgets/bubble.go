package widgets

import (
	"image/color"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/netdebug/netdebug/netcore/codec"
)

// BubbleStatus is what a bubble says about delivery.
type BubbleStatus int

// The statuses a bubble shows.
const (
	BubbleReceived BubbleStatus = iota
	BubbleSending
	BubbleSent
	// BubbleFailed: not sent; the note says why and Retry is offered.
	BubbleFailed
	// BubbleUndelivered: sent, but the network said it could not be
	// delivered; the note says what came back and Retry is offered.
	BubbleUndelivered
)

// Retryable reports whether the bubble offers Retry.
func (s BubbleStatus) Retryable() bool { return s == BubbleFailed || s == BubbleUndelivered }

// ChatMessage is what a bubble shows. The widgets know nothing of sockets:
// the app fills these in from its chat engine.
type ChatMessage struct {
	ID int64
	// Rev changes whenever anything below changes (views cache heights).
	Rev  int
	Mine bool
	Time time.Time
	Nick string
	// Text is shown as is; bytes that could not be decoded are U+FFFD.
	Text string
	// Raw is the bytes on the wire, shown as hex on request.
	Raw []byte
	// Encoding names what Raw was decoded with.
	Encoding    string
	Status      BubbleStatus
	Note        string
	Undecodable bool
}

// chatNow is the clock bubbles compare times with (tests fix it).
var chatNow = time.Now

// bubbleTime shows the time of day, with the date when it is not today.
func bubbleTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	now := chatNow()
	if t.Year() == now.Year() && t.YearDay() == now.YearDay() {
		return t.Format("15:04:05")
	}
	return t.Format("2006-01-02 15:04")
}

// Bubble shows one chat message: ours on the right, theirs on the left,
// with nickname and time, text that wraps and can be selected, the raw
// bytes as hex on request, and for a message that did not go out the
// reason and a Retry button.
//
// A Bubble takes the whole width of its row and draws the message in at
// most three quarters of it (and never wider than the text needs).
type Bubble struct {
	widget.BaseWidget

	// OnRetry is called when the user asks to send a failed message again.
	OnRetry func(ChatMessage)
	// OnToggleHex is called after the hex view is shown or hidden (a list
	// uses it to re-measure the row).
	OnToggleHex func(ChatMessage, bool)
	// OnCopied is called with text the copy action put on the clipboard.
	OnCopied func(string)

	msg     ChatMessage
	showHex bool

	bg       *canvas.Rectangle
	header   *widget.Label
	text     *widget.Label
	hex      *widget.Label
	note     *widget.Label
	retry    *widget.Button
	copyBtn  *tinyAction
	hexBtn   *tinyAction
	footer   *fyne.Container
	content  *fyne.Container
	naturalW float32 // width the text needs on one line, with padding
}

// NewBubble returns a bubble showing m.
func NewBubble(m ChatMessage) *Bubble {
	b := &Bubble{}
	b.ExtendBaseWidget(b)
	b.bg = canvas.NewRectangle(color.Transparent)
	b.header = &widget.Label{SizeName: theme.SizeNameCaptionText, Importance: widget.LowImportance}
	b.text = &widget.Label{Wrapping: fyne.TextWrapWord, Selectable: true}
	b.hex = &widget.Label{Wrapping: fyne.TextWrapWord, Selectable: true, TextStyle: fyne.TextStyle{Monospace: true}, SizeName: theme.SizeNameCaptionText}
	b.note = &widget.Label{Wrapping: fyne.TextWrapWord, SizeName: theme.SizeNameCaptionText}
	b.retry = widget.NewButtonWithIcon(lang.L("Retry"), theme.ViewRefreshIcon(), func() {
		if b.OnRetry != nil {
			b.OnRetry(b.msg)
		}
	})
	b.retry.Importance = widget.LowImportance
	b.copyBtn = newTinyAction(theme.ContentCopyIcon(), "", b.copyText)
	b.hexBtn = newTinyAction(nil, "HEX", func() { b.SetShowHex(!b.showHex) })
	for _, l := range []*widget.Label{b.header, b.text, b.hex, b.note} {
		l.ExtendBaseWidget(l)
	}
	top := container.NewBorder(nil, nil, nil, container.NewHBox(b.hexBtn, b.copyBtn), b.header)
	b.footer = container.NewBorder(nil, nil, nil, b.retry, b.note)
	b.content = container.New(&tightVBox{overlap: b.Theme().Size(theme.SizeNameInnerPadding) / 2}, top, b.text, b.hex, b.footer)
	b.SetMessage(m)
	return b
}

// Message returns what the bubble shows.
func (b *Bubble) Message() ChatMessage { return b.msg }

// ShowsHex reports whether the hex view is open.
func (b *Bubble) ShowsHex() bool { return b.showHex }

// SetMessage shows m (the hex view stays as it was).
func (b *Bubble) SetMessage(m ChatMessage) {
	b.msg = m
	b.sync()
	b.relayout()
}

// SetShowHex opens or closes the raw bytes.
func (b *Bubble) SetShowHex(on bool) {
	if on == b.showHex {
		return
	}
	b.showHex = on
	b.sync()
	b.relayout()
	if b.OnToggleHex != nil {
		b.OnToggleHex(b.msg, on)
	}
}

// setState shows m with the hex view as given, without callbacks, and
// reports whether anything changed (lists recycling bubbles).
func (b *Bubble) setState(m ChatMessage, hex bool) bool {
	// Nick is compared too: the sender's name may be learned after the
	// message came, without the message changing.
	if m.ID == b.msg.ID && m.Rev == b.msg.Rev && hex == b.showHex && m.Time.Equal(b.msg.Time) && m.Text == b.msg.Text && m.Nick == b.msg.Nick {
		return false
	}
	b.msg, b.showHex = m, hex
	b.sync()
	b.relayout()
	return true
}

// relayout places the parts again after their content changed at the
// same size, and asks for a repaint.
func (b *Bubble) relayout() {
	if b.Size().IsZero() {
		return
	}
	(&bubbleLayout{b: b}).Layout([]fyne.CanvasObject{b.bg, b.content}, b.Size())
	canvas.Refresh(b)
}

func (b *Bubble) copyText() {
	text := b.msg.Text
	if b.showHex {
		text = codec.FormatHex(b.msg.Raw)
	}
	if app := fyne.CurrentApp(); app != nil {
		app.Clipboard().SetContent(text)
	}
	if b.OnCopied != nil {
		b.OnCopied(text)
	}
}

// bubbleParts is what a bubble shows for a message, as text.
type bubbleParts struct {
	header     string
	text       string
	emptyText  bool
	hex        string // "" when the hex view is closed
	note       string
	noteImp    widget.Importance
	retry      bool
	showFooter bool
}

func partsOf(m ChatMessage, showHex bool) bubbleParts {
	var p bubbleParts
	who := m.Nick
	if who == "" && m.Mine {
		who = lang.L("Me")
	}
	p.header = bubbleTime(m.Time)
	if who != "" {
		p.header = who + " · " + p.header
	}
	p.text = m.Text
	if m.Text == "" {
		p.text, p.emptyText = lang.L("(empty message)"), true
	}
	if showHex {
		enc := m.Encoding
		if enc == "" {
			enc = "?"
		}
		p.hex = lang.L("{{.Count}} bytes", map[string]any{"Count": len(m.Raw)}) + " (" + enc + "): " + codec.FormatHex(m.Raw)
	}
	p.noteImp = widget.LowImportance
	switch m.Status {
	case BubbleSending:
		p.note = lang.L("sending…")
	case BubbleFailed:
		p.note, p.noteImp = lang.L("Not sent")+": "+m.Note, widget.DangerImportance
	case BubbleUndelivered:
		p.note, p.noteImp = lang.L("Not delivered")+": "+m.Note, widget.DangerImportance
	}
	if m.Undecodable {
		extra := lang.L("Some bytes are not valid {{.Encoding}} (shown as �): try another encoding, or HEX for the bytes", map[string]any{"Encoding": m.Encoding})
		if p.note != "" {
			p.note += "\n" + extra
		} else {
			p.note, p.noteImp = extra, widget.WarningImportance
		}
	}
	p.retry = m.Status.Retryable()
	p.showFooter = p.note != "" || p.retry
	return p
}

// setLabel changes a label, refreshing it only when something changed
// (a refresh shapes the text again, which is what costs).
func setLabel(l *widget.Label, text string, style fyne.TextStyle, imp widget.Importance) {
	if l.Text == text && l.TextStyle == style && l.Importance == imp {
		return
	}
	l.Text, l.TextStyle, l.Importance = text, style, imp
	l.Refresh()
}

func setVisible(o fyne.CanvasObject, on bool) {
	if on && !o.Visible() {
		o.Show()
	} else if !on && o.Visible() {
		o.Hide()
	}
}

// sync puts the message into the parts.
func (b *Bubble) sync() {
	p := partsOf(b.msg, b.showHex)
	// The faint colour disappears on our tinted bubbles.
	headerImp := widget.LowImportance
	if b.msg.Mine {
		headerImp = widget.MediumImportance
	}
	setLabel(b.header, p.header, fyne.TextStyle{}, headerImp)
	textStyle, textImp := fyne.TextStyle{}, widget.MediumImportance
	if p.emptyText {
		textStyle, textImp = fyne.TextStyle{Italic: true}, widget.LowImportance
	}
	setLabel(b.text, p.text, textStyle, textImp)
	if p.hex != "" {
		setLabel(b.hex, p.hex, fyne.TextStyle{Monospace: true}, widget.MediumImportance)
	}
	setVisible(b.hex, p.hex != "")
	setLabel(b.note, p.note, fyne.TextStyle{}, p.noteImp)
	setVisible(b.retry, p.retry)
	setVisible(b.footer, p.showFooter)
	b.syncColors()
	b.naturalW = b.measureNatural()
}

// measureNatural is the width the bubble needs to show every line of its
// text (and its header and note) without wrapping.
func (b *Bubble) measureNatural() float32 {
	th := b.Theme()
	pad := th.Size(theme.SizeNameInnerPadding)
	textSize := th.Size(theme.SizeNameText)
	w := float32(0)
	for _, line := range strings.Split(b.text.Text, "\n") {
		w = max(w, fyne.MeasureText(line, textSize, b.text.TextStyle).Width)
	}
	w += 2 * pad
	capSize := th.Size(theme.SizeNameCaptionText)
	gap := th.Size(theme.SizeNamePadding)
	hw := fyne.MeasureText(b.header.Text, capSize, fyne.TextStyle{}).Width + 2*pad + 2*gap + 2 + b.hexBtn.MinSize().Width + b.copyBtn.MinSize().Width
	w = max(w, hw)
	if b.footer.Visible() {
		nw := float32(0)
		for _, line := range strings.Split(b.note.Text, "\n") {
			nw = max(nw, fyne.MeasureText(line, capSize, fyne.TextStyle{}).Width)
		}
		nw += 2 * pad
		if b.retry.Visible() {
			nw += b.retry.MinSize().Width + gap
		}
		w = max(w, nw)
	}
	if b.showHex {
		w = max(w, 360)
	}
	return w + 2*bubblePad(th)
}

func bubblePad(th fyne.Theme) float32 { return th.Size(theme.SizeNamePadding) }

// bubbleWidth is how wide the drawn bubble is in a row of rowWidth.
func (b *Bubble) bubbleWidth(rowWidth float32) float32 {
	return min(b.naturalW, bubbleMaxWidth(rowWidth, bubblePad(b.Theme())))
}

// bubbleMaxWidth is the widest a bubble gets in a row: three quarters of
// it, at least 240 (when the row has room), at most 640, and never into
// the row's side margins.
func bubbleMaxWidth(rowWidth, margin float32) float32 {
	return min(max(rowWidth*0.75, min(rowWidth, 240)), 640, rowWidth-2*margin)
}

// HeightFor is the row height the bubble needs at rowWidth. It lays the
// parts out at that width, so call it on the UI goroutine.
func (b *Bubble) HeightFor(rowWidth float32) float32 {
	th := b.Theme()
	p := bubblePad(th)
	inner := b.bubbleWidth(rowWidth) - 2*p
	b.content.Layout.Layout(b.content.Objects, fyne.NewSize(inner, 0))
	return b.content.MinSize().Height + 2*p + rowGap(th)
}

func rowGap(th fyne.Theme) float32 { return th.Size(theme.SizeNamePadding) }

// syncColors colours the bubble: ours tinted with the primary colour,
// theirs like an input field, a red edge on a message that did not go out.
func (b *Bubble) syncColors() {
	th := b.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	if b.msg.Mine {
		c := th.Color(theme.ColorNamePrimary, v)
		r, g, bl, _ := c.RGBA()
		b.bg.FillColor = color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(bl >> 8), A: 0x38}
	} else {
		b.bg.FillColor = th.Color(theme.ColorNameInputBackground, v)
	}
	b.bg.StrokeWidth, b.bg.StrokeColor = 0, color.Transparent
	if b.msg.Status.Retryable() {
		b.bg.StrokeColor = th.Color(theme.ColorNameError, v)
		b.bg.StrokeWidth = 1.5
	}
	b.bg.CornerRadius = th.Size(theme.SizeNameInputRadius) * 2
	canvas.Refresh(b.bg)
}

// Refresh redraws everything (after a theme change).
func (b *Bubble) Refresh() {
	b.syncColors()
	for _, l := range []*widget.Label{b.header, b.text, b.hex, b.note} {
		l.Refresh()
	}
	b.naturalW = b.measureNatural()
	b.BaseWidget.Refresh()
}

// CreateRenderer draws the rectangle behind the content, placed by
// bubbleLayout.
func (b *Bubble) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.New(&bubbleLayout{b: b}, b.bg, b.content))
}
