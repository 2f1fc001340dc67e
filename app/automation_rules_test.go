package main

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/netdebug/netdebug/netcore/automation"
	"github.com/netdebug/netdebug/netcore/codec"
)

// addRule fills the rule dialog as a user would.
func addRule(t *testing.T, r *rulesPanel, name string, mode int, pattern, reply string) *ruleEditor {
	t.Helper()
	var e *ruleEditor
	onUI(func() {
		r.add()
		e = r.editor
		e.name.SetText(name)
		e.match.SetSelectedIndex(mode)
		e.pattern.SetText(pattern)
		e.reply.SetText(reply)
	})
	return e
}

// shownStats returns the counter and limit lines the rules list shows on
// screen, one string per rule.
func shownStats(r *rulesPanel) []string {
	var out []string
	for _, o := range test.LaidOutObjects(r.list) {
		if l, ok := o.(*canvas.Text); ok && l.Visible() {
			switch {
			case strings.HasPrefix(l.Text, "hits "):
				out = append(out, l.Text)
			case strings.HasPrefix(l.Text, "limit ") && len(out) > 0:
				out[len(out)-1] += " · " + l.Text
			}
		}
	}
	return out
}

func openUDPTab(t *testing.T, ut *udpTab) *net.UDPAddr {
	t.Helper()
	onUI(func() {
		ut.bindSel.SetText("127.0.0.1")
		ut.port.SetText("0")
		test.Tap(ut.openBtn)
		if ut.session == nil {
			t.Fatalf("open: %q", ut.status.Text)
		}
	})
	return mustAddr(ut.session.LocalAddr())
}

func TestUDPAutoReplyHeartbeatWithCRC(t *testing.T) {
	u, _ := newTestUI(t)
	ut := u.udp
	r := ut.auto.rules
	onUI(func() {
		showTab(u, ut.auto)
		ut.auto.show(2)
	})
	e := addRule(t, r, "heartbeat", 3, `PING (\d+)`, "PONG $1{{crc16modbus}}")
	want := withCRC([]byte("PONG 42"))
	onUI(func() {
		// The dialog tries the rule on test data and shows the reply.
		e.test.SetText("PING 42")
		if !strings.Contains(e.preview.Text, "Reply: "+codec.FormatHex(want)) {
			t.Errorf("preview %q, want %s", e.preview.Text, codec.FormatHex(want))
		}
		e.test.SetText("PONG 42")
		if !strings.Contains(e.preview.Text, "does not match") {
			t.Errorf("no match preview %q", e.preview.Text)
		}
		// A bad regular expression or template is named and not saved.
		e.pattern.SetText(`PING (\d+`)
		if !e.save.Disabled() || !strings.Contains(e.preview.Text, "regular expression") {
			t.Errorf("bad regex: %q", e.preview.Text)
		}
		e.pattern.SetText(`PING (\d+)`)
		e.reply.SetText("PONG $1{{crc16modbus")
		if !e.save.Disabled() || !strings.Contains(e.preview.Text, "position") {
			t.Errorf("bad reply: %q", e.preview.Text)
		}
		e.reply.SetText("PONG $1{{crc16modbus}}")
		test.Tap(e.save)
		if len(r.set.Rules) != 1 {
			t.Fatalf("rule not saved: %q", e.preview.Text)
		}
	})
	addr := openUDPTab(t, ut)

	peer, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	buf := make([]byte, 64)
	for i := 1; i <= 3; i++ {
		peer.WriteTo([]byte("PING 42"), addr)
		peer.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, _, err := peer.ReadFrom(buf)
		if err != nil || !bytes.Equal(buf[:n], want) {
			t.Fatalf("heartbeat %d: got % X %v, want % X", i, buf[:n], err, want)
		}
		eventually(t, "the hit counter on screen", func() bool {
			st := shownStats(r)
			return len(st) == 1 && strings.HasPrefix(st[0], "hits "+string(rune('0'+i))+" · replies "+string(rune('0'+i)))
		})
	}
	// The log shows the heartbeat and the reply.
	eventually(t, "reply in the log", func() bool { return ut.log.store.Counters().TxPackets == 3 })

	// A tighter limit is shown and holds: 1 per second, burst 1.
	onUI(func() {
		r.list.Select(0)
		test.Tap(r.bar.edit)
		r.editor.perSec.SetText("1")
		r.editor.burst.SetText("1")
		test.Tap(r.editor.save)
	})
	for range 3 {
		peer.WriteTo([]byte("PING 7"), addr)
	}
	eventually(t, "suppressed shown", func() bool {
		st := shownStats(r)
		return len(st) == 1 && strings.Contains(st[0], "hits 6 · replies 4 · suppressed 2 · limit 1/s, burst 1")
	})
	// Disabled in the row: no more answers.
	onUI(func() { r.setEnabled(0, false) })
	peer.WriteTo([]byte("PING 8"), addr)
	time.Sleep(100 * time.Millisecond)
	onUI(func() {
		if r.active.Load() || r.engine.Stats()[0].Hits != 6 {
			t.Errorf("disabled rule still answers: %+v", r.engine.Stats())
		}
	})
}

