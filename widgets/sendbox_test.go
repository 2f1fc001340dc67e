package widgets

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"github.com/netdebug/netdebug/netcore/codec"
)

func newTestSendBox(t *testing.T) (*SendBox, fyne.Window, *[]codec.Payload) {
	t.Helper()
	test.NewTempApp(t)
	var sent []codec.Payload
	s := NewSendBox()
	s.OnSend = func(p codec.Payload) error {
		if _, err := p.Build(); err != nil {
			return err
		}
		sent = append(sent, p)
		return nil
	}
	s.OnStartPeriodic = func(codec.Payload, time.Duration, int) error { return nil }
	s.OnStopPeriodic = func() {}
	w := test.NewTempWindow(t, s)
	w.Resize(fyne.NewSize(800, 260))
	return s, w, &sent
}

func TestSendBoxCtrlEnterSendsGB2312(t *testing.T) {
	s, w, sent := newTestSendBox(t)
	st := s.Settings()
	st.Encoding = codec.GB2312
	st.LineEnding = codec.LineCRLF
	s.ApplySettings(st)
	w.Canvas().Focus(s.entry)
	test.Type(s.entry, "你好")
	if !strings.Contains(s.preview.Text, "C4 E3 BA C3 0D 0A") {
		t.Fatalf("preview = %q", s.preview.Text)
	}
	s.entry.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyReturn, Modifier: fyne.KeyModifierShortcutDefault})
	if len(*sent) != 1 {
		t.Fatalf("sent %d", len(*sent))
	}
	b, _ := (*sent)[0].Build()
	if !bytes.Equal(b, []byte{0xC4, 0xE3, 0xBA, 0xC3, '\r', '\n'}) {
		t.Fatalf("bytes % X", b)
	}
	test.AssertRendersToMarkup(t, "sendbox/gb2312.xml", w.Canvas())
}

func TestSendBoxBadHexShowsErrorAndKeepsText(t *testing.T) {
	s, w, sent := newTestSendBox(t)
	st := s.Settings()
	st.Hex = true
	s.ApplySettings(st)
	editorAt, boxMin := s.entry.Position(), s.MinSize()
	s.SetText("41 4G")
	const want = "not a hex digit: 'G' at position 5"
	if !strings.Contains(s.ShownError(), want) {
		t.Fatalf("error line = %q while typing, want %q", s.ShownError(), want)
	}
	test.Tap(s.sendBtn)
	if len(*sent) != 0 || !strings.Contains(s.ShownError(), want) {
		t.Fatalf("sent %d, error line %q", len(*sent), s.ShownError())
	}
	// Said once: the preview line does not repeat it.
	if n := strings.Count(renderedText(w), "not a hex digit"); n != 1 {
		t.Fatalf("the error is drawn %d times:\n%s", n, renderedText(w))
	}
	// The error line has its place whether or not there is an error, so
	// nothing under the pointer moves.
	if s.entry.Position() != editorAt || s.MinSize() != boxMin {
		t.Fatalf("the editor moved from %v to %v (box %v → %v)", editorAt, s.entry.Position(), boxMin, s.MinSize())
	}
	if s.Text() != "41 4G" {
		t.Fatal("the text was lost")
	}
	if !s.encSel.Disabled() {
		t.Fatal("encoding should be disabled in hex mode")
	}
	test.AssertRendersToMarkup(t, "sendbox/bad_hex.xml", w.Canvas())
	// Back to Text: "41 4G" is good text, the error no longer applies.
	s.format.SetSelected("Text")
	if s.ShownError() != "" {
		t.Fatalf("error line %q after switching to Text", s.ShownError())
	}
	s.format.SetSelected("Hex")
	s.SetText("41 42")
	test.Tap(s.sendBtn)
	if len(*sent) != 1 || s.ShownError() != "" {
		t.Fatalf("good hex: sent %d, error line %q", len(*sent), s.ShownError())
	}
}

