package chat

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/netdebug/netdebug/netcore/codec"
	"github.com/netdebug/netdebug/netcore/internal/testenv"
	"github.com/netdebug/netdebug/netcore/session"
)

func TestTwoEndpointsTalkUTF8AndGB2312(t *testing.T) {
	a := newChat(t, "Alice", true)
	b := newChat(t, "Bob", true)
	ab, err := a.AddPeer(context.Background(), "127.0.0.1", port(b), UDP)
	if err != nil {
		t.Fatal(err)
	}
	if ab != "127.0.0.1:"+port(b) {
		t.Fatalf("key %q", ab)
	}
	ba := UDPKey(a.State().Local)

	// UTF-8, the default, both ways.
	if m, err := a.Send(ab, "你好，Bob"); err != nil || m.Status != StatusSent || !bytes.Equal(m.Raw, []byte("你好，Bob")) {
		t.Fatalf("send: %+v %v", m, err)
	}
	got := waitMessages(t, b, ba, 1)[0]
	if got.Text != "你好，Bob" || got.Dir != Incoming || got.Undecodable || got.Enc != codec.UTF8 {
		t.Fatalf("Bob got %+v", got)
	}
	if _, err := b.Send(ba, "你好，Alice"); err != nil {
		t.Fatal(err)
	}
	if got := waitMessages(t, a, ab, 2)[1]; got.Text != "你好，Alice" || got.Dir != Incoming {
		t.Fatalf("Alice got %+v", got)
	}

	// GB2312 a click away on both sides: the bytes on the wire are GB2312.
	if err := a.SetEncoding(ab, codec.GB2312); err != nil {
		t.Fatal(err)
	}
	if err := b.SetEncoding(ba, codec.GB2312); err != nil {
		t.Fatal(err)
	}
	want, _ := codec.Encode(codec.GB2312, "中文消息")
	if m, _ := a.Send(ab, "中文消息"); !bytes.Equal(m.Raw, want) {
		t.Fatalf("GB2312 bytes % X, want % X", m.Raw, want)
	}
	got = waitMessages(t, b, ba, 3)[2]
	if got.Text != "中文消息" || !bytes.Equal(got.Raw, want) || got.Undecodable {
		t.Fatalf("Bob got %+v", got)
	}
	b.Send(ba, "收到了")
	if got := waitMessages(t, a, ab, 4)[3]; got.Text != "收到了" || got.Enc != codec.GB2312 {
		t.Fatalf("Alice got %+v", got)
	}
	// Bob's earlier UTF-8 message is now decoded as GB2312 (the bytes stay);
	// switching back restores it.
	if first := b.Messages(ba)[0]; first.Text == "你好，Bob" || first.Enc != codec.GB2312 {
		t.Fatalf("re-decoding did not happen: %+v", first)
	}
	b.SetEncoding(ba, codec.UTF8)
	if first := b.Messages(ba)[0]; first.Text != "你好，Bob" {
		t.Fatalf("back to UTF-8: %q", first.Text)
	}
	// Nicknames: outgoing messages carry ours.
	if m := a.Messages(ab)[0]; m.Nick != "Alice" || m.Dir != Outgoing {
		t.Fatalf("outgoing %+v", m)
	}
}

