package main

import (
	"bytes"
	"net"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/netdebug/netdebug/netcore/codec"
)

func TestUDPTabTalkAndReplyToLastSender(t *testing.T) {
	u, _ := newTestUI(t)
	ut := u.udp
	peer, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	_, peerPort, _ := net.SplitHostPort(peer.LocalAddr().String())
	onUI(func() {
		ut.bindSel.SetText("127.0.0.1")
		ut.port.SetText("0")
		test.Tap(ut.openBtn)
		ut.host.SetText("127.0.0.1")
		ut.hostPort.SetText(peerPort)
		st := ut.send.Settings()
		st.Encoding = codec.GB2312
		ut.send.ApplySettings(st)
		ut.send.SetText("你好")
		ut.send.Send()
	})
	buf := make([]byte, 64)
	peer.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, from, err := peer.ReadFrom(buf)
	if err != nil || !bytes.Equal(buf[:n], []byte{0xC4, 0xE3, 0xBA, 0xC3}) {
		t.Fatalf("peer got % X %v", buf[:n], err)
	}

	// A second peer writes; "reply to last sender" answers it.
	other, _ := net.ListenPacket("udp", "127.0.0.1:0")
	defer other.Close()
	other.WriteTo([]byte("who's there"), from)
	eventually(t, "sender listed", func() bool { return len(ut.senders) == 1 && ut.senders[0].Addr == other.LocalAddr().String() })
	onUI(func() {
		ut.replyLast.SetChecked(true)
		st := ut.send.Settings()
		st.Encoding = codec.UTF8
		ut.send.ApplySettings(st)
		ut.send.SetText("me")
		ut.send.Send()
	})
	other.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, _, err = other.ReadFrom(buf)
	if err != nil || string(buf[:n]) != "me" {
		t.Fatalf("reply got %q %v", buf[:n], err)
	}
}

func TestUDPTabBadInput(t *testing.T) {
	u, _ := newTestUI(t)
	ut := u.udp
	busy, _ := net.ListenPacket("udp", "127.0.0.1:0")
	defer busy.Close()
	_, busyPort, _ := net.SplitHostPort(busy.LocalAddr().String())
	onUI(func() {
		ut.bindSel.SetText("127.0.0.1")
		ut.port.SetText(busyPort)
		test.Tap(ut.openBtn)
		if ut.session != nil || !strings.Contains(ut.status.Text, "already in use") {
			t.Errorf("busy port: %q", ut.status.Text)
		}
		ut.port.SetText("0")
		test.Tap(ut.openBtn)
		if ut.session == nil {
			t.Fatalf("open: %q", ut.status.Text)
		}
		// Oversize datagram: refused before sending.
		ut.host.SetText("127.0.0.1")
		ut.hostPort.SetText("9")
		// (Built directly: a 70 kB text in the editor is not the point.)
		if err := ut.out.send(codec.Payload{Text: strings.Repeat("x", 70000)}); err == nil || !strings.Contains(err.Error(), "65507") {
			t.Errorf("oversize: %v", err)
		}
		ut.group.SetText("10.1.1.1")
		ut.membership(true)
		if !strings.Contains(ut.status.Text, "not a multicast address") {
			t.Errorf("bad group: %q", ut.status.Text)
		}
		ut.replyLast.SetChecked(true)
		ut.send.SetText("x")
		if err := ut.out.send(ut.send.Payload()); err == nil || !strings.Contains(err.Error(), "no last sender") {
			t.Errorf("reply with no sender: %v", err)
		}
		ut.replyLast.SetChecked(false)
		ut.hostPort.SetText("abc")
		if err := ut.out.send(ut.send.Payload()); err == nil || !strings.Contains(err.Error(), "not a number") {
			t.Errorf("bad port: %v", err)
		}
	})
}
