package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/netdebug/netdebug/netcore/session"
	"github.com/netdebug/netdebug/netcore/tftp"
	"github.com/netdebug/netdebug/widgets"
)

func init() { registerTab(60, (*appUI).newTFTPServerTab) }

// tftpServerTab serves a folder to devices: U-Boot's tftpboot, PXE,
// firmware fetches and uploads.
type tftpServerTab struct {
	u   *appUI
	p   prefs
	log *sessionLog

	root                          *widget.Entry
	bind                          *widget.SelectEntry
	port                          *widget.Entry
	allowUpload, overwrite, trace *widget.Check
	startBtn, altPort             *widget.Button
	status                        statusLabel
	setcap                        *widget.Label
	fix                           *fyne.Container
	list                          *widget.List
	totals                        *widget.Label

	server *tftp.Server
	addr   string
	stopUI func()
	table  *transferTable
	rows   []transferRow
}

// transferRow is one line of the live transfer list.
type transferRow struct {
	id       uint64
	client   string
	file     string
	upload   bool
	started  time.Time
	progress tftp.Progress
	done     bool
	result   string
	failed   bool
}

// transferTable is filled by server events on transfer goroutines and read
// by the UI a few times a second.
type transferTable struct {
	mu    sync.Mutex
	rows  map[uint64]*transferRow
	dirty bool
	// totals count every byte served since Start, also of rows trimmed.
	totals transferTotals
}

// transferTotals are the server page's counters.
type transferTotals struct {
	Sent, Received int64
	Running, Done  int
}

// count adds the bytes r moved since it was last seen.
func (tt *transferTable) countLocked(r *transferRow, bytes int64) {
	if d := bytes - r.progress.Bytes; d > 0 {
		if r.upload {
			tt.totals.Received += d
		} else {
			tt.totals.Sent += d
		}
	}
}

const maxTransferRows = 200

func (tt *transferTable) event(ev tftp.Event) {
	tt.mu.Lock()
	defer tt.mu.Unlock()
	id := ev.Transfer.ID
	r := tt.rows[id]
	if r == nil {
		r = &transferRow{id: id, client: ev.Transfer.Peer.String(), file: ev.Transfer.File,
			upload: ev.Transfer.Direction == tftp.Upload, started: time.Now()}
		r.progress.Total = ev.Transfer.Size
		tt.rows[id] = r
		tt.totals.Running++
		tt.trimLocked()
	}
	switch ev.Kind {
	case tftp.EventProgress, tftp.EventRetransmit:
		tt.countLocked(r, ev.Progress.Bytes)
		r.progress = ev.Progress
	case tftp.EventDone:
		if !r.done {
			tt.totals.Running--
			tt.totals.Done++
		}
		if ev.Result != nil {
			tt.countLocked(r, ev.Result.Bytes)
		}
		r.done = true
		if ev.Err != nil {
			r.failed, r.result = true, tftpErrorText(ev.Err)
		} else if ev.Result != nil {
			r.progress.Bytes, r.progress.Total = ev.Result.Bytes, ev.Result.Bytes
			r.result = fmt.Sprintf("%s, %.2f s, %s/s", humanSize(ev.Result.Bytes), ev.Result.Duration.Seconds(), humanSize(int64(ev.Result.Rate)))
		}
	}
	tt.dirty = true
}

// trimLocked keeps the newest rows, dropping finished ones first.
func (tt *transferTable) trimLocked() {
	for len(tt.rows) > maxTransferRows {
		var oldest *transferRow
		for _, r := range tt.rows {
			if r.done && (oldest == nil || r.id < oldest.id) {
				oldest = r
			}
		}
		if oldest == nil {
			return
		}
		delete(tt.rows, oldest.id)
	}
}

func (tt *transferTable) snapshot() ([]transferRow, transferTotals, bool) {
	tt.mu.Lock()
	defer tt.mu.Unlock()
	if !tt.dirty {
		return nil, tt.totals, false
	}
	tt.dirty = false
	out := make([]transferRow, 0, len(tt.rows))
	for _, r := range tt.rows {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id > out[j].id })
	return out, tt.totals, true
}

