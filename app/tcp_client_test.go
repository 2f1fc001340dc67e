package main

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/netdebug/netdebug/netcore/codec"
	"github.com/netdebug/netdebug/netcore/session"
	"github.com/netdebug/netdebug/widgets"
)

func connectTab(t *testing.T, tc *tcpClientTab, port string) {
	t.Helper()
	onUI(func() {
		tc.host.SetText("127.0.0.1")
		tc.port.SetText(port)
		test.Tap(tc.connectBtn)
	})
	eventually(t, "connected", func() bool { return tc.client != nil && tc.client.State() == session.Online })
}

func TestTCPClientTabTalksChineseBothWays(t *testing.T) {
	u, _ := newTestUI(t)
	tc := u.tcpClient
	p := newPeer(t)
	connectTab(t, tc, p.port())

	// Send 你好 as GB2312 with CRLF, then as UTF-8.
	onUI(func() {
		st := tc.send.Settings()
		st.Encoding, st.LineEnding = codec.GB2312, codec.LineCRLF
		tc.send.ApplySettings(st)
		tc.send.SetText("你好")
		tc.send.Send()
		st.Encoding = codec.UTF8
		tc.send.ApplySettings(st)
		tc.send.Send()
	})
	want := []byte{0xC4, 0xE3, 0xBA, 0xC3, '\r', '\n', 0xE4, 0xBD, 0xA0, 0xE5, 0xA5, 0xBD, '\r', '\n'}
	eventually(t, "the peer got both", func() bool { return bytes.Equal(p.received(), want) })

	// The peer answers in GB2312; the log keeps the bytes and shows them
	// as Chinese once the view's encoding is GB2312.
	reply, _ := codec.Encode(codec.GB2312, "收到")
	p.write(reply)
	eventually(t, "the reply in the log", func() bool {
		for _, r := range tc.log.store.Snapshot() {
			if r.Dir == widgets.RX && bytes.Equal(r.Data, reply) {
				return true
			}
		}
		return false
	})
	dir := t.TempDir()
	var n int
	var err error
	onUI(func() {
		s := tc.log.view.Settings()
		s.Encoding = codec.GB2312
		tc.log.view.ApplySettings(s)
		n, err = tc.log.view.SaveText(filepath.Join(dir, "log.txt"), tc.log.view.Settings())
	})
	saved, _ := os.ReadFile(filepath.Join(dir, "log.txt"))
	if err != nil || n < 3 || !strings.Contains(string(saved), "收到") || !strings.Contains(string(saved), "你好") {
		t.Fatalf("saved %d records, err %v:\n%s", n, err, saved)
	}

	// Settings were remembered.
	if got := u.app.Preferences().String("tcpclient.port"); got != p.port() {
		t.Fatalf("port preference %q", got)
	}
	var hist []widgets.HistoryItem
	tc.p.load("history", &hist)
	if len(hist) != 1 || hist[0].Text != "你好" {
		t.Fatalf("history %+v", hist)
	}
}

func TestTCPClientTabRejectsBadInput(t *testing.T) {
	u, _ := newTestUI(t)
	tc := u.tcpClient
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	_, closedPort, _ := net.SplitHostPort(ln.Addr().String())
	ln.Close()
	cases := []struct{ host, port, want string }{
		{"", "80", "the host is empty"},
		{"no such host!", "80", "not allowed in host name"},
		{"127.0.0.1", "0", "out of range"},
		{"127.0.0.1", "65536", "out of range"},
		{"127.0.0.1", "abc", "not a number"},
		{"300.1.1.1", "80", "not a valid IPv4"},
	}
	for _, c := range cases {
		onUI(func() {
			tc.host.SetText(c.host)
			tc.port.SetText(c.port)
			test.Tap(tc.connectBtn)
		})
		onUI(func() {
			if !strings.Contains(tc.status.Text, c.want) || tc.client != nil {
				t.Errorf("%q:%q: status %q", c.host, c.port, tc.status.Text)
			}
		})
	}
	// Nothing listening: a clear message, and the tab can try again.
	onUI(func() {
		tc.host.SetText("127.0.0.1")
		tc.port.SetText(closedPort)
		test.Tap(tc.connectBtn)
	})
	eventually(t, "refusal shown", func() bool {
		return strings.Contains(tc.status.Text, "Connection refused") && tc.cancelDial == nil && tc.connectBtn.Text == "Connect"
	})
	// Sending while disconnected is refused with a message, not lost silently.
	onUI(func() {
		tc.send.SetText("hello")
		if err := tc.out.send(tc.send.Payload()); err == nil || !strings.Contains(err.Error(), "not connected") {
			t.Errorf("send while disconnected: %v", err)
		}
	})
}

func TestTCPClientTabBadHexAndVanishingPeer(t *testing.T) {
	u, _ := newTestUI(t)
	tc := u.tcpClient
	p := newPeer(t)
	connectTab(t, tc, p.port())
	onUI(func() {
		st := tc.send.Settings()
		st.Hex = true
		tc.send.ApplySettings(st)
		tc.send.SetText("4G")
		tc.send.Send()
	})
	onUI(func() {
		if err := tc.out.send(tc.send.Payload()); err == nil || !strings.Contains(err.Error(), "position 2") {
			t.Fatalf("bad hex: %v", err)
		}
	})
	onUI(func() {
		tc.send.SetText("41 42")
		tc.send.Send()
	})
	eventually(t, "hex bytes arrive", func() bool { return string(p.received()) == "AB" })

	// The peer vanishes mid-session: the tab says so and can reconnect.
	p.dropAll()
	eventually(t, "disconnect shown", func() bool {
		return tc.client == nil && strings.Contains(tc.status.Text, "closed by peer") && tc.connectBtn.Text == "Connect"
	})
	connectTab(t, tc, p.port())
	if p.connections() != 1 {
		t.Fatalf("connections %d", p.connections())
	}
}

