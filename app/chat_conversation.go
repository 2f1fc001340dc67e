package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/netdebug/netdebug/netcore/chat"
	"github.com/netdebug/netdebug/netcore/codec"
	"github.com/netdebug/netdebug/netcore/session"
	"github.com/netdebug/netdebug/widgets"
)

// addPeerTimeout bounds a name lookup and a TCP connect when adding a peer.
const addPeerTimeout = 10 * time.Second

func (t *chatTab) buildLeft() {
	t.peer = widget.NewEntry()
	t.peer.SetPlaceHolder(tr("IP or host name, and :port"))
	t.peer.OnSubmitted = func(string) { t.addPeer() }
	t.transport = newSelect([]string{"UDP", "TCP"}, func(s string) { t.p.setStr(prefChatTransport, s) })
	t.transport.SetSelected(t.p.str(prefChatTransport, "UDP"))
	t.addBtn = widget.NewButtonWithIcon(tr("Add"), theme.ContentAddIcon(), t.addPeer)
	t.addStatus = newStatusLabel()
	t.addStatus.Hide()

	t.convs = widgets.NewConversationList()
	t.convs.OnSelected = t.open
	t.nearbyList = widgets.NewConversationList()
	t.nearbyList.OnSelected = t.openNearby
	t.nearbyLabel = widget.NewLabelWithStyle(tr("Nearby"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	t.nearbyLabel.Wrapping = fyne.TextWrapWord
	t.nearbyBox = container.NewBorder(t.nearbyLabel, nil, nil, nil, t.nearbyList)
}

func (t *chatTab) addPeerBox() fyne.CanvasObject {
	row := container.NewHBox(widgets.FitOptionsAtLeast(t.transport, 90), t.addBtn)
	return container.NewVBox(widget.NewLabelWithStyle(tr("Conversations"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), t.peer, row, t.addStatus.Label)
}

// addPeer opens a conversation with the address typed. A bare host gets
// the chat port. The lookup (and the TCP connect) run off the UI.
func (t *chatTab) addPeer() {
	text := strings.TrimSpace(t.peer.Text)
	defPort, err := session.ParsePort(t.port.Text, false)
	if err != nil {
		defPort = chat.DefaultPort
	}
	host, port, err := session.SplitTarget(text, defPort, false)
	if err == nil && text != "" && strings.HasPrefix(text, ":") {
		err = fmt.Errorf("%w: %s", session.ErrInvalidAddress, tr("type the peer's IP address or host name before the port"))
	}
	if err != nil {
		t.addStatus.Show()
		t.addStatus.fail(err)
		return
	}
	via := chat.UDP
	if t.transport.Selected == "TCP" {
		via = chat.TCP
	}
	t.addBtn.Disable()
	t.addStatus.Show()
	t.addStatus.info(trf("Looking up {{.Host}}…", map[string]any{"Host": host}))
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), addPeerTimeout)
		defer cancel()
		key, err := t.chat.AddPeer(ctx, host, strconv.Itoa(port), via)
		uiDo(func() {
			t.addBtn.Enable()
			if err != nil {
				t.addStatus.fail(err)
				return
			}
			t.addStatus.Hide()
			t.peer.SetText("")
			t.refreshLists()
			t.open(key)
		})
	}()
}

func (t *chatTab) openNearby(id string) {
	// The nearby list is a launcher: the conversation list shows the pick.
	defer t.nearbyList.Select("")
	for _, n := range t.nearby {
		if n.ID != id {
			continue
		}
		key, err := t.chat.Discover(n)
		if err != nil {
			t.addStatus.Show()
			t.addStatus.fail(err)
			return
		}
		t.refreshLists()
		t.open(key)
		return
	}
}

func (t *chatTab) buildConversation() {
	t.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	t.title.Truncation = fyne.TextTruncateEllipsis
	t.subtitle = widget.NewLabel("")
	t.subtitle.Importance = widget.LowImportance
	t.subtitle.Truncation = fyne.TextTruncateEllipsis
	t.encSel = newSelect(chatEncodings(), func(s string) {
		if t.current != "" {
			_ = t.chat.SetEncoding(t.current, codec.MustEncoding(s))
			t.refreshMessages()
		}
	})
	t.menuBtn = widget.NewButtonWithIcon("", theme.MoreVerticalIcon(), t.showMenu)
	t.view = widgets.NewChatView("")
	t.view.OnRetry = t.retry
	t.input = widgets.NewChatInput()
	t.input.SetPlaceHolder(tr("Type a message; Enter sends, Shift+Enter starts a new line"))
	t.input.OnSend = t.send
	t.sendBtn = widget.NewButtonWithIcon(tr("Send"), theme.MailSendIcon(), t.input.Send)
	t.sendBtn.Importance = widget.HighImportance
	t.sendStatus = newStatusLabel()
	t.sendStatus.Hide()

	header := container.NewBorder(nil, nil, nil,
		container.NewCenter(container.NewHBox(widgets.FitOptionsAtLeast(t.encSel, 120), t.menuBtn)),
		container.New(&stackedLabels{}, t.title, t.subtitle))
	editor := container.NewBorder(nil, t.sendStatus.Label, nil, t.sendBtn, t.input)
	t.convPane = container.NewBorder(header, editor, nil, nil, t.view)
}

// eolLabel names a line ending in the conversation menu.
func eolLabel(l codec.LineEnding) string {
	if l == codec.LineNone || l == "" {
		return tr("No line ending")
	}
	return trf("Add {{.Ending}}", map[string]any{"Ending": l.Label()})
}

