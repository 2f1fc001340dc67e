package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/netdebug/netdebug/netcore/framing"
	"github.com/netdebug/netdebug/netcore/netinfo"
	"github.com/netdebug/netdebug/netcore/session"
	"github.com/netdebug/netdebug/widgets"
)

func init() { registerTab(30, (*appUI).newUDPTab) }

// udpTab sends and receives datagrams: unicast, broadcast and multicast.
type udpTab struct {
	u   *appUI
	p   prefs
	log *sessionLog

	port           *widget.Entry
	bindSel        *widget.SelectEntry
	host, hostPort *widget.Entry
	broadcast      *widget.Select
	replyLast      *widget.Check
	openBtn        *widget.Button
	status         statusLabel
	framing        *framingControls
	send           *widgets.SendBox
	senderList     *widget.List
	group, ttl     *widget.Entry
	groupIf        *widget.Select
	groupsLabel    *widget.Label
	chunk, gap     *widget.Entry
	sender         *fileSender
	capture        *captureControl
	periodic       *periodicSender
	out            *sendPath
	auto           *automationPanel
	session        *session.UDPSession
	senders        []session.Sender
	stopTicker     func()
}

func (u *appUI) newUDPTab() tab {
	t := &udpTab{u: u, p: newPrefs(u.app, "udp")}
	u.udp = t
	t.log = u.newSessionLog(t.p)
	t.log.adapter.OnFlush = t.onFlush

	t.bindSel = widget.NewSelectEntry(localBindChoices())
	t.bindSel.SetText(t.p.str("bind", "0.0.0.0"))
	t.port = widget.NewEntry()
	t.port.SetPlaceHolder(tr("0 = any"))
	t.port.SetText(t.p.str("port", "0"))
	t.openBtn = widget.NewButtonWithIcon(tr("Open"), theme.MediaPlayIcon(), t.toggle)
	t.openBtn.Importance = widget.HighImportance
	t.status = newStatusLabel()
	t.status.info(tr("Closed"))

	t.host = widget.NewEntry()
	t.host.SetPlaceHolder(tr("host name or IP"))
	t.host.SetText(t.p.str("host", "127.0.0.1"))
	t.hostPort = widget.NewEntry()
	t.hostPort.SetPlaceHolder(tr("port"))
	t.hostPort.SetText(t.p.str("remotePort", "8080"))
	t.replyLast = widget.NewCheck(tr("Reply to last sender"), func(on bool) {
		t.p.setBool("replyLast", on)
		t.syncTarget()
	})
	t.replyLast.SetChecked(t.p.boolean("replyLast", false))
	t.broadcast = newSelect(broadcastChoices(), func(s string) {
		if s != "" {
			t.host.SetText(s)
			t.replyLast.SetChecked(false)
		}
	})
	t.broadcast.PlaceHolder = tr("Broadcast…")

	t.framing = newFramingControls(t.p, func(c framing.Config) {
		if t.session != nil {
			_ = t.session.SetFraming(c)
		}
	})

	t.senderList = widget.NewList(func() int { return len(t.senders) }, func() fyne.CanvasObject {
		l := widget.NewLabel("000.000.000.000:00000")
		l.TextStyle = fyne.TextStyle{Monospace: true}
		l.Truncation = fyne.TextTruncateEllipsis
		return l
	}, func(id widget.ListItemID, o fyne.CanvasObject) {
		if id < len(t.senders) {
			s := t.senders[id]
			o.(*widget.Label).SetText(fmt.Sprintf("%s  %d pkts  %s  %s", s.Addr, s.Packets, humanSize(int64(s.Bytes)), s.Last.Format("15:04:05")))
		}
	})
	t.senderList.OnSelected = func(id widget.ListItemID) {
		if id < len(t.senders) {
			if h, p, err := net.SplitHostPort(t.senders[id].Addr); err == nil {
				t.host.SetText(h)
				t.hostPort.SetText(p)
				t.replyLast.SetChecked(false)
			}
		}
	}

	t.group = widget.NewEntry()
	t.group.SetPlaceHolder("239.1.2.3 / ff12::1")
	t.group.SetText(t.p.str("group", ""))
	t.groupIf = newSelect(append([]string{tr("(system default)")}, interfaceNames()...), nil)
	t.groupIf.SetSelectedIndex(0)
	// The interface joins groups and also carries what is sent to a group.
	t.groupIf.OnChanged = func(string) { t.applyMulticastIf() }
	t.ttl = widget.NewEntry()
	t.ttl.SetText(t.p.str("ttl", "1"))
	t.ttl.OnChanged = func(s string) {
		if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil && t.session != nil {
			if err := t.session.SetMulticastTTL(n); err == nil {
				t.p.setStr("ttl", s)
			}
		}
	}
	t.groupsLabel = widget.NewLabel("")
	join := widget.NewButton(tr("Join"), func() { t.membership(true) })
	leave := widget.NewButton(tr("Leave"), func() { t.membership(false) })

	t.chunk = widget.NewEntry()
	t.chunk.SetText(t.p.str("chunk", "1024"))
	t.gap = widget.NewEntry()
	t.gap.SetText(t.p.str("gap", "0"))

	t.out = newSendPath(t.p, t.framing, t.autoTarget, false)
	t.send, t.periodic = t.out.box, t.out.periodic
	t.sender = u.newFileSender(t.requireOpen, t.bindFileSend)
	t.capture = u.newCaptureControl(func(c *session.Capture) {
		if t.session != nil {
			t.session.SetCapture(c)
		}
	})
	t.auto = u.newAutomation(t.p, t.log, t.out, t.autoTarget)
	u.onQuit(t.shutdown)

	local := container.NewBorder(nil, nil, container.NewHBox(
		widget.NewLabel(tr("Local")), fixedWidth(t.bindSel, 170), widget.NewLabel(tr("Port")), fixedWidth(t.port, 80), t.openBtn), t.auto.toggle, t.status)
	remote := container.NewHBox(widget.NewLabel(tr("Remote")), fixedWidth(t.host, 200), widget.NewLabel(tr("Port")), fixedWidth(t.hostPort, 80),
		widgets.FitOptionsAtLeast(t.broadcast, 150), t.replyLast)
	options := container.NewVBox(
		t.framing.box,
		container.NewHBox(widget.NewLabel(tr("Multicast group")), fixedWidth(t.group, 170), widget.NewLabel(tr("Interface")), widgets.FitOptionsAtLeast(t.groupIf, 150),
			join, leave, widget.NewLabel(tr("TTL / hops")), fixedWidth(t.ttl, 50), t.groupsLabel),
		container.NewHBox(widget.NewLabel(tr("File datagrams of")), fixedWidth(t.chunk, 70), widget.NewLabel(tr("bytes, every")), fixedWidth(t.gap, 50), widget.NewLabel("ms")),
		t.capture.box,
	)
	top := container.NewVBox(local, remote)
	senders := container.NewBorder(widget.NewLabel(tr("Recent senders")), nil, nil, nil, t.senderList)
	split := container.NewHSplit(senders, t.log.view)
	split.Offset = 0.28
	t.syncTarget()
	t.send.SetSendEnabled(false)
	return tab{name: tr("UDP"), icon: theme.MailSendIcon(), content: sessionPage(top, options, t.auto.wrap(split), container.NewVBox(t.send, t.sender.box))}
}

