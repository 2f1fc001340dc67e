package main

import (
	"bytes"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"github.com/netdebug/netdebug/netcore/chat"
	"github.com/netdebug/netdebug/netcore/codec"
	"github.com/netdebug/netdebug/widgets"
)

// Tests that build the whole window (other tabs' tests) keep the chat's
// history in memory rather than in the test app's shared temp folder.
// Discovery announces stay on loopback.
func init() {
	chatHistoryDir = func(fyne.App) string { return "" }
	chatBroadcasts = func() []netip.Addr { return []netip.Addr{netip.MustParseAddr("127.255.255.255")} }
}

// newChatTestTab builds the Chat tab alone on a test app with its history
// in dir.
func newChatTestTab(t *testing.T, dir string) (*chatTab, *fakeFiles) {
	t.Helper()
	return chatTabOn(t, test.NewTempApp(t), dir)
}

// chatTabOn builds the Chat tab on app a (whose preferences it reads).
func chatTabOn(t *testing.T, a fyne.App, dir string) (*chatTab, *fakeFiles) {
	t.Helper()
	w := test.NewTempWindow(t, nil)
	files := &fakeFiles{}
	u := &appUI{app: a, win: w, files: files}
	var ct *chatTab
	onUI(func() {
		ct = u.buildChatTab(dir)
		w.SetContent(ct.content)
		w.Resize(fyne.NewSize(1100, 720))
	})
	t.Cleanup(func() { onUI(u.shutdown) })
	return ct, files
}

// goOnline starts the tab's chat on a free port and returns it.
func goOnline(t *testing.T, ct *chatTab) netip.AddrPort {
	t.Helper()
	onUI(func() {
		ct.port.SetText("0")
		test.Tap(ct.onlineBtn)
	})
	var local netip.AddrPort
	defer func() {
		if t.Failed() {
			t.Logf("status %q state %+v", ct.status.Text, ct.chat.State())
		}
	}()
	eventually(t, "online", func() bool {
		st := ct.chat.State()
		local = st.Local
		return st.Online && strings.Contains(ct.status.Text, "Online on") && ct.onlineBtn.Text == "Go offline"
	})
	return netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), local.Port())
}

// udpPeer is the seed notes' chat program: a plain UDP socket.
type udpPeer struct{ conn *net.UDPConn }

func newUDPPeer(t *testing.T) *udpPeer {
	t.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &udpPeer{conn: c}
}

func (p *udpPeer) port() string { return strconv.Itoa(p.conn.LocalAddr().(*net.UDPAddr).Port) }
func (p *udpPeer) key() string  { return "127.0.0.1:" + p.port() }

func (p *udpPeer) send(t *testing.T, to netip.AddrPort, b []byte) {
	t.Helper()
	if _, err := p.conn.WriteToUDPAddrPort(b, to); err != nil {
		t.Fatal(err)
	}
}

func (p *udpPeer) read(t *testing.T) []byte {
	t.Helper()
	p.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 65536)
	n, _, err := p.conn.ReadFromUDPAddrPort(buf)
	if err != nil {
		t.Fatal(err)
	}
	return buf[:n]
}

func listItem(ct *chatTab, key string) (widgets.ConversationItem, bool) {
	for _, it := range ct.convs.Items() {
		if it.Key == key {
			return it, true
		}
	}
	return widgets.ConversationItem{}, false
}

func viewTexts(ct *chatTab) []string {
	var out []string
	for _, m := range ct.view.Messages() {
		out = append(out, m.Text)
	}
	return out
}

