package main

import (
	"context"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/netdebug/netdebug/netcore/netinfo"
)

func newToolsUI(t *testing.T) (*appUI, *toolsTab) {
	t.Helper()
	u, _ := newTestUI(t)
	var tt *toolsTab
	onUI(func() { tt = toolsOf(u) })
	if tt == nil {
		t.Fatal("the Tools tab is not registered")
	}
	return u, tt
}

// shownValue is the value the list shows beside label, read from the
// widgets, or "" when there is no such row.
func shownValue(f *fieldList, label string) string {
	for i, r := range f.rows {
		if i < len(f.fields) && r.label.Visible() && r.label.Text == label {
			return r.value.Text
		}
	}
	return ""
}

func shownRows(f *fieldList) int {
	n := 0
	for _, r := range f.rows {
		if r.label.Visible() {
			n++
		}
	}
	return n
}

func clipboard(u *appUI) string { return u.app.Clipboard().Content() }

// tableHas reports whether a row of tt has every one of cells (in any column).
func tableHas(tt *toolTable, cells ...string) bool {
	for _, row := range tt.rows {
		all := true
		for _, c := range cells {
			found := false
			for _, v := range row {
				if v == c {
					found = true
				}
			}
			all = all && found
		}
		if all {
			return true
		}
	}
	return false
}

func TestToolsTabIsInTheWindow(t *testing.T) {
	u, tt := newToolsUI(t)
	onUI(func() {
		found := false
		for _, it := range u.tabs.Items {
			if it.Text == "Tools" && it.Content == tt.sections {
				found = true
			}
		}
		if !found {
			t.Error("no Tools tab in the window")
		}
		if len(tt.sections.Items) != 7 {
			t.Errorf("%d sections", len(tt.sections.Items))
		}
	})
}

func TestToolsMachineShowsHostnameAndLoopback(t *testing.T) {
	u, tt := newToolsUI(t)
	host, _ := os.Hostname()
	mt := tt.machine
	eventually(t, "the machine read", func() bool { return mt.loaded && mt.hostname.Text == host })
	onUI(func() {
		if runtime.GOOS == "linux" && !tableHas(mt.table, "IPv4", "127.0.0.1/8") {
			t.Errorf("no loopback row in %v", mt.table.rows)
		}
		if mt.status.Importance == widget.DangerImportance {
			t.Errorf("status %q", mt.status.Text)
		}
		test.Tap(mt.hostCopy)
		if clipboard(u) != host {
			t.Errorf("hostname copy gave %q", clipboard(u))
		}
		test.Tap(mt.copier.all)
		if c := clipboard(u); !strings.Contains(c, "Hostname") || !strings.Contains(c, host) || !strings.Contains(c, "INTERFACE") {
			t.Errorf("copy all gave %q", c)
		}
		// A row's copy button copies its address with the interface name,
		// also on an interface's second address row.
		for i, r := range mt.table.rows {
			if r[5] == "127.0.0.1/8" {
				if got := mt.table.textOf(i); !strings.HasPrefix(got, "lo") || !strings.Contains(got, "127.0.0.1/8") {
					t.Errorf("row copy %q", got)
				}
			}
			if r[0] == "" && r[5] != "" && !strings.Contains(mt.table.textOf(i), r[5]) {
				t.Errorf("row %d copy %q", i, mt.table.textOf(i))
			}
		}
		// Tapping a cell copies the cell.
		mt.table.table.Select(widget.TableCellID{Row: 0, Col: 1})
		if clipboard(u) != mt.table.rows[0][0] {
			t.Errorf("cell copy gave %q, want %q", clipboard(u), mt.table.rows[0][0])
		}
	})
}

