package main

import (
	"errors"
	"os"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/netdebug/netdebug/netcore/chat"
	"github.com/netdebug/netdebug/netcore/codec"
	"github.com/netdebug/netdebug/widgets"
)

// showMenu offers what can be done with the conversation.
func (t *chatTab) showMenu() {
	if t.current == "" {
		return
	}
	c, ok := t.chat.Conversation(t.current)
	if !ok {
		return
	}
	var endings []*fyne.MenuItem
	for _, l := range codec.LineEndings() {
		item := fyne.NewMenuItem(eolLabel(l), func() { _ = t.chat.SetLineEnding(t.current, l) })
		item.Checked = c.LineEnding == l || (l == codec.LineNone && c.LineEnding == "")
		endings = append(endings, item)
	}
	eol := fyne.NewMenuItem(tr("Line ending of sent messages"), nil)
	eol.ChildMenu = fyne.NewMenu("", endings...)
	eol.Disabled = c.Transport != chat.UDP
	menu := fyne.NewMenu("",
		eol,
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem(tr("Export transcript…"), t.exportTranscript),
		fyne.NewMenuItem(tr("Copy address"), func() { t.u.app.Clipboard().SetContent(c.Addr) }),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem(tr("Clear conversation…"), func() {
			dialog.ShowConfirm(tr("Clear conversation"), tr("Delete every message of this conversation? This cannot be undone."), func(ok bool) {
				if ok {
					t.clearConversation()
				}
			}, t.u.win)
		}),
		fyne.NewMenuItem(tr("Remove conversation…"), func() {
			dialog.ShowConfirm(tr("Remove conversation"), tr("Remove this conversation and its history?"), func(ok bool) {
				if ok {
					t.removeConversation()
				}
			}, t.u.win)
		}),
	)
	cnv := fyne.CurrentApp().Driver().CanvasForObject(t.menuBtn)
	if cnv == nil {
		return
	}
	widget.ShowPopUpMenuAtRelativePosition(menu, cnv, fyne.NewPos(0, t.menuBtn.Size().Height), t.menuBtn)
}

func (t *chatTab) clearConversation() {
	if err := t.chat.Clear(t.current); err != nil {
		t.showSendError(err)
	}
	t.refreshAll()
}

func (t *chatTab) removeConversation() {
	if err := t.chat.Remove(t.current); err != nil {
		t.showSendError(err)
	}
	t.open("")
	t.refreshLists()
}

// exportTranscript writes the conversation as text to a file the user
// picks (the dialog runs off the UI goroutine).
func (t *chatTab) exportTranscript() {
	key := t.current
	c, ok := t.chat.Conversation(key)
	if !ok {
		return
	}
	name := "chat-" + strings.NewReplacer(":", "_", "/", "_", "[", "", "]", "").Replace(c.Title()) + ".txt"
	me := t.chat.Nickname()
	go func() {
		path, err := t.u.files.SaveFile(tr("Export transcript"), name, widgets.FileFilter{Name: tr("Text files"), Extensions: []string{"txt"}})
		if errors.Is(err, widgets.ErrDialogCancelled) {
			return
		}
		if err == nil {
			err = t.writeTranscript(path, key, me)
		}
		uiDo(func() {
			t.sendStatus.Show()
			if err != nil {
				t.sendStatus.fail(err)
				return
			}
			t.sendStatus.ok(trf("Transcript saved to {{.Path}}", map[string]any{"Path": path}))
		})
	}()
}

func (t *chatTab) writeTranscript(path, key, me string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	err = t.chat.WriteTranscript(f, key, me)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// stackedLabels puts a title and a line under it closer than a VBox does
// (each label has its own padding).
type stackedLabels struct{}

func (stackedLabels) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	gap := theme.InnerPadding()
	y := float32(0)
	for _, o := range objs {
		h := o.MinSize().Height
		o.Move(fyne.NewPos(0, y))
		o.Resize(fyne.NewSize(size.Width, h))
		y += h - gap
	}
}

func (stackedLabels) MinSize(objs []fyne.CanvasObject) fyne.Size {
	gap := theme.InnerPadding()
	var s fyne.Size
	for i, o := range objs {
		m := o.MinSize()
		s.Width = max(s.Width, m.Width)
		s.Height += m.Height
		if i > 0 {
			s.Height -= gap
		}
	}
	return s
}
