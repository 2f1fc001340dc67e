package chat

import (
	"bufio"
	"context"
	"net"
	"strings"
	"testing"
	"time"
)

func dialLine(t *testing.T, c *Chat, line string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", c.State().Local.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if line != "" {
		if _, err := conn.Write([]byte(line + "\n")); err != nil {
			t.Fatal(err)
		}
	}
	return conn
}

func readLine(t *testing.T, conn net.Conn) string {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		t.Fatalf("read %q: %v", line, err)
	}
	return strings.TrimSuffix(line, "\n")
}

func waitDisconnected(t *testing.T, c *Chat, key string) {
	t.Helper()
	waitFor(t, key+" to disconnect", func() bool { cv, _ := c.Conversation(key); return !cv.Connected })
}

func localKey(conn net.Conn) string { return TCPKey(conn.LocalAddr().(*net.TCPAddr).AddrPort()) }

// A peer that connects again from a new port continues its conversation.
func TestTCPReconnectKeepsConversation(t *testing.T) {
	c := newChat(t, "me", false)
	if err := c.Start("127.0.0.1:0", true); err != nil {
		t.Fatal(err)
	}
	first := dialLine(t, c, "one")
	key := localKey(first)
	waitMessages(t, c, key, 1)
	first.Close()
	waitDisconnected(t, c, key)

	second := dialLine(t, c, "two")
	msgs := waitMessages(t, c, key, 2)
	if msgs[1].Text != "two" {
		t.Fatalf("messages %+v", msgs)
	}
	if cs := c.Conversations(); len(cs) != 1 {
		t.Fatalf("conversations %s", keys(cs))
	}
	cv, _ := c.Conversation(key)
	now := second.LocalAddr().(*net.TCPAddr).AddrPort().String()
	if cv.Key != key || !cv.Connected || cv.Addr != now {
		t.Fatalf("conversation %+v, want key %s connected from %s", cv, key, now)
	}
	// Replies go over the new connection.
	c.Send(key, "hello again")
	if got := readLine(t, second); got != "hello again" {
		t.Fatalf("peer read %q", got)
	}
	waitFor(t, "sent", func() bool { return c.Messages(key)[2].Status == StatusSent })
}

// Two programs on one host connected at once are two conversations; a
// reconnect takes the one whose connection is gone.
func TestTCPReconnectSkipsLiveConversations(t *testing.T) {
	c := newChat(t, "me", false)
	if err := c.Start("127.0.0.1:0", true); err != nil {
		t.Fatal(err)
	}
	a := dialLine(t, c, "from a")
	aKey := localKey(a)
	waitMessages(t, c, aKey, 1)
	b := dialLine(t, c, "from b")
	bKey := localKey(b)
	waitMessages(t, c, bKey, 1)
	if cs := c.Conversations(); len(cs) != 2 {
		t.Fatalf("conversations %s", keys(cs))
	}
	a.Close()
	waitDisconnected(t, c, aKey)
	// b is more recent, but still connected: a's conversation takes it.
	dialLine(t, c, "a again")
	if msgs := waitMessages(t, c, aKey, 2); msgs[1].Text != "a again" {
		t.Fatalf("a's messages %+v", msgs)
	}
	if n := len(c.Messages(bKey)); n != 1 {
		t.Fatalf("b has %d messages", n)
	}
	if cs := c.Conversations(); len(cs) != 2 {
		t.Fatalf("conversations %s", keys(cs))
	}
	// With both connected, a third program is a third conversation.
	third := dialLine(t, c, "third")
	waitMessages(t, c, localKey(third), 1)
	if cs := c.Conversations(); len(cs) != 3 {
		t.Fatalf("conversations %s", keys(cs))
	}
}

// With several disconnected conversations from one IP the most recent
// gets the reconnect.
func TestTCPReconnectPrefersMostRecent(t *testing.T) {
	c := newChat(t, "me", false)
	if err := c.Start("127.0.0.1:0", true); err != nil {
		t.Fatal(err)
	}
	a := dialLine(t, c, "a")
	b := dialLine(t, c, "b")
	aKey, bKey := localKey(a), localKey(b)
	waitMessages(t, c, aKey, 1)
	waitMessages(t, c, bKey, 1)
	time.Sleep(10 * time.Millisecond)
	a.Write([]byte("a later\n"))
	waitMessages(t, c, aKey, 2)
	a.Close()
	b.Close()
	waitDisconnected(t, c, aKey)
	waitDisconnected(t, c, bKey)
	dialLine(t, c, "back")
	if msgs := waitMessages(t, c, aKey, 3); msgs[2].Text != "back" {
		t.Fatalf("a's messages %+v", msgs)
	}
	if n := len(c.Messages(bKey)); n != 1 {
		t.Fatalf("b has %d messages", n)
	}
}

// A peer we dialled that connects back from another port lands in the
// dialled conversation (preferred over a more recent accepted one), and the
// conversation still dials the peer's listening port once that is gone.
func TestTCPReconnectToDialledConversation(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 4)
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- conn
		}
	}()
	next := func() net.Conn {
		t.Helper()
		select {
		case conn := <-accepted:
			t.Cleanup(func() { conn.Close() })
			return conn
		case <-time.After(5 * time.Second):
			t.Fatal("no connection")
		}
		return nil
	}

	c := newChat(t, "me", false)
	if err := c.Start("127.0.0.1:0", true); err != nil {
		t.Fatal(err)
	}
	lport := ln.Addr().(*net.TCPAddr).AddrPort()
	key, err := c.AddPeer(context.Background(), "127.0.0.1", strings.TrimPrefix(lport.String(), "127.0.0.1:"), TCP)
	if err != nil {
		t.Fatal(err)
	}
	if key != TCPKey(lport) {
		t.Fatalf("key %q", key)
	}
	server := next()
	c.Send(key, "hi")
	if got := readLine(t, server); got != "hi" {
		t.Fatalf("read %q", got)
	}
	// A more recent accepted conversation from the same IP (a conversation
	// of its own while the dialled one is connected), then both are gone.
	other := dialLine(t, c, "other")
	waitMessages(t, c, localKey(other), 1)
	other.Close()
	waitDisconnected(t, c, localKey(other))
	server.Close()
	waitDisconnected(t, c, key)

	back := dialLine(t, c, "calling back")
	if msgs := waitMessages(t, c, key, 2); msgs[1].Text != "calling back" {
		t.Fatalf("messages %+v", msgs)
	}
	if n := len(c.Messages(localKey(other))); n != 1 {
		t.Fatalf("other has %d messages", n)
	}
	cv, _ := c.Conversation(key)
	if !cv.Connected || cv.Addr != lport.String() || !cv.Manual {
		t.Fatalf("conversation %+v", cv)
	}
	c.Send(key, "over the new one")
	if got := readLine(t, back); got != "over the new one" {
		t.Fatalf("read %q", got)
	}
	// Once the peer's connection is gone, sending dials its listener again.
	back.Close()
	waitDisconnected(t, c, key)
	c.Send(key, "redial")
	if got := readLine(t, next()); got != "redial" {
		t.Fatalf("read %q", got)
	}
	if cs := c.Conversations(); len(cs) != 2 {
		t.Fatalf("conversations %s", keys(cs))
	}
}