func TestRawGB2312PeerShowsChinese(t *testing.T) {
	// Default settings (UTF-8): a conversation opened by GB2312 bytes
	// switches itself to GB2312.
	c := newChat(t, "me", true)
	p := newRawPeer(t)
	gb, _ := codec.Encode(codec.GB2312, "你吃了吗")
	p.sendTo(t, c, gb)
	key := UDPKey(p.addr())
	got := waitMessages(t, c, key, 1)[0]
	if got.Text != "你吃了吗" || got.Undecodable || !bytes.Equal(got.Raw, gb) {
		t.Fatalf("got %+v", got)
	}
	cv, _ := c.Conversation(key)
	if cv.Unread != 1 || cv.Encoding != codec.GB2312 || cv.LastText != "你吃了吗" || cv.Transport != UDP {
		t.Fatalf("conversation %+v", cv)
	}
	// The answer goes back in GB2312, as the seed program expects.
	if _, err := c.Send(key, "吃了"); err != nil {
		t.Fatal(err)
	}
	if b := p.read(t); codec.Decode(codec.GB2312, b) != "吃了" || utf8.Valid(b) {
		t.Fatalf("peer read % X", b)
	}
	// A line end from nc is not shown, but kept in the bytes.
	p.sendTo(t, c, append(gb, '\r', '\n'))
	if got := waitMessages(t, c, key, 3)[2]; got.Text != "你吃了吗" || !bytes.HasSuffix(got.Raw, []byte("\r\n")) {
		t.Fatalf("with CRLF: %+v", got)
	}
	// A conversation the user opened in UTF-8 stays UTF-8: the bytes show
	// as U+FFFD until the user picks GB2312, then as Chinese.
	p2 := newRawPeer(t)
	key2, _ := c.AddPeer(context.Background(), "127.0.0.1", strconv.Itoa(int(p2.addr().Port())), UDP)
	p2.sendTo(t, c, gb)
	if got := waitMessages(t, c, key2, 1)[0]; !got.Undecodable || !strings.Contains(got.Text, "\uFFFD") {
		t.Fatalf("manual UTF-8 conversation: %+v", got)
	}
	c.SetEncoding(key2, codec.GB2312)
	if got := c.Messages(key2)[0]; got.Text != "你吃了吗" || got.Undecodable {
		t.Fatalf("after choosing GB2312: %+v", got)
	}
	// Binary that is neither UTF-8 nor GB2312 leaves a new conversation
	// in UTF-8.
	p3 := newRawPeer(t)
	p3.sendTo(t, c, []byte{0x01, 0xFF, 0xFE, 0x80})
	waitMessages(t, c, UDPKey(p3.addr()), 1)
	if cv, _ := c.Conversation(UDPKey(p3.addr())); cv.Encoding != codec.UTF8 {
		t.Fatalf("binary switched the encoding to %s", cv.Encoding)
	}
	// Reading the conversation clears its unread count.
	c.SetActive(key)
	if cv, _ := c.Conversation(key); cv.Unread != 0 {
		t.Fatalf("unread after SetActive: %d", cv.Unread)
	}
	p.sendTo(t, c, gb)
	waitMessages(t, c, key, 4)
	if cv, _ := c.Conversation(key); cv.Unread != 0 {
		t.Fatalf("unread while active: %d", cv.Unread)
	}
}

func TestUndecodableBytesKeepRawAndShowReplacement(t *testing.T) {
	c := newChat(t, "me", true)
	p := newRawPeer(t)
	bad := []byte{'o', 'k', ' ', 0xC4, 0xE3, 0xFF}
	p.sendTo(t, c, bad)
	got := waitMessages(t, c, UDPKey(p.addr()), 1)[0]
	if !got.Undecodable || !strings.Contains(got.Text, "\uFFFD") || !strings.HasPrefix(got.Text, "ok ") || !bytes.Equal(got.Raw, bad) {
		t.Fatalf("got %+v", got)
	}
	// Valid UTF-8 that happens to contain U+FFFD is not "undecodable".
	p.sendTo(t, c, []byte("a\uFFFDb"))
	if got := waitMessages(t, c, UDPKey(p.addr()), 2)[1]; got.Undecodable {
		t.Fatalf("valid U+FFFD marked undecodable: %+v", got)
	}
}

func TestSendRefusesWhatItCannotSend(t *testing.T) {
	c := newChat(t, "me", false)
	key, err := c.AddPeer(context.Background(), "127.0.0.1", "9", UDP)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Send(key, ""); !errors.Is(err, ErrEmpty) {
		t.Fatalf("empty: %v", err)
	}
	if _, err := c.Send("10.0.0.1:1", "x"); !errors.Is(err, ErrNoConversation) {
		t.Fatalf("unknown: %v", err)
	}
	c.SetEncoding(key, codec.GB2312)
	if _, err := c.Send(key, "emoji 😀"); !errors.Is(err, codec.ErrUnencodable) {
		t.Fatalf("unencodable: %v", err)
	}
	c.SetEncoding(key, codec.UTF8)
	if _, err := c.Send(key, strings.Repeat("x", MaxMessageSize+1)); !errors.Is(err, session.ErrTooLarge) {
		t.Fatalf("too large: %v", err)
	}
	if n := len(c.Messages(key)); n != 0 {
		t.Fatalf("refused messages were recorded: %d", n)
	}
	// Offline: recorded as failed with the reason, and retried once online.
	m, err := c.Send(key, "hello")
	if err != nil || m.Status != StatusFailed || !strings.Contains(m.Note, "offline") {
		t.Fatalf("offline send: %+v %v", m, err)
	}
	p := newRawPeer(t)
	if err := c.Start("127.0.0.1:0", false); err != nil {
		t.Fatal(err)
	}
	key2, _ := c.AddPeer(context.Background(), "127.0.0.1", p.addr().String()[len("127.0.0.1:"):], UDP)
	m2, _ := c.Send(key2, "one")
	if err := c.Retry(key2, m2.ID); err == nil {
		t.Fatal("retrying a sent message was allowed")
	}
	c.Stop()
	m3, _ := c.Send(key2, "two")
	if m3.Status != StatusFailed {
		t.Fatalf("offline: %+v", m3)
	}
	c.Start("127.0.0.1:0", false)
	if err := c.Retry(key2, m3.ID); err != nil {
		t.Fatal(err)
	}
	if b := p.read(t); string(b) != "one" {
		t.Fatalf("first %q", b)
	}
	if b := p.read(t); string(b) != "two" {
		t.Fatalf("retried %q", b)
	}
	msgs := c.Messages(key2)
	if last := msgs[len(msgs)-1]; last.Status != StatusSent || last.Note != "" || last.Attempts != 2 {
		t.Fatalf("after retry %+v", last)
	}
}

