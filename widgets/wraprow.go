package widgets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
)

// NewWrapRow lays out leading at its minimum width with fill beside it
// taking the rest of the row. When the row is narrower than both need,
// fill moves to a second row at the full width, so neither is squeezed
// below its minimum (a toolbar beside an open panel, a status line in a
// small window). Its MinSize is one row as narrow as the wider part; a
// parent that gives it less width than one row must ask WrapHeight for
// the height it then needs (the log view's column does).
func NewWrapRow(leading, fill fyne.CanvasObject) *fyne.Container {
	return container.New(&wrapRow{leading: leading, fill: fill}, leading, fill)
}

// WrapHeight is the height o needs at width: two rows for a wrap row too
// narrow for one, else o's minimum height.
func WrapHeight(o fyne.CanvasObject, width float32) float32 {
	if c, ok := o.(*fyne.Container); ok {
		if w, ok := c.Layout.(*wrapRow); ok && c.Visible() {
			return w.heightFor(width)
		}
		if w, ok := c.Layout.(*wrapColumn); ok && c.Visible() {
			return w.heightFor(width)
		}
	}
	if !o.Visible() {
		return 0
	}
	return o.MinSize().Height
}

type wrapRow struct {
	leading, fill fyne.CanvasObject
}

func visibleMin(o fyne.CanvasObject) fyne.Size {
	if !o.Visible() {
		return fyne.Size{}
	}
	return o.MinSize()
}

func (w *wrapRow) oneRow(width float32) bool {
	l, f := visibleMin(w.leading), visibleMin(w.fill)
	return l.IsZero() || f.IsZero() || l.Width+theme.Padding()+f.Width <= width
}

func (w *wrapRow) heightFor(width float32) float32 {
	l, f := visibleMin(w.leading), visibleMin(w.fill)
	if w.oneRow(width) {
		return max(l.Height, f.Height)
	}
	return l.Height + theme.Padding() + f.Height
}

func (w *wrapRow) MinSize([]fyne.CanvasObject) fyne.Size {
	l, f := visibleMin(w.leading), visibleMin(w.fill)
	// As narrow as the wider part: a parent that gives less width than
	// one row makes the row wrap rather than overflow.
	return fyne.NewSize(max(l.Width, f.Width), max(l.Height, f.Height))
}

func (w *wrapRow) Layout(_ []fyne.CanvasObject, size fyne.Size) {
	l, f := visibleMin(w.leading), visibleMin(w.fill)
	pad := theme.Padding()
	w.leading.Move(fyne.Position{})
	if w.oneRow(size.Width) {
		w.leading.Resize(fyne.NewSize(l.Width, size.Height))
		x := l.Width + pad
		if l.IsZero() {
			x = 0
		}
		w.fill.Move(fyne.NewPos(x, 0))
		w.fill.Resize(fyne.NewSize(size.Width-x, size.Height))
		return
	}
	w.leading.Resize(fyne.NewSize(size.Width, l.Height))
	w.fill.Move(fyne.NewPos(0, l.Height+pad))
	w.fill.Resize(fyne.NewSize(size.Width, f.Height))
}

// wrapColumn is a Border with top and bottom only, whose top and bottom
// may be wrap rows: they get the height they need at the column's width,
// taken from the center.
type wrapColumn struct {
	top, bottom, center fyne.CanvasObject
}

// NewWrapColumn puts center between top and bottom.
func NewWrapColumn(top, bottom, center fyne.CanvasObject) *fyne.Container {
	return container.New(&wrapColumn{top, bottom, center}, top, bottom, center)
}

func (c *wrapColumn) MinSize([]fyne.CanvasObject) fyne.Size {
	var w, h float32
	pad := theme.Padding()
	for _, o := range []fyne.CanvasObject{c.top, c.center, c.bottom} {
		if m := visibleMin(o); !m.IsZero() {
			w = max(w, m.Width)
			if h > 0 {
				h += pad
			}
			h += m.Height
		}
	}
	return fyne.NewSize(w, h)
}

func (c *wrapColumn) heightFor(width float32) float32 {
	var h float32
	for _, part := range []float32{WrapHeight(c.top, width), visibleMin(c.center).Height, WrapHeight(c.bottom, width)} {
		if part > 0 {
			if h > 0 {
				h += theme.Padding()
			}
			h += part
		}
	}
	return h
}

func (c *wrapColumn) Layout(_ []fyne.CanvasObject, size fyne.Size) {
	pad := theme.Padding()
	th, bh := WrapHeight(c.top, size.Width), WrapHeight(c.bottom, size.Width)
	c.top.Move(fyne.Position{})
	c.top.Resize(fyne.NewSize(size.Width, th))
	c.bottom.Move(fyne.NewPos(0, size.Height-bh))
	c.bottom.Resize(fyne.NewSize(size.Width, bh))
	y := float32(0)
	if th > 0 {
		y = th + pad
	}
	end := size.Height
	if bh > 0 {
		end -= bh + pad
	}
	c.center.Move(fyne.NewPos(0, y))
	c.center.Resize(fyne.NewSize(size.Width, max(0, end-y)))
}
