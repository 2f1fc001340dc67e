package widgets

import (
	"image/color"
	"math"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/netdebug/netdebug/netcore/codec"
)

// LogSettings are the user's choices for a log view, persisted by the app.
type LogSettings struct {
	Mode     DisplayMode
	Encoding codec.Encoding
	ShowTime bool
	Follow   bool
}

// DefaultLogSettings shows text in UTF-8 with timestamps, following new
// records.
var DefaultLogSettings = LogSettings{Mode: ShowText, Encoding: codec.UTF8, ShowTime: true, Follow: true}

// LogView is the traffic log: a virtualised list over a LogStore, with
// display mode, encoding, timestamps, auto-scroll, find, save, counters and
// a detail pane for the selected record. Only visible rows are rendered, so
// a flood costs the UI nothing but a refresh per batch.
//
// Call Update on the UI goroutine after appending to the store (the app's
// adapter does this a few times a second).
type LogView struct {
	widget.BaseWidget

	store    *LogStore
	settings LogSettings
	peer     string

	// OnSettingsChanged is called when the user changes a setting.
	OnSettingsChanged func(LogSettings)
	// Files opens save dialogs; nil uses the native dialog.
	Files FileDialogs

	list      *widget.List
	rowHeight float32
	first     uint64
	n         int
	filtered  []uint64
	scanned   uint64

	selected    uint64
	hasSelected bool
	runInline   bool

	toolbar   *fyne.Container
	modeSel   *widget.Select
	encSel    *widget.Select
	timeCheck *widget.Check
	follow    *widget.Check
	// following: Auto-scroll is on and the user has not scrolled away from
	// the newest record. It is kept, not measured, so that a resize or an
	// eviction cannot end it; only the user's own scrolling does.
	following bool
	// lastOffset is where the list was left after the view last moved it;
	// any other offset is the user's doing.
	lastOffset float32
	// unseen counts records that arrived while the user read older ones.
	unseen  int
	jumpBtn *widget.Button
	// rows are every row object the list was given; free are those it has
	// dropped, handed out again (see recycleRows). gen counts full
	// refreshes.
	rows []*logRow
	free []*logRow
	gen  uint64
	// peerCells is the width of the peer column.
	peerCells int
	// tails caches what records hand on to the next (UI goroutine only).
	tails tailCache
	// statusAt is when the status line was last refreshed.
	statusAt  time.Time
	findEntry *widget.Entry
	countText *widget.Label
	usageText *widget.Label
	message   *widget.Label
	detail    *fyne.Container
	detailTxt *widget.Label
	split     *container.Split
	resetBtn  *widget.Button
}

// NewLogView returns a view of store with default settings.
func NewLogView(store *LogStore) *LogView {
	v := &LogView{store: store, settings: DefaultLogSettings}
	v.ExtendBaseWidget(v)
	v.build()
	v.updateStatus()
	return v
}

// Store is the store the view shows.
func (v *LogView) Store() *LogStore { return v.store }

// Settings returns the current settings.
func (v *LogView) Settings() LogSettings { return v.settings }

// ApplySettings sets mode, encoding, timestamps and follow, updating the
// controls, without calling OnSettingsChanged.
func (v *LogView) ApplySettings(s LogSettings) {
	if s.Mode == "" {
		s.Mode = ShowText
	}
	if s.Encoding == "" {
		s.Encoding = codec.UTF8
	}
	cb := v.OnSettingsChanged
	v.OnSettingsChanged = nil
	v.modeSel.SetSelected(modeLabel(s.Mode))
	v.encSel.SetSelected(string(s.Encoding))
	v.timeCheck.SetChecked(s.ShowTime)
	v.follow.SetChecked(s.Follow)
	v.OnSettingsChanged = cb
	v.settings = s
	v.following = s.Follow
	v.list.Refresh()
	v.refreshDetail()
}

// SetPeerFilter shows only records whose peer is peer ("" shows all).
func (v *LogView) SetPeerFilter(peer string) {
	if peer == v.peer {
		return
	}
	v.peer = peer
	v.filtered = v.filtered[:0]
	v.scanned = 0
	v.list.UnselectAll()
	v.following = v.settings.Follow
	v.Update()
	v.scrollToBottom()
}

func modeLabel(m DisplayMode) string {
	switch m {
	case ShowHex:
		return lang.L("Hex")
	case ShowBoth:
		return lang.L("Text + Hex")
	}
	return lang.L("Text")
}

