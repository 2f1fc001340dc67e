package widgets

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// ChatInput is the message editor of a chat: several lines, Enter sends,
// Shift+Enter starts a new line (Ctrl+Enter sends too, as in the send box).
//
// Shift is tracked through KeyDown/KeyUp because Enter arrives in TypedKey
// without modifiers; Fyne's own Entry does the opposite (Shift+Enter
// submits), so this one never sets OnSubmitted.
type ChatInput struct {
	widget.Entry

	// OnSend receives the text when the user sends. Returning nil clears
	// the editor; an error keeps the text so nothing typed is lost.
	OnSend func(text string) error

	shift bool
}

// NewChatInput returns an empty editor.
func NewChatInput() *ChatInput {
	e := &ChatInput{}
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapWord
	e.ExtendBaseWidget(e)
	e.SetMinRowsVisible(2)
	return e
}

// Send hands the text to OnSend, as Enter does. Text that is only spaces
// and newlines is not sent.
func (e *ChatInput) Send() {
	if e.OnSend == nil || strings.TrimSpace(e.Text) == "" {
		return
	}
	if err := e.OnSend(e.Text); err == nil {
		e.SetText("")
	}
}

// KeyDown notes Shift.
func (e *ChatInput) KeyDown(ev *fyne.KeyEvent) {
	if ev.Name == desktop.KeyShiftLeft || ev.Name == desktop.KeyShiftRight {
		e.shift = true
	}
	e.Entry.KeyDown(ev)
}

// KeyUp notes Shift released.
func (e *ChatInput) KeyUp(ev *fyne.KeyEvent) {
	if ev.Name == desktop.KeyShiftLeft || ev.Name == desktop.KeyShiftRight {
		e.shift = false
	}
	e.Entry.KeyUp(ev)
}

// FocusLost forgets Shift: its release may go to another widget.
func (e *ChatInput) FocusLost() {
	e.shift = false
	e.Entry.FocusLost()
}

// TypedKey sends on Enter; with Shift held the Entry inserts a newline.
func (e *ChatInput) TypedKey(ev *fyne.KeyEvent) {
	if (ev.Name == fyne.KeyReturn || ev.Name == fyne.KeyEnter) && !e.shift {
		e.Send()
		return
	}
	e.Entry.TypedKey(ev)
}

// TypedShortcut sends on Ctrl+Enter.
func (e *ChatInput) TypedShortcut(sc fyne.Shortcut) {
	if cs, ok := sc.(*desktop.CustomShortcut); ok && cs.Modifier == fyne.KeyModifierShortcutDefault &&
		(cs.KeyName == fyne.KeyReturn || cs.KeyName == fyne.KeyEnter) {
		e.Send()
		return
	}
	e.Entry.TypedShortcut(sc)
}
