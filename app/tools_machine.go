package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/netdebug/netdebug/netcore/netinfo"
)

// machineTool is "This machine": the hostname and the interfaces with
// their addresses.
type machineTool struct {
	t        *toolsTab
	hostname *widget.Label
	hostCopy *widget.Button
	table    *toolTable
	status   statusLabel
	copier   *toolCopier
	content  fyne.CanvasObject

	m      netinfo.Machine
	loaded bool
}

func (t *toolsTab) newMachineTool() *machineTool {
	mt := &machineTool{t: t, status: newStatusLabel()}
	mt.copier = t.newCopier(func() string {
		if !mt.loaded {
			return ""
		}
		return mt.m.Text()
	})
	mt.hostname = widget.NewLabel("")
	mt.hostname.TextStyle = fyne.TextStyle{Bold: true}
	mt.hostname.Selectable = true
	mt.hostCopy = widget.NewButtonWithIcon("", theme.ContentCopyIcon(), func() {
		if mt.m.Hostname != "" {
			mt.copier.copy(mt.m.Hostname)
		}
	})
	mt.hostCopy.Importance = widget.LowImportance
	mt.table = newToolTable([]string{
		tr("Interface"), tr("State"), tr("MTU"), tr("MAC"), tr("Family"), tr("Address/prefix"), tr("Broadcast"), tr("Flags"),
	}, mt.copier.copy)
	refreshBtn := widget.NewButtonWithIcon(tr("Refresh"), theme.ViewRefreshIcon(), mt.refresh)

	top := container.NewVBox(
		container.NewBorder(nil, nil,
			container.NewHBox(widget.NewLabel(tr("Hostname")), mt.hostCopy, mt.hostname),
			refreshBtn),
		toolHint(tr("One row per address; an interface without addresses has one row. Tap a cell to copy it; the button at the start of a row copies the row.")),
	)
	mt.content = toolPage(top, mt.status, mt.table.table, mt.copier.bar())
	return mt
}

// refresh reads the machine again, off the UI goroutine.
func (mt *machineTool) refresh() {
	mt.status.info(tr("Reading the interfaces…"))
	go func() {
		m, err := netinfo.LocalMachine()
		uiDo(func() { mt.show(m, err) })
	}()
}

func (mt *machineTool) show(m netinfo.Machine, err error) {
	if err != nil {
		mt.status.fail(err)
		if m.Hostname == "" {
			return
		}
	}
	mt.m, mt.loaded = m, true
	mt.hostname.SetText(m.Hostname)
	var rows [][]string
	var imp []widget.Importance
	up, addrs := 0, 0
	for _, it := range m.Interfaces {
		state := widget.MediumImportance
		if it.Up {
			up++
		} else {
			state = widget.LowImportance
		}
		first := []string{it.Name, tr(it.State()), strconv.Itoa(it.MTU), dashIfEmpty(it.MAC)}
		flags := strings.Join(it.Flags, ",")
		if len(it.Addrs) == 0 {
			rows = append(rows, append(first, "-", "-", "-", flags))
			imp = append(imp, state)
			continue
		}
		for i, a := range it.Addrs {
			lead := first
			if i > 0 {
				lead = []string{"", "", "", ""}
			}
			row := append(append([]string(nil), lead...), a.Family(), a.Prefix.String(), a.BroadcastText(), "")
			if i == 0 {
				row[7] = flags
			}
			rows = append(rows, row)
			imp = append(imp, state)
			addrs++
		}
	}
	// A row's copy button copies that address with its interface, even on
	// rows that leave the interface's cells blank.
	names := make([]string, len(rows))
	cur := ""
	for i, r := range rows {
		if r[0] != "" {
			cur = r[0]
		}
		names[i] = cur
	}
	mt.table.rowText = func(row int) string {
		r := mt.table.rows[row]
		if r[5] == "-" || r[5] == "" {
			return names[row]
		}
		s := names[row] + "  " + r[5]
		if r[6] != "-" {
			s += "  " + tr("broadcast") + " " + r[6]
		}
		return s
	}
	mt.table.setRows(rows, imp)
	mt.copier.enable(true)
	if err == nil {
		msg := trf("{{.Count}} interfaces ({{.Up}} up), {{.Addrs}} addresses; read at {{.Time}}", map[string]any{
			"Count": len(m.Interfaces), "Up": up, "Addrs": addrs, "Time": time.Now().Format("15:04:05"),
		})
		if len(m.Errors) > 0 {
			mt.status.Importance = widget.WarningImportance
			mt.status.SetText(msg + "\n" + strings.Join(m.Errors, "\n"))
		} else {
			mt.status.ok(msg)
		}
	}
}