func TestTCPServerAutoReplyGoesToTheSenderOnly(t *testing.T) {
	u, _ := newTestUI(t)
	ts := u.tcpServer
	r := ts.auto.rules
	e := addRule(t, r, "greet", 1, "hello", "hi $0")
	onUI(func() { test.Tap(e.save) })
	addr := startServerTab(t, ts)
	a, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	eventually(t, "two clients", func() bool { return len(ts.clients) == 2 })
	a.Write([]byte("well hello"))
	if got := readN(t, a, 8); string(got) != "hi hello" {
		t.Fatalf("sender got %q", got)
	}
	b.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if n, err := b.Read(make([]byte, 16)); err == nil {
		t.Fatalf("the other client got %d bytes", n)
	}
	b.Write([]byte("hello?"))
	if got := readN(t, b, 8); string(got) != "hi hello" {
		t.Fatalf("second sender got %q", got)
	}
	a.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if n, err := a.Read(make([]byte, 16)); err == nil {
		t.Fatalf("the first client got the second's reply (%d bytes)", n)
	}
	eventually(t, "counters", func() bool { return len(r.stats) == 1 && r.stats[0].Replies == 2 })
}

func TestAutoReplyDelayedAndCancelledOnStop(t *testing.T) {
	u, _ := newTestUI(t)
	ut := u.udp
	r := ut.auto.rules
	e := addRule(t, r, "slow", 0, "x", "late")
	onUI(func() {
		e.delay.SetText("300")
		test.Tap(e.save)
	})
	addr := openUDPTab(t, ut)
	peer, _ := net.ListenPacket("udp", "127.0.0.1:0")
	defer peer.Close()
	peer.WriteTo([]byte("x"), addr)
	start := time.Now()
	buf := make([]byte, 16)
	peer.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, _, err := peer.ReadFrom(buf)
	if err != nil || string(buf[:n]) != "late" || time.Since(start) < 250*time.Millisecond {
		t.Fatalf("delayed reply %q %v after %v", buf[:n], err, time.Since(start))
	}
	// Closing the socket cancels a pending reply.
	peer.WriteTo([]byte("x"), addr)
	eventually(t, "second hit", func() bool { return len(r.stats) == 1 && r.stats[0].Hits == 2 })
	onUI(func() { test.Tap(ut.openBtn) })
	time.Sleep(500 * time.Millisecond)
	onUI(func() {
		if st := r.engine.Stats()[0]; st.Replies != 1 {
			t.Errorf("a reply went out after close: %+v", st)
		}
	})
}

func TestAutomationPersistsAcrossRestart(t *testing.T) {
	a := test.NewTempApp(t)
	files := &fakeFiles{}
	build := func() *appUI {
		w := test.NewTempWindow(t, nil)
		var u *appUI
		onUI(func() { u = newUI(a, w, files) })
		return u
	}
	u := build()
	r := u.udp.auto.rules
	e := addRule(t, r, "heartbeat", 3, `PING (\d+)`, "PONG $1{{crc16modbus}}")
	onUI(func() { test.Tap(e.save) })
	e = addRule(t, r, "off", 0, "A", "B")
	onUI(func() {
		test.Tap(e.save)
		r.setEnabled(1, false)
		u.udp.auto.setShown(true)
	})
	addQuick(t, u.udp.auto.quick, "hello", "hi", false)
	addStep(t, u.udp.auto.seq, "s1", "5")
	var want automation.RuleSet
	onUI(func() {
		want = r.set
		u.shutdown()
	})

	u2 := build()
	t.Cleanup(func() { onUI(u2.shutdown) })
	onUI(func() {
		got := u2.udp.auto.rules.set
		if len(got.Rules) != 2 || got.Rules[0] != want.Rules[0] || got.Rules[1] != want.Rules[1] || got.Rules[1].Enabled() {
			t.Errorf("rules after restart %+v, want %+v", got, want)
		}
		if !u2.udp.auto.rules.active.Load() {
			t.Error("the enabled rule is not active after restart")
		}
		if q := u2.udp.auto.quick.set.Commands; len(q) != 1 || q[0].Name != "hello" {
			t.Errorf("quick commands %+v", q)
		}
		if s := u2.udp.auto.seq.seq.Steps; len(s) != 1 || s[0].Text != "s1" || s[0].DelayMS != 5 {
			t.Errorf("sequence %+v", s)
		}
		if !u2.udp.auto.shown || u2.tcpClient.auto.shown {
			t.Error("the panel's shown state was not remembered per tab")
		}
		// Other tabs keep their own rules.
		if len(u2.tcpServer.auto.rules.set.Rules) != 0 {
			t.Error("rules leaked into the TCP server tab")
		}
	})
}