func TestAddPeerValidates(t *testing.T) {
	c := newChat(t, "me", false)
	for _, tc := range []struct{ host, port, want string }{
		{"", "9900", "the host is empty"},
		{"300.1.1.1", "9900", "not a valid IPv4"},
		{"bad host!", "9900", "not allowed"},
		{"127.0.0.1", "0", "out of range"},
		{"127.0.0.1", "70000", "out of range"},
		{"127.0.0.1", "port", "not a number"},
	} {
		_, err := c.AddPeer(context.Background(), tc.host, tc.port, UDP)
		if !errors.Is(err, session.ErrInvalidAddress) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q %q: %v", tc.host, tc.port, err)
		}
	}
	if _, err := c.AddPeer(context.Background(), "no-such-host.invalid", "9900", UDP); !errors.Is(err, session.ErrHostNotFound) {
		t.Errorf("unknown name: %v", err)
	}
	if len(c.Conversations()) != 0 {
		t.Fatalf("bad peers were added: %s", keys(c.Conversations()))
	}
	key, err := c.AddPeer(context.Background(), "localhost", "9900", UDP)
	if err != nil {
		t.Fatal(err)
	}
	cv, _ := c.Conversation(key)
	if cv.Host != "localhost" || cv.Title() != "localhost" || !cv.Manual {
		t.Fatalf("named peer %+v", cv)
	}
}

func TestPortInUseSuggestsAFreePort(t *testing.T) {
	taken, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	p := taken.LocalAddr().(*net.UDPAddr).Port
	c := newChat(t, "me", false)
	err = c.Start(taken.LocalAddr().String(), false)
	var pe *PortInUseError
	if !errors.Is(err, session.ErrAddrInUse) || !errors.As(err, &pe) || pe.Port != p || pe.Free <= p {
		t.Fatalf("err %v", err)
	}
	if !strings.Contains(err.Error(), "already in use") || !strings.Contains(err.Error(), "is free") {
		t.Fatalf("message %q", err)
	}
	if c.State().Online {
		t.Fatal("online after a failed start")
	}
	// The suggestion works.
	if err := c.Start("127.0.0.1:"+strconv.Itoa(pe.Free), false); err != nil {
		t.Fatal(err)
	}
	if err := c.Start("127.0.0.1:0", false); err == nil {
		t.Fatal("second start allowed")
	}
	// Bad listen addresses.
	c.Stop()
	for _, s := range []string{"abc", "127.0.0.1:99999", "1.2.3:5"} {
		if err := c.Start(s, false); !errors.Is(err, session.ErrInvalidAddress) {
			t.Errorf("%q: %v", s, err)
		}
	}
}