// broadcastChoices offers the limited broadcast and each interface's
// subnet-directed broadcast address.
func broadcastChoices() []string {
	out := []string{"255.255.255.255"}
	m, err := netinfo.LocalMachine()
	if err != nil {
		return out
	}
	for _, ifc := range m.Interfaces {
		for _, a := range ifc.Addrs {
			if a.Broadcast.IsValid() && !a.Prefix.Addr().IsLoopback() {
				out = append(out, a.Broadcast.String())
			}
		}
	}
	return out
}

func interfaceNames() []string {
	ifs, _ := net.Interfaces()
	var out []string
	for _, ifc := range ifs {
		if ifc.Flags&net.FlagUp != 0 {
			out = append(out, ifc.Name)
		}
	}
	return out
}

func (t *udpTab) syncTarget() {
	if t.replyLast.Checked {
		t.host.Disable()
		t.hostPort.Disable()
	} else {
		t.host.Enable()
		t.hostPort.Enable()
	}
}

func (t *udpTab) toggle() {
	if t.session != nil {
		t.close()
		return
	}
	addr, err := session.JoinHostPort(t.bindSel.Text, t.port.Text, true)
	if err != nil {
		t.status.fail(err)
		return
	}
	if err := t.framing.check(); err != nil {
		t.status.fail(err)
		return
	}
	// Auto-replies go to the datagram's sender. OpenUDP starts reading
	// before it returns, hence the atomic hand-over.
	var open atomic.Pointer[session.UDPSession]
	handler := t.auto.session(t.log.adapter.Handle, func(ev session.Event) sender {
		return func(b []byte) error {
			if s := open.Load(); s != nil {
				return s.SendTo(ev.Peer, b)
			}
			return session.ErrNotConnected
		}
	})
	s, err := session.OpenUDP(session.UDPConfig{Bind: addr, Framing: t.framing.config()}, handler)
	open.Store(s)
	if err != nil {
		t.auto.stop()
		t.log.adapter.Fault(addr, err)
		t.status.fail(err)
		return
	}
	t.p.setStr("bind", strings.TrimSpace(t.bindSel.Text))
	t.p.setStr("port", strings.TrimSpace(t.port.Text))
	t.session = s
	if n, err := strconv.Atoi(strings.TrimSpace(t.ttl.Text)); err == nil {
		_ = s.SetMulticastTTL(n)
	}
	t.applyMulticastIf()
	if t.capture.capture != nil {
		s.SetCapture(t.capture.capture)
	}
	t.status.ok(trf("Bound to {{.Addr}}", map[string]any{"Addr": s.LocalAddr()}))
	t.openBtn.SetText(tr("Close"))
	t.openBtn.SetIcon(theme.MediaStopIcon())
	t.openBtn.Importance = widget.WarningImportance
	t.openBtn.Refresh()
	t.send.SetSendEnabled(true)
	t.stopTicker = every(300*time.Millisecond, t.refreshSenders)
}