func TestToolsConverter(t *testing.T) {
	u, tt := newToolsUI(t)
	ct := tt.convert
	cases := []struct{ in, label, want string }{
		{"192.168.1.2", "Integer", "3232235778"},
		{"3232235778", "Dotted decimal", "192.168.1.2"},
		{"0xC0A80102", "Bytes", "C0 A8 01 02"},
		{`b'\xc0\xa8\x01\x02'`, "Hex", "0xC0A80102"},
		{"2001:db8::1", "Expanded", "2001:0db8:0000:0000:0000:0000:0000:0001"},
		{"[2001:DB8:0:0:0:0:0:1]", "Compressed", "2001:db8::1"},
	}
	for _, c := range cases {
		onUI(func() {
			ct.input.SetText(c.in)
			if got := shownValue(ct.fields, c.label); got != c.want {
				t.Errorf("%s: %s shown as %q, want %q (status %q)", c.in, c.label, got, c.want, ct.status.Text)
			}
		})
	}
	// Each row's button copies its value; "Copy all" the whole text.
	onUI(func() {
		ct.input.SetText("10.0.0.1")
		for i, f := range ct.fields.fields {
			if f.Label == "Hex" {
				test.Tap(ct.fields.rows[i].button)
			}
		}
		if clipboard(u) != "0x0A000001" {
			t.Errorf("row copy gave %q", clipboard(u))
		}
		test.Tap(ct.copier.all)
		if !strings.Contains(clipboard(u), "Integer") || !strings.Contains(clipboard(u), "167772161") {
			t.Errorf("copy all gave %q", clipboard(u))
		}
		if u.app.Preferences().String("tools.convert") != "10.0.0.1" {
			t.Error("input not remembered")
		}
	})
	bad := []struct{ in, want string }{
		{"256.1.1.1", "octet 1 is 256, more than 255"},
		{"127.1", "has 2 octets"},
		{"hello", "not an address"},
	}
	for _, c := range bad {
		onUI(func() {
			ct.input.SetText(c.in)
			if ct.status.Importance != widget.DangerImportance || !strings.Contains(ct.status.Text, c.want) {
				t.Errorf("%q: status %q", c.in, ct.status.Text)
			}
			if shownRows(ct.fields) != 0 || !ct.copier.all.Disabled() {
				t.Errorf("%q: stale results left", c.in)
			}
		})
	}
}

func TestToolsByteOrder(t *testing.T) {
	_, tt := newToolsUI(t)
	bt := tt.order
	little := netinfo.HostEndian() == netinfo.LittleEndian
	onUI(func() {
		bt.width.SetSelected("Auto")
		bt.value.SetText("0x1234")
		if got := shownValue(bt.fields, "Network order"); got != "12 34" {
			t.Errorf("network order %q", got)
		}
		if want := map[bool]string{true: "34 12", false: "12 34"}[little]; shownValue(bt.fields, "Host order") != want {
			t.Errorf("host order %q, want %q", shownValue(bt.fields, "Host order"), want)
		}
		// The memory picture: offsets, then host and network rows of 2 bytes.
		if n := len(bt.memory.Objects); n != 6 {
			t.Errorf("memory picture has %d objects", n)
		}
		bt.width.SetSelected("32-bit")
		if got := shownValue(bt.fields, "Network order"); got != "00 00 12 34" {
			t.Errorf("32-bit network order %q", got)
		}
		bt.width.SetSelected("16-bit")
		bt.value.SetText("0x12345")
		if !strings.Contains(bt.status.Text, "does not fit in 16 bits") || shownRows(bt.fields) != 0 {
			t.Errorf("too big: status %q", bt.status.Text)
		}
		bt.value.SetText("abc")
		if !strings.Contains(bt.status.Text, "for hex write 0xabc") {
			t.Errorf("abc: status %q", bt.status.Text)
		}
		bt.value.SetText("-1")
		if !strings.Contains(bt.status.Text, "negative") {
			t.Errorf("-1: status %q", bt.status.Text)
		}
	})
}

