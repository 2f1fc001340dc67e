package main

import (
	"bytes"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/netdebug/netdebug/netcore/codec"
	"github.com/netdebug/netdebug/netcore/framing"
	"github.com/netdebug/netdebug/widgets"
)

func startServerTab(t *testing.T, ts *tcpServerTab) string {
	t.Helper()
	onUI(func() {
		ts.bind.SetText("127.0.0.1")
		ts.port.SetText("0")
		test.Tap(ts.startBtn)
	})
	var addr string
	eventually(t, "listening", func() bool {
		if ts.server != nil {
			addr = ts.server.Addr()
		}
		return addr != ""
	})
	return addr
}

func readN(t *testing.T, c net.Conn, n int) []byte {
	t.Helper()
	buf := make([]byte, n)
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadFull(c, buf); err != nil {
		t.Fatalf("read: %v", err)
	}
	return buf
}

func TestTCPServerTabThreeClients(t *testing.T) {
	u, _ := newTestUI(t)
	ts := u.tcpServer
	addr := startServerTab(t, ts)
	conns := dialClients(t, ts, addr, 3)

	// Talk to one: select the second client, send GB2312.
	onUI(func() {
		ts.clientList.Select(1)
		st := ts.send.Settings()
		st.Encoding = codec.GB2312
		ts.send.ApplySettings(st)
		ts.send.SetText("你好")
		ts.send.Send()
	})
	var target net.Conn
	for _, c := range conns {
		if c.LocalAddr().String() == ts.clients[1].Addr {
			target = c
		}
	}
	if got := readN(t, target, 4); !bytes.Equal(got, []byte{0xC4, 0xE3, 0xBA, 0xC3}) {
		t.Fatalf("selected client got % X", got)
	}
	// Then to all.
	onUI(func() {
		ts.toAll.SetChecked(true)
		ts.send.SetText("all")
		ts.send.Send()
	})
	for _, c := range conns {
		if got := readN(t, c, 3); string(got) != "all" {
			t.Fatalf("%s got %q", c.LocalAddr(), got)
		}
	}
	// Kick one.
	onUI(func() {
		ts.clientList.Select(0)
		test.Tap(ts.kickBtn)
	})
	eventually(t, "two clients left", func() bool { return len(ts.clients) == 2 })

	// Log filter: only the selected client's records.
	conns[2].Write([]byte("from third"))
	conns[1].Write([]byte("from second"))
	eventually(t, "both messages logged", func() bool { return ts.log.store.Counters().RxPackets == 2 })
	onUI(func() {
		for i, c := range ts.clients {
			if c.Addr == conns[2].LocalAddr().String() {
				ts.clientList.Select(i)
			}
		}
		ts.onlyOne.SetChecked(true)
	})
	// What the view draws, not the store (which is never filtered).
	eventually(t, "filtered log", func() bool {
		shown := shownLogRows(ts.log.view)
		return strings.Contains(shown, "from third") && !strings.Contains(shown, "from second")
	})

	// Stop: clients are disconnected.
	onUI(func() { test.Tap(ts.startBtn) })
	conns[2].SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := conns[2].Read(make([]byte, 1)); err == nil {
		t.Fatal("client still connected after stop")
	}
	eventually(t, "stopped", func() bool { return ts.server == nil && strings.Contains(ts.status.Text, "Stopped") })
}

func TestTCPServerTabLengthPrefixFraming(t *testing.T) {
	u, _ := newTestUI(t)
	ts := u.tcpServer
	onUI(func() { ts.framing.set(framing.Config{Mode: framing.LengthPrefix, PrefixLen: 2}) })
	addr := startServerTab(t, ts)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("\x00\x05hello\x00\x02hi\x00\x03你"))
	eventually(t, "three framed messages", func() bool { return ts.log.store.Counters().RxPackets == 3 })
	var got []string
	for _, r := range ts.log.store.Snapshot() {
		if r.Dir == widgets.RX {
			got = append(got, string(r.Data[2:]))
		}
	}
	if strings.Join(got, "|") != "hello|hi|你" {
		t.Fatalf("frames %q", got)
	}
	// The send side adds the same prefix.
	eventually(t, "client listed", func() bool { return len(ts.clients) == 1 })
	onUI(func() {
		ts.framing.prefix.SetChecked(true)
		ts.send.SetText("ok")
		ts.send.Send()
	})
	if got := readN(t, c, 4); string(got) != "\x00\x02ok" {
		t.Fatalf("prefixed send %q", got)
	}
}

func TestTCPServerTabBadInput(t *testing.T) {
	u, _ := newTestUI(t)
	ts := u.tcpServer
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	defer ln.Close()
	_, busy, _ := net.SplitHostPort(ln.Addr().String())
	for _, c := range []struct{ bind, port, max, want string }{
		{"127.0.0.1", busy, "0", "already in use"},
		{"192.0.2.55", "0", "0", "not an address of this computer"},
		{"127.0.0.1", "70000", "0", "out of range"},
		{"127.0.0.1", "0", "-3", "Max clients"},
	} {
		onUI(func() {
			ts.bind.SetText(c.bind)
			ts.port.SetText(c.port)
			ts.maxClients.SetText(c.max)
			test.Tap(ts.startBtn)
			if ts.server != nil || !strings.Contains(ts.status.Text, c.want) {
				t.Errorf("%s:%s max %s: status %q", c.bind, c.port, c.max, ts.status.Text)
			}
		})
	}
	onUI(func() {
		ts.send.SetText("x")
		if err := ts.out.send(ts.send.Payload()); err == nil {
			t.Error("send with the server stopped")
		}
	})
}

