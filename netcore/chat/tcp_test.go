package chat

import (
	"bufio"
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/netdebug/netdebug/netcore/codec"
	"github.com/netdebug/netdebug/netcore/session"
)

func TestTCPModeAcceptsLines(t *testing.T) {
	c := newChat(t, "me", false)
	if err := c.Start("127.0.0.1:0", true); err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", c.State().Local.String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	gb, _ := codec.Encode(codec.GB2312, "第二行")
	conn.Write([]byte("你好\r\nsplit "))
	time.Sleep(20 * time.Millisecond)
	conn.Write(append([]byte("line\n"), append(gb, '\n')...))
	key := TCPKey(conn.LocalAddr().(*net.TCPAddr).AddrPort())
	msgs := waitMessages(t, c, key, 3)
	if msgs[0].Text != "你好" || msgs[1].Text != "split line" || !msgs[2].Undecodable {
		t.Fatalf("messages %+v", msgs)
	}
	c.SetEncoding(key, codec.GB2312)
	if m := c.Messages(key)[2]; m.Text != "第二行" {
		t.Fatalf("re-decoded %q", m.Text)
	}
	cv, _ := c.Conversation(key)
	if cv.Transport != TCP || !cv.Connected {
		t.Fatalf("conversation %+v", cv)
	}
	// Replies are lines in the conversation's encoding; a multi-line
	// message becomes several lines.
	c.Send(key, "收到\n两行")
	r := bufio.NewReader(conn)
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	for _, want := range []string{"收到", "两行"} {
		line, err := r.ReadString('\n')
		if err != nil || codec.Decode(codec.GB2312, []byte(strings.TrimSuffix(line, "\n"))) != want {
			t.Fatalf("read %q %v, want %q", line, err, want)
		}
	}
	waitFor(t, "sent", func() bool { return c.Messages(key)[3].Status == StatusSent })
	// The peer leaves: the conversation stays, sending fails with a reason.
	conn.Close()
	waitFor(t, "disconnected", func() bool { cv, _ := c.Conversation(key); return !cv.Connected })
	m, _ := c.Send(key, "anyone?")
	waitFor(t, "the failure", func() bool { return c.Messages(key)[4].Status == StatusFailed })
	if note := c.Messages(key)[4].Note; !strings.Contains(note, "closed the connection") {
		t.Fatalf("note %q for %+v", note, m)
	}
}

func TestTCPModeConnectsBothWays(t *testing.T) {
	a := newChat(t, "a", false)
	if err := a.Start("127.0.0.1:0", true); err != nil {
		t.Fatal(err)
	}
	b := newChat(t, "b", true)
	key, err := b.AddPeer(context.Background(), "127.0.0.1", port(a), TCP)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(key, "tcp://127.0.0.1:") {
		t.Fatalf("key %q", key)
	}
	b.Send(key, "over tcp")
	waitFor(t, "a to hear b", func() bool {
		cs := a.Conversations()
		return len(cs) == 1 && cs[0].Count == 1 && cs[0].Transport == TCP
	})
	aKey := a.Conversations()[0].Key
	if m := a.Messages(aKey)[0]; m.Text != "over tcp" {
		t.Fatalf("a got %+v", m)
	}
	a.Send(aKey, "back")
	if got := waitMessages(t, b, key, 2)[1]; got.Text != "back" {
		t.Fatalf("b got %+v", got)
	}
	// a stops: b's next send redials, fails with a reason, and is retried
	// once a is back on the same port.
	p := a.State().Local.Port()
	a.Stop()
	waitFor(t, "b sees the close", func() bool { cv, _ := b.Conversation(key); return !cv.Connected })
	m, _ := b.Send(key, "are you there")
	waitFor(t, "the failure", func() bool { return b.Messages(key)[2].Status == StatusFailed })
	if note := b.Messages(key)[2].Note; !strings.Contains(note, "nothing is listening") {
		t.Fatalf("note %q", note)
	}
	if err := a.Start("127.0.0.1:"+strconv.Itoa(int(p)), true); err != nil {
		t.Fatal(err)
	}
	b.Retry(key, m.ID)
	waitFor(t, "the retry", func() bool { return b.Messages(key)[2].Status == StatusSent })

	// Connecting to nothing is refused up front, and adds nothing.
	a.Stop()
	waitFor(t, "b sees the close", func() bool { cv, _ := b.Conversation(key); return !cv.Connected })
	if _, err := b.AddPeer(context.Background(), "127.0.0.1", strconv.Itoa(int(p)), TCP); !errors.Is(err, session.ErrRefused) {
		t.Fatalf("refused: %v", err)
	}
	if n := len(b.Conversations()); n != 1 {
		t.Fatalf("%d conversations", n)
	}
}