func TestTCPClientTabPeriodicSend(t *testing.T) {
	u, _ := newTestUI(t)
	tc := u.tcpClient
	p := newPeer(t)
	connectTab(t, tc, p.port())
	onUI(func() {
		tc.send.SetText("n={{counter:start=1}};")
		if err := tc.out.startPeriodic(tc.send.Payload(), 2e6, 3); err != nil {
			t.Fatal(err)
		}
	})
	eventually(t, "three periodic sends", func() bool { return string(p.received()) == "n=1;n=2;n=3;" })
	eventually(t, "periodic stopped", func() bool { return !tc.periodic.running() && !tc.send.PeriodicRunning() })
}

func TestTCPClientTabSendAndReceiveFiles(t *testing.T) {
	u, files := newTestUI(t)
	tc := u.tcpClient
	p := newPeer(t)
	connectTab(t, tc, p.port())
	dir := t.TempDir()
	src := filepath.Join(dir, "firmware.bin")
	data := bytes.Repeat([]byte("0123456789abcdef"), 1<<16)
	os.WriteFile(src, data, 0o644)
	files.open = src
	onUI(func() { test.Tap(tc.sender.button) })
	eventually(t, "file sent", func() bool { return len(p.received()) == len(data) && tc.sender.stop == nil })
	if !bytes.Equal(p.received(), data) {
		t.Fatal("file content differs")
	}

	files.save = filepath.Join(dir, "capture.bin")
	onUI(func() { test.Tap(tc.capture.button) })
	eventually(t, "capture on", func() bool { return tc.capture.capture != nil })
	p.write([]byte("part one,"))
	p.write([]byte("part two"))
	eventually(t, "both parts in the log", func() bool { return tc.log.store.Counters().RxBytes == 17 })
	onUI(func() { test.Tap(tc.capture.button) })
	if got, _ := os.ReadFile(files.save); string(got) != "part one,part two" {
		t.Fatalf("capture = %q", got)
	}
}

func TestWindowSizeRemembered(t *testing.T) {
	u, _ := newTestUI(t)
	onUI(func() {
		u.win.Resize(fyne.NewSize(1234, 777))
		u.shutdown()
		u.shutdown() // a second call (quit after close) changes nothing
	})
	p := u.app.Preferences()
	if w, h := p.Float(prefWindowWidth), p.Float(prefWindowHeight); w != 1234 || h != 777 {
		t.Fatalf("saved %vx%v", w, h)
	}
	w2 := test.NewTempWindow(t, nil)
	var u2 *appUI
	onUI(func() { u2 = newUI(u.app, w2, &fakeFiles{}) })
	t.Cleanup(func() { onUI(u2.shutdown) })
	onUI(func() {
		if s := w2.Canvas().Size(); s.Width != 1234 || s.Height != 777 {
			t.Errorf("restored %v", s)
		}
	})
}

// TestTCPClientTabPeerGoneWhileChoosingAFile: the peer closes while the
// "Send file" dialog is open. The send is refused with a message; it used
// to reach a nil session and end the app.
func TestTCPClientTabPeerGoneWhileChoosingAFile(t *testing.T) {
	u, files := newTestUI(t)
	tc := u.tcpClient
	p := newPeer(t)
	connectTab(t, tc, p.port())
	src := filepath.Join(t.TempDir(), "f.bin")
	os.WriteFile(src, []byte("data"), 0o644)
	files.open = src
	files.whileOpen = func() {
		p.dropAll()
		eventually(t, "the tab sees the peer gone", func() bool { return tc.requireClient() != nil })
	}
	onUI(func() { test.Tap(tc.sender.button) })
	eventually(t, "refused with a message", func() bool {
		return strings.Contains(tc.sender.label.Text, tr("connect first"))
	})
}

// TestTCPClientTabPortZeroSaysItOnce: the status names the problem once;
// it used to read "Invalid address: invalid address: port 0 ...".
func TestTCPClientTabPortZeroSaysItOnce(t *testing.T) {
	u, _ := newTestUI(t)
	tc := u.tcpClient
	onUI(func() {
		tc.host.SetText("127.0.0.1")
		tc.port.SetText("0")
		test.Tap(tc.connectBtn)
	})
	onUI(func() {
		if want := tr("Invalid address") + ": port 0 is out of range (1–65535)"; tc.status.Text != want {
			t.Errorf("status %q, want %q", tc.status.Text, want)
		}
	})
}

// TestTCPClientTabReconnectTurnedOff: unticking Auto-reconnect while the
// tab waits to reconnect returns it to Connect and says reconnecting
// stopped; it used to keep showing Disconnect with sending disabled.
func TestTCPClientTabReconnectTurnedOff(t *testing.T) {
	u, _ := newTestUI(t)
	tc := u.tcpClient
	p := newPeer(t)
	onUI(func() { tc.reconnect.SetChecked(true) })
	connectTab(t, tc, p.port())
	p.ln.Close() // nothing to reconnect to
	p.dropAll()
	eventually(t, "reconnecting", func() bool {
		return tc.client != nil && tc.client.State() == session.Reconnecting &&
			strings.Contains(tc.status.Text, tr("closed by peer")) && tc.connectBtn.Text == tr("Disconnect")
	})
	onUI(func() { tc.reconnect.SetChecked(false) })
	eventually(t, "back to Connect", func() bool {
		return tc.client == nil && tc.connectBtn.Text == tr("Connect") && tc.cancelDial == nil &&
			strings.Contains(tc.status.Text, tr("reconnecting stopped"))
	})
	// The tab can connect again.
	p2 := newPeer(t)
	connectTab(t, tc, p2.port())
}
