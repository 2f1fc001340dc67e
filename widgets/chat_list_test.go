package widgets

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

func TestConversationListMarkupAndSelection(t *testing.T) {
	test.NewTempApp(t)
	fixChatClock(t)
	l := NewConversationList()
	w := test.NewTempWindow(t, l)
	w.Resize(fyne.NewSize(300, 260))
	var picked []string
	l.OnSelected = func(k string) { picked = append(picked, k) }
	items := []ConversationItem{
		{Key: "a", Title: "小明", Subtitle: "你好！今天下午开会吗？", Time: chatTime, Unread: 3},
		{Key: "b", Title: "192.168.1.20:9900", Subtitle: "ok", Time: chatTime.Add(-48 * time.Hour)},
		{Key: "c", Title: "plc.lan", Subtitle: "10.0.0.8:5000", Tag: "TCP", Unread: 120},
	}
	l.SetItems(items)
	l.Select("b")
	test.AssertRendersToMarkup(t, "chat/list.xml", w.Canvas())
	if len(picked) != 0 {
		t.Fatalf("Select called OnSelected: %v", picked)
	}
	// New order: the selection follows the key.
	l.SetItems([]ConversationItem{items[1], items[2], items[0]})
	if l.Selected() != "b" {
		t.Fatalf("selected %q", l.Selected())
	}
	l.Pick("c")
	if l.Selected() != "c" || len(picked) != 1 || picked[0] != "c" {
		t.Fatalf("pick: %q %v", l.Selected(), picked)
	}
	// The selected conversation disappears: nothing is selected.
	l.SetItems(items[:2])
	if len(picked) != 1 {
		t.Fatalf("SetItems called OnSelected: %v", picked)
	}
}