// TestSendBoxSendErrorGoesWithTheSession: a refusal from the session (no
// such client, not connected) is cleared when sending is switched off or on,
// that is when the session it spoke of stopped or started.
func TestSendBoxSendErrorGoesWithTheSession(t *testing.T) {
	s, _, _ := newTestSendBox(t)
	s.OnSend = func(codec.Payload) error { return errors.New("no such client") }
	s.SetText("hi")
	test.Tap(s.sendBtn)
	if s.ShownError() != "no such client" {
		t.Fatalf("error line %q", s.ShownError())
	}
	s.SetSendEnabled(false)
	if s.ShownError() != "" {
		t.Fatalf("error line %q after the session stopped", s.ShownError())
	}
	test.Tap(s.sendBtn)
	s.SetText("hi again")
	if s.ShownError() != "" {
		t.Fatalf("error line %q after the message changed", s.ShownError())
	}
}

// renderedText is every text the window draws, one per line.
func renderedText(w fyne.Window) string {
	var out []string
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if !o.Visible() {
			return
		}
		switch v := o.(type) {
		case *canvas.Text:
			out = append(out, v.Text)
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(v).Objects() {
				walk(c)
			}
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
		}
	}
	walk(w.Content())
	return strings.Join(out, "\n")
}

func TestSendBoxHistoryBoundedAndDeduplicated(t *testing.T) {
	s, _, _ := newTestSendBox(t)
	var saved []HistoryItem
	s.OnHistoryChanged = func(h []HistoryItem) { saved = h }
	for i := 0; i < 60; i++ {
		s.SetText(fmt.Sprint("msg ", i))
		s.Send()
	}
	s.SetText("msg 55")
	s.Send()
	if len(saved) != HistoryLimit || saved[0].Text != "msg 55" || saved[1].Text != "msg 59" {
		t.Fatalf("history %d: %v…", len(saved), saved[:2])
	}
	for _, h := range saved[1:] {
		if h.Text == "msg 55" {
			t.Fatal("duplicate kept")
		}
	}
	s.UseHistory(HistoryItem{Text: "01 02", Hex: true})
	if !s.Settings().Hex || s.Text() != "01 02" {
		t.Fatal("UseHistory")
	}
}

func TestSendBoxPeriodicValidation(t *testing.T) {
	s, _, _ := newTestSendBox(t)
	var got time.Duration
	var count int
	s.OnStartPeriodic = func(p codec.Payload, d time.Duration, n int) error { got, count = d, n; return nil }
	s.SetText("tick")
	s.interval.SetText("0")
	test.Tap(s.periodic)
	if s.PeriodicRunning() || s.ShownError() == "" {
		t.Fatal("0 ms accepted")
	}
	s.interval.SetText("5")
	s.count.SetText("-1")
	test.Tap(s.periodic)
	if s.PeriodicRunning() {
		t.Fatal("negative count accepted")
	}
	s.count.SetText("10")
	test.Tap(s.periodic)
	if !s.PeriodicRunning() || got != 5*time.Millisecond || count != 10 {
		t.Fatalf("running %v %v %d", s.PeriodicRunning(), got, count)
	}
	stopped := false
	s.OnStopPeriodic = func() { stopped = true; s.SetPeriodicRunning(false, 0) }
	test.Tap(s.periodic)
	if !stopped || s.PeriodicRunning() {
		t.Fatal("stop")
	}
	s.OnStartPeriodic = func(codec.Payload, time.Duration, int) error { return errors.New("not connected") }
	test.Tap(s.periodic)
	if s.PeriodicRunning() || s.ShownError() != "not connected" {
		t.Fatalf("start error: %q", s.ShownError())
	}
}

func TestSendBoxQuickCommandShortcut(t *testing.T) {
	s, _, _ := newTestSendBox(t)
	got := 0
	s.OnShortcut = func(n int) { got = n }
	s.entry.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.Key3, Modifier: fyne.KeyModifierShortcutDefault})
	if got != 3 {
		t.Fatalf("shortcut %d", got)
	}
}
