package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/netdebug/netdebug/netcore/framing"
	"github.com/netdebug/netdebug/netcore/session"
	"github.com/netdebug/netdebug/widgets"
)

// tcpClientTab connects to a device and talks to it.
type tcpClientTab struct {
	u   *appUI
	p   prefs
	log *sessionLog

	host, port, local, timeout *widget.Entry
	reconnect                  *widget.Check
	connectBtn                 *widget.Button
	status                     statusLabel
	framing                    *framingControls
	send                       *widgets.SendBox
	sender                     *fileSender
	capture                    *captureControl

	client     *session.TCPClient
	cancelDial context.CancelFunc
	periodic   *periodicSender
	out        *sendPath
	auto       *automationPanel
}

// tcpClientMessages are texts the TCP client session puts in events, which
// the tab passes through tr (like runtimeMessages).
var tcpClientMessages = []string{
	i18nKey("reconnecting stopped"),
}

// Tab order: 10 TCP client, 20 TCP server, 30 UDP, 40 chat, 50 TFTP client,
// 60 TFTP server, 70 tools.
func init() { registerTab(10, (*appUI).newTCPClientTab) }

func (u *appUI) newTCPClientTab() tab {
	t := &tcpClientTab{u: u, p: newPrefs(u.app, "tcpclient")}
	u.tcpClient = t
	t.log = u.newSessionLog(t.p)
	t.log.adapter.OnControl = t.onControl
	t.log.adapter.OnFlush = t.onFlush

	t.host = widget.NewEntry()
	t.host.SetPlaceHolder(tr("host name or IP"))
	t.host.SetText(t.p.str("host", "127.0.0.1"))
	t.port = widget.NewEntry()
	t.port.SetPlaceHolder(tr("port"))
	t.port.SetText(t.p.str("port", "8080"))
	t.host.OnSubmitted = func(string) { t.toggle() }
	t.port.OnSubmitted = func(string) { t.toggle() }
	t.local = widget.NewEntry()
	t.local.SetPlaceHolder(tr("any"))
	t.local.SetText(t.p.str("local", ""))
	t.timeout = widget.NewEntry()
	t.timeout.SetText(t.p.str("timeout", "10"))
	t.reconnect = widget.NewCheck(tr("Auto-reconnect"), func(on bool) {
		t.p.setBool("reconnect", on)
		if t.client != nil {
			t.client.SetReconnect(on)
		}
	})
	t.reconnect.SetChecked(t.p.boolean("reconnect", false))
	t.connectBtn = widget.NewButtonWithIcon(tr("Connect"), theme.LoginIcon(), t.toggle)
	t.connectBtn.Importance = widget.HighImportance
	t.status = newStatusLabel()
	t.status.info(tr("Not connected"))

	t.framing = newFramingControls(t.p, func(c framing.Config) {
		if t.client != nil {
			_ = t.client.SetFraming(c)
		}
	})

	t.out = newSendPath(t.p, t.framing, t.autoTarget, true)
	t.send, t.periodic = t.out.box, t.out.periodic
	t.send.SetSendEnabled(false)
	t.sender = u.newFileSender(t.requireClient, func() (fileSend, error) {
		if err := t.requireClient(); err != nil {
			return nil, err
		}
		return t.client.SendFile, nil
	})
	t.capture = u.newCaptureControl(func(c *session.Capture) {
		if t.client != nil {
			t.client.SetCapture(c)
		}
	})
	t.auto = u.newAutomation(t.p, t.log, t.out, t.autoTarget)
	u.onQuit(t.shutdown)

	target := container.NewBorder(nil, nil,
		container.NewHBox(widget.NewLabel(tr("Host")), fixedWidth(t.host, 220), widget.NewLabel(tr("Port")), fixedWidth(t.port, 80), t.connectBtn),
		t.auto.toggle, t.status)
	options := container.NewVBox(
		container.NewHBox(widget.NewLabel(tr("Local address")), fixedWidth(t.local, 160),
			widget.NewLabel(tr("Timeout (s)")), fixedWidth(t.timeout, 60), t.reconnect),
		t.framing.box,
		t.capture.box,
	)
	bottom := container.NewVBox(t.send, t.sender.box)
	return tab{name: tr("TCP Client"), icon: theme.ComputerIcon(), content: sessionPage(target, options, t.auto.wrap(t.log.view), bottom)}
}

// toggle connects, cancels a connect in progress, or disconnects.
func (t *tcpClientTab) toggle() {
	switch {
	case t.cancelDial != nil:
		t.cancelDial()
	case t.client != nil:
		t.disconnect()
	default:
		t.connect()
	}
}

