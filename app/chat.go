package main

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/netdebug/netdebug/netcore/chat"
	"github.com/netdebug/netdebug/netcore/codec"
	"github.com/netdebug/netdebug/netcore/session"
	"github.com/netdebug/netdebug/widgets"
)

// chatTab is the Chat tab: person-to-person messages over plain UDP (or
// TCP lines), one conversation per peer, history kept across restarts,
// and opt-in discovery of other NetDebug instances.
type chatTab struct {
	u    *appUI
	p    prefs
	chat *chat.Chat
	sync *chatSync

	content *chatPane

	// Top bar: who we are and where we listen.
	nick       *widget.Entry
	port       *widget.Entry
	acceptTCP  *widget.Check
	discover   *widget.Check
	onlineBtn  *widget.Button
	usePortBtn *widget.Button
	status     statusLabel
	suggested  int

	// Left: conversations, adding a peer, nearby instances.
	peer        *widget.Entry
	transport   *widget.Select
	addBtn      *widget.Button
	addStatus   statusLabel
	convs       *widgets.ConversationList
	nearbyList  *widgets.ConversationList
	nearbyBox   *fyne.Container
	nearbyLabel *widget.Label
	nearby      []chat.Nearby

	// Right: the open conversation.
	current    string
	title      *widget.Label
	subtitle   *widget.Label
	encSel     *widget.Select
	menuBtn    *widget.Button
	view       *widgets.ChatView
	input      *widgets.ChatInput
	sendBtn    *widget.Button
	sendStatus statusLabel
	convPane   *fyne.Container
}

// Tab order: 10 TCP client, 20 TCP server, 30 UDP, 40 chat, 50 TFTP client,
// 60 TFTP server, 70 tools.
func init() { registerTab(40, (*appUI).newChatTab) }

// chatHistoryDir is where the Chat tab keeps its history: "chat" under
// the app's storage. "" keeps history in memory (storage that is not a
// folder; tests of other tabs).
var chatHistoryDir = func(a fyne.App) string {
	root := a.Storage().RootURI()
	if root == nil || root.Scheme() != "file" {
		return ""
	}
	return filepath.Join(root.Path(), "chat")
}

// chatBroadcasts overrides where discovery announces (nil: the subnet
// broadcast addresses of this computer); tests keep announces on loopback.
var chatBroadcasts func() []netip.Addr

// Preference keys of the Chat tab (prefixed "chat.").
const (
	prefChatNick      = "nick"
	prefChatPort      = "port"
	prefChatAcceptTCP = "acceptTCP"
	prefChatDiscovery = "discovery"
	prefChatOnline    = "online"
	prefChatCurrent   = "current"
	prefChatTransport = "transport"
)

func (u *appUI) newChatTab() tab {
	t := u.buildChatTab(chatHistoryDir(u.app))
	return tab{name: tr("Chat"), icon: theme.MailComposeIcon(), content: t.content}
}

// defaultNick is the computer's name, which is what people on a LAN know
// each other's machines by.
func defaultNick() string {
	if h, err := os.Hostname(); err == nil && chat.CleanNick(h) != "" {
		return chat.CleanNick(h)
	}
	return "NetDebug"
}

// buildChatTab makes the tab with its history in dir ("" for memory only).
func (u *appUI) buildChatTab(dir string) *chatTab {
	t := &chatTab{u: u, p: newPrefs(u.app, "chat")}
	v, b := appVersion(u.app)
	t.sync = newChatSync(t.flush)
	c, err := chat.New(chat.Config{
		Nickname:   t.p.str(prefChatNick, defaultNick()),
		Dir:        dir,
		Discovery:  t.p.boolean(prefChatDiscovery, false),
		App:        "NetDebug " + v + "+" + b,
		Broadcasts: chatBroadcasts,
		OnChange:   t.sync.changed,
	})
	if err != nil {
		// A history folder that cannot be made must not cost the chat.
		fyne.LogError("opening the chat history", err)
		c, _ = chat.New(chat.Config{Nickname: t.p.str(prefChatNick, defaultNick()), OnChange: t.sync.changed})
	}
	t.chat = c
	u.onQuit(t.shutdown)

	t.buildTopBar()
	t.buildLeft()
	t.buildConversation()
	left := container.NewBorder(t.addPeerBox(), nil, nil, nil,
		container.NewVSplit(t.convs, t.nearbyBox))
	split := container.NewHSplit(left, t.convPane)
	split.Offset = 0.3
	top := container.NewVBox(t.topBar(), t.status.Label)
	t.content = newChatPane(t, container.NewBorder(top, nil, nil, nil, split))

	if err != nil {
		t.status.fail(err)
	}
	t.refreshAll()
	if key := t.p.str(prefChatCurrent, ""); key != "" {
		t.open(key)
	}
	if t.p.boolean(prefChatOnline, false) {
		t.goOnline()
	}
	return t
}