func TestToolsSubnet(t *testing.T) {
	u, tt := newToolsUI(t)
	st := tt.subnet
	cases := []struct{ addr, mask, label, want string }{
		{"192.168.1.10/24", "", "Broadcast", "192.168.1.255"},
		{"192.168.1.10", "255.255.255.0", "Network", "192.168.1.0/24"},
		{"10.0.0.1", "30", "Hosts", "2"},
		{"10.0.0.1", "/31", "Hosts", "2"},
		{"10.0.0.1/32", "", "Broadcast", "none"},
		{"0.0.0.0/0", "", "Addresses", "4294967296"},
		{"10.1.2.3 255.0.0.0", "", "Class", "A"},
		{"2001:db8::1/64", "", "Last address", "2001:db8::ffff:ffff:ffff:ffff"},
		{"::1/128", "", "Addresses", "1"},
	}
	for _, c := range cases {
		onUI(func() {
			st.addr.SetText(c.addr)
			st.mask.SetText(c.mask)
			if got := shownValue(st.fields, c.label); got != c.want {
				t.Errorf("%s %s: %s %q, want %q (status %q)", c.addr, c.mask, c.label, got, c.want, st.status.Text)
			}
		})
	}
	onUI(func() {
		st.addr.SetText("127.0.0.1/8")
		st.mask.SetText("")
		if !strings.Contains(shownValue(st.fields, "Flags"), "loopback") {
			t.Errorf("flags %q", shownValue(st.fields, "Flags"))
		}
		test.Tap(st.copier.all)
		if !strings.Contains(clipboard(u), "127.255.255.255") {
			t.Errorf("copy all %q", clipboard(u))
		}
	})
	bad := []struct{ addr, mask, want string }{
		{"10.0.0.1", "255.0.255.0", "not contiguous"},
		{"10.0.0.1", "33", "33"},
		{"10.0.0.1", "", "no prefix length or mask"},
		{"300.0.0.1/24", "", "more than 255"},
		{"10.0.0.1/24", "24", "already has a mask"},
		{"2001:db8::1", "129", "129"},
	}
	for _, c := range bad {
		onUI(func() {
			st.addr.SetText(c.addr)
			st.mask.SetText(c.mask)
			if st.status.Importance != widget.DangerImportance || !strings.Contains(st.status.Text, c.want) || shownRows(st.fields) != 0 {
				t.Errorf("%q %q: status %q", c.addr, c.mask, st.status.Text)
			}
		})
	}
}

func TestToolsLookup(t *testing.T) {
	u, tt := newToolsUI(t)
	lt := tt.lookup
	run := func(q string) {
		onUI(func() {
			lt.query.SetText(q)
			test.Tap(lt.button)
		})
		eventually(t, q+" answered", func() bool { return lt.stop == nil })
	}
	run("localhost")
	onUI(func() {
		if got := shownValue(lt.fields, "IPv4"); got != "127.0.0.1" {
			t.Errorf("localhost: IPv4 %q, status %q", got, lt.status.Text)
		}
		test.Tap(lt.copier.all)
		if !strings.Contains(clipboard(u), "127.0.0.1") {
			t.Errorf("copy all %q", clipboard(u))
		}
	})
	run("3306/tcp")
	onUI(func() {
		if got := shownValue(lt.fields, "3306/tcp"); got != "mysql" {
			t.Errorf("3306/tcp gave %q, status %q", got, lt.status.Text)
		}
		if got := u.app.Preferences().String("tools.lookup"); got != "3306/tcp" {
			t.Errorf("query remembered as %q", got)
		}
	})
	run("bad name")
	onUI(func() {
		if lt.status.Importance != widget.DangerImportance || !strings.Contains(lt.status.Text, "contains a space") || shownRows(lt.fields) != 0 {
			t.Errorf("bad name: status %q", lt.status.Text)
		}
	})
	onUI(func() {
		lt.timeout.SetText("0")
		lt.query.SetText("localhost")
		test.Tap(lt.button)
		if lt.stop != nil || !strings.Contains(lt.status.Text, "timeout must be") {
			t.Errorf("zero timeout: status %q", lt.status.Text)
		}
		lt.timeout.SetText("5")
	})
}