func (t *udpTab) refreshSenders() {
	if t.session == nil {
		return
	}
	t.senders = t.session.Senders()
	t.senderList.Refresh()
}

func (t *udpTab) close() {
	s := t.session
	t.session = nil
	t.stopTicker()
	t.periodic.stop()
	t.auto.stop()
	s.Close()
	t.status.info(tr("Closed"))
	t.openBtn.SetText(tr("Open"))
	t.openBtn.SetIcon(theme.MediaPlayIcon())
	t.openBtn.Importance = widget.HighImportance
	t.openBtn.Refresh()
	t.groupsLabel.SetText("")
	t.send.SetSendEnabled(false)
}

func (t *udpTab) shutdown() {
	t.periodic.shutdown()
	if t.session != nil {
		t.stopTicker()
		t.session.Close()
		t.session = nil
	}
}

func (t *udpTab) onFlush() {
	t.periodic.refresh()
	t.capture.refresh()
	t.auto.refresh()
}

func (t *udpTab) requireOpen() error {
	if t.session == nil {
		return fmt.Errorf("%w: %s", session.ErrNotConnected, tr("open the socket first"))
	}
	return nil
}

// targetAddr is where a send goes now: the last sender, or host:port.
func (t *udpTab) targetAddr() (string, error) {
	if t.replyLast.Checked {
		last := t.session.LastSender()
		if last == "" {
			return "", fmt.Errorf("%w: %s", session.ErrInvalidAddress, tr("nobody has sent anything yet, so there is no last sender"))
		}
		return last, nil
	}
	addr, err := session.JoinHostPort(t.host.Text, t.hostPort.Text, false)
	if err != nil {
		return "", err
	}
	t.p.setStr("host", strings.TrimSpace(t.host.Text))
	t.p.setStr("remotePort", strings.TrimSpace(t.hostPort.Text))
	return addr, nil
}