func (t *tcpClientTab) connect() {
	addr, err := session.JoinHostPort(t.host.Text, t.port.Text, false)
	if err != nil {
		t.status.fail(err)
		return
	}
	secs, err := strconv.ParseFloat(strings.TrimSpace(t.timeout.Text), 64)
	if err != nil || secs <= 0 || secs > 600 {
		t.status.fail(fmt.Errorf("%s", tr("The timeout must be a number of seconds between 0.1 and 600")))
		return
	}
	if err := t.framing.check(); err != nil {
		t.status.fail(err)
		return
	}
	t.p.setStr("host", strings.TrimSpace(t.host.Text))
	t.p.setStr("port", strings.TrimSpace(t.port.Text))
	t.p.setStr("local", strings.TrimSpace(t.local.Text))
	t.p.setStr("timeout", strings.TrimSpace(t.timeout.Text))

	var client *session.TCPClient
	handler := t.auto.session(t.log.adapter.Handle, func(session.Event) sender { return client.Send })
	client, err = session.NewTCPClient(session.TCPClientConfig{
		Address:        addr,
		LocalAddress:   strings.TrimSpace(t.local.Text),
		ConnectTimeout: time.Duration(secs * float64(time.Second)),
		Reconnect:      t.reconnect.Checked,
		Framing:        t.framing.config(),
	}, handler)
	if err != nil {
		t.auto.stop()
		t.status.fail(err)
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.cancelDial = cancel
	t.connectBtn.SetText(tr("Cancel"))
	t.connectBtn.SetIcon(theme.CancelIcon())
	t.status.info(trf("Connecting to {{.Addr}}…", map[string]any{"Addr": addr}))
	t.log.adapter.Note(addr, tr("connecting…"))
	go func() {
		err := client.Connect(ctx)
		cancel()
		uiDo(func() {
			t.cancelDial = nil
			if err != nil {
				t.log.adapter.Fault(addr, err)
				t.status.fail(err)
				t.setDisconnected()
				t.auto.stop()
				return
			}
			t.client = client
			if t.capture.capture != nil {
				client.SetCapture(t.capture.capture)
			}
			t.setConnected(client)
		})
	}()
}

func (t *tcpClientTab) setConnected(c *session.TCPClient) {
	t.connectBtn.SetText(tr("Disconnect"))
	t.connectBtn.SetIcon(theme.LogoutIcon())
	t.connectBtn.Importance = widget.WarningImportance
	t.connectBtn.Refresh()
	t.status.ok(trf("Connected to {{.Addr}} from {{.Local}}", map[string]any{"Addr": c.Address(), "Local": c.LocalAddr()}))
	t.send.SetSendEnabled(true)
}

func (t *tcpClientTab) setDisconnected() {
	t.connectBtn.SetText(tr("Connect"))
	t.connectBtn.SetIcon(theme.LoginIcon())
	t.connectBtn.Importance = widget.HighImportance
	t.connectBtn.Refresh()
	t.send.SetSendEnabled(false)
}

func (t *tcpClientTab) disconnect() {
	c := t.client
	t.client = nil
	t.periodic.stop()
	t.auto.stop()
	t.setDisconnected()
	t.status.info(tr("Disconnecting…"))
	go func() {
		c.Close()
		uiDo(func() { t.status.info(tr("Not connected")) })
	}()
}

func (t *tcpClientTab) shutdown() {
	if t.cancelDial != nil {
		t.cancelDial()
	}
	t.periodic.shutdown()
	if t.client != nil {
		t.client.Close()
	}
}

// onControl follows the connection through closes and reconnects.
func (t *tcpClientTab) onControl(events []session.Event) {
	for _, ev := range events {
		switch ev.Kind {
		case session.Closed:
			if t.client == nil {
				continue
			}
			if ev.Err != nil {
				t.status.fail(ev.Err)
			} else {
				t.status.info(trf("Disconnected: {{.Reason}}", map[string]any{"Reason": tr(ev.Msg)}))
			}
			// Disconnected: the client gave up (reconnect off when the
			// connection ended, or turned off while reconnecting).
			if !t.reconnect.Checked || t.client.State() == session.Disconnected {
				c := t.client
				t.client = nil
				t.periodic.stop()
				t.auto.stop()
				t.setDisconnected()
				go c.Close()
			} else {
				t.send.SetSendEnabled(false)
			}
		case session.Info:
			if t.client != nil && t.client.State() == session.Reconnecting {
				t.status.info(tr(ev.Msg))
			}
		case session.Connected:
			if t.client != nil {
				t.setConnected(t.client)
			}
		}
	}
}

func (t *tcpClientTab) onFlush() {
	t.periodic.refresh()
	t.capture.refresh()
	t.auto.refresh()
}

func (t *tcpClientTab) requireClient() error {
	if t.client == nil || t.client.State() != session.Online {
		return fmt.Errorf("%w: %s", session.ErrNotConnected, tr("connect first"))
	}
	return nil
}

// autoTarget is where quick commands and sequences go: the peer.
func (t *tcpClientTab) autoTarget() (sender, error) {
	if err := t.requireClient(); err != nil {
		return nil, err
	}
	return t.client.Send, nil
}
