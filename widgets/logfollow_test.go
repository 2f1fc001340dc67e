package widgets

import (
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

func appendLines(v *LogView, from, n int) {
	for i := from; i < from+n; i++ {
		v.store.Append(rec(RX, fmt.Sprintf("line %d", i)))
	}
}

// lastRowText is what the list's last row shows.
func lastRowText(v *LogView) string { return rowTexts(v, v.length()-1)[3] }

// TestLogViewKeepsFollowingThroughResize: a panel opening above the log
// makes it shorter; the view still shows the newest record, with and
// without new traffic.
func TestLogViewKeepsFollowingThroughResize(t *testing.T) {
	v, w := newTestView(t)
	appendLines(v, 0, 300)
	v.Update()
	if !v.atBottom() {
		t.Fatal("not at the newest record")
	}
	for _, h := range []float32{200, 120, 380, 90} {
		w.Resize(fyne.NewSize(900, h))
		if !v.atBottom() {
			t.Fatalf("height %v: the view stopped following on resize (offset %v)", h, v.list.GetScrollOffset())
		}
		appendLines(v, 300, 5)
		v.Update()
		if !v.atBottom() || !v.following {
			t.Fatalf("height %v: not following after new records", h)
		}
	}
}

// TestLogViewFollowsThroughEviction: the store replaces everything it holds
// between an Update and the drawing of the rows (a flood); while following,
// the rows still show the newest records, never "(dropped by the log
// limit)".
func TestLogViewFollowsThroughEviction(t *testing.T) {
	v, _ := newTestView(t)
	v.store.SetLimits(LogLimits{MaxRecords: 100, MaxBytes: 1 << 20})
	appendLines(v, 0, 100)
	v.Update()
	appendLines(v, 100, 150) // all 100 held before are gone
	if got := lastRowText(v); got != "line 249" {
		t.Fatalf("last row = %q; want the newest record", got)
	}
	for id := v.length() - 15; id < v.length(); id++ {
		if got := rowTexts(v, id)[3]; strings.Contains(got, "dropped") {
			t.Fatalf("row %d = %q while following", id, got)
		}
	}
	for round := 0; round < 20; round++ {
		appendLines(v, 250+round*37, 37)
		v.Update()
		if !v.atBottom() || !v.following {
			t.Fatalf("round %d: stopped following", round)
		}
	}
}

// TestLogViewAnchorsRowsWhileReading: scrolled up, the records on screen
// stay where they are while old ones are dropped, and the jump control
// counts what arrived.
func TestLogViewAnchorsRowsWhileReading(t *testing.T) {
	v, _ := newTestView(t)
	v.store.SetLimits(LogLimits{MaxRecords: 200, MaxBytes: 1 << 20})
	appendLines(v, 0, 200)
	v.Update()
	step := v.rowHeight + theme.Padding()
	v.list.ScrollToOffset(50 * step) // row 50 at the top: "line 50"
	v.Update()
	if v.following {
		t.Fatal("still following after the user scrolled up")
	}
	top := func() string {
		id := int(v.list.GetScrollOffset()/step + 0.5)
		return rowTexts(v, id)[3]
	}
	if got := top(); got != "line 50" {
		t.Fatalf("top row = %q", got)
	}
	appendLines(v, 200, 20) // drops line 0–19
	v.Update()
	if got := top(); got != "line 50" {
		t.Fatalf("after drops the top row is %q; the rows under the pointer moved", got)
	}
	if !v.jumpBtn.Visible() || !strings.HasPrefix(v.jumpBtn.Text, "20 new") {
		t.Fatalf("jump control %v %q", v.jumpBtn.Visible(), v.jumpBtn.Text)
	}
	test.Tap(v.jumpBtn)
	if !v.following || !v.atBottom() || v.jumpBtn.Visible() {
		t.Fatal("jump to newest did not follow again")
	}
	if got := lastRowText(v); got != "line 219" {
		t.Fatalf("last row %q", got)
	}
}

// TestLogViewWheelScrollsLines: one wheel notch moves three lines, as in a
// text view; scrolling back to the bottom follows again.
func TestLogViewWheelScrollsLines(t *testing.T) {
	v, _ := newTestView(t)
	appendLines(v, 0, 500)
	v.Update()
	step := v.rowHeight + theme.Padding()
	bottom := v.list.GetScrollOffset()
	row := newLogRow(v.wheel)
	row.Scrolled(&fyne.ScrollEvent{Scrolled: fyne.Delta{DY: wheelNotch}}) // one notch up
	if got := bottom - v.list.GetScrollOffset(); got < 2.9*step || got > 3.1*step {
		t.Fatalf("one notch moved %v px; a line is %v", got, step)
	}
	if v.following {
		t.Fatal("following after scrolling up")
	}
	appendLines(v, 500, 3)
	v.Update()
	if v.atBottom() {
		t.Fatal("jumped to the bottom while the user reads")
	}
	for i := 0; i < 5; i++ {
		row.Scrolled(&fyne.ScrollEvent{Scrolled: fyne.Delta{DY: -wheelNotch}})
	}
	if !v.following {
		t.Fatal("scrolling back down to the newest record did not follow again")
	}
}

// TestLogViewReusesRows: under a flood the rows shift on every refresh and
// Fyne's list drops its pooled rows each time; the view gives them back,
// so the number of row objects (each with a texture) stays bounded by the
// screen, not by the traffic.
func TestLogViewReusesRows(t *testing.T) {
	v, _ := newTestView(t)
	v.store.SetLimits(LogLimits{MaxRecords: 100, MaxBytes: 1 << 20})
	for round := 0; round < 300; round++ {
		appendLines(v, round*7, 3+round%11)
		v.Update()
	}
	visible := int(v.list.Size().Height/(v.rowHeight+theme.Padding())) + 2
	if len(v.rows) > 2*visible+4 {
		t.Fatalf("%d row objects for %d rows on screen", len(v.rows), visible)
	}
}

// TestLogViewHidesTrafficCounters: a page whose log holds notes (the TFTP
// server) hides RX/TX, which would read 0 B while it serves megabytes.
func TestLogViewHidesTrafficCounters(t *testing.T) {
	v, _ := newTestView(t)
	if !v.countText.Visible() || !v.resetBtn.Visible() {
		t.Fatal("counters hidden by default")
	}
	v.HideTrafficCounters()
	if v.countText.Visible() || v.resetBtn.Visible() || !v.usageText.Visible() {
		t.Fatal("the traffic counters still show, or the log usage went with them")
	}
}
