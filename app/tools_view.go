package main

import (
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/netdebug/netdebug/netcore/netinfo"
)

// toolCopier puts text on the clipboard and says what it copied, next to the
// section's "Copy all" button, so the status line keeps its answer.
type toolCopier struct {
	app   fyne.App
	label *widget.Label
	all   *widget.Button
}

func (t *toolsTab) newCopier(all func() string) *toolCopier {
	c := &toolCopier{app: t.u.app, label: widget.NewLabel("")}
	c.label.Importance = widget.LowImportance
	c.label.Truncation = fyne.TextTruncateEllipsis
	c.all = widget.NewButtonWithIcon(tr("Copy all"), theme.ContentCopyIcon(), func() {
		if s := all(); s != "" {
			c.copy(s)
		}
	})
	c.all.Disable()
	return c
}

func (c *toolCopier) copy(text string) {
	c.app.Clipboard().SetContent(text)
	first, _, more := strings.Cut(strings.TrimRight(text, "\n"), "\n")
	if utf8.RuneCountInString(first) > 60 {
		first = string([]rune(first)[:60]) + "…"
	}
	if more {
		first += " …"
	}
	c.label.SetText(trf("Copied: {{.Text}}", map[string]any{"Text": first}))
}

// enable says whether there is something for "Copy all".
func (c *toolCopier) enable(on bool) {
	if on {
		c.all.Enable()
	} else {
		c.all.Disable()
	}
	c.label.SetText("")
}

// bar is the row with "Copy all" and the copy feedback.
func (c *toolCopier) bar() fyne.CanvasObject {
	return container.NewBorder(nil, nil, c.all, nil, c.label)
}

// fieldList shows a result's labelled values, one row each: the label, a
// copy button for the value, the value (monospaced, selectable) and a note
// in a quieter colour.
type fieldList struct {
	box    *fyne.Container
	scroll *container.Scroll
	rows   []fieldRow
	fields []netinfo.Field
	copy   func(string)
}

type fieldRow struct {
	label, value, note *widget.Label
	button             *widget.Button
}

func newFieldList(copy func(string)) *fieldList {
	f := &fieldList{copy: copy}
	f.box = container.New(fieldsLayout{})
	f.scroll = container.NewScroll(f.box)
	return f
}

// set shows fields; nil clears the list. Rows are reused, so typing into a
// calculator does not rebuild the widgets on every key.
func (f *fieldList) set(fields []netinfo.Field) {
	f.fields = fields
	for len(f.rows) < len(fields) {
		i := len(f.rows)
		r := fieldRow{label: widget.NewLabel(""), value: widget.NewLabel(""), note: widget.NewLabel("")}
		r.label.TextStyle.Bold = true
		r.value.TextStyle.Monospace = true
		r.value.Selectable = true
		r.note.Importance = widget.LowImportance
		r.button = widget.NewButtonWithIcon("", theme.ContentCopyIcon(), func() {
			if i < len(f.fields) {
				f.copy(f.fields[i].Value)
			}
		})
		r.button.Importance = widget.LowImportance
		f.rows = append(f.rows, r)
		f.box.Add(r.label)
		f.box.Add(r.button)
		f.box.Add(r.value)
		f.box.Add(r.note)
	}
	for i, r := range f.rows {
		objs := []fyne.CanvasObject{r.label, r.button, r.value, r.note}
		if i >= len(fields) {
			for _, o := range objs {
				o.Hide()
			}
			continue
		}
		r.label.SetText(trNonEmpty(fields[i].Label))
		r.value.SetText(fields[i].Value)
		r.note.SetText(trNonEmpty(fields[i].Note))
		for _, o := range objs {
			o.Show()
		}
	}
	f.box.Refresh()
	f.scroll.ScrollToTop()
}

// trNonEmpty translates netinfo's labels and notes where the translations
// have them; "" stays "" (the translator logs an error for an empty key).
func trNonEmpty(s string) string {
	if s == "" {
		return ""
	}
	return tr(s)
}

// fieldsLayout lines rows of four up as columns: label, copy button, value,
// note. The note column starts after the widest value that has a note, so
// a long value without one (Python bytes, flags, binary) does not push every
// note to the right; it runs on into the note column instead.
type fieldsLayout struct{}

func (fieldsLayout) columns(objs []fyne.CanvasObject) (label, button, value float32) {
	for i := 0; i+3 < len(objs); i += 4 {
		if !objs[i].Visible() {
			continue
		}
		label = max(label, objs[i].MinSize().Width)
		button = max(button, objs[i+1].MinSize().Width)
		if objs[i+3].(*widget.Label).Text != "" {
			value = max(value, objs[i+2].MinSize().Width)
		}
	}
	return
}

func (l fieldsLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	wl, wb, wv := l.columns(objs)
	pad := theme.Padding()
	var size fyne.Size
	for i := 0; i+3 < len(objs); i += 4 {
		if !objs[i].Visible() {
			continue
		}
		w := wl + wb + 2*pad + objs[i+2].MinSize().Width
		if objs[i+3].(*widget.Label).Text != "" {
			w = wl + wb + 3*pad + wv + objs[i+3].MinSize().Width
		}
		size.Width = max(size.Width, w)
		size.Height += fieldRowHeight(objs[i : i+4])
	}
	return size
}

