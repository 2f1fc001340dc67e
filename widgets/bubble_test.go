package widgets

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// chatTime is the fixed "now" of the chat tests: bubbles from this day
// show the time of day only.
var chatTime = time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC)

func fixChatClock(t *testing.T) {
	t.Helper()
	old := chatNow
	chatNow = func() time.Time { return chatTime.Add(5 * time.Hour) }
	t.Cleanup(func() { chatNow = old })
}

func sampleMessages() []ChatMessage {
	gb := []byte{0xC4, 0xE3, 0xBA, 0xC3} // 你好 in GB2312
	return []ChatMessage{
		{ID: 1, Nick: "小明", Time: chatTime, Text: "你好！今天下午开会吗？", Raw: []byte("你好！今天下午开会吗？"), Encoding: "UTF-8"},
		{ID: 2, Mine: true, Nick: "Me", Time: chatTime.Add(time.Minute), Status: BubbleSent, Encoding: "GB2312",
			Text: "开会，三点在三楼会议室。This line is long enough that it has to wrap inside the bubble instead of running off the edge."},
		{ID: 3, Mine: true, Time: chatTime.Add(2 * time.Minute), Text: "还在吗？", Status: BubbleUndelivered,
			Note: "connection refused: port unreachable: nothing is listening on 10.0.0.5:9900"},
		{ID: 4, Time: chatTime.Add(3 * time.Minute), Text: "\uFFFD\uFFFD", Raw: gb, Encoding: "UTF-8", Undecodable: true},
	}
}

func newBubbleWindow(t *testing.T, m ChatMessage, size fyne.Size) (*Bubble, fyne.Window) {
	t.Helper()
	test.NewTempApp(t)
	fixChatClock(t)
	b := NewBubble(m)
	w := test.NewTempWindow(t, b)
	w.Resize(size)
	return b, w
}

func TestBubbleMarkup(t *testing.T) {
	msgs := sampleMessages()
	b, w := newBubbleWindow(t, msgs[0], fyne.NewSize(600, 120))
	w.Resize(fyne.NewSize(600, b.HeightFor(600)+8))
	test.AssertRendersToMarkup(t, "bubble/theirs.xml", w.Canvas())

	b.SetMessage(msgs[1])
	w.Resize(fyne.NewSize(600, b.HeightFor(600)+8))
	test.AssertRendersToMarkup(t, "bubble/mine_wrapped.xml", w.Canvas())

	b.SetMessage(msgs[2])
	w.Resize(fyne.NewSize(600, b.HeightFor(600)+8))
	test.AssertRendersToMarkup(t, "bubble/undelivered_retry.xml", w.Canvas())

	b.SetMessage(msgs[3])
	b.SetShowHex(true)
	w.Resize(fyne.NewSize(600, b.HeightFor(600)+8))
	test.AssertRendersToMarkup(t, "bubble/undecodable_hex.xml", w.Canvas())
}

func TestBubbleSidesWidthAndWrapping(t *testing.T) {
	msgs := sampleMessages()
	b, _ := newBubbleWindow(t, msgs[0], fyne.NewSize(800, 200))
	theirsX := b.bg.Position().X
	short := b.HeightFor(800)
	if theirsX > 10 {
		t.Fatalf("theirs starts at x=%v, want the left edge", theirsX)
	}
	b.SetMessage(msgs[1])
	b.Resize(fyne.NewSize(800, b.HeightFor(800)))
	if x, w := b.bg.Position().X, b.bg.Size().Width; x+w < 790 || x < 100 {
		t.Fatalf("mine at x=%v width %v, want against the right edge", x, w)
	}
	if w := b.bg.Size().Width; w > 800*0.75+1 {
		t.Fatalf("bubble %v wide in a row of 800", w)
	}
	if long := b.HeightFor(800); long < short+15 {
		t.Fatalf("long text did not wrap: %v vs %v", long, short)
	}
	// Narrower rows wrap more.
	if b.HeightFor(400) <= b.HeightFor(800) {
		t.Fatal("a narrower row is not taller")
	}
	// The text is selectable, for copying part of it.
	if !b.text.Selectable || b.text.Wrapping != fyne.TextWrapWord {
		t.Fatal("text not selectable or not wrapping")
	}
	// The header names the sender and the time (no date on the same day).
	if b.header.Text != "Me · 09:31:00" {
		t.Fatalf("header %q", b.header.Text)
	}
	b.SetMessage(msgs[0])
	if b.header.Text != "小明 · 09:30:00" {
		t.Fatalf("header %q", b.header.Text)
	}
	chatNow = func() time.Time { return chatTime.AddDate(0, 0, 2) }
	b.SetMessage(ChatMessage{ID: 9, Time: chatTime, Text: "x"})
	if b.header.Text != "2025-03-01 09:30" {
		t.Fatalf("header on another day %q", b.header.Text)
	}
	// The sender's nickname, learned after the message came, is shown
	// though the message itself did not change.
	if !b.setState(ChatMessage{ID: 9, Time: chatTime, Text: "x", Nick: "小红"}, false) || b.header.Text != "小红 · 2025-03-01 09:30" {
		t.Fatalf("header after the nickname was learned %q", b.header.Text)
	}
}

func TestBubbleActions(t *testing.T) {
	msgs := sampleMessages()
	b, w := newBubbleWindow(t, msgs[2], fyne.NewSize(600, 200))
	var retried []int64
	b.OnRetry = func(m ChatMessage) { retried = append(retried, m.ID) }
	if !b.retry.Visible() || !strings.Contains(b.note.Text, "Not delivered: connection refused") || b.note.Importance != widget.DangerImportance {
		t.Fatalf("undelivered: retry %v note %q", b.retry.Visible(), b.note.Text)
	}
	test.Tap(b.retry)
	if len(retried) != 1 || retried[0] != 3 {
		t.Fatalf("retried %v", retried)
	}
	// Sent messages offer no retry and no note.
	b.SetMessage(msgs[1])
	if b.retry.Visible() || b.footer.Visible() {
		t.Fatal("a sent message shows a footer")
	}
	// Copy puts the text on the clipboard; with the hex open, the bytes.
	var copied string
	b.OnCopied = func(s string) { copied = s }
	test.Tap(b.copyBtn)
	if copied != msgs[1].Text || fyne.CurrentApp().Clipboard().Content() != msgs[1].Text {
		t.Fatalf("copied %q", copied)
	}
	b.SetMessage(msgs[3])
	if !strings.Contains(b.note.Text, "not valid UTF-8") || b.hex.Visible() {
		t.Fatalf("undecodable: note %q, hex shown %v", b.note.Text, b.hex.Visible())
	}
	toggled := 0
	b.OnToggleHex = func(ChatMessage, bool) { toggled++ }
	test.Tap(b.hexBtn)
	if !b.hex.Visible() || !strings.Contains(b.hex.Text, "C4 E3 BA C3") || !strings.Contains(b.hex.Text, "4 bytes (UTF-8)") || toggled != 1 {
		t.Fatalf("hex %v %q toggled %d", b.hex.Visible(), b.hex.Text, toggled)
	}
	test.Tap(b.copyBtn)
	if copied != "C4 E3 BA C3" {
		t.Fatalf("copied hex %q", copied)
	}
	// An empty datagram says so.
	b.SetMessage(ChatMessage{ID: 5, Time: chatTime})
	if b.text.Text != "(empty message)" || !b.text.TextStyle.Italic {
		t.Fatalf("empty: %q", b.text.Text)
	}
	_ = w
}
