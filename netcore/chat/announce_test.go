package chat

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestAnnounceWireFormat(t *testing.T) {
	a := Announce{ID: "3f2a9c1d7e6b5a40", Nick: "小明的电脑", Port: 9900, Enc: "GB2312", App: "NetDebug 1.0"}
	b, err := a.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	// The exact bytes the README documents.
	want := "\x00NDCHAT/1\n" + `{"id":"3f2a9c1d7e6b5a40","nick":"小明的电脑","port":9900,"enc":"GB2312","app":"NetDebug 1.0"}`
	if string(b) != want {
		t.Fatalf("wire:\n%q\nwant\n%q", b, want)
	}
	got, err := ParseAnnounce(b)
	if err != nil || got != a {
		t.Fatalf("round trip: %+v %v", got, err)
	}
	// What another program might write: spaces, field order, unknown fields.
	other := "\x00NDCHAT/1\n { \"port\": 7788, \"nick\": \"py\", \"id\": \"abcdefgh\", \"os\": \"linux\", \"reply\": true }\n"
	got, err = ParseAnnounce([]byte(other))
	if err != nil || got.Port != 7788 || got.Nick != "py" || !got.Reply {
		t.Fatalf("foreign announce: %+v %v", got, err)
	}
}

func TestAnnounceRejects(t *testing.T) {
	long := "\x00NDCHAT/1\n{\"id\":\"abcdefgh\",\"nick\":\"x\",\"port\":1,\"app\":\"" + strings.Repeat("a", 600) + "\"}"
	for _, tc := range []struct {
		in   string
		want error
	}{
		{"hello", ErrBadAnnounce},
		{"NDCHAT/1\n{}", ErrBadAnnounce},
		{"\x00NDCHAT/2\n{}", ErrAnnounceVersion},
		{"\x00NDCHAT/1{}", ErrBadAnnounce},
		{"\x00NDCHAT/1\n", ErrBadAnnounce},
		{"\x00NDCHAT/1\nnot json", ErrBadAnnounce},
		{"\x00NDCHAT/1\n{\"id\":\"abcdefgh\",\"nick\":\"x\",\"port\":1} trailing", ErrBadAnnounce},
		{"\x00NDCHAT/1\n{\"id\":\"short\",\"nick\":\"x\",\"port\":1}", ErrBadAnnounce},
		{"\x00NDCHAT/1\n{\"id\":\"abcdefgh\",\"nick\":\"\",\"port\":1}", ErrBadAnnounce},
		{"\x00NDCHAT/1\n{\"id\":\"abcdefgh\",\"nick\":\"a\\nb\",\"port\":1}", ErrBadAnnounce},
		{"\x00NDCHAT/1\n{\"id\":\"abcdefgh\",\"nick\":\"x\",\"port\":0}", ErrBadAnnounce},
		{"\x00NDCHAT/1\n{\"id\":\"abcdefgh\",\"nick\":\"x\",\"port\":\"9900\"}", ErrBadAnnounce},
		{"\x00NDCHAT/1\n{\"id\":\"abcdefg!\",\"nick\":\"x\",\"port\":1}", ErrBadAnnounce},
		{"\x00NDCHAT/1\n\xff", ErrBadAnnounce},
		{long, ErrBadAnnounce},
	} {
		if _, err := ParseAnnounce([]byte(tc.in)); !errors.Is(err, tc.want) {
			t.Errorf("%q: %v, want %v", tc.in, err, tc.want)
		}
	}
	if _, err := (Announce{ID: "abcdefgh", Nick: strings.Repeat("长", 40), Port: 1}).Marshal(); err == nil {
		t.Error("a 40-character nick was marshalled")
	}
	if got := CleanNick("  a\tb\x00c" + strings.Repeat("x", 40) + " "); got != "abc"+strings.Repeat("x", 29) {
		t.Errorf("CleanNick = %q", got)
	}
}

// No text a person can type is a control datagram, in any encoding offered.
func TestTypedTextIsNeverControl(t *testing.T) {
	for _, s := range []string{"NDCHAT/1", " \x00NDCHAT/1", "你好", "{\"id\":\"abcdefgh\"}"} {
		if IsControl([]byte(s)) {
			t.Errorf("%q is control", s)
		}
	}
}

// Control datagrams never become messages, valid or not, discovery on or
// off; and an instance that is not announcing ignores announces.
func TestControlDatagramsAreNeverMessages(t *testing.T) {
	c := newChat(t, "me", true)
	p := newRawPeer(t)
	valid, _ := Announce{ID: "abcdefgh12", Nick: "peer", Port: int(p.addr().Port())}.Marshal()
	for _, b := range [][]byte{valid, []byte("\x00NDCHAT/7\nfuture"), []byte("\x00NDCHAT/1\ngarbage"), bytes.Repeat([]byte("\x00NDCHAT/"), 200)} {
		p.sendTo(t, c, b)
	}
	c.SetDiscovery(true)
	p.sendTo(t, c, valid)
	waitFor(t, "the announce", func() bool { return len(c.Nearby()) == 1 })
	p.sendTo(t, c, []byte("a real message"))
	waitFor(t, "the message", func() bool { return len(c.Conversations()) == 1 })
	time.Sleep(50 * time.Millisecond)
	msgs := c.Messages(UDPKey(p.addr()))
	if len(msgs) != 1 || msgs[0].Text != "a real message" {
		t.Fatalf("messages %+v", msgs)
	}
	// The nickname from the announce names the conversation and message.
	if cv, _ := c.Conversation(UDPKey(p.addr())); cv.Nick != "peer" || msgs[0].Nick != "peer" {
		t.Fatalf("nick: conversation %+v, message %+v", cv, msgs[0])
	}
	// Our answer to a newcomer went back to it, marked as a reply.
	b := p.read(t)
	a, err := ParseAnnounce(b)
	if err != nil || !a.Reply || a.Nick != "me" || a.ID != c.ID() || a.Port != int(c.State().Local.Port()) {
		t.Fatalf("reply %q: %+v %v", b, a, err)
	}
	// Goodbye removes it at once.
	bye, _ := Announce{ID: "abcdefgh12", Nick: "peer", Port: 1, Bye: true}.Marshal()
	p.sendTo(t, c, bye)
	waitFor(t, "the goodbye", func() bool { return len(c.Nearby()) == 0 })
}

func FuzzParseAnnounce(f *testing.F) {
	b, _ := Announce{ID: "3f2a9c1d7e6b5a40", Nick: "小明", Port: 9900, Enc: "GB2312"}.Marshal()
	f.Add(b)
	f.Add([]byte("\x00NDCHAT/1\n{}"))
	f.Add([]byte("hello"))
	f.Fuzz(func(t *testing.T, in []byte) {
		a, err := ParseAnnounce(in)
		if err != nil {
			return
		}
		if !IsControl(in) || len(in) > MaxAnnounceSize {
			t.Fatalf("accepted %q", in)
		}
		out, err := a.Marshal()
		if err != nil {
			t.Fatalf("valid announce %+v does not marshal: %v", a, err)
		}
		if back, err := ParseAnnounce(out); err != nil || back != a {
			t.Fatalf("round trip %+v -> %q -> %+v %v", a, out, back, err)
		}
	})
}
