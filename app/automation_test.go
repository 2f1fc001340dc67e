package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/netdebug/netdebug/netcore/automation"
	"github.com/netdebug/netdebug/netcore/codec"
	"github.com/netdebug/netdebug/netcore/framing"
)

// modbusCRC is CRC-16/MODBUS written out bit by bit, independent of the
// checksum package, low byte first as Modbus RTU sends it.
func modbusCRC(b []byte) []byte {
	crc := uint16(0xFFFF)
	for _, c := range b {
		crc ^= uint16(c)
		for range 8 {
			if crc&1 != 0 {
				crc = crc>>1 ^ 0xA001
			} else {
				crc >>= 1
			}
		}
	}
	return []byte{byte(crc), byte(crc >> 8)}
}

func withCRC(b []byte) []byte { return append(append([]byte(nil), b...), modbusCRC(b)...) }

// showTab selects the window tab holding a's panel (on the UI goroutine).
func showTab(u *appUI, a *automationPanel) {
	for i, it := range u.tabs.Items {
		if holds(it.Content, a.root) {
			u.tabs.SelectIndex(i)
			return
		}
	}
	panic("no tab holds the panel")
}

// addQuick adds a quick command through the dialog, as a user would.
func addQuick(t *testing.T, q *quickPanel, name, text string, hex bool) {
	t.Helper()
	onUI(func() {
		q.add()
		e := q.editor
		e.name.SetText(name)
		e.fields.hex.SetChecked(hex)
		e.fields.text.SetText(text)
		if e.save.Disabled() {
			t.Fatalf("cannot save %q: %s", name, e.preview.Text)
		}
		test.Tap(e.save)
	})
}

func quickNames(q *quickPanel) string {
	var names []string
	for _, c := range q.set.Commands {
		names = append(names, c.Name)
	}
	return strings.Join(names, ",")
}

func TestQuickCommandModbusCRCByShortcut(t *testing.T) {
	u, _ := newTestUI(t)
	tc := u.tcpClient
	p := newPeer(t)
	connectTab(t, tc, p.port())
	q := tc.auto.quick

	// The user types the query in the send box and saves it: the dialog
	// starts from the send box and previews the expanded bytes.
	query := []byte{0x01, 0x03, 0x00, 0x00, 0x00, 0x0A}
	want := withCRC(query)
	onUI(func() {
		st := tc.send.Settings()
		st.Hex = true
		tc.send.ApplySettings(st)
		tc.send.SetText("01 03 00 00 00 0A {{crc16modbus}}")
		q.add()
		e := q.editor
		if !e.fields.hex.Checked || e.fields.text.Text != "01 03 00 00 00 0A {{crc16modbus}}" {
			t.Fatalf("dialog did not start from the send box: %q hex=%v", e.fields.text.Text, e.fields.hex.Checked)
		}
		if !e.save.Disabled() {
			t.Error("a command without a name can be saved")
		}
		e.name.SetText("Read registers")
		if !strings.HasPrefix(e.preview.Text, codec.FormatHex(want)) {
			t.Errorf("preview %q, want %s", e.preview.Text, codec.FormatHex(want))
		}
		// A bad template names the position and cannot be saved.
		e.fields.text.SetText("01 03 {{crc17}}")
		if !e.save.Disabled() || !strings.Contains(e.preview.Text, "position 7") {
			t.Errorf("bad template: save enabled=%v, %q", !e.save.Disabled(), e.preview.Text)
		}
		e.fields.text.SetText("01 03 00 00 00 0A {{crc16modbus}}")
		test.Tap(e.save)
		tc.send.SetText("")
		tc.send.OnShortcut(1)
	})
	eventually(t, "the query at the peer", func() bool { return bytes.Equal(p.received(), want) })

	// Ctrl+1 typed outside the send box reaches the visible tab's commands
	// only.
	fire := func() {
		u.win.Canvas().(interface{ TypedShortcut(fyne.Shortcut) }).TypedShortcut(
			&desktop.CustomShortcut{KeyName: fyne.Key1, Modifier: fyne.KeyModifierShortcutDefault})
	}
	onUI(func() {
		showTab(u, tc.auto)
		fire()
	})
	eventually(t, "the query twice", func() bool { return bytes.Equal(p.received(), append(append([]byte(nil), want...), want...)) })
	onUI(func() {
		showTab(u, u.udp.auto) // no quick commands there
		fire()
		if !strings.Contains(u.udp.auto.quick.status.Text, "no quick command 1") {
			t.Errorf("UDP tab status %q", u.udp.auto.quick.status.Text)
		}
		tc.send.OnShortcut(5)
		if !strings.Contains(q.status.Text, "no quick command 5") {
			t.Errorf("Ctrl+5: %q", q.status.Text)
		}
	})
	time.Sleep(100 * time.Millisecond)
	if got := p.received(); len(got) != 2*len(want) {
		t.Fatalf("the TCP peer got % X", got)
	}
	onUI(func() {
		row := q.newRow()
		q.updateRow(0, row)
		if key := row.(*fyne.Container).Objects[1].(*widget.Label).Text; key != "Ctrl+1" {
			t.Errorf("shortcut shown as %q", key)
		}
	})
}