// silentDNS is a DNS server that never answers.
func silentDNS(t *testing.T) *netinfo.Resolver {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 512)
		for {
			if _, _, err := pc.ReadFrom(buf); err != nil {
				return
			}
		}
	}()
	return &netinfo.Resolver{Resolver: &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", pc.LocalAddr().String())
	}}}
}

func TestToolsLookupCancelAndTimeout(t *testing.T) {
	_, tt := newToolsUI(t)
	lt := tt.lookup
	onUI(func() {
		lt.resolver = silentDNS(t)
		lt.timeout.SetText("30")
		lt.query.SetText("nothing-answers.example")
		test.Tap(lt.button)
		if lt.stop == nil || lt.button.Text != "Cancel" {
			t.Errorf("not running: %q", lt.status.Text)
		}
	})
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	onUI(func() { test.Tap(lt.button) })
	eventually(t, "cancelled", func() bool { return lt.stop == nil && strings.Contains(lt.status.Text, "cancelled") })
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("cancel took %s", d)
	}
	onUI(func() {
		if lt.button.Text != "Look up" {
			t.Errorf("button %q", lt.button.Text)
		}
		lt.timeout.SetText("0.3")
		test.Tap(lt.button)
	})
	eventually(t, "timed out", func() bool { return lt.stop == nil && strings.Contains(lt.status.Text, "timed out") })
}

// closedPort is a port on 127.0.0.1 that nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return port
}

func TestToolsPortCheck(t *testing.T) {
	u, tt := newToolsUI(t)
	pt := tt.ports
	p := newPeer(t)
	closed := closedPort(t)
	onUI(func() {
		pt.host.SetText("127.0.0.1")
		pt.ports.SetText(p.port() + "," + strconv.Itoa(closed))
		pt.timeout.SetText("2")
		pt.workers.SetText("8")
		test.Tap(pt.button)
	})
	eventually(t, "the check done", func() bool { return pt.stop == nil && pt.checked })
	onUI(func() {
		if !strings.Contains(pt.status.Text, "1 open, 1 closed") {
			t.Errorf("status %q", pt.status.Text)
		}
		var open, shut int = -1, -1
		for i, r := range pt.table.rows {
			switch r[0] {
			case p.port():
				open = i
			case strconv.Itoa(closed):
				shut = i
			}
		}
		if open < 0 || shut < 0 || pt.table.rows[open][1] != "open" || pt.table.rows[shut][1] != "closed" {
			t.Fatalf("rows %v", pt.table.rows)
		}
		if pt.table.importance[open] != widget.SuccessImportance || pt.table.importance[shut] == widget.SuccessImportance {
			t.Errorf("open port not highlighted: %v", pt.table.importance)
		}
		pt.openOnly.SetChecked(true)
		if len(pt.table.rows) != 1 || pt.table.rows[0][0] != p.port() {
			t.Errorf("open only: %v", pt.table.rows)
		}
		pt.openOnly.SetChecked(false)
		test.Tap(pt.copier.all)
		if c := clipboard(u); !strings.Contains(c, "1 open, 1 closed") {
			t.Errorf("copy all %q", c)
		}
	})
	if got := u.app.Preferences().String("tools.port.host"); got != "127.0.0.1" {
		t.Errorf("host preference %q", got)
	}
	// A new check clears the old answer, so a failure is not shown next to
	// another host's ports.
	onUI(func() {
		pt.host.SetText("no-such-host.invalid")
		test.Tap(pt.button)
		if len(pt.table.rows) != 0 || !pt.copier.all.Disabled() {
			t.Errorf("old rows kept: %v", pt.table.rows)
		}
	})
	eventually(t, "the bad host refused", func() bool {
		return pt.stop == nil && pt.status.Importance == widget.DangerImportance && strings.Contains(pt.status.Text, "no-such-host.invalid")
	})
}