func (t *chatTab) buildTopBar() {
	t.nick = widget.NewEntry()
	t.nick.SetPlaceHolder(tr("your nickname"))
	t.nick.SetText(t.chat.Nickname())
	t.nick.OnChanged = func(s string) {
		t.chat.SetNickname(s)
		t.p.setStr(prefChatNick, strings.TrimSpace(s))
	}
	t.port = widget.NewEntry()
	t.port.SetPlaceHolder(tr("port"))
	t.port.SetText(t.p.str(prefChatPort, strconv.Itoa(chat.DefaultPort)))
	t.port.OnSubmitted = func(string) { t.toggleOnline() }
	// Checks get their remembered state before their callbacks, which
	// need the rest of the tab.
	t.acceptTCP = widget.NewCheck(tr("Accept TCP"), nil)
	t.acceptTCP.SetChecked(t.p.boolean(prefChatAcceptTCP, false))
	t.acceptTCP.OnChanged = func(on bool) {
		t.p.setBool(prefChatAcceptTCP, on)
		if st := t.chat.State(); st.Online && st.AcceptTCP != on {
			// The listener comes and goes with the chat socket.
			t.chat.Stop()
			t.goOnline()
		}
	}
	t.discover = widget.NewCheck(tr("Discover nearby"), nil)
	t.discover.SetChecked(t.p.boolean(prefChatDiscovery, false))
	t.discover.OnChanged = func(on bool) {
		t.p.setBool(prefChatDiscovery, on)
		t.chat.SetDiscovery(on)
		t.refreshAll()
	}
	t.onlineBtn = widget.NewButtonWithIcon(tr("Go online"), theme.MediaPlayIcon(), t.toggleOnline)
	t.onlineBtn.Importance = widget.HighImportance
	t.usePortBtn = widget.NewButton("", func() {
		if t.suggested > 0 {
			t.port.SetText(strconv.Itoa(t.suggested))
			t.goOnline()
		}
	})
	t.usePortBtn.Hide()
	t.status = newStatusLabel()
}

func (t *chatTab) topBar() fyne.CanvasObject {
	return container.NewVBox(
		container.NewHBox(
			widget.NewLabel(tr("Nickname")), fixedWidth(t.nick, 160),
			widget.NewLabel(tr("Port")), fixedWidth(t.port, 80),
			t.onlineBtn, t.usePortBtn),
		container.NewHBox(t.acceptTCP, t.discover),
	)
}

// chatPane is the Chat tab's content. The main window's tabs hide the
// content of every tab but the selected one; chatPane passes that on, so
// the open conversation counts as read only while the Chat tab is shown.
type chatPane struct {
	widget.BaseWidget
	tab     *chatTab
	content fyne.CanvasObject
}

func newChatPane(t *chatTab, content fyne.CanvasObject) *chatPane {
	p := &chatPane{tab: t, content: content}
	p.ExtendBaseWidget(p)
	return p
}

func (p *chatPane) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(p.content)
}

// Show is called on every layout of the selected tab; only a change
// matters.
func (p *chatPane) Show() {
	if p.Visible() {
		return
	}
	p.BaseWidget.Show()
	p.tab.syncActive()
}

func (p *chatPane) Hide() {
	if !p.Visible() {
		return
	}
	p.BaseWidget.Hide()
	p.tab.syncActive()
}

// syncActive tells the engine which conversation the user sees: the open
// one while the Chat tab is shown, none while another tab is.
func (t *chatTab) syncActive() {
	key := t.current
	if t.content != nil && !t.content.Visible() {
		key = ""
	}
	t.chat.SetActive(key)
}