func (l fieldsLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	wl, wb, wv := l.columns(objs)
	pad := theme.Padding()
	y := float32(0)
	for i := 0; i+3 < len(objs); i += 4 {
		if !objs[i].Visible() {
			continue
		}
		h := fieldRowHeight(objs[i : i+4])
		xv := wl + wb + 2*pad
		place := func(o fyne.CanvasObject, x, w float32) {
			o.Move(fyne.NewPos(x, y))
			o.Resize(fyne.NewSize(max(w, 0), h))
		}
		place(objs[i], 0, wl)
		b := objs[i+1].MinSize()
		objs[i+1].Move(fyne.NewPos(wl+pad, y+(h-b.Height)/2))
		objs[i+1].Resize(fyne.NewSize(wb, b.Height))
		if objs[i+3].(*widget.Label).Text == "" {
			place(objs[i+2], xv, size.Width-xv)
			objs[i+3].Resize(fyne.NewSize(0, 0))
		} else {
			place(objs[i+2], xv, wv)
			place(objs[i+3], xv+wv+pad, size.Width-xv-wv-pad)
		}
		y += h
	}
}

func fieldRowHeight(objs []fyne.CanvasObject) float32 {
	h := float32(0)
	for _, o := range objs {
		h = max(h, o.MinSize().Height)
	}
	return h
}

// toolTable is a virtualised table of text with a copy button at the start
// of each row; tapping a cell copies that cell. It carries the interface,
// port and socket lists, which may be long.
type toolTable struct {
	table      *widget.Table
	header     []string
	rows       [][]string
	importance []widget.Importance // per row; nil: all medium
	rowText    func(row int) string
	copy       func(string)
}

const tableMaxColumn = 360

func newToolTable(header []string, copy func(string)) *toolTable {
	tt := &toolTable{header: header, copy: copy}
	tt.table = widget.NewTableWithHeaders(
		func() (int, int) { return len(tt.rows), len(tt.header) + 1 },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			b := widget.NewButtonWithIcon("", theme.ContentCopyIcon(), nil)
			b.Importance = widget.LowImportance
			return container.NewStack(l, b)
		},
		tt.updateCell)
	tt.table.ShowHeaderColumn = false
	tt.table.CreateHeader = func() fyne.CanvasObject {
		l := widget.NewLabel("")
		l.TextStyle.Bold = true
		l.Truncation = fyne.TextTruncateEllipsis
		return l
	}
	tt.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		text := ""
		if id.Col > 0 && id.Col <= len(tt.header) {
			text = tt.header[id.Col-1]
		}
		o.(*widget.Label).SetText(text)
	}
	tt.table.OnSelected = func(id widget.TableCellID) {
		tt.table.Unselect(id)
		if id.Row >= 0 && id.Row < len(tt.rows) && id.Col > 0 && id.Col <= len(tt.rows[id.Row]) {
			if s := tt.rows[id.Row][id.Col-1]; s != "" {
				tt.copy(s)
			}
		}
	}
	tt.setWidths()
	return tt
}

func (tt *toolTable) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	st := o.(*fyne.Container)
	l, b := st.Objects[0].(*widget.Label), st.Objects[1].(*widget.Button)
	if id.Row < 0 || id.Row >= len(tt.rows) {
		return
	}
	if id.Col == 0 {
		l.Hide()
		b.Show()
		row := id.Row
		b.OnTapped = func() {
			if row < len(tt.rows) {
				tt.copy(tt.textOf(row))
			}
		}
		return
	}
	b.Hide()
	l.Show()
	imp := widget.MediumImportance
	if tt.importance != nil && id.Row < len(tt.importance) {
		imp = tt.importance[id.Row]
	}
	text := ""
	if id.Col-1 < len(tt.rows[id.Row]) {
		text = tt.rows[id.Row][id.Col-1]
	}
	bold := imp == widget.SuccessImportance
	if l.Text != text || l.Importance != imp || l.TextStyle.Bold != bold {
		l.Importance = imp
		l.TextStyle.Bold = bold
		l.Text = text
		l.Refresh()
	}
}

// textOf is what a row's copy button copies: rowText, or the cells joined
// by two spaces.
func (tt *toolTable) textOf(row int) string {
	if tt.rowText != nil {
		return tt.rowText(row)
	}
	var cells []string
	for _, c := range tt.rows[row] {
		if c != "" {
			cells = append(cells, c)
		}
	}
	return strings.Join(cells, "  ")
}

// setRows replaces the rows; importance may be nil.
func (tt *toolTable) setRows(rows [][]string, importance []widget.Importance) {
	tt.rows, tt.importance = rows, importance
	tt.setWidths()
	tt.table.Refresh()
	tt.table.ScrollToTop()
}

// setWidths sizes each column to its widest cell (among the first rows, so
// a long list costs little), capped so one long process name cannot push
// the rest out of sight; a capped cell shows an ellipsis and copies whole.
func (tt *toolTable) setWidths() {
	pad := 2*theme.InnerPadding() + 4
	size := theme.TextSize()
	tt.table.SetColumnWidth(0, widget.NewButtonWithIcon("", theme.ContentCopyIcon(), nil).MinSize().Width)
	for c, h := range tt.header {
		w := fyne.MeasureText(h, size, fyne.TextStyle{Bold: true}).Width
		for r, row := range tt.rows {
			if r > 2000 {
				break
			}
			if c < len(row) {
				w = max(w, fyne.MeasureText(row[c], size, fyne.TextStyle{Bold: true}).Width)
			}
		}
		tt.table.SetColumnWidth(c+1, min(w+pad, tableMaxColumn))
	}
}
