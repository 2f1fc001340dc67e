package widgets

import (
	"sort"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// ChatView shows a conversation as bubbles in a virtualised column: only
// the bubbles on screen exist (a small pool is recycled as the user
// scrolls), and row heights are measured once per message, revision and
// bubble width, so ten thousand messages scroll as smoothly as ten.
//
// It follows new messages while the user is at the bottom, and stays put
// while they read further up.
type ChatView struct {
	widget.BaseWidget

	// OnRetry is called when the user asks to resend a failed message.
	OnRetry func(ChatMessage)
	// OnCopied is called with text a bubble's copy action put on the
	// clipboard.
	OnCopied func(string)

	msgs    []ChatMessage
	hexOpen map[int64]bool
	heights []float32
	offsets []float32 // offsets[i] is the top of row i; offsets[n] the total
	cache   map[int64]rowHeight
	cacheW  float32 // bubble width limit the heights were measured for

	scroll      *container.Scroll
	content     *fyne.Container
	placeholder *widget.Label
	pool        []*Bubble
	shown       map[int64]*Bubble
	measurer    *Bubble
	metrics     *bubbleMetrics
	placing     bool
}

type rowHeight struct {
	rev   int
	hex   bool
	w     float32
	h     float32
	exact bool // measured on a real bubble, not estimated
}

// NewChatView returns an empty conversation view showing placeholder.
func NewChatView(placeholder string) *ChatView {
	v := &ChatView{hexOpen: map[int64]bool{}, cache: map[int64]rowHeight{}, shown: map[int64]*Bubble{}}
	v.ExtendBaseWidget(v)
	v.content = container.New(&chatLayout{v: v})
	v.scroll = container.NewVScroll(v.content)
	v.scroll.OnScrolled = func(fyne.Position) { v.place() }
	v.placeholder = widget.NewLabel(placeholder)
	v.placeholder.Alignment = fyne.TextAlignCenter
	v.placeholder.Importance = widget.LowImportance
	// Wrapping keeps a long hint from setting the view's minimum width.
	v.placeholder.Wrapping = fyne.TextWrapWord
	v.measurer = NewBubble(ChatMessage{})
	v.offsets = []float32{0}
	return v
}

// SetPlaceholder changes the text shown when there are no messages.
func (v *ChatView) SetPlaceholder(s string) { v.placeholder.SetText(s) }

// Messages returns what the view shows.
func (v *ChatView) Messages() []ChatMessage { return v.msgs }

// SetMessages replaces the messages (oldest first). Heights of messages
// seen before with the same Rev are reused. If the view was at the bottom
// it scrolls to the new bottom.
func (v *ChatView) SetMessages(msgs []ChatMessage) {
	follow := v.AtBottom()
	v.msgs = msgs
	v.measure()
	if len(msgs) == 0 {
		v.placeholder.Show()
	} else {
		v.placeholder.Hide()
	}
	v.scroll.Refresh()
	if follow {
		v.ScrollToBottom()
	} else {
		v.place()
	}
}

// ScrollToBottom shows the newest message.
func (v *ChatView) ScrollToBottom() {
	v.scroll.ScrollToBottom()
	v.place()
}

// AtBottom reports whether the newest message is in view (or there is
// nothing to scroll).
func (v *ChatView) AtBottom() bool {
	total := v.offsets[len(v.offsets)-1]
	return v.scroll.Offset.Y+v.scroll.Size().Height >= total-4
}

// ShowHex opens or closes the hex view of message id.
func (v *ChatView) ShowHex(id int64, on bool) {
	if on {
		v.hexOpen[id] = true
	} else {
		delete(v.hexOpen, id)
	}
	v.measure()
	v.scroll.Refresh()
	v.place()
}

// bubbleWidthKey is the limit on bubble width at the current row width:
// heights depend on the width only through it, so a wide window resized
// wider keeps every measured height.
func (v *ChatView) bubbleWidthKey(rowWidth float32) float32 {
	return bubbleMaxWidth(rowWidth, bubblePad(v.Theme()))
}

// measure finds every row's height (exact where a bubble has shown the
// message at this width, estimated otherwise) and the offsets.
func (v *ChatView) measure() {
	if v.metrics == nil {
		v.metrics = newBubbleMetrics(v.measurer)
	}
	w := v.rowWidth()
	key := v.bubbleWidthKey(w)
	v.cacheW = key
	if cap(v.heights) < len(v.msgs) {
		v.heights = make([]float32, len(v.msgs), len(v.msgs)+len(v.msgs)/4)
		v.offsets = make([]float32, len(v.msgs)+1, len(v.msgs)+len(v.msgs)/4+1)
	}
	v.heights = v.heights[:len(v.msgs)]
	for i, m := range v.msgs {
		hex := v.hexOpen[m.ID]
		e, ok := v.cache[m.ID]
		if !ok || e.rev != m.Rev || e.hex != hex || e.w != key {
			e = rowHeight{rev: m.Rev, hex: hex, w: key, h: v.metrics.estimate(m, hex, w)}
			v.cache[m.ID] = e
		}
		v.heights[i] = e.h
	}
	v.reoffset()
	if len(v.cache) > 2*len(v.msgs)+256 {
		keep := make(map[int64]rowHeight, len(v.msgs))
		for _, m := range v.msgs {
			keep[m.ID] = v.cache[m.ID]
		}
		v.cache = keep
	}
}

// reoffset sums the heights into offsets.
func (v *ChatView) reoffset() {
	v.offsets = v.offsets[:len(v.heights)+1]
	y := float32(0)
	for i, h := range v.heights {
		v.offsets[i] = y
		y += h
	}
	v.offsets[len(v.heights)] = y
}

func (v *ChatView) rowWidth() float32 {
	w := v.content.Size().Width
	if w <= 0 {
		w = v.Size().Width
	}
	if w <= 0 {
		w = 600
	}
	return w
}

// place puts bubbles on the visible rows, recycling the others. A row
// shown for the first time is measured exactly; if that changes its
// height, the rows are placed again with the view kept where it was.
func (v *ChatView) place() {
	if v.placing {
		return
	}
	v.placing = true
	defer func() { v.placing = false }()
	w := v.content.Size().Width
	if w <= 0 {
		return
	}
	if v.bubbleWidthKey(w) != v.cacheW {
		v.measure()
		v.scroll.Refresh()
	}
	for range 4 {
		if !v.placeOnce(w) {
			break
		}
	}
	canvas.Refresh(v.content)
}

// placeOnce lays out the visible rows; it reports true when an exact
// measurement moved rows, so the caller places them again.
func (v *ChatView) placeOnce(w float32) bool {
	atBottom := v.AtBottom()
	top := v.scroll.Offset.Y
	bottom := top + v.scroll.Size().Height
	n := len(v.msgs)
	first := sort.Search(n, func(i int) bool { return v.offsets[i+1] > top })
	anchorInto := float32(0)
	if first < n {
		anchorInto = top - v.offsets[first]
	}
	keep := map[int64]*Bubble{}
	var fresh []int
	for i := first; i < n && v.offsets[i] < bottom; i++ {
		id := v.msgs[i].ID
		if b := v.shown[id]; b != nil {
			keep[id] = b
			delete(v.shown, id)
		} else {
			fresh = append(fresh, i)
		}
	}
	for _, b := range v.shown {
		v.pool = append(v.pool, b)
	}
	for _, i := range fresh {
		var b *Bubble
		if k := len(v.pool); k > 0 {
			b, v.pool = v.pool[k-1], v.pool[:k-1]
		} else {
			b = v.newBubble()
		}
		keep[v.msgs[i].ID] = b
	}
	v.shown = keep
	moved := false
	objs := make([]fyne.CanvasObject, 0, len(keep))
	for i := first; i < n && v.offsets[i] < bottom; i++ {
		m := v.msgs[i]
		b := keep[m.ID]
		b.setState(m, v.hexOpen[m.ID])
		if e := v.cache[m.ID]; !e.exact {
			e.h, e.exact = b.HeightFor(w), true
			v.cache[m.ID] = e
			if e.h != v.heights[i] {
				v.heights[i] = e.h
				moved = true
			}
		}
		b.Move(fyne.NewPos(0, v.offsets[i]))
		b.Resize(fyne.NewSize(w, v.heights[i]))
		objs = append(objs, b)
	}
	v.content.Objects = objs
	if !moved {
		return false
	}
	v.reoffset()
	v.scroll.Refresh()
	if atBottom {
		v.scroll.ScrollToBottom()
	} else if first < n {
		v.scroll.Offset.Y = v.offsets[first] + anchorInto
		v.scroll.Refresh()
	}
	return true
}

func (v *ChatView) newBubble() *Bubble {
	b := NewBubble(ChatMessage{})
	b.OnRetry = func(m ChatMessage) {
		if v.OnRetry != nil {
			v.OnRetry(m)
		}
	}
	b.OnToggleHex = func(m ChatMessage, on bool) { v.ShowHex(m.ID, on) }
	b.OnCopied = func(s string) {
		if v.OnCopied != nil {
			v.OnCopied(s)
		}
	}
	return b
}

// visibleBubbles returns the bubbles on screen, top first (for tests).
func (v *ChatView) visibleBubbles() []*Bubble {
	var out []*Bubble
	for _, o := range v.content.Objects {
		out = append(out, o.(*Bubble))
	}
	return out
}

// CreateRenderer shows the scroller, with the placeholder over it when
// there is nothing to show.
func (v *ChatView) CreateRenderer() fyne.WidgetRenderer {
	if len(v.msgs) > 0 {
		v.placeholder.Hide()
	}
	return widget.NewSimpleRenderer(container.NewStack(v.scroll, container.New(middleLayout{}, v.placeholder)))
}

// chatLayout sizes the content to the total height and places the visible
// bubbles whenever the width changes.
type chatLayout struct{ v *ChatView }

func (l *chatLayout) Layout(_ []fyne.CanvasObject, size fyne.Size) {
	l.v.place()
}

func (l *chatLayout) MinSize([]fyne.CanvasObject) fyne.Size {
	return fyne.NewSize(0, l.v.offsets[len(l.v.offsets)-1])
}

// middleLayout centres a wrapping label vertically at the full width,
// without letting its text set a minimum width.
type middleLayout struct{}

func (middleLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Resize(fyne.NewSize(size.Width, o.MinSize().Height))
		h := o.MinSize().Height
		o.Move(fyne.NewPos(0, (size.Height-h)/2))
		o.Resize(fyne.NewSize(size.Width, h))
	}
}

func (middleLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.Size{} }