func TestChatTabTalksChineseWithTheSeedProgram(t *testing.T) {
	ct, _ := newChatTestTab(t, t.TempDir())
	local := goOnline(t, ct)
	p := newUDPPeer(t)

	// The seed program sends GB2312, as the Windows assistants do.
	gb, _ := codec.Encode(codec.GB2312, "你吃了吗？")
	p.send(t, local, gb)
	eventually(t, "the new conversation with one unread", func() bool {
		it, ok := listItem(ct, p.key())
		return ok && it.Unread == 1 && it.Subtitle == "你吃了吗？"
	})
	p.send(t, local, gb)
	eventually(t, "two unread", func() bool { it, _ := listItem(ct, p.key()); return it.Unread == 2 })

	onUI(func() { ct.convs.Pick(p.key()) })
	onUI(func() {
		if ct.current != p.key() || ct.encSel.Selected != "GB2312" || ct.title.Text != p.key() {
			t.Errorf("open: current %q, encoding %q, title %q", ct.current, ct.encSel.Selected, ct.title.Text)
		}
		if got := viewTexts(ct); len(got) != 2 || got[0] != "你吃了吗？" {
			t.Errorf("bubbles %q", got)
		}
		if it, _ := listItem(ct, p.key()); it.Unread != 0 {
			t.Errorf("unread after opening: %d", it.Unread)
		}
	})
	// More messages to the open conversation are not unread.
	p.send(t, local, gb)
	eventually(t, "the third bubble", func() bool { return len(ct.view.Messages()) == 3 })
	if cv, _ := ct.chat.Conversation(p.key()); cv.Unread != 0 {
		t.Fatalf("unread in the open conversation: %d", cv.Unread)
	}

	// Reply: Enter sends, in GB2312; Shift+Enter breaks the line.
	onUI(func() {
		test.Type(ct.input, "吃了")
		ct.input.KeyDown(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
		ct.input.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
		ct.input.KeyUp(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
		test.Type(ct.input, "你呢")
		ct.input.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	})
	want, _ := codec.Encode(codec.GB2312, "吃了\n你呢")
	if got := p.read(t); !bytes.Equal(got, want) {
		t.Fatalf("the peer read % X, want % X", got, want)
	}
	onUI(func() {
		msgs := ct.view.Messages()
		last := msgs[len(msgs)-1]
		if !last.Mine || last.Text != "吃了\n你呢" || last.Status != widgets.BubbleSent || ct.input.Text != "" {
			t.Errorf("my bubble %+v, input left %q", last, ct.input.Text)
		}
	})

	// UTF-8 is a click away; the received bytes are decoded again.
	onUI(func() { ct.encSel.SetSelected("UTF-8") })
	onUI(func() {
		if m := ct.view.Messages()[0]; !m.Undecodable || !strings.Contains(m.Text, "\uFFFD") {
			t.Errorf("as UTF-8: %+v", m)
		}
		ct.encSel.SetSelected("GB2312")
	})
}

func TestChatTabRejectsBadInput(t *testing.T) {
	ct, _ := newChatTestTab(t, t.TempDir())
	for _, c := range []struct{ in, want string }{
		{"300.1.1.1:9900", "not a valid IPv4"},
		{"127.0.0.1:70000", "out of range"},
		{"bad host!:9900", "not allowed in host name"},
		{":9900", "IP address or host name"},
		{"", "empty"},
	} {
		onUI(func() {
			ct.peer.SetText(c.in)
			test.Tap(ct.addBtn)
		})
		onUI(func() {
			if !strings.Contains(ct.addStatus.Text, c.want) || len(ct.convs.Items()) != 0 {
				t.Errorf("%q: %q", c.in, ct.addStatus.Text)
			}
		})
	}
	onUI(func() {
		ct.port.SetText("abc")
		test.Tap(ct.onlineBtn)
	})
	onUI(func() {
		if !strings.Contains(ct.status.Text, "not a number") || ct.chat.State().Online {
			t.Errorf("bad port: %q", ct.status.Text)
		}
	})

	// A port in use: a clear message and a free port one tap away.
	taken, err := net.ListenPacket("udp4", ":0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	takenPort := taken.LocalAddr().(*net.UDPAddr).Port
	onUI(func() {
		ct.port.SetText(strconv.Itoa(takenPort))
		test.Tap(ct.onlineBtn)
	})
	onUI(func() {
		if !strings.Contains(ct.status.Text, "already in use") || !ct.usePortBtn.Visible() || !strings.HasPrefix(ct.usePortBtn.Text, "Use port ") {
			t.Errorf("port in use: %q, button %q %v", ct.status.Text, ct.usePortBtn.Text, ct.usePortBtn.Visible())
		}
		test.Tap(ct.usePortBtn)
	})
	eventually(t, "online on the suggested port", func() bool {
		st := ct.chat.State()
		return st.Online && int(st.Local.Port()) != takenPort && ct.port.Text == strconv.Itoa(int(st.Local.Port())) && !ct.usePortBtn.Visible()
	})

	// Sending with no conversation open is refused, keeping the text.
	onUI(func() {
		ct.input.Enable()
		ct.input.SetText("hello")
		ct.input.Send()
		if ct.input.Text != "hello" || !strings.Contains(ct.sendStatus.Text, "Open a conversation first") {
			t.Errorf("send with nothing open: %q %q", ct.input.Text, ct.sendStatus.Text)
		}
	})

	// A character GB2312 cannot hold: the text stays, the reason shows.
	p := newUDPPeer(t)
	onUI(func() {
		ct.peer.SetText(p.key())
		test.Tap(ct.addBtn)
	})
	eventually(t, "the added conversation open", func() bool { return ct.current == p.key() && ct.peer.Text == "" })
	onUI(func() {
		ct.encSel.SetSelected("GB2312")
		ct.input.SetText("笑 😀")
		ct.input.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
		if ct.input.Text != "笑 😀" || !strings.Contains(ct.sendStatus.Text, "Cannot encode") || len(ct.view.Messages()) != 0 {
			t.Errorf("unencodable: input %q, status %q", ct.input.Text, ct.sendStatus.Text)
		}
	})

	// Offline: the message is kept, marked with the reason, and Retry
	// sends it once online.
	onUI(func() { test.Tap(ct.onlineBtn) })
	onUI(func() {
		ct.input.SetText("再试一次")
		ct.input.Send()
	})
	var failed widgets.ChatMessage
	eventually(t, "the failed bubble", func() bool {
		msgs := ct.view.Messages()
		if len(msgs) != 1 {
			return false
		}
		failed = msgs[0]
		return failed.Status == widgets.BubbleFailed && strings.Contains(failed.Note, "offline")
	})
	goOnline(t, ct)
	onUI(func() { ct.view.OnRetry(failed) })
	if got := p.read(t); codec.Decode(codec.GB2312, got) != "再试一次" {
		t.Fatalf("retried message read as %q", got)
	}
	eventually(t, "the retried bubble sent", func() bool { return ct.view.Messages()[0].Status == widgets.BubbleSent })
}

func TestChatTabUnreachablePeerGetsADeliveryNote(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("only Linux reports ICMP errors for unconnected UDP sockets with the destination")
	}
	ct, _ := newChatTestTab(t, t.TempDir())
	goOnline(t, ct)
	dead := newUDPPeer(t)
	deadKey := dead.key()
	dead.conn.Close()
	onUI(func() {
		ct.peer.SetText(deadKey)
		test.Tap(ct.addBtn)
	})
	eventually(t, "open", func() bool { return ct.current == deadKey })
	onUI(func() {
		ct.input.SetText("有人吗？")
		ct.input.Send()
	})
	eventually(t, "the delivery note", func() bool {
		msgs := ct.view.Messages()
		return len(msgs) == 1 && msgs[0].Status == widgets.BubbleUndelivered && strings.Contains(msgs[0].Note, "port unreachable")
	})
	onUI(func() {
		if !ct.chat.State().Online {
			t.Error("offline after the bounce")
		}
	})
}

func TestChatTabHistorySurvivesARestartAndStaysBounded(t *testing.T) {
	dir := t.TempDir()
	ct, files := newChatTestTab(t, dir)
	local := goOnline(t, ct)
	p := newUDPPeer(t)
	// A flood of 1,050 messages: the history keeps the last 1,000.
	for i := range 1050 {
		p.send(t, local, []byte("msg "+strconv.Itoa(i)))
		if i%50 == 49 {
			time.Sleep(5 * time.Millisecond)
		}
	}
	eventually(t, "the flood", func() bool {
		msgs := ct.chat.Messages(p.key())
		return len(msgs) == chat.DefaultHistoryLimit && msgs[len(msgs)-1].Text == "msg 1049"
	})
	onUI(func() { ct.convs.Pick(p.key()) })
	onUI(func() {
		ct.input.SetText("最后一条")
		ct.input.Send()
	})
	eventually(t, "the view has it all", func() bool {
		got := viewTexts(ct)
		return len(got) == 1000 && got[0] == "msg 51" && got[999] == "最后一条"
	})
	// Export a transcript while at it.
	files.save = filepath.Join(t.TempDir(), "chat.txt")
	onUI(ct.exportTranscript)
	eventually(t, "the transcript", func() bool { return strings.Contains(ct.sendStatus.Text, "Transcript saved") })
	data, _ := os.ReadFile(files.save)
	if !strings.Contains(string(data), "← 127.0.0.1:"+p.port()+": msg 1049") || !strings.Contains(string(data), ": 最后一条") {
		t.Fatalf("transcript:\n%.500s", data)
	}

	// Rebuild the view on the same storage: everything is there.
	onUI(ct.u.shutdown)
	ct2, _ := newChatTestTab(t, dir)
	onUI(func() {
		msgs := ct2.chat.Messages(p.key())
		if len(msgs) != 1000 || msgs[0].Text != "msg 51" || msgs[999].Text != "最后一条" || msgs[999].Dir != chat.Outgoing {
			t.Errorf("after restart: %d messages", len(msgs))
		}
		if _, ok := listItem(ct2, p.key()); !ok {
			t.Error("conversation not listed after restart")
		}
		ct2.convs.Pick(p.key())
	})
	onUI(func() {
		if got := viewTexts(ct2); len(got) != 1000 || got[999] != "最后一条" {
			t.Errorf("view after restart: %d bubbles", len(got))
		}
	})
	// Clear, and the conversation stays empty after another restart.
	onUI(ct2.clearConversation)
	onUI(ct2.u.shutdown)
	ct3, _ := newChatTestTab(t, dir)
	onUI(func() {
		if n := len(ct3.chat.Messages(p.key())); n != 0 {
			t.Errorf("after clear and restart: %d messages", n)
		}
		ct3.open(p.key())
		ct3.removeConversation()
		if len(ct3.convs.Items()) != 0 || ct3.current != "" {
			t.Errorf("after remove: %d listed, current %q", len(ct3.convs.Items()), ct3.current)
		}
	})
}

func TestChatTabDiscoveryShowsNearby(t *testing.T) {
	ct, _ := newChatTestTab(t, "")
	onUI(func() {
		if ct.nearbyBox.Visible() {
			t.Error("nearby list shown with discovery off")
		}
		ct.discover.SetChecked(true)
	})
	onUI(func() {
		if !ct.nearbyBox.Visible() || !strings.Contains(ct.nearbyLabel.Text, "nobody yet") || !ct.chat.State().Discovery {
			t.Errorf("discovery on: visible %v, %q", ct.nearbyBox.Visible(), ct.nearbyLabel.Text)
		}
		if !ct.p.boolean(prefChatDiscovery, false) {
			t.Error("discovery choice not remembered")
		}
	})
	local := goOnline(t, ct)
	// Another instance announces itself (here, by hand).
	p := newUDPPeer(t)
	port, _ := strconv.Atoi(p.port())
	ann, err := chat.Announce{ID: "peer0001", Nick: "小红", Port: port, Enc: "GB2312"}.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	p.send(t, local, ann)
	// (A NetDebug running on this computer may be listed too.)
	eventually(t, "the nearby entry", func() bool {
		for _, it := range ct.nearbyList.Items() {
			if it.Key == "peer0001" {
				return it.Title == "小红" && it.Subtitle == p.key() && strings.HasPrefix(ct.nearbyLabel.Text, "Nearby (")
			}
		}
		return false
	})
	// We answered the newcomer with our own announce.
	if reply, err := chat.ParseAnnounce(p.read(t)); err != nil || !reply.Reply || reply.Port != int(local.Port()) || reply.ID != ct.chat.ID() {
		t.Fatalf("reply %+v %v", reply, err)
	}
	onUI(func() { ct.nearbyList.Pick("peer0001") })
	onUI(func() {
		if ct.current != p.key() || ct.title.Text != "小红" || ct.encSel.Selected != "GB2312" || ct.nearbyList.Selected() != "" {
			t.Errorf("opened %q titled %q in %q; nearby selection %q", ct.current, ct.title.Text, ct.encSel.Selected, ct.nearbyList.Selected())
		}
		if len(ct.convs.Items()) != 1 || len(ct.view.Messages()) != 0 {
			t.Errorf("the announce became a message or conversation: %+v", ct.convs.Items())
		}
		ct.input.SetText("你好，小红")
		ct.input.Send()
	})
	for {
		b := p.read(t)
		if chat.IsControl(b) {
			continue // periodic announces
		}
		if codec.Decode(codec.GB2312, b) != "你好，小红" {
			t.Fatalf("peer read % X", b)
		}
		break
	}
	onUI(func() { ct.discover.SetChecked(false) })
	onUI(func() {
		if ct.nearbyBox.Visible() || len(ct.chat.Nearby()) != 0 {
			t.Error("nearby still shown with discovery off")
		}
	})
}

// Settings are remembered: nickname, port, TCP, discovery, being online
// and the open conversation come back when the tab is built again.
func TestChatTabRemembersSettings(t *testing.T) {
	a := test.NewTempApp(t)
	dir := t.TempDir()
	ct, _ := chatTabOn(t, a, dir)
	p := newUDPPeer(t)
	onUI(func() {
		ct.nick.SetText("小明")
		ct.acceptTCP.SetChecked(true)
	})
	goOnline(t, ct)
	onUI(func() {
		ct.discover.SetChecked(true)
		ct.peer.SetText(p.key())
		test.Tap(ct.addBtn)
	})
	eventually(t, "the conversation open", func() bool { return ct.current == p.key() })
	onUI(ct.u.shutdown)

	ct2, _ := chatTabOn(t, a, dir)
	onUI(func() {
		st := ct2.chat.State()
		if ct2.nick.Text != "小明" || ct2.chat.Nickname() != "小明" || !ct2.acceptTCP.Checked || !ct2.discover.Checked {
			t.Errorf("settings: nick %q, tcp %v, discovery %v", ct2.nick.Text, ct2.acceptTCP.Checked, ct2.discover.Checked)
		}
		if !st.Online || !st.AcceptTCP || !st.Discovery || ct2.onlineBtn.Text != "Go offline" {
			t.Errorf("not back online as before: %+v", st)
		}
		if ct2.current != p.key() || ct2.title.Text != p.key() {
			t.Errorf("open conversation %q", ct2.current)
		}
		// Going offline is remembered too.
		test.Tap(ct2.onlineBtn)
	})
	onUI(ct2.u.shutdown)
	ct3, _ := chatTabOn(t, a, dir)
	onUI(func() {
		if ct3.chat.State().Online {
			t.Error("online again after going offline")
		}
	})
}

// The open conversation counts as read only while the Chat tab shows it:
// on another tab of the main window, its new messages are unread.
func TestChatTabCountsUnreadWhileAnotherTabIsShown(t *testing.T) {
	u, _ := newTestUI(t)
	var ct *chatTab
	var chatItem, other *container.TabItem
	onUI(func() {
		for _, it := range u.tabs.Items {
			if p, ok := it.Content.(*chatPane); ok {
				ct, chatItem = p.tab, it
			} else if other == nil {
				other = it
			}
		}
	})
	if ct == nil || other == nil {
		t.Fatal("no Chat tab, or no other tab, in the main window")
	}
	onUI(func() {
		u.tabs.Select(other)
		if ct.content.Visible() {
			t.Error("the Chat tab's content is visible with another tab selected")
		}
		u.tabs.Select(chatItem)
	})
	local := goOnline(t, ct)
	p := newUDPPeer(t)
	unread := func() int { cv, _ := ct.chat.Conversation(p.key()); return cv.Unread }

	p.send(t, local, []byte("first"))
	eventually(t, "the new conversation with one unread", func() bool { it, _ := listItem(ct, p.key()); return it.Unread == 1 })
	onUI(func() { ct.convs.Pick(p.key()) })
	p.send(t, local, []byte("second"))
	eventually(t, "the second bubble", func() bool { return len(ct.view.Messages()) == 2 })
	if n := unread(); n != 0 {
		t.Fatalf("unread in the conversation on screen: %d", n)
	}

	// On another tab the conversation is not being read.
	onUI(func() { u.tabs.Select(other) })
	p.send(t, local, []byte("third"))
	p.send(t, local, []byte("fourth"))
	eventually(t, "two unread while on another tab", func() bool { return unread() == 2 })

	// Back on the Chat tab, they are read.
	onUI(func() { u.tabs.Select(chatItem) })
	eventually(t, "read on coming back", func() bool { return unread() == 0 && len(ct.view.Messages()) == 4 })
	p.send(t, local, []byte("fifth"))
	eventually(t, "the fifth bubble", func() bool { return len(ct.view.Messages()) == 5 })
	if n := unread(); n != 0 {
		t.Fatalf("unread after coming back: %d", n)
	}
}

// TestChatTabNamesThePeerByItsNickname: with discovery off, a peer we
// already talk to still announces its nickname; the list, the header and
// the bubbles (those from before the announce too) use it, and the header
// keeps the address.
func TestChatTabNamesThePeerByItsNickname(t *testing.T) {
	ct, _ := newChatTestTab(t, "")
	onUI(func() { ct.discover.SetChecked(false) })
	local := goOnline(t, ct)
	p := newUDPPeer(t)
	p.send(t, local, []byte("hello"))
	eventually(t, "the conversation", func() bool { _, ok := listItem(ct, p.key()); return ok })
	onUI(func() { ct.convs.Pick(p.key()) })
	port, _ := strconv.Atoi(p.port())
	ann, err := chat.Announce{ID: "peer0002", Nick: "小红", Port: port}.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	p.send(t, local, ann)
	eventually(t, "the nickname in the list", func() bool { it, _ := listItem(ct, p.key()); return it.Title == "小红" })
	p.send(t, local, []byte("again"))
	eventually(t, "two bubbles", func() bool { return len(ct.view.Messages()) == 2 })
	onUI(func() {
		if ct.title.Text != "小红" || !strings.Contains(ct.subtitle.Text, p.key()) {
			t.Errorf("header %q / %q", ct.title.Text, ct.subtitle.Text)
		}
		for _, m := range ct.view.Messages() {
			if m.Nick != "小红" {
				t.Errorf("bubble %q is signed %q", m.Text, m.Nick)
			}
		}
		if len(ct.chat.Nearby()) != 0 {
			t.Error("listed nearby with discovery off")
		}
	})
}