// toggleOnline starts or stops the chat socket.
func (t *chatTab) toggleOnline() {
	if t.chat.State().Online {
		t.chat.Stop()
		t.p.setBool(prefChatOnline, false)
		t.refreshAll()
		return
	}
	t.goOnline()
}

// goOnline binds the chat port; a port in use offers a free one.
func (t *chatTab) goOnline() {
	t.suggested = 0
	t.usePortBtn.Hide()
	// 0 lets the system pick a free port; the state line shows which.
	port, err := session.ParsePort(t.port.Text, true)
	if err != nil {
		t.status.fail(err)
		return
	}
	t.p.setStr(prefChatPort, strconv.Itoa(port))
	err = t.chat.Start(":"+strconv.Itoa(port), t.acceptTCP.Checked)
	var inUse *chat.PortInUseError
	switch {
	case errors.As(err, &inUse):
		t.status.fail(fmt.Errorf("%s", trf("Port {{.Port}} is already in use by another program; choose another port.", map[string]any{"Port": port})))
		if inUse.Free > 0 {
			t.suggested = inUse.Free
			t.usePortBtn.SetText(trf("Use port {{.Port}}", map[string]any{"Port": inUse.Free}))
			t.usePortBtn.Show()
		}
		t.refreshButtons()
		return
	case err != nil:
		t.status.fail(err)
		t.refreshButtons()
		return
	}
	t.p.setBool(prefChatOnline, true)
	t.refreshAll()
}

func (t *chatTab) shutdown() {
	t.sync.close()
	if err := t.chat.Close(); err != nil {
		fyne.LogError("saving the chat history", err)
	}
}

// refreshButtons follows the online state.
func (t *chatTab) refreshButtons() {
	if t.chat.State().Online {
		t.onlineBtn.SetText(tr("Go offline"))
		t.onlineBtn.SetIcon(theme.MediaStopIcon())
		t.onlineBtn.Importance = widget.WarningImportance
		t.port.Disable()
	} else {
		t.onlineBtn.SetText(tr("Go online"))
		t.onlineBtn.SetIcon(theme.MediaPlayIcon())
		t.onlineBtn.Importance = widget.HighImportance
		t.port.Enable()
	}
	t.onlineBtn.Refresh()
}

// refreshState shows the state line.
func (t *chatTab) refreshState() {
	st := t.chat.State()
	t.refreshButtons()
	if !st.Online {
		if st.OfflineErr != nil {
			t.status.fail(fmt.Errorf("%s %s", tr("Offline: the chat socket stopped receiving. Go online to try again."), errorText(st.OfflineErr)))
			return
		}
		if t.status.Importance != widget.DangerImportance {
			t.status.info(trf("Offline. Go online to receive messages on port {{.Port}}; history is kept either way.", map[string]any{"Port": strings.TrimSpace(t.port.Text)}))
		}
		return
	}
	t.suggested = 0
	t.usePortBtn.Hide()
	text := trf("Online on {{.Addr}}: a UDP datagram to this port is a message.", map[string]any{"Addr": st.Local.String()})
	if st.AcceptTCP {
		text += " " + tr("TCP connections are accepted on the same port, one message per line.")
	}
	if st.Discovery {
		text += " " + tr("Announcing to nearby NetDebug instances.")
	}
	switch {
	case st.DiscoveryErr != nil:
		t.status.fail(fmt.Errorf("%s %s: %s", text, tr("Discovery cannot broadcast"), errorText(st.DiscoveryErr)))
	case st.SaveErr != nil:
		t.status.fail(fmt.Errorf("%s %s", text, errorText(st.SaveErr)))
	case st.Dropped > 0:
		t.status.Importance = widget.WarningImportance
		t.status.SetText(text + " " + trf("{{.Count}} datagrams from new peers were dropped: too many conversations.", map[string]any{"Count": st.Dropped}))
	default:
		t.status.ok(text)
	}
}

// flush is chatSync's UI update.
func (t *chatTab) flush(all bool, keys map[string]bool) {
	if all {
		t.refreshAll()
		return
	}
	t.refreshLists()
	if keys[t.current] {
		t.refreshMessages()
	}
}

// refreshAll brings every part up to date.
func (t *chatTab) refreshAll() {
	t.refreshState()
	t.refreshLists()
	t.refreshConversation()
}

// chatEncodings is the encoding menu: the engine speaks them all.
func chatEncodings() []string { return codec.EncodingNames() }
