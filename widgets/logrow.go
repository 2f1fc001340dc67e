package widgets

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
)

// A log row is four texts side by side: time, direction tag, peer and body.
// Plain canvas.Text keeps a refresh of the visible rows cheap.
func newLogRow() fyne.CanvasObject {
	mono := fyne.TextStyle{Monospace: true}
	when := canvasText(mono)
	when.Color = theme.Color(theme.ColorNameDisabled)
	tag := canvasText(mono)
	peer := canvasText(mono)
	peer.Color = theme.Color(theme.ColorNameDisabled)
	body := canvasText(mono)
	body.Text = "M" // gives the template row its height
	return &fyne.Container{Layout: rowLayout{}, Objects: []fyne.CanvasObject{when, tag, peer, body}}
}

func setRow(row *fyne.Container, when, tag, peer, body string, tagColor color.Color) {
	texts := row.Objects
	set := func(i int, s string, c color.Color) {
		t := texts[i].(*canvas.Text)
		if t.Text != s || t.Color != c {
			t.Text, t.Color = s, c
			t.Refresh()
		}
	}
	muted := theme.Color(theme.ColorNameDisabled)
	set(0, when, muted)
	set(1, tag, tagColor)
	set(2, peer, muted)
	set(3, body, theme.Color(theme.ColorNameForeground))
	row.Layout.Layout(row.Objects, row.Size())
}

// rowLayout places the texts left to right with a small gap, skipping empty
// ones, and lets the body run to the right edge (the list clips it).
type rowLayout struct{}

func (rowLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	gap := theme.Padding() * 2
	x := theme.Padding()
	for i, o := range objs {
		t := o.(*canvas.Text)
		if t.Text == "" {
			o.Resize(fyne.NewSize(0, 0))
			continue
		}
		ms := t.MinSize()
		w := ms.Width
		if i == len(objs)-1 {
			w = max(w, size.Width-x)
		}
		o.Move(fyne.NewPos(x, (size.Height-ms.Height)/2))
		o.Resize(fyne.NewSize(w, ms.Height))
		x += ms.Width + gap
	}
}

func (rowLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	h := float32(0)
	for _, o := range objs {
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(100, h)
}
