package widgets

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

func manyMessages(n int) []ChatMessage {
	out := make([]ChatMessage, n)
	for i := range out {
		text := fmt.Sprintf("消息 %d: hello", i)
		if i%7 == 0 {
			text = strings.Repeat("一段很长的中文消息，需要换行显示。", 1+i%5)
		}
		if i%11 == 0 {
			text = strings.Repeat("The quick brown fox jumps over the lazy dog. ", 1+i%4)
		}
		out[i] = ChatMessage{ID: int64(i + 1), Mine: i%3 == 0, Time: chatTime.Add(time.Duration(i) * time.Second), Text: text, Nick: "peer"}
	}
	return out
}

func newTestChatView(t *testing.T, size fyne.Size) (*ChatView, fyne.Window) {
	t.Helper()
	test.NewTempApp(t)
	fixChatClock(t)
	v := NewChatView("No messages yet")
	w := test.NewTempWindow(t, v)
	w.Resize(size)
	return v, w
}

func TestChatViewMarkup(t *testing.T) {
	v, w := newTestChatView(t, fyne.NewSize(700, 560))
	test.AssertRendersToMarkup(t, "chat/view_empty.xml", w.Canvas())
	v.SetMessages(sampleMessages())
	v.ShowHex(4, true)
	test.AssertRendersToMarkup(t, "chat/view_conversation.xml", w.Canvas())
}

// Ten thousand messages: only the rows on screen have bubbles, the view
// follows the newest, and scrolling to any place shows the right ones.
func TestChatViewVirtualisesTenThousand(t *testing.T) {
	v, _ := newTestChatView(t, fyne.NewSize(800, 600))
	msgs := manyMessages(10000)
	start := time.Now()
	v.SetMessages(msgs)
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("showing 10,000 messages took %v", d)
	}
	shown := v.visibleBubbles()
	if len(shown) == 0 || len(shown) > 40 {
		t.Fatalf("%d bubbles exist for 10,000 messages", len(shown))
	}
	if last := shown[len(shown)-1].Message(); last.ID != 10000 {
		t.Fatalf("the newest message is not in view: %d", last.ID)
	}
	// Every bubble on screen was measured exactly and sits where the
	// offsets say, without overlapping the next.
	for _, b := range shown {
		if h := b.HeightFor(800); h != b.Size().Height {
			t.Fatalf("bubble %d is %v high, needs %v", b.Message().ID, b.Size().Height, h)
		}
	}
	for i := 1; i < len(shown); i++ {
		if a, b := shown[i-1], shown[i]; a.Position().Y+a.Size().Height > b.Position().Y+0.5 {
			t.Fatalf("bubbles %d and %d overlap", a.Message().ID, b.Message().ID)
		}
	}
	// Scroll to the top: the first messages, with no more bubbles made
	// than a screen needs.
	v.scroll.ScrollToTop()
	v.place()
	shown = v.visibleBubbles()
	if shown[0].Message().ID != 1 || len(shown) > 40 || len(v.pool)+len(v.shown) > 80 {
		t.Fatalf("at the top: first %d, %d shown, %d pooled", shown[0].Message().ID, len(shown), len(v.pool))
	}
	// A new message while the user reads old ones does not move the view.
	offset := v.scroll.Offset.Y
	v.SetMessages(append(msgs, ChatMessage{ID: 10001, Time: chatTime, Text: "new"}))
	if v.scroll.Offset.Y != offset || v.visibleBubbles()[0].Message().ID != 1 {
		t.Fatalf("the view moved to %v", v.scroll.Offset.Y)
	}
	// Back at the bottom, it follows again.
	v.ScrollToBottom()
	v.SetMessages(append(v.Messages(), ChatMessage{ID: 10002, Time: chatTime, Text: "newer"}))
	shown = v.visibleBubbles()
	if shown[len(shown)-1].Message().ID != 10002 || !v.AtBottom() {
		t.Fatal("not following the newest message")
	}
}

// The estimates that size the scroll bar agree with real layout, so the
// view rarely has to correct itself as rows come into view.
func TestChatViewEstimatesMatchLayout(t *testing.T) {
	test.NewTempApp(t)
	fixChatClock(t)
	b := NewBubble(ChatMessage{})
	m := newBubbleMetrics(b)
	msgs := append(manyMessages(200), sampleMessages()...)
	for _, w := range []float32{320, 560, 900} {
		bad := 0
		for _, msg := range msgs {
			for _, hex := range []bool{false, true} {
				b.setState(msg, hex)
				if e, x := m.estimate(msg, hex, w), b.HeightFor(w); e != x {
					bad++
					t.Logf("width %v hex %v: estimate %v, layout %v: %q", w, hex, e, x, msg.Text)
				}
			}
		}
		if bad > len(msgs)/20 {
			t.Errorf("width %v: %d of %d estimates wrong", w, bad, 2*len(msgs))
		}
	}
}

func TestChatViewHexAndRetry(t *testing.T) {
	v, _ := newTestChatView(t, fyne.NewSize(700, 560))
	var retried []int64
	v.OnRetry = func(m ChatMessage) { retried = append(retried, m.ID) }
	v.SetMessages(sampleMessages())
	var failed, undecodable *Bubble
	for _, b := range v.visibleBubbles() {
		switch b.Message().ID {
		case 3:
			failed = b
		case 4:
			undecodable = b
		}
	}
	test.Tap(failed.retry)
	if len(retried) != 1 || retried[0] != 3 {
		t.Fatalf("retried %v", retried)
	}
	before := v.offsets[len(v.offsets)-1]
	test.Tap(undecodable.hexBtn)
	if !v.hexOpen[4] || v.offsets[len(v.offsets)-1] <= before {
		t.Fatal("opening the hex did not make the row taller")
	}
	// The hex stays open when the message is updated.
	msgs := sampleMessages()
	msgs[3].Rev++
	v.SetMessages(msgs)
	for _, b := range v.visibleBubbles() {
		if b.Message().ID == 4 && !b.ShowsHex() {
			t.Fatal("hex closed by an update")
		}
	}
}

func BenchmarkChatViewTenThousand(b *testing.B) {
	test.NewTempApp(b)
	msgs := manyMessages(10000)
	for b.Loop() {
		v := NewChatView("")
		w := test.NewTempWindow(b, v)
		w.Resize(fyne.NewSize(800, 600))
		v.SetMessages(msgs)
	}
}
