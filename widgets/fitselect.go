package widgets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// FitOptions returns s in a container at least as wide as s needs to show
// its widest option in full. Fyne sizes a Select by its placeholder alone,
// so "Raw (one per read)" is cut to "Raw (one p…" wherever the select is
// placed at its minimum size. The width follows s.Options when they
// change (call Refresh on the container, or on anything holding it).
func FitOptions(s *widget.Select) *fyne.Container {
	return container.New(fitOptions{s: s}, s)
}

// FitOptionsAtLeast is FitOptions no narrower than width: a row of
// controls keeps its look, and a longer option (or language) widens it.
func FitOptionsAtLeast(s *widget.Select, width float32) *fyne.Container {
	return container.New(fitOptions{s: s, width: width}, s)
}

// OptionsWidth is the width s needs to show each of its options and its
// placeholder without truncation.
func OptionsWidth(s *widget.Select) float32 {
	th := s.Theme()
	pad := th.Size(theme.SizeNamePadding)
	innerPad := th.Size(theme.SizeNameInnerPadding)
	icon := th.Size(theme.SizeNameInlineIcon)
	text := th.Size(theme.SizeNameText)
	var widest float32
	for _, o := range append([]string{s.PlaceHolder, s.Selected}, s.Options...) {
		widest = max(widest, fyne.MeasureText(o, text, fyne.TextStyle{}).Width)
	}
	// The select's renderer gives its label the width less the icon, the
	// icon's inner padding and one padding; the label insets its text by
	// a padding each side. One more pixel keeps rounding from truncating.
	return widest + 3*pad + innerPad + icon + 1
}

type fitOptions struct {
	s     *widget.Select
	width float32
}

func (f fitOptions) MinSize([]fyne.CanvasObject) fyne.Size {
	if !f.s.Visible() {
		return fyne.Size{}
	}
	m := f.s.MinSize()
	return fyne.NewSize(max(m.Width, f.width, OptionsWidth(f.s)), m.Height)
}

func (f fitOptions) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objects {
		o.Move(fyne.Position{})
		o.Resize(size)
	}
}
