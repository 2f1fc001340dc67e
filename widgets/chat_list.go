package widgets

import (
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// ConversationItem is one row of a ConversationList.
type ConversationItem struct {
	Key      string
	Title    string
	Subtitle string // the last message, or the address
	Time     time.Time
	Unread   int
	// Tag is a short mark after the title, such as "TCP".
	Tag string
}

// ConversationList lists conversations (or nearby people): title, a line
// under it, the time of the last message and an unread count. The
// selection follows its key when the order changes.
type ConversationList struct {
	widget.BaseWidget

	// OnSelected is called when the user picks a row.
	OnSelected func(key string)

	items    []ConversationItem
	selected string
	quiet    bool
	list     *widget.List
}

// NewConversationList returns an empty list.
func NewConversationList() *ConversationList {
	l := &ConversationList{}
	l.ExtendBaseWidget(l)
	l.list = widget.NewList(func() int { return len(l.items) }, newConversationRow, func(id widget.ListItemID, o fyne.CanvasObject) {
		if id < len(l.items) {
			o.(*conversationRow).set(l.items[id])
		}
	})
	l.list.OnSelected = func(id widget.ListItemID) {
		if id >= len(l.items) {
			return
		}
		l.selected = l.items[id].Key
		if !l.quiet && l.OnSelected != nil {
			l.OnSelected(l.selected)
		}
	}
	return l
}

// Items returns the rows.
func (l *ConversationList) Items() []ConversationItem { return l.items }

// SetItems replaces the rows, keeping the selected key selected.
func (l *ConversationList) SetItems(items []ConversationItem) {
	l.items = items
	l.list.Refresh()
	l.syncSelection()
}

// Selected is the selected key ("" for none).
func (l *ConversationList) Selected() string { return l.selected }

// Select selects key without calling OnSelected.
func (l *ConversationList) Select(key string) {
	l.selected = key
	l.syncSelection()
}

func (l *ConversationList) syncSelection() {
	l.quiet = true
	defer func() { l.quiet = false }()
	for i, it := range l.items {
		if it.Key == l.selected {
			l.list.Select(i)
			return
		}
	}
	l.list.UnselectAll()
}

// Pick selects key as a tap on its row does, calling OnSelected.
func (l *ConversationList) Pick(key string) {
	for i, it := range l.items {
		if it.Key == key {
			l.list.Select(i)
			return
		}
	}
}

// CreateRenderer shows the list.
func (l *ConversationList) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(l.list)
}

// conversationRow is one list row.
type conversationRow struct {
	widget.BaseWidget
	title    *widget.Label
	subtitle *widget.Label
	when     *widget.Label
	badge    *canvas.Circle
	count    *canvas.Text
	badgeBox *fyne.Container
}

func newConversationRow() fyne.CanvasObject {
	r := &conversationRow{
		title:    &widget.Label{TextStyle: fyne.TextStyle{Bold: true}, Truncation: fyne.TextTruncateEllipsis},
		subtitle: &widget.Label{Importance: widget.LowImportance, SizeName: theme.SizeNameCaptionText, Truncation: fyne.TextTruncateEllipsis},
		when:     &widget.Label{Importance: widget.LowImportance, SizeName: theme.SizeNameCaptionText, Alignment: fyne.TextAlignTrailing},
	}
	r.ExtendBaseWidget(r)
	th := r.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	r.badge = canvas.NewCircle(th.Color(theme.ColorNamePrimary, v))
	r.count = canvas.NewText("", th.Color(theme.ColorNameForegroundOnPrimary, v))
	r.count.TextSize = th.Size(theme.SizeNameCaptionText)
	r.count.TextStyle = fyne.TextStyle{Bold: true}
	r.count.Alignment = fyne.TextAlignCenter
	r.badgeBox = container.NewGridWrap(fyne.NewSquareSize(th.Size(theme.SizeNameText)+6), container.NewStack(r.badge, container.NewCenter(r.count)))
	return r
}

func (r *conversationRow) set(it ConversationItem) {
	title := it.Title
	if it.Tag != "" {
		title += "  [" + it.Tag + "]"
	}
	count := ""
	if it.Unread > 0 {
		count = strconv.Itoa(it.Unread)
		if it.Unread > 99 {
			count = "99+"
		}
	}
	when := listTime(it.Time)
	if r.title.Text == title && r.subtitle.Text == it.Subtitle && r.when.Text == when && r.count.Text == count {
		return
	}
	r.title.SetText(title)
	r.subtitle.SetText(it.Subtitle)
	r.when.SetText(when)
	r.count.Text = count
	if count != "" {
		r.badgeBox.Show()
	} else {
		r.badgeBox.Hide()
	}
	// The labels have their new sizes; lay the row out for them.
	r.Refresh()
}

// listTime is the time of day for today, the date otherwise.
func listTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	now := chatNow()
	if t.Year() == now.Year() && t.YearDay() == now.YearDay() {
		return t.Format("15:04")
	}
	return t.Format("01-02")
}

func (r *conversationRow) CreateRenderer() fyne.WidgetRenderer {
	right := container.NewVBox(r.when, container.NewHBox(layout.NewSpacer(), r.badgeBox))
	left := container.New(&tightVBox{overlap: r.Theme().Size(theme.SizeNameInnerPadding)}, r.title, r.subtitle)
	return widget.NewSimpleRenderer(container.NewBorder(nil, nil, nil, right, left))
}