// target returns a send function fixed to the current choice. With "reply
// to last sender" it follows whoever sent last at each send.
func (t *udpTab) target() (sender, error) {
	s := t.session
	if t.replyLast.Checked {
		if _, err := t.targetAddr(); err != nil {
			return nil, err
		}
		return func(b []byte) error {
			last := s.LastSender()
			if last == "" {
				return fmt.Errorf("%w: %s", session.ErrInvalidAddress, tr("no sender yet"))
			}
			return s.SendTo(last, b)
		}, nil
	}
	addr, err := t.targetAddr()
	if err != nil {
		return nil, err
	}
	return func(b []byte) error { return s.SendTo(addr, b) }, nil
}

// autoTarget is where quick commands and sequences go: host:port or the
// last sender, as for the send box.
func (t *udpTab) autoTarget() (sender, error) {
	if err := t.requireOpen(); err != nil {
		return nil, err
	}
	return t.target()
}

// applyMulticastIf sends datagrams to multicast groups out of the chosen
// interface (the system's choice when none is chosen).
func (t *udpTab) applyMulticastIf() {
	if t.session == nil || t.groupIf.SelectedIndex() <= 0 {
		return
	}
	if err := t.session.SetMulticastInterface(t.groupIf.Selected); err != nil {
		t.status.fail(err)
	}
}

func (t *udpTab) membership(join bool) {
	if err := t.requireOpen(); err != nil {
		t.status.fail(err)
		return
	}
	ifname := ""
	if t.groupIf.SelectedIndex() > 0 {
		ifname = t.groupIf.Selected
	}
	var err error
	if join {
		err = t.session.JoinGroup(t.group.Text, ifname)
	} else {
		err = t.session.LeaveGroup(t.group.Text, ifname)
	}
	if err != nil {
		t.status.fail(err)
		return
	}
	t.p.setStr("group", strings.TrimSpace(t.group.Text))
	groups := t.session.Groups()
	t.groupsLabel.SetText(strings.Join(groups, ", "))
	if join {
		t.status.ok(trf("Joined {{.Group}}", map[string]any{"Group": strings.TrimSpace(t.group.Text)}))
	} else {
		t.status.info(trf("Left {{.Group}}", map[string]any{"Group": strings.TrimSpace(t.group.Text)}))
	}
}

// bindFileSend runs on the UI goroutine when a file has been chosen: it
// reads the target, datagram size and gap, and binds the open socket.
func (t *udpTab) bindFileSend() (fileSend, error) {
	if err := t.requireOpen(); err != nil {
		return nil, err
	}
	s := t.session
	target, err := t.targetAddr()
	if err != nil {
		return nil, err
	}
	chunk, err := strconv.Atoi(strings.TrimSpace(t.chunk.Text))
	if err != nil || chunk < 1 || chunk > session.MaxUDPPayload {
		return nil, fmt.Errorf("%w: %s", session.ErrTooLarge, tr("the datagram size must be 1 to 65507 bytes"))
	}
	gapMS, err := strconv.Atoi(strings.TrimSpace(t.gap.Text))
	if err != nil || gapMS < 0 {
		return nil, textErr(tr("the gap must be 0 or more milliseconds"))
	}
	t.p.setStr("chunk", strings.TrimSpace(t.chunk.Text))
	t.p.setStr("gap", strings.TrimSpace(t.gap.Text))
	return func(ctx context.Context, name string, r io.Reader, size int64, progress session.Progress) (int64, error) {
		return s.SendFile(ctx, target, name, r, size, chunk, time.Duration(gapMS)*time.Millisecond, progress)
	}, nil
}