func TestToolsPortCheckRejectsBadInput(t *testing.T) {
	_, tt := newToolsUI(t)
	pt := tt.ports
	cases := []struct{ host, ports, secs, workers, want string }{
		{"", "80", "2", "8", "Type the host"},
		{"127.0.0.1", "0", "2", "8", "port 0 cannot be connected to"},
		{"127.0.0.1", "70000", "2", "8", "70000 is out of range"},
		{"127.0.0.1", "http", "2", "8", "not a number"},
		{"127.0.0.1", "10-5", "2", "8", "runs backwards"},
		{"127.0.0.1", "80", "x", "8", "timeout must be"},
		{"127.0.0.1", "80", "2", "0", "Connects at once must be"},
		{"127.0.0.1", "80", "2", "5000", "Connects at once must be"},
	}
	for _, c := range cases {
		onUI(func() {
			pt.host.SetText(c.host)
			pt.ports.SetText(c.ports)
			pt.timeout.SetText(c.secs)
			pt.workers.SetText(c.workers)
			test.Tap(pt.button)
			if pt.stop != nil || pt.status.Importance != widget.DangerImportance || !strings.Contains(pt.status.Text, c.want) {
				t.Errorf("%+v: status %q", c, pt.status.Text)
			}
		})
	}
	// A host that is not an address is refused by the checker, off the UI
	// goroutine, with the parser's words.
	onUI(func() {
		pt.host.SetText("300.1.1.1")
		pt.ports.SetText("80")
		pt.workers.SetText("8")
		pt.timeout.SetText("1")
		test.Tap(pt.button)
	})
	eventually(t, "bad host refused", func() bool {
		return pt.stop == nil && strings.Contains(pt.status.Text, "more than 255")
	})
}

func TestToolsPortRangeProgressAndCancel(t *testing.T) {
	_, tt := newToolsUI(t)
	pt := tt.ports
	onUI(func() {
		pt.progressEvery = 10 * time.Millisecond
		pt.host.SetText("127.0.0.1")
		pt.ports.SetText("1-65535")
		pt.timeout.SetText("2")
		pt.workers.SetText("1")
		test.Tap(pt.button)
		if !pt.bar.Visible() || pt.bar.Max != 65535 {
			t.Errorf("progress bar: visible %v, max %v", pt.bar.Visible(), pt.bar.Max)
		}
	})
	eventually(t, "progress", func() bool { return pt.bar.Value > 0 })
	onUI(func() { test.Tap(pt.button) })
	eventually(t, "cancelled", func() bool { return pt.stop == nil })
	onUI(func() {
		if !strings.Contains(pt.status.Text, "Cancelled after") || pt.bar.Visible() || pt.button.Text != "Check" {
			t.Errorf("after cancel: status %q, bar %v, button %q", pt.status.Text, pt.bar.Visible(), pt.button.Text)
		}
		// What was done is shown, compacted: the closed ports share rows.
		if len(pt.table.rows) == 0 || len(pt.table.rows) > 100 || !strings.HasPrefix(pt.table.rows[0][0], "1") {
			t.Errorf("%d rows after cancel: %v", len(pt.table.rows), pt.table.rows[:min(len(pt.table.rows), 5)])
		}
	})
}

