package widgets

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// shownTexts is every canvas.Text drawn inside o.
func shownTexts(o fyne.CanvasObject) []string {
	var out []string
	switch c := o.(type) {
	case *canvas.Text:
		out = append(out, c.Text)
	case *fyne.Container:
		for _, ch := range c.Objects {
			out = append(out, shownTexts(ch)...)
		}
	case fyne.Widget:
		for _, ch := range test.WidgetRenderer(c).Objects() {
			out = append(out, shownTexts(ch)...)
		}
	}
	return out
}

func TestFitOptionsShowsTheWidestOption(t *testing.T) {
	a := test.NewTempApp(t)
	a.Settings().SetTheme(NewTheme(theme.DefaultTheme()))
	for _, opt := range []string{"Raw (one per read)", "Follow the system", "跟随系统设置"} {
		s := widget.NewSelect([]string{"A", opt}, nil)
		s.PlaceHolder = "(Select one)"
		s.SetSelected(opt)
		// At their minimum width in a row, as in the framing editor.
		for name, o := range map[string]fyne.CanvasObject{"FitOptions": FitOptions(s), "FitOptionsAtLeast": FitOptionsAtLeast(s, 40)} {
			row := container.NewHBox(o)
			w := test.NewTempWindow(t, row)
			w.SetPadded(false)
			w.Resize(row.MinSize())
			shown := strings.Join(shownTexts(s), "")
			if shown != opt {
				t.Errorf("%s: %q shows %q", name, opt, shown)
			}
		}
	}
	// Without it the select is as wide as its placeholder: the test above
	// can see the fault.
	s := widget.NewSelect([]string{"Raw (one per read)"}, nil)
	s.PlaceHolder = "(Select one)"
	s.SetSelected("Raw (one per read)")
	row := container.NewHBox(s)
	w := test.NewTempWindow(t, row)
	w.SetPadded(false)
	w.Resize(row.MinSize())
	if got := strings.Join(shownTexts(s), ""); got == "Raw (one per read)" {
		t.Log("Fyne now sizes a select by its options; FitOptions may be unneeded")
	} else if !strings.HasSuffix(got, "…") {
		t.Errorf("a bare select shows %q; expected it cut short", got)
	}
}

func TestFitOptionsFollowsOptionsAndHides(t *testing.T) {
	test.NewTempApp(t)
	s := widget.NewSelect([]string{"a"}, nil)
	c := FitOptionsAtLeast(s, 30)
	narrow := c.MinSize().Width
	if narrow < 30 {
		t.Errorf("min width %v below the floor 30", narrow)
	}
	s.Options = append(s.Options, "a much longer option than before")
	if c.MinSize().Width <= narrow {
		t.Errorf("min width %v did not grow with a longer option", c.MinSize().Width)
	}
	s.Hide()
	if !c.MinSize().IsZero() {
		t.Errorf("hidden select still asks for %v", c.MinSize())
	}
}
