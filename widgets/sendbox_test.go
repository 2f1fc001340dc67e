package widgets

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
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
	s.SetText("41 4G")
	if !strings.Contains(s.preview.Text, "position 5") {
		t.Fatalf("preview = %q", s.preview.Text)
	}
	test.Tap(s.sendBtn)
	if len(*sent) != 0 || !s.status.Visible() || !strings.Contains(s.status.Text, "position 5") {
		t.Fatalf("sent %d, status %q", len(*sent), s.status.Text)
	}
	if s.Text() != "41 4G" {
		t.Fatal("the text was lost")
	}
	if !s.encSel.Disabled() {
		t.Fatal("encoding should be disabled in hex mode")
	}
	test.AssertRendersToMarkup(t, "sendbox/bad_hex.xml", w.Canvas())
	s.SetText("41 42")
	test.Tap(s.sendBtn)
	if len(*sent) != 1 || s.status.Visible() {
		t.Fatalf("good hex: sent %d, status %q", len(*sent), s.status.Text)
	}
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
	if s.PeriodicRunning() || !s.status.Visible() {
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
	if s.PeriodicRunning() || s.status.Text != "not connected" {
		t.Fatalf("start error: %q", s.status.Text)
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