// open shows a conversation.
func (t *chatTab) open(key string) {
	if _, ok := t.chat.Conversation(key); !ok {
		key = ""
	}
	t.current = key
	t.p.setStr(prefChatCurrent, key)
	t.syncActive()
	t.refreshLists()
	t.convs.Select(key)
	t.sendStatus.Hide()
	t.refreshConversation()
	t.view.ScrollToBottom()
	if key != "" {
		t.u.win.Canvas().Focus(t.input)
	}
}

// refreshLists updates the conversation and nearby lists.
func (t *chatTab) refreshLists() {
	var items []widgets.ConversationItem
	for _, c := range t.chat.Conversations() {
		it := widgets.ConversationItem{Key: c.Key, Title: c.Title(), Subtitle: c.LastText, Time: c.LastTime, Unread: c.Unread}
		if c.Key == t.current {
			it.Unread = 0
		}
		if it.Subtitle == "" {
			it.Subtitle = c.Addr
		}
		if c.Transport == chat.TCP {
			it.Tag = "TCP"
			if !c.Connected {
				it.Tag = tr("TCP, not connected")
			}
		}
		items = append(items, it)
	}
	t.convs.SetItems(items)

	if !t.chat.State().Discovery {
		t.nearby = nil
		t.nearbyBox.Hide()
		return
	}
	t.nearbyBox.Show()
	t.nearby = t.chat.Nearby()
	var near []widgets.ConversationItem
	for _, n := range t.nearby {
		near = append(near, widgets.ConversationItem{Key: n.ID, Title: n.Nick, Subtitle: n.Addr.String()})
	}
	if len(near) == 0 {
		t.nearbyLabel.SetText(tr("Nearby: nobody yet (others must turn on Discover nearby too)"))
	} else {
		t.nearbyLabel.SetText(trf("Nearby ({{.Count}}): tap one to chat", map[string]any{"Count": len(near)}))
	}
	t.nearbyList.SetItems(near)
}

// refreshConversation updates the right pane for the open conversation.
func (t *chatTab) refreshConversation() {
	c, ok := t.chat.Conversation(t.current)
	if !ok {
		t.current = ""
		t.title.SetText(tr("No conversation open"))
		t.subtitle.SetText(tr("Add a peer on the left (IP address and port), or wait for someone to send to you."))
		for _, w := range []fyne.Disableable{t.encSel, t.menuBtn, t.sendBtn, t.input} {
			w.Disable()
		}
		t.view.SetPlaceholder(tr("Pick a conversation, or add a peer: a datagram from anyone opens one too."))
		t.view.SetMessages(nil)
		return
	}
	for _, w := range []fyne.Disableable{t.encSel, t.menuBtn, t.sendBtn, t.input} {
		w.Enable()
	}
	t.title.SetText(c.Title())
	sub := strings.ToUpper(string(c.Transport))
	if c.Title() != c.Addr {
		sub = c.Addr + " · " + sub
	}
	if c.Transport == chat.TCP {
		if c.Connected {
			sub += " · " + tr("connected")
		} else {
			sub += " · " + tr("not connected")
		}
	}
	t.subtitle.SetText(sub)
	t.selectQuietly(t.encSel, string(c.Encoding))
	t.view.SetPlaceholder(tr("No messages yet. Type below and press Enter."))
	t.refreshMessages()
}

// selectQuietly sets a select without calling its OnChanged.
func (t *chatTab) selectQuietly(s *widget.Select, v string) {
	f := s.OnChanged
	s.OnChanged = nil
	s.SetSelected(v)
	s.OnChanged = f
}

// refreshMessages shows the open conversation's messages.
func (t *chatTab) refreshMessages() {
	if t.current == "" {
		return
	}
	msgs := t.chat.Messages(t.current)
	c, _ := t.chat.Conversation(t.current)
	out := make([]widgets.ChatMessage, len(msgs))
	for i, m := range msgs {
		out[i] = bubbleOf(m)
		// A message that came before its sender announced a nickname is
		// shown with the name known now: the conversation has one peer.
		if !out[i].Mine && out[i].Nick == "" {
			out[i].Nick = c.Nick
		}
	}
	t.view.SetMessages(out)
}

func bubbleOf(m chat.Message) widgets.ChatMessage {
	b := widgets.ChatMessage{ID: m.ID, Rev: m.Rev, Mine: m.Dir == chat.Outgoing, Time: m.Time, Nick: m.Nick,
		Text: m.Text, Raw: m.Raw, Encoding: string(m.Enc), Note: m.Note, Undecodable: m.Undecodable}
	switch m.Status {
	case chat.StatusSending:
		b.Status = widgets.BubbleSending
	case chat.StatusSent:
		b.Status = widgets.BubbleSent
	case chat.StatusFailed:
		b.Status = widgets.BubbleFailed
	case chat.StatusUndelivered:
		b.Status = widgets.BubbleUndelivered
	}
	return b
}

// send is the input's OnSend: an error keeps the text in the editor.
func (t *chatTab) send(text string) error {
	if t.current == "" {
		err := errors.New(tr("Open a conversation first."))
		t.showSendError(err)
		return err
	}
	if _, err := t.chat.Send(t.current, text); err != nil {
		t.showSendError(err)
		return err
	}
	t.sendStatus.Hide()
	t.refreshMessages()
	t.view.ScrollToBottom()
	return nil
}

func (t *chatTab) showSendError(err error) {
	t.sendStatus.Show()
	t.sendStatus.fail(err)
}

func (t *chatTab) retry(m widgets.ChatMessage) {
	if err := t.chat.Retry(t.current, m.ID); err != nil {
		t.showSendError(err)
		return
	}
	t.refreshMessages()
}
