package widgets

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

func block(w, h float32) *canvas.Rectangle {
	r := canvas.NewRectangle(nil)
	r.SetMinSize(fyne.NewSize(w, h))
	return r
}

func TestWrapRowWrapsWhenNarrow(t *testing.T) {
	test.NewTempApp(t)
	lead, fill := block(300, 30), block(200, 30)
	row := NewWrapRow(lead, fill)
	if m := row.MinSize(); m.Width != 300 {
		t.Errorf("min width %v: want the wider part's, 300", m.Width)
	}
	row.Resize(fyne.NewSize(600, 30))
	if fill.Position().Y != 0 || fill.Size().Width < 200 {
		t.Errorf("wide: fill at %v size %v, want beside the leading part", fill.Position(), fill.Size())
	}
	if row.MinSize().Height != 30 {
		t.Errorf("wide: min height %v, want one row", row.MinSize().Height)
	}
	row.Resize(fyne.NewSize(400, 30))
	if fill.Position().Y <= 0 || fill.Size().Width != 400 {
		t.Errorf("narrow: fill at %v size %v, want a second row at full width", fill.Position(), fill.Size())
	}
	if h := WrapHeight(row, 400); h <= 60 {
		t.Errorf("narrow: needs %v high, want two rows", h)
	}
	if h := WrapHeight(row, 600); h != 30 {
		t.Errorf("wide: needs %v high, want one row", h)
	}
	// In a column the second row comes out of the center's room.
	center := block(10, 10)
	col := NewWrapColumn(row, block(10, 20), center)
	col.Resize(fyne.NewSize(400, 300))
	if fill.Size().Width != 400 || center.Position().Y < 60 {
		t.Errorf("column: fill %v, center at %v", fill.Size(), center.Position())
	}
	fill.Hide()
	if h := WrapHeight(row, 400); h != 30 {
		t.Errorf("fill hidden: needs %v", h)
	}
}

func TestCappedScrollAndMinWidth(t *testing.T) {
	test.NewTempApp(t)
	c := CappedScroll(block(100, 300), 90)
	if m := c.MinSize(); m.Height != 90 || m.Width != 100 {
		t.Errorf("capped min %v, want 100x90", m)
	}
	if m := CappedScroll(block(100, 40), 90).MinSize(); m.Height != 40 {
		t.Errorf("short content min %v, want its own 40", m)
	}
	e := widget.NewEntry()
	if w := MinWidth(e, 160).MinSize().Width; w < 160 {
		t.Errorf("MinWidth gave %v", w)
	}
}

func TestSendSplitDefaultAndDrag(t *testing.T) {
	test.NewTempApp(t)
	upper, lower := block(100, 100), block(100, 200)
	s := NewSendSplit(upper, lower)
	w := test.NewTempWindow(t, s.Content())
	w.SetPadded(false)
	// Tall: the send area is shown whole.
	w.Resize(fyne.NewSize(400, 800))
	if h := s.Split.Trailing.Size().Height; h < 199 {
		t.Errorf("tall: send area %v px, want its 200", h)
	}
	// Short: the log keeps LogRoom beyond its minimum; the send area scrolls.
	w.Resize(fyne.NewSize(400, 400))
	if h := s.Split.Leading.Size().Height; h < 100+LogRoom-10 {
		t.Errorf("short: log %v px, want about %v", h, 100+LogRoom)
	}
	if h := s.Split.Trailing.Size().Height; h < SendRoom-10 {
		t.Errorf("short: send area %v px, want at least about %v", h, SendRoom)
	}
	// A divider the user moved stays where it is.
	s.Split.SetOffset(0.3)
	w.Resize(fyne.NewSize(400, 500))
	if s.Split.Offset != 0.3 {
		t.Errorf("offset %v after a drag and a resize, want 0.3", s.Split.Offset)
	}
}

func TestTopSplitScrollsTheControls(t *testing.T) {
	test.NewTempApp(t)
	controls, body := block(100, 400), block(100, 50)
	s := NewTopSplit(controls, body, 60)
	w := test.NewTempWindow(t, container.NewStack(s.Content()))
	w.SetPadded(false)
	if m := s.Content().MinSize(); m.Height >= 400 {
		t.Errorf("min height %v: the controls should scroll", m.Height)
	}
	w.Resize(fyne.NewSize(400, 300))
	if h := s.Split.Trailing.Size().Height; h < 50+60-10 {
		t.Errorf("body %v px, want its 50 and about 60 more", h)
	}
	w.Resize(fyne.NewSize(400, 900))
	if h := s.Split.Leading.Size().Height; h < 399 {
		t.Errorf("tall: controls %v px, want their 400", h)
	}
}