func TestHistorySurvivesRestartAndStaysBounded(t *testing.T) {
	dir := t.TempDir()
	open := func() *Chat {
		c, err := New(Config{Nickname: "me", Dir: dir, HistoryLimit: 5})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	c := open()
	if err := c.Start("127.0.0.1:0", false); err != nil {
		t.Fatal(err)
	}
	p := newRawPeer(t)
	key := UDPKey(p.addr())
	c.AddPeer(context.Background(), "127.0.0.1", strconv.Itoa(int(p.addr().Port())), UDP)
	c.SetEncoding(key, codec.GB2312)
	for i := range 8 {
		if _, err := c.Send(key, "消息"+strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	gb, _ := codec.Encode(codec.GB2312, "回复")
	p.sendTo(t, c, gb)
	waitFor(t, "the reply", func() bool {
		m := c.Messages(key)
		return len(m) == 5 && m[4].Dir == Incoming
	})
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}

	c = open()
	defer c.Close()
	msgs := c.Messages(key)
	var texts []string
	for _, m := range msgs {
		texts = append(texts, m.Text)
	}
	if strings.Join(texts, ",") != "消息4,消息5,消息6,消息7,回复" {
		t.Fatalf("after restart: %q", texts)
	}
	if msgs[4].Dir != Incoming || !bytes.Equal(msgs[4].Raw, gb) || msgs[0].Status != StatusSent || msgs[0].Nick != "me" {
		t.Fatalf("details lost: %+v / %+v", msgs[0], msgs[4])
	}
	cv, ok := c.Conversation(key)
	if !ok || cv.Encoding != codec.GB2312 || !cv.Manual || cv.Unread != 1 {
		t.Fatalf("conversation %+v", cv)
	}
	// New ids continue after the loaded ones.
	c.Start("127.0.0.1:0", false)
	m, _ := c.Send(key, "after")
	if m.ID <= msgs[4].ID {
		t.Fatalf("id %d after %d", m.ID, msgs[4].ID)
	}
	// Many more messages: memory keeps 5, the file is compacted.
	for i := range 40 {
		c.Send(key, "more"+strconv.Itoa(i))
	}
	c.Close()
	data, _ := os.ReadFile(filepath.Join(dir, fileName(key)))
	if lines := strings.Count(string(data), "\n"); lines > 10 {
		t.Fatalf("history file has %d lines for a limit of 5", lines)
	}
	c = open()
	defer c.Close()
	if msgs := c.Messages(key); len(msgs) != 5 || msgs[4].Text != "more39" {
		t.Fatalf("after second restart: %d messages, last %+v", len(msgs), msgs[len(msgs)-1])
	}

	// Clear empties the conversation, on disk too; Remove deletes it.
	c.Clear(key)
	c.Close()
	c = open()
	if n := len(c.Messages(key)); n != 0 || !hasConversation(c, key) {
		t.Fatalf("after clear: %d messages, conversation kept %v", n, hasConversation(c, key))
	}
	c.Remove(key)
	c.Close()
	c = open()
	defer c.Close()
	if hasConversation(c, key) {
		t.Fatal("removed conversation came back")
	}
	if _, err := os.Stat(filepath.Join(dir, fileName(key))); !os.IsNotExist(err) {
		t.Fatalf("history file left: %v", err)
	}
}

func TestHistoryToleratesDamage(t *testing.T) {
	dir := t.TempDir()
	c, _ := New(Config{Dir: dir})
	key, _ := c.AddPeer(context.Background(), "127.0.0.1", "9", UDP)
	c.Send(key, "kept")
	c.Close()
	f, _ := os.OpenFile(filepath.Join(dir, fileName(key)), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("{not json\n")
	f.Close()
	c, err := New(Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if m := c.Messages(key); len(m) != 1 || m[0].Text != "kept" {
		t.Fatalf("messages %+v", m)
	}
	c.Close()
	os.WriteFile(filepath.Join(dir, indexFile), []byte("garbage"), 0o644)
	c, err = New(Config{Dir: dir})
	if err != nil || len(c.Conversations()) != 0 {
		t.Fatalf("damaged index: %v %d", err, len(c.Conversations()))
	}
	c.Close()
}

func TestConversationLimitDropsNewPeers(t *testing.T) {
	c := newChat(t, "me", true, func(cfg *Config) { cfg.MaxConversations = 2 })
	for range 3 {
		newRawPeer(t).sendTo(t, c, []byte("hi"))
	}
	waitFor(t, "the drop", func() bool { return c.State().Dropped == 1 })
	if n := len(c.Conversations()); n != 2 {
		t.Fatalf("%d conversations", n)
	}
}

func TestTranscript(t *testing.T) {
	c := newChat(t, "Me", true)
	p := newRawPeer(t)
	key, _ := c.AddPeer(context.Background(), "127.0.0.1", strconv.Itoa(int(p.addr().Port())), UDP)
	c.Send(key, "first line\nsecond line")
	p.sendTo(t, c, []byte{0xFF, 'x'})
	waitMessages(t, c, key, 2)
	var buf bytes.Buffer
	if err := c.WriteTranscript(&buf, key, "me"); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"NetDebug chat with 127.0.0.1:", "over UDP, UTF-8", "2 messages", "→ Me: first line\n    second line\n", "← 127.0.0.1:", "(bytes not valid UTF-8: FF 78)"} {
		if !strings.Contains(out, want) {
			t.Errorf("transcript lacks %q:\n%s", want, out)
		}
	}
}

func TestStopReleasesEverything(t *testing.T) {
	leaks := testenv.Goroutines(t, 5*time.Second)
	c, _ := New(Config{Discovery: true, AnnounceInterval: 20e6, Broadcasts: loopbackBroadcast, AnnouncePorts: []int{}})
	if err := c.Start("127.0.0.1:0", true); err != nil {
		t.Fatal(err)
	}
	addr := c.State().Local.String()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	conn.Write([]byte("hello\n"))
	waitFor(t, "the TCP message", func() bool { return len(c.Conversations()) == 1 && c.Conversations()[0].Count == 1 })
	c.Close()
	conn.Close()
	leaks()
	// The port is free again.
	pc, err := net.ListenPacket("udp4", addr)
	if err != nil {
		t.Fatalf("port still bound: %v", err)
	}
	pc.Close()
}
