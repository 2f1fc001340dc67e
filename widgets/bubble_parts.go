package widgets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// tinyAction is a small tappable icon or caption-sized word: the bubble's
// copy and hex actions, smaller than a button so every message does not
// grow by a button's height.
type tinyAction struct {
	widget.BaseWidget
	icon    fyne.Resource
	text    string
	onTap   func()
	hovered bool
}

func newTinyAction(icon fyne.Resource, text string, onTap func()) *tinyAction {
	a := &tinyAction{icon: icon, text: text, onTap: onTap}
	a.ExtendBaseWidget(a)
	return a
}

func (a *tinyAction) Tapped(*fyne.PointEvent) {
	if a.onTap != nil {
		a.onTap()
	}
}

func (a *tinyAction) Cursor() desktop.Cursor { return desktop.PointerCursor }

func (a *tinyAction) MouseIn(*desktop.MouseEvent) {
	a.hovered = true
	a.Refresh()
}

func (a *tinyAction) MouseMoved(*desktop.MouseEvent) {}

func (a *tinyAction) MouseOut() {
	a.hovered = false
	a.Refresh()
}

func (a *tinyAction) CreateRenderer() fyne.WidgetRenderer {
	th := a.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	bg := canvas.NewRectangle(th.Color(theme.ColorNameHover, v))
	bg.CornerRadius = th.Size(theme.SizeNameInputRadius)
	var face fyne.CanvasObject
	size := th.Size(theme.SizeNameCaptionText)
	if a.icon != nil {
		img := canvas.NewImageFromResource(theme.NewDisabledResource(a.icon))
		img.FillMode = canvas.ImageFillContain
		img.SetMinSize(fyne.NewSquareSize(size + 2))
		face = img
	} else {
		t := canvas.NewText(a.text, th.Color(theme.ColorNameDisabled, v))
		t.TextSize = size - 1
		t.TextStyle = fyne.TextStyle{Monospace: true}
		face = t
	}
	pad := th.Size(theme.SizeNameInnerPadding) / 2
	r := &tinyActionRenderer{a: a, bg: bg, face: face, box: container.New(&padLayout{pad: pad}, bg, face)}
	r.Refresh()
	return r
}

type tinyActionRenderer struct {
	a    *tinyAction
	bg   *canvas.Rectangle
	face fyne.CanvasObject
	box  *fyne.Container
}

func (r *tinyActionRenderer) Destroy()                     {}
func (r *tinyActionRenderer) Layout(s fyne.Size)           { r.box.Resize(s) }
func (r *tinyActionRenderer) MinSize() fyne.Size           { return r.box.MinSize() }
func (r *tinyActionRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.box} }
func (r *tinyActionRenderer) Refresh() {
	if r.a.hovered {
		r.bg.Show()
	} else {
		r.bg.Hide()
	}
	r.bg.Refresh()
}

// padLayout gives the last object a margin and the others the full size.
type padLayout struct{ pad float32 }

func (l *padLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for i, o := range objs {
		if i == len(objs)-1 {
			m := o.MinSize()
			o.Resize(m)
			o.Move(fyne.NewPos((size.Width-m.Width)/2, (size.Height-m.Height)/2))
			continue
		}
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

func (l *padLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	return objs[len(objs)-1].MinSize().Add(fyne.NewSquareSize(2 * l.pad))
}