func TestRulesImportRefusesBadFileAndRoundTrips(t *testing.T) {
	u, files := newTestUI(t)
	r := u.tcpClient.auto.rules
	e := addRule(t, r, "heartbeat", 3, `PING (\d+)`, "PONG $1{{crc16modbus}}")
	onUI(func() { test.Tap(e.save) })
	dir := t.TempDir()
	files.save = filepath.Join(dir, "rules.json")
	onUI(r.exportFile)
	eventually(t, "exported", func() bool { return strings.Contains(r.status.Text, "rules.json") })

	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"version": 1, "rules": [{"name": "broken", "match": "regex", "pattern": "(", "reply": "x"}]}`), 0o644)
	files.open = bad
	onUI(r.importFile)
	eventually(t, "refused", func() bool { return r.status.Importance == widget.DangerImportance })
	onUI(func() {
		if !strings.Contains(r.status.Text, `rule 1 ("broken")`) || !strings.Contains(r.status.Text, "regular expression") {
			t.Errorf("message %q", r.status.Text)
		}
		if len(r.set.Rules) != 1 || r.set.Rules[0].Name != "heartbeat" {
			t.Errorf("rules changed by a bad import: %+v", r.set)
		}
		r.delete(0)
	})
	files.open = files.save
	onUI(r.importFile)
	eventually(t, "imported", func() bool { return len(r.set.Rules) == 1 })
	onUI(func() {
		if r.set.Rules[0].Pattern != `PING (\d+)` || r.set.Rules[0].Reply != "PONG $1{{crc16modbus}}" || !r.active.Load() {
			t.Errorf("round trip %+v", r.set.Rules[0])
		}
	})
}

// TestRuleDialogHintFollowsTheModeAndNeedsAPattern: the new rule's default
// match is "contains", so the hint and the pattern's example speak of bytes,
// not of regular expressions until one is chosen; a rule with no pattern,
// which would match every message, cannot be saved.
func TestRuleDialogHintFollowsTheModeAndNeedsAPattern(t *testing.T) {
	u, _ := newTestUI(t)
	ut := u.udp
	r := ut.auto.rules
	onUI(func() {
		showTab(u, ut.auto)
		ut.auto.show(2)
	})
	e := addRule(t, r, "any", 1, "", "OK")
	onUI(func() {
		hint := formHint(e)
		if !strings.Contains(hint, "occur anywhere") || strings.Contains(hint, "regular expression") || e.pattern.PlaceHolder != "PING" || strings.Contains(e.reply.PlaceHolder, "$1") {
			t.Errorf("contains: hint %q, placeholders %q and %q", hint, e.pattern.PlaceHolder, e.reply.PlaceHolder)
		}
		if !e.save.Disabled() || !strings.Contains(e.preview.Text, "pattern") {
			t.Errorf("empty pattern: save enabled %v, check line %q", !e.save.Disabled(), e.preview.Text)
		}
		e.match.SetSelectedIndex(3)
		if hint := formHint(e); !strings.Contains(hint, "regular expression") || e.pattern.PlaceHolder != `PING (\d+)` {
			t.Errorf("regex: hint %q, placeholder %q", hint, e.pattern.PlaceHolder)
		}
		if !e.save.Disabled() {
			t.Error("an empty regular expression can be saved")
		}
		e.pattern.SetText("PING")
		if e.save.Disabled() {
			t.Errorf("a valid rule cannot be saved: %q", e.preview.Text)
		}
		test.Tap(e.save)
		if len(r.set.Rules) != 1 {
			t.Fatalf("rule not saved: %q", e.preview.Text)
		}
	})
}

// formHint is the match-mode hint under the Match row of the rule dialog.
func formHint(e *ruleEditor) string { return e.modeHint.Text }
