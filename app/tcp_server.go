package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/netdebug/netdebug/netcore/framing"
	"github.com/netdebug/netdebug/netcore/session"
	"github.com/netdebug/netdebug/widgets"
)

func init() { registerTab(20, (*appUI).newTCPServerTab) }

// tcpServerTab is the other side of the wire: devices connect to us.
type tcpServerTab struct {
	u   *appUI
	p   prefs
	log *sessionLog

	bind       *widget.SelectEntry
	port       *widget.Entry
	maxClients *widget.Entry
	echo       *widget.Check
	startBtn   *widget.Button
	status     statusLabel
	framing    *framingControls
	send       *widgets.SendBox
	toAll      *widget.Check
	onlyOne    *widget.Check
	kickBtn    *widget.Button
	clientList *widget.List
	clientHead *widget.Label
	perClient  *widget.Check
	sender     *fileSender
	capture    *captureControl
	periodic   *periodicSender
	out        *sendPath
	auto       *automationPanel

	server      *session.TCPServer
	stopTicker  func()
	clients     []session.ClientInfo
	selected    uint64
	selIdx      int
	listDirty   bool
	lastListing time.Time
	perDir      string
}

func (u *appUI) newTCPServerTab() tab {
	t := &tcpServerTab{u: u, p: newPrefs(u.app, "tcpserver")}
	u.tcpServer = t
	t.log = u.newSessionLog(t.p)
	t.log.adapter.OnControl = t.onControl
	t.log.adapter.OnFlush = t.onFlush

	t.bind = widget.NewSelectEntry(localBindChoices())
	t.bind.SetText(t.p.str("bind", "0.0.0.0"))
	t.port = widget.NewEntry()
	t.port.SetText(t.p.str("port", "8080"))
	t.port.OnSubmitted = func(string) { t.toggle() }
	t.maxClients = widget.NewEntry()
	t.maxClients.SetText(t.p.str("max", "0"))
	t.maxClients.OnChanged = func(s string) {
		if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil && n >= 0 && t.server != nil {
			t.server.SetMaxClients(n)
			t.p.setStr("max", s)
		}
	}
	t.echo = widget.NewCheck(tr("Echo back what arrives"), func(on bool) {
		t.p.setBool("echo", on)
		if t.server != nil {
			t.server.SetEcho(on)
		}
	})
	t.echo.SetChecked(t.p.boolean("echo", false))
	t.startBtn = widget.NewButtonWithIcon(tr("Start"), theme.MediaPlayIcon(), t.toggle)
	t.startBtn.Importance = widget.HighImportance
	t.status = newStatusLabel()
	t.status.info(tr("Stopped"))

	t.framing = newFramingControls(t.p, func(c framing.Config) {
		if t.server != nil {
			_ = t.server.SetFraming(c)
		}
	})

	t.clientHead = widget.NewLabel("")
	t.clientList = widget.NewList(func() int { return len(t.clients) }, func() fyne.CanvasObject {
		l := widget.NewLabel("000.000.000.000:00000")
		l.TextStyle = fyne.TextStyle{Monospace: true}
		l.Truncation = fyne.TextTruncateEllipsis
		return l
	}, func(id widget.ListItemID, o fyne.CanvasObject) {
		if id >= len(t.clients) {
			return
		}
		c := t.clients[id]
		o.(*widget.Label).SetText(fmt.Sprintf("%s  ↓%s ↑%s  %s", c.Addr,
			humanSize(int64(c.Stats.RxBytes)), humanSize(int64(c.Stats.TxBytes)), c.Since.Format("15:04:05")))
	})
	t.clientList.OnSelected = func(id widget.ListItemID) {
		if id < len(t.clients) {
			t.selected, t.selIdx = t.clients[id].ID, id
			t.toAll.SetChecked(false)
			t.kickBtn.Enable()
			t.syncFilter()
		}
	}
	t.kickBtn = widget.NewButtonWithIcon(tr("Disconnect client"), theme.CancelIcon(), t.kick)
	t.kickBtn.Disable()
	t.onlyOne = widget.NewCheck(tr("Log: selected client only"), func(bool) { t.syncFilter() })
	t.toAll = widget.NewCheck(tr("Send to all clients"), func(on bool) {
		if on {
			t.clientList.UnselectAll()
			t.selected = 0
			t.kickBtn.Disable()
			t.syncFilter()
		}
	})
	t.toAll.SetChecked(true)

	t.out = newSendPath(t.p, t.framing, t.autoTarget, true)
	t.send, t.periodic = t.out.box, t.out.periodic
	t.send.AddOption(t.toAll)
	t.send.SetSendEnabled(false) // until the server listens
	t.sender = u.newFileSender(t.requireTarget, func() (fileSend, error) {
		if err := t.requireTarget(); err != nil {
			return nil, err
		}
		srv, id := t.server, t.selected
		if t.toAll.Checked {
			id = 0
		}
		return func(ctx context.Context, name string, r io.Reader, size int64, progress session.Progress) (int64, error) {
			return srv.SendFile(ctx, id, name, r, size, progress)
		}, nil
	})
	t.sender.setAvailable(false) // until the server listens
	t.capture = u.newCaptureControl(func(c *session.Capture) {
		if t.server != nil {
			t.server.SetCapture(c)
		}
	})
	t.perClient = widget.NewCheck(tr("Also one file per client"), t.togglePerClient)
	t.auto = u.newAutomation(t.p, t.log, t.out, t.autoTarget)
	u.onQuit(t.shutdown)

	top := container.NewBorder(nil, nil, container.NewHBox(
		widget.NewLabel(tr("Bind")), fixedWidth(t.bind, 170), widget.NewLabel(tr("Port")), fixedWidth(t.port, 80),
		widget.NewLabel(tr("Max clients")), fixedWidth(t.maxClients, 60), t.echo, t.startBtn), t.auto.toggle, t.status)
	options := container.NewVBox(
		t.framing.box,
		container.NewBorder(nil, nil, nil, t.perClient, t.capture.box),
	)
	clients := container.NewBorder(t.clientHead, container.NewVBox(t.onlyOne, t.kickBtn), nil, nil, t.clientList)
	split := container.NewHSplit(clients, t.log.view)
	split.Offset = 0.32
	bottom := container.NewVBox(t.send, t.sender.box)
	t.updateHead()
	return tab{name: tr("TCP Server"), icon: theme.StorageIcon(), content: sessionPage(top, options, t.auto.wrap(split), bottom)}
}