func dashIfEmpty(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// socketTool is "Sockets", the netstat -an analogue.
type socketTool struct {
	t         *toolsTab
	listening *widget.Check
	filter    *widget.Entry
	table     *toolTable
	status    statusLabel
	copier    *toolCopier
	content   fyne.CanvasObject

	all     netinfo.SocketTable
	readAt  time.Time // when all was read: filtering does not change it
	shown   []netinfo.Socket
	loaded  bool
	loading bool
	again   bool // asked to refresh while loading: read again after
}

func (t *toolsTab) newSocketTool() *socketTool {
	st := &socketTool{t: t, status: newStatusLabel()}
	st.copier = t.newCopier(func() string {
		tbl := st.all
		tbl.Sockets = st.shown
		return tbl.Text()
	})
	st.table = newToolTable([]string{
		tr("Proto"), tr("Local address"), tr("Remote address"), tr("State"), tr("PID"), tr("Process"),
	}, st.copier.copy)
	st.listening = widget.NewCheck(tr("Listening only"), func(on bool) {
		t.p.setBool(prefToolsListenOnly, on)
		if st.loaded {
			st.refresh()
		}
	})
	st.listening.SetChecked(t.p.boolean(prefToolsListenOnly, true))
	st.filter = widget.NewEntry()
	st.filter.SetPlaceHolder(tr("port, address, state or process"))
	st.filter.OnChanged = func(string) { st.apply() }
	refreshBtn := widget.NewButtonWithIcon(tr("Refresh"), theme.ViewRefreshIcon(), st.refresh)
	top := container.NewVBox(
		container.NewBorder(nil, nil, container.NewHBox(st.listening, widget.NewLabel(tr("Filter"))), refreshBtn, st.filter),
		toolHint(tr("The sockets of this machine, as netstat -an lists them. \"Listening only\" keeps TCP sockets in LISTEN and UDP sockets without a fixed peer: what this machine offers to others.")),
	)
	st.content = toolPage(top, st.status, st.table.table, st.copier.bar())
	return st
}

func (st *socketTool) refresh() {
	if st.loading {
		// Read again when this one is done: the options may have changed.
		st.again = true
		return
	}
	st.loaded, st.loading, st.again = true, true, false
	opts := netinfo.SocketOptions{ListeningOnly: st.listening.Checked}
	st.status.info(tr("Reading the sockets…"))
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		tbl, err := netinfo.ListSockets(ctx, opts)
		at := time.Now()
		uiDo(func() {
			st.loading = false
			if st.again {
				st.refresh()
				return
			}
			if errors.Is(err, netinfo.ErrNotSupported) {
				st.all = netinfo.SocketTable{}
				st.apply()
				st.status.Importance = widget.WarningImportance
				st.status.SetText(trf("Listing sockets is not available on this system ({{.Err}}). Use the system's own netstat -an.", map[string]any{"Err": err}))
				return
			}
			if err != nil {
				st.status.fail(err)
				return
			}
			st.all, st.readAt = tbl, at
			st.apply()
		})
	}()
}

// apply shows the sockets that match the filter.
func (st *socketTool) apply() {
	f := strings.ToLower(strings.TrimSpace(st.filter.Text))
	st.shown = st.shown[:0]
	var rows [][]string
	var imp []widget.Importance
	for _, s := range st.all.Sockets {
		row := socketRow(s)
		if f != "" && !strings.Contains(strings.ToLower(strings.Join(row, " ")), f) {
			continue
		}
		st.shown = append(st.shown, s)
		rows = append(rows, row)
		// Sockets on their way out (TIME_WAIT, CLOSE_WAIT, ...) are quieter.
		if s.Listening() || s.State == "ESTABLISHED" {
			imp = append(imp, widget.MediumImportance)
		} else {
			imp = append(imp, widget.LowImportance)
		}
	}
	st.table.setRows(rows, imp)
	st.copier.enable(len(rows) > 0)
	if !st.loaded || st.loading {
		return
	}
	msg := trf("{{.Shown}} of {{.Count}} sockets, from {{.Source}}, at {{.Time}}", map[string]any{
		"Shown": len(rows), "Count": len(st.all.Sockets), "Source": st.all.Source, "Time": st.readAt.Format("15:04:05"),
	})
	if st.all.Note != "" {
		msg += "\n" + st.all.Note
	}
	st.status.ok(msg)
}

// socketRow is a socket's cells as netstat prints them: port 0 as '*'.
func socketRow(s netinfo.Socket) []string {
	pid := "-"
	if s.PID > 0 {
		pid = strconv.Itoa(s.PID)
	}
	return []string{s.Proto, socketEndpoint(s.Local.Addr().String(), int(s.Local.Port())), socketEndpoint(s.Remote.Addr().String(), int(s.Remote.Port())), s.State, pid, dashIfEmpty(s.Process)}
}

func socketEndpoint(addr string, port int) string {
	p := "*"
	if port != 0 {
		p = strconv.Itoa(port)
	}
	if strings.Contains(addr, ":") {
		return fmt.Sprintf("[%s]:%s", addr, p)
	}
	return addr + ":" + p
}