// TestTCPServerTabStuckClientDoesNotFreeze: a client that never reads
// fills its socket buffers, after which a write waits for the 10 s write
// timeout. The send box hands sends to the tab's queue, so the UI goroutine
// comes back at once however many sends wait; once the queue is full a send
// is refused with a message instead of waiting.
func TestTCPServerTabStuckClientDoesNotFreeze(t *testing.T) {
	u, _ := newTestUI(t)
	ts := u.tcpServer
	addr := startServerTab(t, ts)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close() // never read
	eventually(t, "client listed", func() bool { return len(ts.clients) == 1 })
	big := strings.Repeat("x", 1<<20)
	var refused error
	start := time.Now()
	onUI(func() {
		ts.clientList.Select(0)
		// 8 MiB is more than loopback's socket buffers hold: without the
		// queue the UI goroutine would wait here for the write timeout.
		for i := 0; i < sendQueueLen+8 && refused == nil; i++ {
			refused = ts.out.send(codec.Payload{Text: big})
		}
	})
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("the UI goroutine was blocked for %v", d)
	}
	if !errors.Is(refused, errSendBusy) {
		t.Fatalf("a send past the queue's length: %v, want %v", refused, errSendBusy)
	}
}

// shownLogRows renders v tall enough for every row the list holds and
// returns the drawn markup, so a test sees what the view's peer filter
// lets through. Call it on the UI goroutine.
func shownLogRows(v *widgets.LogView) string {
	sz := v.Size()
	sz.Height = max(sz.Height, 4000)
	v.Resize(sz)
	v.Update()
	return v.ShownText()
}

// TestTCPServerTabSendFollowsTheServer: Send is off while the server is
// stopped, a refusal about its clients goes when it stops, and a send to
// all clients counts once per client that got it.
func TestTCPServerTabSendFollowsTheServer(t *testing.T) {
	u, _ := newTestUI(t)
	ts := u.tcpServer
	onUI(func() {
		if ts.send.SendEnabled() {
			t.Error("Send is enabled before the server started")
		}
	})
	addr := startServerTab(t, ts)
	onUI(func() {
		if !ts.send.SendEnabled() {
			t.Error("Send is disabled with the server listening")
		}
	})
	conns := dialClients(t, ts, addr, 3)
	onUI(func() {
		ts.toAll.SetChecked(true)
		ts.send.SetText("12345678")
		ts.send.Send()
	})
	for _, c := range conns {
		readN(t, c, 8)
	}
	eventually(t, "TX counted per client", func() bool {
		c := ts.log.store.Counters()
		return c.TxBytes == 24 && c.TxPackets == 3
	})
	onUI(func() {
		// Said once, kind first (translated), then what and where.
		st := ts.send.Settings()
		st.Hex = true
		ts.send.ApplySettings(st)
		ts.send.SetText("41 4G")
		ts.send.Send()
		if got := ts.send.ShownError(); got != "Invalid hex: not a hex digit: 'G' at position 5" {
			t.Errorf("bad hex: error line %q", got)
		}
		st.Hex = false
		ts.send.ApplySettings(st)
		if got := ts.send.ShownError(); got != "" {
			t.Errorf("back to Text: error line %q", got)
		}
		ts.toAll.SetChecked(false)
		ts.send.Send()
		if !strings.Contains(ts.send.ShownError(), "select a client") {
			t.Errorf("error line %q with no client chosen", ts.send.ShownError())
		}
		test.Tap(ts.startBtn) // stop
		if ts.send.SendEnabled() || ts.send.ShownError() != "" {
			t.Errorf("after stop: Send enabled %v, error line %q", ts.send.SendEnabled(), ts.send.ShownError())
		}
	})
	eventually(t, "stopped", func() bool { return strings.Contains(ts.status.Text, "Stopped") })
}

func TestTCPServerTabSendFileFollowsTheServer(t *testing.T) {
	u, _ := newTestUI(t)
	ts := u.tcpServer
	onUI(func() {
		if !ts.sender.button.Disabled() {
			t.Error("Send file… is enabled before the server started")
		}
	})
	startServerTab(t, ts)
	onUI(func() {
		if ts.sender.button.Disabled() {
			t.Error("Send file… is disabled with the server listening")
		}
		// A transfer that ends while the server listens leaves it enabled.
		ts.sender.stop = func() {}
		ts.sender.button.Disable()
		ts.sender.done(0, nil)
		if ts.sender.button.Disabled() {
			t.Error("Send file… stayed disabled after a transfer ended with the server listening")
		}
		// A transfer still running when the server stops ends disabled.
		ts.sender.stop = func() {}
		ts.sender.button.Disable()
		test.Tap(ts.startBtn) // stop
		if !ts.sender.button.Disabled() {
			t.Error("Send file… is enabled during a transfer after stop")
		}
		ts.sender.done(0, errors.New("connection reset"))
		if !ts.sender.button.Disabled() {
			t.Error("Send file… was enabled by the end of a transfer with the server stopped")
		}
	})
	eventually(t, "stopped", func() bool { return strings.Contains(ts.status.Text, "Stopped") })
	onUI(func() {
		if !ts.sender.button.Disabled() {
			t.Error("Send file… is enabled with the server stopped")
		}
	})
}

// dialClients connects n clients to the server tab at addr and waits until
// the tab lists them.
func dialClients(t *testing.T, ts *tcpServerTab, addr string, n int) []net.Conn {
	t.Helper()
	var conns []net.Conn
	for i := 0; i < n; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		conns = append(conns, c)
	}
	eventually(t, "clients listed", func() bool { return len(ts.clients) == n })
	return conns
}