func TestQuickCommandsReorderEditDelete(t *testing.T) {
	u, _ := newTestUI(t)
	tc := u.tcpClient
	p := newPeer(t)
	connectTab(t, tc, p.port())
	q := tc.auto.quick
	addQuick(t, q, "one", "1", false)
	addQuick(t, q, "two", "2", false)
	addQuick(t, q, "three", "3", false)
	onUI(func() {
		q.list.Select(2)
		test.Tap(q.bar.up) // three moves above two
		if got := quickNames(q); got != "one,three,two" {
			t.Fatalf("after up: %s", got)
		}
		if q.sel != 1 {
			t.Errorf("selection did not follow: %d", q.sel)
		}
		q.list.Select(0)
		test.Tap(q.bar.down)
		if got := quickNames(q); got != "three,one,two" {
			t.Fatalf("after down: %s", got)
		}
		if q.sel != 1 {
			t.Errorf("selection did not follow down: %d", q.sel)
		}
		q.list.Select(0)
		if !q.bar.up.Disabled() || q.bar.down.Disabled() {
			t.Error("up enabled (or down disabled) on the first row")
		}
		// Edit "one" (now second).
		q.edit(1)
		q.editor.name.SetText("uno")
		q.editor.fields.text.SetText("1!")
		test.Tap(q.editor.save)
		q.delete(0)
		if got := quickNames(q); got != "uno,two" {
			t.Fatalf("after edit and delete: %s", got)
		}
		tc.send.OnShortcut(1)
		tc.send.OnShortcut(2)
	})
	eventually(t, "the peer got uno then two", func() bool { return string(p.received()) == "1!2" })
	var saved automation.QuickCommandSet
	saved, err := automation.ImportQuickCommands([]byte(tc.p.str(prefAutoQuick, "")))
	if err != nil || len(saved.Commands) != 2 || saved.Commands[0].Name != "uno" || saved.Commands[0].Text != "1!" {
		t.Fatalf("saved %+v %v", saved, err)
	}
}

func TestQuickCommandsImportExport(t *testing.T) {
	u, files := newTestUI(t)
	q := u.udp.auto.quick
	addQuick(t, q, "Read registers", "01 03 00 00 00 0A {{crc16modbus}}", true)
	addQuick(t, q, "Hello", "你好\\r\\n", false)
	dir := t.TempDir()
	files.save = filepath.Join(dir, "cmds.json")
	onUI(q.exportFile)
	eventually(t, "exported", func() bool { return strings.Contains(q.status.Text, "cmds.json") })
	var before automation.QuickCommandSet
	onUI(func() { before.Commands = append(before.Commands, q.set.Commands...) })

	// A malformed file is refused with the package's message; nothing changes.
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte("{\"version\": 1, \"commands\": [{\"name\": \"x\", \"text\": \"{{crc17}}\"}]}"), 0o644)
	files.open = bad
	onUI(q.importFile)
	eventually(t, "refused", func() bool { return q.status.Importance == widget.DangerImportance })
	onUI(func() {
		if !strings.Contains(q.status.Text, "bad.json") || !strings.Contains(q.status.Text, `command 1 ("x")`) || !strings.Contains(q.status.Text, "crc17") {
			t.Errorf("message %q", q.status.Text)
		}
		if len(q.set.Commands) != 2 {
			t.Errorf("the bad import changed the list: %+v", q.set)
		}
	})
	os.WriteFile(bad, []byte("{\"version\": 1,\n \"commands\": [}"), 0o644)
	onUI(q.importFile)
	eventually(t, "syntax error refused", func() bool { return strings.Contains(q.status.Text, "line 2") })

	// Round trip: clear, import the export, get the same commands.
	onUI(func() {
		q.delete(0)
		q.delete(0)
	})
	files.open = files.save
	onUI(q.importFile)
	eventually(t, "imported", func() bool { return len(q.set.Commands) == 2 })
	onUI(func() {
		for i := range before.Commands {
			if q.set.Commands[i] != before.Commands[i] {
				t.Errorf("command %d: %+v, want %+v", i, q.set.Commands[i], before.Commands[i])
			}
		}
	})
}

// addStep adds a sequence step through the dialog.
func addStep(t *testing.T, s *sequencePanel, text string, ms string) {
	t.Helper()
	onUI(func() {
		s.add()
		e := s.editor
		e.fields.hex.SetChecked(false)
		e.fields.text.SetText(text)
		e.delay.SetText(ms)
		if e.save.Disabled() {
			t.Fatalf("cannot save step %q: %s", text, e.preview.Text)
		}
		test.Tap(e.save)
	})
}