func (u *appUI) newTFTPServerTab() tab {
	t := &tftpServerTab{u: u, p: newPrefs(u.app, "tftpserver")}
	u.tftpServer = t
	t.log = u.newSessionLog(t.p)
	// The page counts the bytes it serves itself; the log's RX/TX would
	// stay at 0 B, since it holds notes, not file data.
	t.log.view.HideTrafficCounters()
	home, _ := os.UserHomeDir()
	t.root = widget.NewEntry()
	t.root.SetPlaceHolder(tr("folder to serve"))
	t.root.SetText(t.p.str("root", home))
	browse := widget.NewButtonWithIcon(tr("Browse…"), theme.FolderOpenIcon(), func() {
		go func() {
			dir, err := u.files.Folder(tr("Folder to serve"))
			if err == nil {
				uiDo(func() { t.root.SetText(dir) })
			} else if !errors.Is(err, widgets.ErrDialogCancelled) {
				uiDo(func() { t.status.fail(err) })
			}
		}()
	})
	t.bind = widget.NewSelectEntry(localBindChoices())
	t.bind.SetText(t.p.str("bind", "0.0.0.0"))
	t.port = widget.NewEntry()
	t.port.SetText(t.p.str("port", "69"))
	t.allowUpload = widget.NewCheck(tr("Allow uploads"), func(on bool) { t.p.setBool("upload", on) })
	t.allowUpload.SetChecked(t.p.boolean("upload", false))
	t.overwrite = widget.NewCheck(tr("Overwrite existing files"), func(on bool) { t.p.setBool("overwrite", on) })
	t.overwrite.SetChecked(t.p.boolean("overwrite", false))
	t.trace = widget.NewCheck(tr("Log packets"), func(on bool) { t.p.setBool("trace", on) })
	t.trace.SetChecked(t.p.boolean("trace", false))
	t.startBtn = widget.NewButtonWithIcon(tr("Start"), theme.MediaPlayIcon(), t.toggle)
	t.startBtn.Importance = widget.HighImportance
	t.status = newStatusLabel()
	t.status.info(tr("Stopped"))
	t.altPort = widget.NewButton(tr("Use port 6969"), func() {
		t.port.SetText("6969")
		t.fix.Hide()
		t.toggle()
	})
	t.setcap = widget.NewLabel("")
	t.setcap.Selectable = true
	t.setcap.TextStyle = fyne.TextStyle{Monospace: true}
	t.fix = container.NewVBox(container.NewHBox(t.altPort, widget.NewLabel(tr("or allow this program to use low ports, once:"))), t.setcap)
	t.fix.Hide()

	t.list = widget.NewList(func() int { return len(t.rows) }, func() fyne.CanvasObject {
		l := widget.NewLabel("")
		l.Truncation = fyne.TextTruncateEllipsis
		return l
	}, func(id widget.ListItemID, o fyne.CanvasObject) {
		if id < len(t.rows) {
			l := o.(*widget.Label)
			r := t.rows[id]
			l.SetText(r.text())
			switch {
			case r.failed:
				l.Importance = widget.DangerImportance
			case r.done:
				l.Importance = widget.SuccessImportance
			default:
				l.Importance = widget.MediumImportance
			}
			l.Refresh()
		}
	})
	u.onQuit(t.shutdown)

	settings := container.New(layout.NewFormLayout(),
		widget.NewLabel(tr("Folder")), container.NewBorder(nil, nil, nil, browse, t.root),
		widget.NewLabel(tr("Bind")), container.NewBorder(nil, nil, nil,
			container.NewHBox(widget.NewLabel(tr("Port")), fixedWidth(t.port, 80), t.allowUpload, t.overwrite, t.trace, t.startBtn),
			t.bind),
	)
	top := container.NewVBox(settings, t.status.Label, t.fix)
	t.totals = widget.NewLabel("")
	t.showTotals(transferTotals{})
	transfers := container.NewBorder(container.NewHBox(widget.NewLabelWithStyle(tr("Transfers"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), t.totals),
		nil, nil, nil, t.list)
	split := container.NewVSplit(transfers, t.log.view)
	split.Offset = 0.35
	return tab{name: tr("TFTP Server"), icon: theme.StorageIcon(), content: container.NewBorder(top, nil, nil, nil, split)}
}

func (r transferRow) text() string {
	arrow := "↓"
	if r.upload {
		arrow = "↑"
	}
	s := fmt.Sprintf("%s  %s %s  %s", r.started.Format("15:04:05"), arrow, r.client, r.file)
	switch {
	case r.done:
		return s + "  " + r.result
	default:
		return s + "  " + widgets.ProgressText(r.progress.Bytes, r.progress.Total, r.progress.Rate, r.progress.ETA)
	}
}

func (t *tftpServerTab) toggle() {
	if t.server != nil {
		t.stop()
		return
	}
	root := strings.TrimSpace(t.root.Text)
	if st, err := os.Stat(root); err != nil || !st.IsDir() {
		t.status.fail(textErr(trf("{{.Path}} is not a folder", map[string]any{"Path": root})))
		return
	}
	addr, err := session.JoinHostPort(t.bind.Text, t.port.Text, true)
	if err != nil {
		t.status.fail(err)
		return
	}
	pc, err := tftp.Listen(addr)
	if err != nil {
		t.status.fail(err)
		if errors.Is(err, tftp.ErrPrivilegedPort) {
			t.status.fail(textErr(trf("Port {{.Port}} needs administrator rights on this system.", map[string]any{"Port": strings.TrimSpace(t.port.Text)})))
			t.setcap.SetText(tftp.SetcapCommand())
			t.fix.Show()
		}
		return
	}
	t.fix.Hide()
	t.p.setStr("root", root)
	t.p.setStr("bind", strings.TrimSpace(t.bind.Text))
	t.p.setStr("port", strings.TrimSpace(t.port.Text))
	table := &transferTable{rows: map[uint64]*transferRow{}}
	adapter := t.log.adapter
	logPackets := t.trace.Checked
	// The log shows each file's SHA-256, worth its CPU in a debug tool.
	srv := &tftp.Server{Root: root, AllowUpload: t.allowUpload.Checked, Overwrite: t.overwrite.Checked, HashDownloads: true}
	if logPackets {
		srv.TraceLimit = 50
	}
	srv.OnEvent = func(ev tftp.Event) {
		table.event(ev)
		logServerEvent(adapter, ev, logPackets)
	}
	t.server, t.table, t.addr = srv, table, pc.LocalAddr().String()
	go func() {
		if err := srv.Serve(pc); err != nil && !errors.Is(err, tftp.ErrServerClosed) {
			adapter.Fault(t.addr, err)
		}
	}()
	adapter.Note(t.addr, trf("serving {{.Root}} (uploads {{.Uploads}})", map[string]any{"Root": root, "Uploads": onOff(srv.AllowUpload)}))
	t.status.ok(trf("Serving {{.Root}} on {{.Addr}}", map[string]any{"Root": root, "Addr": t.addr}))
	t.setRunning(true)
	t.stopUI = every(200*time.Millisecond, t.refresh)
}

func onOff(b bool) string {
	if b {
		return tr("allowed")
	}
	return tr("refused")
}

// logServerEvent writes one line per transfer step to the server log.
func logServerEvent(a *Adapter, ev tftp.Event, packets bool) {
	peer := ev.Transfer.Peer.String()
	verb := "RRQ"
	if ev.Transfer.Direction == tftp.Upload {
		verb = "WRQ"
	}
	switch ev.Kind {
	case tftp.EventStart:
		a.Note(peer, fmt.Sprintf("%s %s (%s)", verb, ev.Transfer.File, ev.Transfer.Mode))
	case tftp.EventOptions:
		a.Note(peer, tr("options: ")+ev.Options.String())
	case tftp.EventPacket:
		if packets {
			a.Note(peer, ev.Packet.String())
		}
	case tftp.EventDone:
		if ev.Err != nil {
			a.Fault(peer, fmt.Errorf("%s %s: %s", verb, ev.Transfer.File, tftpErrorText(ev.Err)))
		} else if ev.Result != nil {
			a.Note(peer, fmt.Sprintf("%s %s: %s in %.2f s (%s/s), SHA-256 %s", verb, ev.Transfer.File, humanSize(ev.Result.Bytes),
				ev.Result.Duration.Seconds(), humanSize(int64(ev.Result.Rate)), ev.Result.SHA256Hex()))
		}
	}
}

func (t *tftpServerTab) refresh() {
	if t.table == nil {
		return
	}
	if rows, totals, changed := t.table.snapshot(); changed {
		t.rows = rows
		t.list.Refresh()
		t.showTotals(totals)
	}
}

// showTotals is the page's counters: the server's own, since the log
// counts only what it records (notes, not the files' bytes).
func (t *tftpServerTab) showTotals(c transferTotals) {
	t.totals.SetText(trf("{{.Running}} running, {{.Done}} finished · sent {{.Sent}} · received {{.Received}}", map[string]any{
		"Running": c.Running, "Done": c.Done, "Sent": humanSize(c.Sent), "Received": humanSize(c.Received)}))
}

func (t *tftpServerTab) setRunning(on bool) {
	for _, w := range []fyne.Disableable{t.root, t.bind, t.port, t.allowUpload, t.overwrite, t.trace} {
		if on {
			w.Disable()
		} else {
			w.Enable()
		}
	}
	if on {
		t.startBtn.SetText(tr("Stop"))
		t.startBtn.SetIcon(theme.MediaStopIcon())
		t.startBtn.Importance = widget.WarningImportance
	} else {
		t.startBtn.SetText(tr("Start"))
		t.startBtn.SetIcon(theme.MediaPlayIcon())
		t.startBtn.Importance = widget.HighImportance
	}
	t.startBtn.Refresh()
}

// stop ends running transfers with an ERROR to their clients.
func (t *tftpServerTab) stop() {
	srv, addr := t.server, t.addr
	t.server = nil
	t.status.info(tr("Stopping…"))
	// No second click until the server has stopped: a Start meanwhile
	// would be reported stopped by this goroutine while it runs.
	t.startBtn.Disable()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err := srv.Shutdown(ctx)
		uiDo(func() {
			t.startBtn.Enable()
			t.stopUI()
			t.refresh()
			t.setRunning(false)
			if err != nil {
				t.status.fail(err)
			} else {
				t.status.info(tr("Stopped"))
			}
			t.log.adapter.Note(addr, tr("stopped"))
		})
	}()
}

func (t *tftpServerTab) shutdown() {
	if t.server != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		t.server.Shutdown(ctx)
		t.server = nil
		t.stopUI()
	}
}
