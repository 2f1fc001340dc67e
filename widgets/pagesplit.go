package widgets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
)

// CappedScroll shows content at its full height up to maxHeight and
// scrolls it beyond that, so a long block of options cannot push what
// is under it out of a small window.
func CappedScroll(content fyne.CanvasObject, maxHeight float32) *fyne.Container {
	return container.New(cappedLayout{content: content, max: maxHeight}, container.NewVScroll(content))
}

type cappedLayout struct {
	content fyne.CanvasObject
	max     float32
}

func (c cappedLayout) MinSize([]fyne.CanvasObject) fyne.Size {
	m := c.content.MinSize()
	return fyne.NewSize(m.Width, min(m.Height, c.max))
}

func (c cappedLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objects {
		o.Move(fyne.Position{})
		o.Resize(size)
	}
}

// SendSplit is a page's log (upper) above its send area (lower), with a
// divider the user can drag. The send area scrolls when it gets less
// than its height. Until the user drags the divider, each layout places
// it so that the send area is shown whole when that leaves the log
// LogRoom beyond its own minimum, and otherwise the log keeps LogRoom
// and the send area at least SendRoom.
type SendSplit struct {
	Split *container.Split
	box   *fyne.Container
	lower fyne.CanvasObject
	upper fyne.CanvasObject // set when the upper part is the one that scrolls
	room  float32           // the body's room beyond its minimum (NewTopSplit)
	set   float64           // the offset the last layout chose; 0 before the first
	moved bool              // the user dragged the divider: leave it where it is
}

// Room the default divider position keeps for the log's rows and for the
// send area (its options row and some of the text).
const (
	LogRoom  = 80
	SendRoom = 120
)

// NewSendSplit puts upper above lower.
func NewSendSplit(upper, lower fyne.CanvasObject) *SendSplit {
	s := &SendSplit{lower: lower}
	s.Split = container.NewVSplit(upper, container.NewVScroll(lower))
	s.box = container.New(s, s.Split)
	return s
}

// NewTopSplit puts controls (scrolling when short of room) above body, a
// list that needs rows: controls are shown whole when that leaves body
// room beyond its minimum, and otherwise get at least SendRoom.
func NewTopSplit(controls, body fyne.CanvasObject, room float32) *SendSplit {
	s := &SendSplit{upper: controls, room: room}
	s.Split = container.NewVSplit(container.NewVScroll(controls), body)
	s.box = container.New(s, s.Split)
	return s
}

// Content is what the page places.
func (s *SendSplit) Content() fyne.CanvasObject { return s.box }

// MinSize is the split's: the log's minimum and a small send area.
func (s *SendSplit) MinSize([]fyne.CanvasObject) fyne.Size { return s.Split.MinSize() }

// Layout places the divider (see SendSplit) and the split.
func (s *SendSplit) Layout(_ []fyne.CanvasObject, size fyne.Size) {
	if s.set != 0 && s.Split.Offset != s.set {
		s.moved = true
	}
	moved := false
	if !s.moved && size.Height > 0 {
		s.set = s.defaultOffset(size.Height)
		moved = s.Split.Offset != s.set
		s.Split.Offset = s.set
	}
	s.Split.Move(fyne.Position{})
	if s.Split.Size() != size {
		s.Split.Resize(size)
	} else if moved {
		// Same size, new divider place: only a refresh lays it out again
		// (and it redraws both sides, so not on every layout).
		s.Split.Refresh()
	}
}

func (s *SendSplit) defaultOffset(h float32) float64 {
	// The split shares out its height less the divider.
	h -= 2 * theme.Padding()
	if h <= 0 {
		return 0.5
	}
	if s.upper != nil {
		bodyMin := s.Split.Trailing.MinSize().Height
		top := min(s.upper.MinSize().Height, max(h-bodyMin-s.room, SendRoom))
		top = max(0, min(top, h-bodyMin))
		return float64(top / h)
	}
	upperMin := s.Split.Leading.MinSize().Height
	want := s.lower.MinSize().Height
	lower := min(want, max(h-upperMin-LogRoom, SendRoom))
	lower = max(0, min(lower, h-upperMin))
	return float64((h - lower) / h)
}

// MinWidth gives o a minimum width (an entry that must stay usable
// beside controls that would squeeze it).
func MinWidth(o fyne.CanvasObject, width float32) *fyne.Container {
	return container.New(minWidthLayout{o, width}, o)
}

type minWidthLayout struct {
	o     fyne.CanvasObject
	width float32
}

func (m minWidthLayout) MinSize([]fyne.CanvasObject) fyne.Size {
	s := m.o.MinSize()
	return fyne.NewSize(max(s.Width, m.width), s.Height)
}

func (m minWidthLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	cappedLayout{}.Layout(objects, size)
}
