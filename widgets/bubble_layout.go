package widgets

import (
	"fyne.io/fyne/v2"
)

// bubbleLayout puts the bubble at the right (ours) or left (theirs) of the
// row.
type bubbleLayout struct{ b *Bubble }

func (l *bubbleLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	th := l.b.Theme()
	p := bubblePad(th)
	w := l.b.bubbleWidth(size.Width)
	h := size.Height - rowGap(th)
	x := p
	if l.b.msg.Mine {
		x = size.Width - w - p
	}
	objs[0].Move(fyne.NewPos(x, 0))
	objs[0].Resize(fyne.NewSize(w, h))
	objs[1].Move(fyne.NewPos(x+p, p))
	objs[1].Resize(fyne.NewSize(w-2*p, h-2*p))
}

func (l *bubbleLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	th := l.b.Theme()
	p := bubblePad(th)
	m := objs[1].MinSize()
	return fyne.NewSize(m.Width+2*p, m.Height+2*p+rowGap(th))
}

// tightVBox stacks visible objects, overlapping them a little: each label
// brings its own padding, and two of them stacked leave more space than a
// message needs.
type tightVBox struct{ overlap float32 }

// Layout gives each object the width first, so wrapped text knows its
// height, then stacks them.
func (l *tightVBox) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	y := float32(0)
	for _, o := range objs {
		if !o.Visible() {
			continue
		}
		if y > 0 {
			y -= l.overlap
		}
		o.Resize(fyne.NewSize(size.Width, max(o.Size().Height, 1)))
		if c, ok := o.(*fyne.Container); ok && c.Layout != nil {
			c.Layout.Layout(c.Objects, c.Size())
		}
		h := o.MinSize().Height
		o.Move(fyne.NewPos(0, y))
		o.Resize(fyne.NewSize(size.Width, h))
		y += h
	}
}

func (l *tightVBox) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		if !o.Visible() {
			continue
		}
		if s.Height > 0 {
			s.Height -= l.overlap
		}
		m := o.MinSize()
		s.Width = max(s.Width, m.Width)
		s.Height += m.Height
	}
	return s
}

var _ fyne.Layout = (*tightVBox)(nil)