// localBindChoices offers all-interfaces binds and this machine's addresses.
func localBindChoices() []string {
	out := []string{"0.0.0.0", "::", "127.0.0.1", "::1"}
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if ipn, ok := a.(*net.IPNet); ok && !ipn.IP.IsLoopback() && !ipn.IP.IsLinkLocalUnicast() {
			out = append(out, ipn.IP.String())
		}
	}
	return out
}

func (t *tcpServerTab) toggle() {
	if t.server != nil {
		t.stop()
		return
	}
	addr, err := session.JoinHostPort(t.bind.Text, t.port.Text, true)
	if err != nil {
		t.status.fail(err)
		return
	}
	max, err := strconv.Atoi(strings.TrimSpace(t.maxClients.Text))
	if err != nil || max < 0 {
		t.status.fail(textErr(tr("Max clients must be 0 (no limit) or a positive whole number")))
		return
	}
	if err := t.framing.check(); err != nil {
		t.status.fail(err)
		return
	}
	var srv *session.TCPServer
	// Auto-replies go to the client that sent the data.
	handler := t.auto.session(t.log.adapter.Handle, func(ev session.Event) sender {
		return func(b []byte) error { return srv.Send(ev.Client, b) }
	})
	srv, err = session.NewTCPServer(session.TCPServerConfig{
		Address: addr, MaxClients: max, Echo: t.echo.Checked, Framing: t.framing.config(),
	}, handler)
	if err == nil {
		err = srv.Start()
	}
	if err != nil {
		t.auto.stop()
		t.log.adapter.Fault(addr, err)
		t.status.fail(err)
		return
	}
	t.p.setStr("bind", strings.TrimSpace(t.bind.Text))
	t.p.setStr("port", strings.TrimSpace(t.port.Text))
	t.p.setStr("max", strings.TrimSpace(t.maxClients.Text))
	t.server = srv
	if t.capture.capture != nil {
		srv.SetCapture(t.capture.capture)
	}
	if t.perDir != "" {
		srv.SetCapturePerClient(t.perClientOpener(t.perDir))
	}
	t.status.ok(trf("Listening on {{.Addr}}", map[string]any{"Addr": srv.Addr()}))
	t.startBtn.SetText(tr("Stop"))
	t.startBtn.SetIcon(theme.MediaStopIcon())
	t.startBtn.Importance = widget.WarningImportance
	t.startBtn.Refresh()
	t.send.SetSendEnabled(true)
	t.sender.setAvailable(true)
	t.listDirty = true
	// Twice a second, so the traffic columns move without log traffic.
	t.stopTicker = every(500*time.Millisecond, t.refreshClients)
}

func (t *tcpServerTab) stop() {
	srv := t.server
	t.server = nil
	t.stopTicker()
	t.periodic.stop()
	t.auto.stop()
	// Sending ends with the server, and so do the errors about its clients.
	t.send.SetSendEnabled(false)
	t.sender.setAvailable(false)
	t.startBtn.SetText(tr("Start"))
	t.startBtn.SetIcon(theme.MediaPlayIcon())
	t.startBtn.Importance = widget.HighImportance
	t.startBtn.Refresh()
	t.status.info(tr("Stopping…"))
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err := srv.Shutdown(ctx)
		uiDo(func() {
			if err != nil {
				t.status.fail(err)
			} else {
				t.status.info(tr("Stopped"))
			}
			t.clients = nil
			t.clientList.UnselectAll()
			t.clientList.Refresh()
			t.updateHead()
		})
	}()
}