func (v *LogView) build() {
	v.list = widget.NewList(v.length, v.newRow, v.updateRow)
	v.list.HideSeparators = true
	v.list.OnSelected = func(id widget.ListItemID) {
		v.selected, v.hasSelected = v.seqOf(id), true
		v.refreshDetail()
	}
	v.rowHeight = logRowHeight()

	v.modeSel = newSelect([]string{modeLabel(ShowText), modeLabel(ShowHex), modeLabel(ShowBoth)}, func(s string) {
		for _, m := range DisplayModes() {
			if modeLabel(m) == s {
				v.settings.Mode = m
			}
		}
		v.changed()
	})
	v.modeSel.SetSelected(modeLabel(v.settings.Mode))
	v.encSel = newSelect(codec.EncodingNames(), func(s string) {
		v.settings.Encoding = codec.MustEncoding(s)
		v.changed()
	})
	v.encSel.SetSelected(string(v.settings.Encoding))
	v.timeCheck = widget.NewCheck(lang.L("Time"), func(on bool) { v.settings.ShowTime = on; v.changed() })
	v.timeCheck.SetChecked(v.settings.ShowTime)
	v.follow = widget.NewCheck(lang.L("Auto-scroll"), func(on bool) {
		v.settings.Follow = on
		v.following = on
		if on {
			v.JumpToNewest()
		}
		v.changed()
	})
	v.following = v.settings.Follow
	v.jumpBtn = widget.NewButtonWithIcon("", theme.MoveDownIcon(), v.JumpToNewest)
	v.jumpBtn.Importance = widget.HighImportance
	v.jumpBtn.Hide()
	v.follow.SetChecked(v.settings.Follow)

	v.findEntry = widget.NewEntry()
	v.findEntry.SetPlaceHolder(lang.L("Find"))
	v.findEntry.OnSubmitted = func(string) { v.FindNext() }
	findBtn := widget.NewButtonWithIcon("", theme.SearchIcon(), v.FindNext)
	clearBtn := widget.NewButtonWithIcon("", theme.DeleteIcon(), v.Clear)
	var saveBtn *widget.Button
	saveBtn = widget.NewButtonWithIcon("", theme.DocumentSaveIcon(), func() {
		menu := fyne.NewMenu("",
			fyne.NewMenuItem(lang.L("Save log as text…"), v.SaveTextDialog),
			fyne.NewMenuItem(lang.L("Save received bytes (raw)…"), v.SaveRawDialog),
		)
		widget.ShowPopUpMenuAtRelativePosition(menu, fyne.CurrentApp().Driver().CanvasForObject(saveBtn), fyne.NewPos(0, saveBtn.Size().Height), saveBtn)
	})

	v.countText = widget.NewLabel("")
	v.usageText = widget.NewLabel("")
	v.message = widget.NewLabel("")
	v.message.Importance = widget.WarningImportance
	v.message.Hide()
	v.resetBtn = widget.NewButton(lang.L("Reset counters"), func() {
		v.store.ResetCounters()
		v.updateStatus()
	})

	// Find keeps room to type in; beside an open panel the search and
	// the buttons move under the view's choices rather than shrink.
	find := container.NewBorder(nil, nil, nil, container.NewHBox(findBtn, clearBtn, saveBtn), MinWidth(v.findEntry, findWidth))
	v.toolbar = NewWrapRow(
		container.NewHBox(FitOptions(v.modeSel), FitOptions(v.encSel), v.timeCheck, v.follow),
		find)

	v.detailTxt = widget.NewLabel("")
	v.detailTxt.Selectable = true
	v.detailTxt.Wrapping = fyne.TextWrapOff
	v.detailTxt.TextStyle = fyne.TextStyle{Monospace: true}
	closeDetail := widget.NewButtonWithIcon("", theme.CancelIcon(), func() {
		v.hasSelected = false
		v.list.UnselectAll()
		v.refreshDetail()
	})
	copyBtn := widget.NewButtonWithIcon(lang.L("Copy"), theme.ContentCopyIcon(), func() {
		fyne.CurrentApp().Clipboard().SetContent(v.detailTxt.Text)
	})
	v.detail = container.NewBorder(
		container.NewBorder(nil, nil, widget.NewLabelWithStyle(lang.L("Selected record"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), container.NewHBox(copyBtn, closeDetail)),
		nil, nil, nil, container.NewScroll(v.detailTxt))
	// "N new — jump to newest" floats over the list's bottom right corner.
	jump := container.NewVBox(layout.NewSpacer(), container.NewHBox(layout.NewSpacer(), v.jumpBtn))
	v.split = container.NewVSplit(container.NewStack(v.list, jump), v.detail)
	v.split.Offset = 0.7
	v.detail.Hide()
}

func (v *LogView) changed() {
	if v.split == nil {
		return // still building
	}
	v.list.Refresh()
	v.refreshDetail()
	if v.OnSettingsChanged != nil {
		v.OnSettingsChanged(v.settings)
	}
}

// findWidth is the least width of the Find box.
const findWidth = 160

// CreateRenderer lays out toolbar, list (with the detail pane) and status.
func (v *LogView) CreateRenderer() fyne.WidgetRenderer {
	// The usage line is read in full: it wraps under the counters when
	// the log is narrow.
	status := NewWrapRow(v.countText, container.NewBorder(nil, nil, nil, v.resetBtn, v.usageText))
	bottom := NewWrapColumn(v.message, status, layout.NewSpacer())
	// The toolbar and the status line take two rows each when the log is
	// narrow (beside an open panel); the rows come out of the list's room.
	return widget.NewSimpleRenderer(NewWrapColumn(v.toolbar, bottom, v.split))
}

// detailLimit bounds the bytes the detail pane renders (Save shows all).
// It is small because Fyne lays out a label's text on the UI goroutine:
// 16 KiB of text and its hex dump took seconds to select. Lines are not
// wrapped for the same reason (the pane scrolls both ways).
const detailLimit = 4 << 10

func (v *LogView) length() int {
	if v.peer != "" {
		return len(v.filtered)
	}
	return v.n
}

func (v *LogView) seqOf(id widget.ListItemID) uint64 {
	if v.peer != "" {
		if id < 0 || id >= len(v.filtered) {
			return ^uint64(0)
		}
		return v.filtered[id]
	}
	return v.first + uint64(id)
}

// newRow gives the list a row: one it dropped earlier if there is one.
func (v *LogView) newRow() fyne.CanvasObject {
	if n := len(v.free); n > 0 {
		r := v.free[n-1]
		v.free = v.free[:n-1]
		r.gen = v.gen
		return r
	}
	r := newLogRow(v.wheel)
	r.gen = v.gen
	v.rows = append(v.rows, r)
	return r
}

// recycleRows runs after a full refresh of the list. Fyne's list throws
// away the rows it pooled on every full refresh and makes new ones later;
// each discarded row kept its texture in Fyne's cache for a minute, which
// under a flood (rows shift on every refresh) came to hundreds of
// megabytes. After a full refresh every row on screen has just been
// updated and the list's pool is empty, so a row not updated in it is one
// the list let go, and it is given back to the list the next time it asks.
func (v *LogView) recycleRows() {
	touched := 0
	for _, r := range v.rows {
		if r.gen == v.gen {
			touched++
		}
	}
	if touched == 0 {
		return // the list did not lay out (not shown yet)
	}
	v.free = v.free[:0]
	for _, r := range v.rows {
		if r.gen != v.gen {
			v.free = append(v.free, r)
		}
	}
}

func (v *LogView) updateRow(id widget.ListItemID, obj fyne.CanvasObject) {
	row := obj.(*logRow)
	row.gen = v.gen
	seq := v.seqOf(id)
	if v.following && v.peer == "" {
		// Rows are drawn after Update, and a flood may have replaced the
		// whole store since: while following, count rows from the newest
		// record so the screen shows the newest, never dropped ones.
		first, n := v.store.Window()
		if k := uint64(v.length() - id); k <= uint64(n) {
			seq = first + uint64(n) - k
		}
	}
	r, full, ok := v.store.Peek(seq, rowLimit)
	if !ok {
		setRow(row, "", "", "", lang.L("(dropped by the log limit)"), theme.Color(theme.ColorNameDisabled))
		return
	}
	tv := textView{store: v.store, enc: v.settings.Encoding, tails: &v.tails}
	t, tag, peer := header(&r, full, v.settings.ShowTime)
	// The peer column is as wide as the widest shown so far, so bodies
	// (and the hex of Text + Hex) start in one column.
	if n := len([]rune(peer)); n > v.peerCells {
		v.peerCells = n
	}
	peer = fitCells(peer, max(v.peerCells, 1))
	setRow(row, t, tag, peer, tv.rowBody(seq, &r, full, v.settings.Mode), dirColor(r.Dir))
}

func dirColor(d Direction) color.Color {
	switch d {
	case RX:
		return theme.Color(theme.ColorNameSuccess)
	case TX:
		return theme.Color(theme.ColorNamePrimary)
	case Fault:
		return theme.Color(theme.ColorNameError)
	}
	return theme.Color(theme.ColorNameDisabled)
}

// Update catches the view up with the store: new rows, auto-scroll, status.
// Call it on the UI goroutine. Its work does not grow with the records
// that arrived: the list draws only the rows on screen.
func (v *LogView) Update() {
	first, n := v.store.Window()
	if off := v.list.GetScrollOffset(); off != v.lastOffset {
		// The user moved the list (thumb, keys) since the view last did.
		v.userScrolled()
	}
	shifted := first != v.first
	oldLen := v.length()
	oldEnd := v.first + uint64(v.n)
	droppedRows := 0
	if v.peer != "" {
		droppedRows = v.refilter(first, n)
	} else if first > v.first {
		droppedRows = int(min(first-v.first, uint64(v.n)))
	}
	added := v.length() - oldLen + droppedRows
	if v.peer == "" {
		added = int(first + uint64(n) - min(oldEnd, first+uint64(n)))
	}
	v.first, v.n = first, n
	if shifted && v.hasSelected {
		// Row numbers moved under the highlight; keep the detail pane.
		v.list.UnselectAll()
	}
	v.gen++
	v.list.Refresh()
	v.recycleRows()
	switch {
	case v.following:
		v.unseen = 0
		v.scrollToBottom()
	case droppedRows > 0:
		// Keep the rows the user is reading in place: the records under
		// the pointer stay put while older ones go.
		step := v.rowHeight + theme.Padding()
		v.list.ScrollToOffset(max(0, v.list.GetScrollOffset()-float32(droppedRows)*step))
	}
	if !v.following && added > 0 {
		v.unseen += added
	}
	v.lastOffset = v.list.GetScrollOffset()
	v.updateJump()
	if time.Since(v.statusAt) >= StatusInterval {
		v.updateStatus()
	}
}

// StatusInterval is how often Update refreshes the counters and usage
// line. Every distinct text Fyne draws keeps a texture for a minute, so
// counters redrawn on every flush of a flood cost tens of megabytes; the
// caller's flush loop calls Update once more after traffic stops, so the
// last figures are shown.
const StatusInterval = 500 * time.Millisecond

// wheelNotch is the scroll distance Fyne reports for one wheel notch, and
// wheelLines how many lines a notch moves, as in a text editor.
var wheelNotch = map[bool]float32{true: 10, false: 25}[runtime.GOOS == "darwin"]

const wheelLines = 3

// wheel scrolls by lines for the mouse wheel or a trackpad.
func (v *LogView) wheel(ev *fyne.ScrollEvent) {
	step := v.rowHeight + theme.Padding()
	off := v.list.GetScrollOffset() - ev.Scrolled.DY/wheelNotch*wheelLines*step
	v.list.ScrollToOffset(max(0, off))
	v.userScrolled()
	v.lastOffset = v.list.GetScrollOffset()
}

// userScrolled follows again when the user came back to the newest record
// and stops following when they left it.
func (v *LogView) userScrolled() {
	v.following = v.settings.Follow && v.atBottom()
	if v.following {
		v.unseen = 0
	}
	v.updateJump()
}

// JumpToNewest scrolls to the newest record and follows again if
// Auto-scroll is on.
func (v *LogView) JumpToNewest() {
	v.following = v.settings.Follow
	v.unseen = 0
	v.scrollToBottom()
	v.lastOffset = v.list.GetScrollOffset()
	v.updateJump()
}

// updateJump shows "N new — jump to newest" while the user reads older
// records and newer ones wait below.
func (v *LogView) updateJump() {
	if v.jumpBtn == nil {
		return
	}
	if v.following || v.atBottom() {
		v.jumpBtn.Hide()
		return
	}
	if v.unseen > 0 {
		v.jumpBtn.SetText(lang.L("{{.Count}} new — jump to newest", map[string]any{"Count": v.unseen}))
	} else {
		v.jumpBtn.SetText(lang.L("Jump to newest"))
	}
	v.jumpBtn.Show()
}

// Resize keeps following through a resize: a log that got shorter (a panel
// opened above it) still shows the newest record.
func (v *LogView) Resize(size fyne.Size) {
	v.BaseWidget.Resize(size)
	if v.following {
		v.scrollToBottom()
		v.lastOffset = v.list.GetScrollOffset()
	}
}

// ShownText is the text of the rows on screen, a line per row, as they
// are drawn (for copying what is visible, and for tests).
func (v *LogView) ShownText() string {
	step := v.rowHeight + theme.Padding()
	first := int(v.list.GetScrollOffset() / step)
	rows := int(v.list.Size().Height/step) + 2
	row := newLogRow(nil)
	var sb strings.Builder
	for id := first; id < min(v.length(), first+rows); id++ {
		v.updateRow(id, row)
		sep := ""
		for _, t := range row.texts {
			if t != "" {
				sb.WriteString(sep + t)
				sep = " "
			}
		}
		sb.WriteByte('\n')
	}
	return sb.String()
}

// atBottom reports whether the list shows its last row (or everything).
func (v *LogView) atBottom() bool {
	step := v.rowHeight + theme.Padding()
	content := step*float32(v.length()) - theme.Padding()
	view := v.list.Size().Height
	if content <= view {
		return true
	}
	return v.list.GetScrollOffset() >= content-view-step
}

// refilter updates the filtered row index and returns how many rows fell
// off the front.
func (v *LogView) refilter(first uint64, n int) int {
	dropped := 0
	for dropped < len(v.filtered) && v.filtered[dropped] < first {
		dropped++
	}
	v.filtered = append(v.filtered[:0], v.filtered[dropped:]...)
	from := max(v.scanned, first)
	v.store.Range(from, func(seq uint64, r *Record) bool {
		if r.Peer == v.peer {
			v.filtered = append(v.filtered, seq)
		}
		return true
	})
	v.scanned = first + uint64(n)
	return dropped
}

func (v *LogView) updateStatus() {
	v.statusAt = time.Now()
	c := v.store.Counters()
	v.countText.SetText(lang.L("RX {{.Bytes}} ({{.Packets}} pkts)   TX {{.TxBytes}} ({{.TxPackets}} pkts)", map[string]any{
		"Bytes": humanBytes(c.RxBytes), "Packets": c.RxPackets, "TxBytes": humanBytes(c.TxBytes), "TxPackets": c.TxPackets,
	}))
	recs, bytes := v.store.Usage()
	lim := v.store.Limits()
	usage := lang.L("Log {{.Records}} / {{.MaxRecords}} records, {{.Bytes}} / {{.MaxBytes}}", map[string]any{
		"Records": recs, "MaxRecords": lim.MaxRecords, "Bytes": humanBytes(uint64(bytes)), "MaxBytes": humanBytes(uint64(lim.MaxBytes)),
	})
	if dr, db := v.store.Dropped(); dr > 0 {
		usage += "  " + lang.L("· dropped {{.Records}} old records ({{.Bytes}}); use Receive to file to keep everything", map[string]any{
			"Records": dr, "Bytes": humanBytes(db),
		})
		v.usageText.Importance = widget.WarningImportance
	} else {
		v.usageText.Importance = widget.MediumImportance
	}
	v.usageText.SetText(usage)
}

func (v *LogView) refreshDetail() {
	if !v.hasSelected {
		if v.detail.Visible() {
			v.detail.Hide()
			v.split.Refresh()
			if v.following {
				v.scrollToBottom()
				v.lastOffset = v.list.GetScrollOffset()
			}
		}
		return
	}
	r, full, ok := v.store.Peek(v.selected, detailLimit)
	if !ok {
		v.detailTxt.SetText(lang.L("(dropped by the log limit)"))
	} else {
		tv := textView{store: v.store, enc: v.settings.Encoding, tails: &v.tails}
		text := tv.fullText(v.selected, &r, full, v.settings.Mode)
		if full > len(r.Data) {
			text += lang.L("… {{.More}} more bytes: save the log to see them all", map[string]any{"More": full - len(r.Data)})
		}
		v.detailTxt.SetText(text)
	}
	if !v.detail.Visible() {
		v.detail.Show()
		v.split.Refresh()
		if v.following {
			v.scrollToBottom()
			v.lastOffset = v.list.GetScrollOffset()
		}
	}
}

// Clear removes all records (counters stay until reset).
func (v *LogView) Clear() {
	v.store.Clear()
	v.tails = tailCache{}
	v.filtered = v.filtered[:0]
	v.hasSelected = false
	v.list.UnselectAll()
	v.refreshDetail()
	v.Update()
	v.updateStatus()
	// Hand the memory the log held back to the system now, not minutes
	// later when the runtime would.
	go debug.FreeOSMemory()
}

// HideTrafficCounters hides the RX/TX counters and their reset button, for
// a page whose log holds notes rather than the traffic (the TFTP server's
// transfers are counted on its own status line).
func (v *LogView) HideTrafficCounters() {
	v.countText.Hide()
	v.resetBtn.Hide()
}

// ShowMessage puts a note above the status line ("" hides it).
func (v *LogView) ShowMessage(msg string) {
	v.message.SetText(msg)
	if msg == "" {
		v.message.Hide()
	} else {
		v.message.Show()
	}
}

// scrollToBottom is List.ScrollToBottom made safe before the list has been
// rendered (ScrollToOffset checks; ScrollToBottom does not).
func (v *LogView) scrollToBottom() {
	v.list.ScrollToOffset(math.MaxFloat32)
}