func TestPortRowsCompactRuns(t *testing.T) {
	rs := []netinfo.PortResult{
		{Port: 20, State: netinfo.PortClosed}, {Port: 21, State: netinfo.PortClosed},
		{Port: 22, State: netinfo.PortOpen, Latency: time.Millisecond},
		{Port: 23, State: netinfo.PortClosed},
		{Port: 25, State: netinfo.PortFiltered}, {Port: 26, State: netinfo.PortFiltered},
	}
	rows, imp := portRows(rs, false)
	want := [][]string{{"20-21", "closed"}, {"22", "open"}, {"23", "closed"}, {"25-26", "filtered"}}
	if len(rows) != len(want) {
		t.Fatalf("rows %v", rows)
	}
	for i, w := range want {
		if rows[i][0] != w[0] || rows[i][1] != w[1] {
			t.Errorf("row %d: %v, want %v", i, rows[i], w)
		}
	}
	if rows[1][3] != "ssh" || imp[1] != widget.SuccessImportance {
		t.Errorf("open row %v %v", rows[1], imp[1])
	}
	if rows, _ := portRows(rs, true); len(rows) != 1 || rows[0][0] != "22" {
		t.Errorf("open only %v", rows)
	}
}

func TestToolsSocketsShowOurListener(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the socket list is read from /proc/net on Linux")
	}
	u, tt := newToolsUI(t)
	p := newPeer(t)
	st := tt.sockets
	want := "127.0.0.1:" + p.port()
	onUI(func() {
		if st.loaded {
			t.Error("sockets read before the section was opened")
		}
		st.listening.SetChecked(true)
		tt.selectSection(st.content)
	})
	eventually(t, "our listener listed", func() bool { return !st.loading && tableHas(st.table, want, "LISTEN") })
	onUI(func() {
		st.filter.SetText(p.port())
		for _, r := range st.table.rows {
			if !strings.Contains(strings.Join(r, " "), p.port()) {
				t.Errorf("filter kept %v", r)
			}
		}
		test.Tap(st.copier.all)
		if c := clipboard(u); !strings.Contains(c, want) || !strings.Contains(c, "PROTO") {
			t.Errorf("copy all %q", c)
		}
		if !strings.Contains(st.status.Text, "/proc/net") {
			t.Errorf("status %q", st.status.Text)
		}
		st.filter.SetText("")
		st.listening.SetChecked(false) // refreshes with every socket
	})
	eventually(t, "all sockets", func() bool { return !st.loading && len(st.all.Sockets) > 0 })
}

// TestToolsSocketsOptionChangedWhileLoading: unticking "Listening only"
// while the list is still being read reads it again, so the table matches
// the box.
func TestToolsSocketsOptionChangedWhileLoading(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the socket list is read from /proc/net on Linux")
	}
	_, tt := newToolsUI(t)
	p := newPeer(t)
	c, err := net.Dial("tcp", "127.0.0.1:"+p.port())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	st := tt.sockets
	onUI(func() {
		st.listening.SetChecked(true)
		tt.selectSection(st.content) // starts reading, listening only
		st.listening.SetChecked(false)
	})
	eventually(t, "our connection listed", func() bool {
		return !st.loading && tableHas(st.table, c.LocalAddr().String(), "ESTABLISHED")
	})
}

// TestToolsSocketsTimeIsWhenRead: the status line's time is when the list
// was read; typing in the filter does not move it, Refresh reads again.
func TestToolsSocketsTimeIsWhenRead(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the socket list is read from /proc/net on Linux")
	}
	_, tt := newToolsUI(t)
	st := tt.sockets
	onUI(func() { tt.selectSection(st.content) })
	eventually(t, "list read", func() bool { return st.loaded && !st.loading && strings.Contains(st.status.Text, " at ") })
	var first string
	onUI(func() { first = st.status.Text })
	time.Sleep(1100 * time.Millisecond) // into the next second
	onUI(func() {
		st.filter.SetText("1")
		st.filter.SetText("")
		if st.status.Text != first {
			t.Errorf("filtering changed the status from %q to %q", first, st.status.Text)
		}
	})
	p := newPeer(t) // one more socket, seen only by reading again
	onUI(func() { st.refresh() })
	eventually(t, "read again", func() bool {
		return !st.loading && st.status.Text != first && tableHas(st.table, "127.0.0.1:"+p.port())
	})
}