func (t *tcpServerTab) shutdown() {
	t.periodic.shutdown()
	if t.server != nil {
		t.stopTicker()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		t.server.Shutdown(ctx)
		t.server = nil
	}
}

func (t *tcpServerTab) onControl(events []session.Event) {
	for _, ev := range events {
		switch ev.Kind {
		case session.Connected, session.Closed, session.Refused:
			t.listDirty = true
		}
		if ev.Kind == session.Closed && ev.Client == t.selected && t.selected != 0 {
			t.kickBtn.Disable()
		}
	}
}

// onFlush refreshes the client list at most four times a second when
// clients come and go; tick covers the traffic columns and quiet periods.
// Thousands of clients stay cheap.
func (t *tcpServerTab) onFlush() {
	t.periodic.refresh()
	t.capture.refresh()
	t.auto.refresh()
	if t.listDirty && time.Since(t.lastListing) >= 250*time.Millisecond {
		t.refreshClients()
	}
}

func (t *tcpServerTab) refreshClients() {
	if t.server == nil {
		return
	}
	t.clients = t.server.Clients()
	t.listDirty = false
	t.lastListing = time.Now()
	t.clientList.Refresh()
	t.updateHead()
	// Keep the highlight on the same client as rows move.
	if t.selected == 0 {
		return
	}
	idx := -1
	for i, c := range t.clients {
		if c.ID == t.selected {
			idx = i
		}
	}
	switch {
	case idx < 0:
		t.clientList.UnselectAll()
		t.selected = 0
		t.kickBtn.Disable()
		t.syncFilter()
	case idx != t.selIdx:
		t.clientList.Select(idx)
	}
}

func (t *tcpServerTab) updateHead() {
	n := len(t.clients)
	text := trf("Clients: {{.N}}", map[string]any{"N": n})
	if t.server != nil && t.server.Refused() > 0 {
		text += "  " + trf("(refused {{.N}})", map[string]any{"N": t.server.Refused()})
	}
	t.clientHead.SetText(text)
}

func (t *tcpServerTab) selectedAddr() string {
	for _, c := range t.clients {
		if c.ID == t.selected {
			return c.Addr
		}
	}
	return ""
}

func (t *tcpServerTab) syncFilter() {
	if t.onlyOne.Checked && t.selected != 0 {
		t.log.view.SetPeerFilter(t.selectedAddr())
	} else {
		t.log.view.SetPeerFilter("")
	}
}

func (t *tcpServerTab) kick() {
	if t.server == nil || t.selected == 0 {
		return
	}
	if err := t.server.Disconnect(t.selected); err != nil {
		t.status.fail(err)
	}
}

func (t *tcpServerTab) requireTarget() error {
	if t.server == nil {
		return fmt.Errorf("%w: %s", session.ErrNotConnected, tr("start the server first"))
	}
	if !t.toAll.Checked && t.selected == 0 {
		return fmt.Errorf("%w: %s", session.ErrUnknownClient, tr("select a client in the list, or tick Send to all clients"))
	}
	return nil
}

// target returns the send function for the current choice, captured now.
func (t *tcpServerTab) target() sender {
	srv, id := t.server, t.selected
	if t.toAll.Checked {
		return func(b []byte) error {
			_, err := srv.SendAll(b)
			return err
		}
	}
	return func(b []byte) error { return srv.Send(id, b) }
}

// autoTarget is where quick commands and sequences go: the selected
// client or all of them, as for the send box.
func (t *tcpServerTab) autoTarget() (sender, error) {
	if err := t.requireTarget(); err != nil {
		return nil, err
	}
	return t.target(), nil
}

// togglePerClient asks for a folder and writes each new client's bytes to
// a file of its own there.
func (t *tcpServerTab) togglePerClient(on bool) {
	if !on {
		t.perDir = ""
		if t.server != nil {
			t.server.SetCapturePerClient(nil)
		}
		return
	}
	go func() {
		dir, err := t.u.files.Folder(tr("Folder for per-client files"))
		uiDo(func() {
			if err != nil {
				if !errors.Is(err, widgets.ErrDialogCancelled) {
					t.status.fail(err)
				}
				t.perClient.SetChecked(false)
				return
			}
			t.perDir = dir
			if t.server != nil {
				t.server.SetCapturePerClient(t.perClientOpener(dir))
			}
			t.status.info(trf("New clients are saved in {{.Dir}}", map[string]any{"Dir": dir}))
		})
	}()
}

// perClientOpener returns what the server calls for each new client, on
// its accept goroutine: it must not touch widgets, so dir is fixed now.
func (t *tcpServerTab) perClientOpener(dir string) func(session.ClientInfo) *session.Capture {
	adapter := t.log.adapter
	return func(ci session.ClientInfo) *session.Capture {
		name := fmt.Sprintf("client-%d-%s-%s.bin", ci.ID, strings.NewReplacer(":", "_", "[", "", "]", "").Replace(ci.Addr), ci.Since.Format("150405"))
		c, err := session.CreateCapture(filepath.Join(dir, name))
		if err != nil {
			adapter.Fault(ci.Addr, err)
			return nil
		}
		return c
	}
}
