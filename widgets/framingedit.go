package widgets

import (
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/netdebug/netdebug/netcore/framing"
)

// FramingEditor lets the user choose how received bytes are split into
// messages: raw, delimiter, fixed length, length prefix or idle gap, with
// the parameters each needs. It reports valid configurations through
// OnChanged and shows what is wrong with invalid ones.
type FramingEditor struct {
	widget.BaseWidget

	// OnChanged receives every valid configuration the user makes.
	OnChanged func(framing.Config)

	cfg      framing.Config
	mode     *widget.Select
	delim    *widget.Entry
	fixed    *widget.Entry
	prefix   *widget.Select
	little   *widget.Check
	counted  *widget.Check
	gap      *widget.Entry
	errLabel *widget.Label
	params   *fyne.Container
}

func framingModeLabel(m framing.Mode) string {
	switch m {
	case framing.Delimiter:
		return lang.L("Delimiter")
	case framing.Fixed:
		return lang.L("Fixed length")
	case framing.LengthPrefix:
		return lang.L("Length prefix")
	case framing.IdleGap:
		return lang.L("Idle gap")
	}
	return lang.L("Raw (one per read)")
}

// NewFramingEditor starts in raw mode.
func NewFramingEditor() *FramingEditor {
	f := &FramingEditor{}
	f.ExtendBaseWidget(f)
	var labels []string
	for _, m := range framing.Modes() {
		labels = append(labels, framingModeLabel(m))
	}
	f.mode = newSelect(labels, func(string) { f.edited() })
	f.delim = widget.NewEntry()
	f.delim.SetText(`\n`)
	f.delim.SetPlaceHolder(lang.L(`\n, \r\n or hex 0D 0A`))
	f.delim.OnChanged = func(string) { f.edited() }
	f.fixed = widget.NewEntry()
	f.fixed.SetText("16")
	f.fixed.OnChanged = func(string) { f.edited() }
	f.prefix = newSelect([]string{"1", "2", "4"}, func(string) { f.edited() })
	f.prefix.SetSelected("2")
	f.little = widget.NewCheck(lang.L("Little-endian"), func(bool) { f.edited() })
	f.counted = widget.NewCheck(lang.L("Length includes header"), func(bool) { f.edited() })
	f.gap = widget.NewEntry()
	f.gap.SetText("50")
	f.gap.OnChanged = func(string) { f.edited() }
	f.errLabel = widget.NewLabel("")
	f.errLabel.Importance = widget.DangerImportance
	f.errLabel.Hide()
	f.params = container.NewHBox()
	f.mode.SetSelected(framingModeLabel(framing.Raw))
	return f
}

// CreateRenderer shows the mode, its parameters and any error on one row.
func (f *FramingEditor) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewHBox(widget.NewLabel(lang.L("Framing")), FitOptions(f.mode), f.params, f.errLabel))
}

// Config is the last valid configuration.
func (f *FramingEditor) Config() framing.Config { return f.cfg }

// SetConfig shows c without calling OnChanged.
func (f *FramingEditor) SetConfig(c framing.Config) {
	cb := f.OnChanged
	f.OnChanged = nil
	defer func() { f.OnChanged = cb }()
	if c.Mode == "" {
		c.Mode = framing.Raw
	}
	switch c.Mode {
	case framing.Delimiter:
		f.delim.SetText(delimiterText(c.Delimiter))
	case framing.Fixed:
		f.fixed.SetText(strconv.Itoa(c.FixedLen))
	case framing.LengthPrefix:
		f.prefix.SetSelected(strconv.Itoa(c.PrefixLen))
		f.little.SetChecked(c.LittleEndian)
		f.counted.SetChecked(c.IncludesHeader)
	case framing.IdleGap:
		f.gap.SetText(strconv.Itoa(int(c.Gap / time.Millisecond)))
	}
	f.mode.SetSelected(framingModeLabel(c.Mode))
	f.edited()
}

func delimiterText(d []byte) string {
	switch string(d) {
	case "\n":
		return `\n`
	case "\r\n":
		return `\r\n`
	case "\r":
		return `\r`
	}
	var parts []string
	for _, b := range d {
		parts = append(parts, strings.ToUpper(strconv.FormatUint(uint64(b)|0x100, 16)[1:]))
	}
	return strings.Join(parts, " ")
}

// edited rebuilds the parameter row and validates.
func (f *FramingEditor) edited() {
	if f.params == nil {
		return
	}
	var mode framing.Mode = framing.Raw
	for _, m := range framing.Modes() {
		if framingModeLabel(m) == f.mode.Selected {
			mode = m
		}
	}
	c := framing.Config{Mode: mode}
	var objs []fyne.CanvasObject
	var err error
	switch mode {
	case framing.Delimiter:
		objs = []fyne.CanvasObject{sized(f.delim, 120)}
		c.Delimiter, err = framing.ParseDelimiter(f.delim.Text)
	case framing.Fixed:
		objs = []fyne.CanvasObject{sized(f.fixed, 80), widget.NewLabel(lang.L("bytes"))}
		c.FixedLen, err = positive(f.fixed.Text, lang.L("fixed length"))
	case framing.LengthPrefix:
		objs = []fyne.CanvasObject{FitOptionsAtLeast(f.prefix, 70), widget.NewLabel(lang.L("byte header")), f.little, f.counted}
		c.PrefixLen, _ = strconv.Atoi(f.prefix.Selected)
		c.LittleEndian, c.IncludesHeader = f.little.Checked, f.counted.Checked
	case framing.IdleGap:
		objs = []fyne.CanvasObject{sized(f.gap, 80), widget.NewLabel("ms")}
		var ms int
		ms, err = positive(f.gap.Text, lang.L("idle gap"))
		c.Gap = time.Duration(ms) * time.Millisecond
	}
	f.params.Objects = objs
	f.params.Refresh()
	if err == nil {
		err = c.Validate()
	}
	if err != nil {
		f.errLabel.SetText(err.Error())
		f.errLabel.Show()
		return
	}
	f.errLabel.Hide()
	f.cfg = c
	if f.OnChanged != nil {
		f.OnChanged(c)
	}
}

// Error is the current validation error text, or "".
func (f *FramingEditor) Error() string {
	if f.errLabel.Visible() {
		return f.errLabel.Text
	}
	return ""
}

func positive(s, what string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 1 {
		return 0, errorf(lang.L("{{.What}} must be a whole number, 1 or more", map[string]any{"What": what}))
	}
	return n, nil
}

type textError string

func (e textError) Error() string { return string(e) }

func errorf(s string) error { return textError(s) }