func TestSequenceRunsInOrderLoopsAndStops(t *testing.T) {
	u, _ := newTestUI(t)
	tc := u.tcpClient
	p := newPeer(t)
	connectTab(t, tc, p.port())
	s := tc.auto.seq
	addStep(t, s, "A{{counter}}", "20")
	addStep(t, s, "B", "20")
	onUI(func() {
		s.mode.SetSelectedIndex(1)
		s.times.SetText("3")
		test.Tap(s.runBtn)
		if !s.running() || s.runBtn.Text != "Stop" {
			t.Fatalf("not running: %q", s.status.Text)
		}
	})
	eventually(t, "three loops", func() bool { return !s.running() })
	if got := string(p.received()); got != "A0BA1BA2B" {
		t.Fatalf("peer got %q", got)
	}
	onUI(func() {
		if !strings.Contains(s.status.Text, "6 sends") || s.current != -1 {
			t.Errorf("status %q, current %d", s.status.Text, s.current)
		}
	})

	// Forever, with the step shown; Stop ends it.
	onUI(func() {
		s.mode.SetSelectedIndex(2)
		test.Tap(s.runBtn)
	})
	eventually(t, "progress shown", func() bool {
		return strings.Contains(s.progress.Text, "/∞, step") && s.current >= 0
	})
	eventually(t, "a few loops", func() bool { return strings.Count(string(p.received()), "B") >= 6 })
	onUI(func() { test.Tap(s.runBtn) })
	eventually(t, "stopped", func() bool { return !s.running() && strings.Contains(s.status.Text, "Stopped after") })
	n := len(p.received())
	time.Sleep(150 * time.Millisecond)
	if len(p.received()) != n {
		t.Fatal("the sequence kept sending after Stop")
	}
	// Disconnecting stops a running sequence too.
	onUI(func() { test.Tap(s.runBtn) })
	eventually(t, "running again", func() bool { return s.running() })
	onUI(func() { test.Tap(tc.connectBtn) })
	eventually(t, "stopped by disconnect", func() bool { return !s.running() })
}

func TestSequenceRefusesWhenNotConnectedAndBadRepeat(t *testing.T) {
	u, _ := newTestUI(t)
	s := u.tcpClient.auto.seq
	onUI(func() {
		s.start()
		if !strings.Contains(s.status.Text, "no steps") {
			t.Errorf("empty: %q", s.status.Text)
		}
	})
	addStep(t, s, "x", "0")
	onUI(func() {
		s.start()
		if s.running() || !strings.Contains(s.status.Text, "connect first") {
			t.Errorf("not connected: %q", s.status.Text)
		}
		s.mode.SetSelectedIndex(1)
		s.times.SetText("zero")
		s.start()
		if !strings.Contains(s.status.Text, "whole number") {
			t.Errorf("bad repeat: %q", s.status.Text)
		}
		s.mode.SetSelectedIndex(2)
		s.start()
		if !strings.Contains(s.status.Text, "needs a delay") {
			t.Errorf("forever without delay: %q", s.status.Text)
		}
	})
}

func TestQuickCommandCountersCarryOnAcrossEdits(t *testing.T) {
	u, _ := newTestUI(t)
	tc := u.tcpClient
	p := newPeer(t)
	connectTab(t, tc, p.port())
	q := tc.auto.quick
	addQuick(t, q, "count", "n{{counter}};", false)
	addQuick(t, q, "other", "x", false)
	onUI(func() {
		q.send(0)
		q.send(0)
		// Editing or moving another command keeps this one's counter.
		q.edit(1)
		q.editor.fields.text.SetText("y")
		test.Tap(q.editor.save)
		q.move(1, 0)
		q.send(1)
		// Editing the command itself starts its counter again.
		q.edit(1)
		q.editor.fields.text.SetText("m{{counter}};")
		test.Tap(q.editor.save)
		q.send(1)
	})
	eventually(t, "counted sends", func() bool { return string(p.received()) == "n0;n1;n2;m0;" })
}

func TestTCPClientAutoReply(t *testing.T) {
	u, _ := newTestUI(t)
	tc := u.tcpClient
	r := tc.auto.rules
	e := addRule(t, r, "heartbeat", 3, `PING (\d+)`, "PONG $1{{crc16modbus}}")
	onUI(func() { test.Tap(e.save) })
	p := newPeer(t)
	connectTab(t, tc, p.port())
	p.write([]byte("PING 9"))
	want := withCRC([]byte("PONG 9"))
	eventually(t, "the reply at the peer", func() bool { return bytes.Equal(p.received(), want) })
	// With the length prefix on, replies carry it like every send.
	onUI(func() {
		tc.framing.set(framing.Config{Mode: framing.LengthPrefix, PrefixLen: 2})
		tc.framing.prefix.SetChecked(true)
		tc.auto.refresh()
	})
	p.write([]byte("\x00\x06PING 1"))
	wantPrefixed := append([]byte{0, 8}, withCRC([]byte("PONG 1"))...)
	eventually(t, "the prefixed reply", func() bool {
		return bytes.Equal(p.received(), append(append([]byte(nil), want...), wantPrefixed...))
	})
}
