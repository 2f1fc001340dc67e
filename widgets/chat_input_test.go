package widgets

import (
	"errors"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
)

func TestChatInputEnterSendsShiftEnterBreaksLine(t *testing.T) {
	test.NewTempApp(t)
	in := NewChatInput()
	w := test.NewTempWindow(t, in)
	w.Resize(fyne.NewSize(400, 100))
	var sent []string
	var fail error
	in.OnSend = func(s string) error {
		sent = append(sent, s)
		return fail
	}
	w.Canvas().Focus(in)
	test.Type(in, "你好")
	in.KeyDown(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
	in.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	in.KeyUp(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
	test.Type(in, "world")
	if in.Text != "你好\nworld" || len(sent) != 0 {
		t.Fatalf("Shift+Enter: text %q, sent %q", in.Text, sent)
	}
	in.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if len(sent) != 1 || sent[0] != "你好\nworld" || in.Text != "" {
		t.Fatalf("Enter: sent %q, text left %q", sent, in.Text)
	}
	// A refused send keeps the text.
	fail = errors.New("offline")
	test.Type(in, "keep me")
	in.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEnter})
	if in.Text != "keep me" || len(sent) != 2 {
		t.Fatalf("after a failed send: %q, %d sends", in.Text, len(sent))
	}
	// Ctrl+Enter sends too; blank text never does.
	fail = nil
	in.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyReturn, Modifier: fyne.KeyModifierShortcutDefault})
	if in.Text != "" || len(sent) != 3 {
		t.Fatalf("Ctrl+Enter: %q, %d sends", in.Text, len(sent))
	}
	test.Type(in, "  ")
	in.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if len(sent) != 3 {
		t.Fatal("blank text was sent")
	}
	// Shift released while focus was elsewhere does not stick.
	in.SetText("")
	in.KeyDown(&fyne.KeyEvent{Name: desktop.KeyShiftRight})
	in.FocusLost()
	w.Canvas().Focus(in)
	test.Type(in, "x")
	in.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if len(sent) != 4 {
		t.Fatal("Shift stayed held after losing focus")
	}
}
