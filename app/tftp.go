package main

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/netdebug/netdebug/netcore/session"
	"github.com/netdebug/netdebug/netcore/tftp"
	"github.com/netdebug/netdebug/widgets"
)

func init() { registerTab(50, (*appUI).newTFTPTab) }

// tftpTab downloads files from a device and uploads firmware to it.
type tftpTab struct {
	u *appUI
	p prefs

	host, port, remote, local *widget.Entry
	mode                      *widget.Select
	blksize, window, timeout  *widget.Entry
	retries                   *widget.Entry
	tsize, noOptions, trace   *widget.Check
	download, upload, cancel  *widget.Button
	progress                  *widgets.TransferProgress
	status                    statusLabel
	negotiated, result        *widget.Label
	copySum                   *widget.Button
	packets                   *widget.List
	packetWheel               *wheelRows
	packetBox                 *fyne.Container
	// followPackets keeps the newest packet in view while a transfer runs,
	// until the user scrolls away from the end.
	followPackets bool
	recentList    *widget.List

	stop    context.CancelFunc
	ended   chan struct{} // closed when the running transfer has cleaned up
	stopUI  func()
	live    *tftpLive
	lines   []string
	recent  []recentTransfer
	lastSum string
}

// recentTransfer is one line of the recent-transfers list (persisted).
type recentTransfer struct {
	When   time.Time `json:"when"`
	Dir    string    `json:"dir"`
	Server string    `json:"server"`
	Remote string    `json:"remote"`
	Local  string    `json:"local"`
	Bytes  int64     `json:"bytes"`
	Secs   float64   `json:"secs"`
	Error  string    `json:"error,omitempty"`
}

// tftpLive collects engine events on the transfer goroutine; the UI reads
// it a few times a second.
type tftpLive struct {
	mu       sync.Mutex
	progress tftp.Progress
	options  *tftp.Negotiated
	packets  []tftp.PacketRecord
	dirty    bool
}

const maxTracePackets = 2000

func (l *tftpLive) event(ev tftp.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch ev.Kind {
	case tftp.EventProgress, tftp.EventRetransmit, tftp.EventDone:
		l.progress = ev.Progress
	case tftp.EventOptions:
		o := ev.Options
		l.options = &o
	case tftp.EventPacket:
		if len(l.packets) < maxTracePackets {
			l.packets = append(l.packets, ev.Packet)
		}
	}
	l.dirty = true
}

func (u *appUI) newTFTPTab() tab {
	t := &tftpTab{u: u, p: newPrefs(u.app, "tftp")}
	u.tftpClient = t
	entry := func(key, def, placeholder string) *widget.Entry {
		e := widget.NewEntry()
		e.SetPlaceHolder(placeholder)
		e.SetText(t.p.str(key, def))
		return e
	}
	// No made-up server as a value: the example is a placeholder.
	t.host = entry("host", "", tr("server host name or IP, e.g. 192.168.1.10"))
	t.port = entry("port", "69", "69")
	t.remote = entry("remote", "", tr("file on the server, e.g. firmware.bin"))
	t.local = entry("local", "", tr("local file (empty: the remote name in your Downloads folder)"))
	t.mode = newSelect([]string{string(tftp.ModeOctet), string(tftp.ModeNetASCII)}, func(s string) { t.p.setStr("mode", s) })
	t.mode.SetSelected(t.p.str("mode", string(tftp.ModeOctet)))
	t.blksize = entry("blksize", strconv.Itoa(tftp.DefaultClientBlockSize), "8–65464")
	t.window = entry("window", "8", "1–65535")
	t.timeout = entry("timeout", "0", tr("0 = adaptive"))
	t.retries = entry("retries", "5", "")
	t.tsize = widget.NewCheck(tr("Ask for the size (tsize)"), func(on bool) { t.p.setBool("tsize", on) })
	t.tsize.SetChecked(t.p.boolean("tsize", true))
	t.noOptions = widget.NewCheck(tr("No options (plain RFC 1350)"), func(on bool) { t.p.setBool("noOptions", on) })
	t.noOptions.SetChecked(t.p.boolean("noOptions", false))
	t.trace = widget.NewCheck(tr("Show packets"), func(on bool) {
		t.p.setBool("trace", on)
		if on {
			t.packetBox.Show()
		} else {
			t.packetBox.Hide()
		}
	})

	t.download = widget.NewButtonWithIcon(tr("Download"), theme.DownloadIcon(), func() { t.start(tftp.Download, false) })
	t.download.Importance = widget.HighImportance
	t.upload = widget.NewButtonWithIcon(tr("Upload"), theme.UploadIcon(), func() { t.start(tftp.Upload, false) })
	t.cancel = widget.NewButtonWithIcon(tr("Cancel"), theme.CancelIcon(), func() {
		if t.stop != nil {
			t.stop()
		}
	})
	t.cancel.Disable()
	var browse *widget.Button
	browse = widget.NewButtonWithIcon(tr("Browse…"), theme.FolderOpenIcon(), func() {
		// A download needs a save dialog, an upload an open dialog (a
		// save dialog would ask to replace the file being uploaded).
		menu := fyne.NewMenu("",
			fyne.NewMenuItem(tr("Save the download as…"), t.browseSave),
			fyne.NewMenuItem(tr("Choose a file to upload…"), t.browseOpen),
		)
		widget.ShowPopUpMenuAtRelativePosition(menu, u.win.Canvas(), fyne.NewPos(0, browse.Size().Height), browse)
	})

	t.progress = widgets.NewTransferProgress()
	t.status = newStatusLabel()
	t.negotiated = widget.NewLabel("")
	t.result = widget.NewLabel("")
	t.result.Wrapping = fyne.TextWrapBreak
	t.result.Selectable = true
	t.copySum = widget.NewButtonWithIcon(tr("Copy SHA-256"), theme.ContentCopyIcon(), func() { u.app.Clipboard().SetContent(t.lastSum) })
	t.copySum.Hide()

	// Rows are bare text, a line each, so the list shows many packets.
	t.packets = widget.NewList(func() int { return len(t.lines) }, func() fyne.CanvasObject {
		l := canvas.NewText("", theme.Color(theme.ColorNameForeground))
		l.TextStyle = fyne.TextStyle{Monospace: true}
		return l
	}, func(id widget.ListItemID, o fyne.CanvasObject) {
		if id < len(t.lines) {
			l := o.(*canvas.Text)
			l.Text, l.Color = t.lines[id], theme.Color(theme.ColorNameForeground)
			l.Refresh()
		}
	})
	t.packetWheel = newWheelRows(t.packets, func(atEnd bool) { t.followPackets = atEnd })
	t.packetBox = container.NewBorder(widget.NewLabelWithStyle(tr("Packets"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), nil, nil, nil,
		container.NewStack(t.packets, t.packetWheel))
	t.packetBox.Hide()
	t.trace.SetChecked(t.p.boolean("trace", false))

	t.p.load("recent", &t.recent)
	t.recentList = widget.NewList(func() int { return len(t.recent) }, func() fyne.CanvasObject {
		l := widget.NewLabel("")
		l.Truncation = fyne.TextTruncateEllipsis
		return l
	}, func(id widget.ListItemID, o fyne.CanvasObject) {
		if id < len(t.recent) {
			o.(*widget.Label).SetText(t.recent[id].text())
		}
	})
	t.recentList.OnSelected = func(id widget.ListItemID) {
		if id < len(t.recent) {
			r := t.recent[id]
			if h, p, err := splitServer(r.Server); err == nil {
				t.host.SetText(h)
				t.port.SetText(p)
			}
			t.remote.SetText(r.Remote)
			t.local.SetText(r.Local)
		}
		t.recentList.UnselectAll()
	}
	u.onQuit(func() {
		if t.stop != nil {
			// Cancel, then wait for the engine to remove its temporary
			// file: the process ends soon after the quit hooks.
			t.stop()
			select {
			case <-t.ended:
			case <-time.After(5 * time.Second):
			}
		}
	})

	form := container.New(layout.NewFormLayout(),
		widget.NewLabel(tr("Server")), container.NewBorder(nil, nil, nil,
			container.NewHBox(widget.NewLabel(tr("Port")), fixedWidth(t.port, 80), widget.NewLabel(tr("Mode")), widgets.FitOptions(t.mode)), t.host),
		widget.NewLabel(tr("Remote file")), t.remote,
		widget.NewLabel(tr("Local file")), container.NewBorder(nil, nil, nil, browse, t.local),
	)
	options := container.NewVBox(
		container.NewHBox(widget.NewLabel("blksize"), fixedWidth(t.blksize, 90), widget.NewLabel("windowsize"), fixedWidth(t.window, 80),
			widget.NewLabel(tr("timeout (s)")), fixedWidth(t.timeout, 110), widget.NewLabel(tr("retries")), fixedWidth(t.retries, 60)),
		container.NewHBox(t.tsize, t.noOptions),
	)
	buttons := container.NewHBox(t.download, t.upload, t.cancel, t.trace)
	top := container.NewVBox(form, widget.NewAccordion(widget.NewAccordionItem(tr("Options"), options)), buttons, t.progress, t.status.Label,
		t.negotiated, container.NewBorder(nil, nil, nil, t.copySum, t.result))
	recent := container.NewBorder(widget.NewLabelWithStyle(tr("Recent transfers"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), nil, nil, nil, t.recentList)
	body := container.NewVSplit(container.NewStack(t.packetBox), recent)
	body.Offset = 0.75 // the packets need the room; recent transfers are a few lines
	// In a small window the controls scroll above the packets and the
	// recent transfers rather than push them off the bottom.
	return tab{name: tr("TFTP Client"), icon: theme.DownloadIcon(), content: widgets.NewTopSplit(top, body, 60).Content()}
}

func (r recentTransfer) text() string {
	arrow := "↓"
	if r.Dir == "upload" {
		arrow = "↑"
	}
	s := fmt.Sprintf("%s %s %s %s → %s", r.When.Format("01-02 15:04"), arrow, r.Server, r.Remote, r.Local)
	if r.Dir == "upload" {
		s = fmt.Sprintf("%s %s %s → %s %s", r.When.Format("01-02 15:04"), arrow, r.Local, r.Server, r.Remote)
	}
	if r.Error != "" {
		return s + "  ✗ " + r.Error
	}
	return fmt.Sprintf("%s  %s in %.2f s", s, humanSize(r.Bytes), r.Secs)
}

func splitServer(s string) (string, string, error) {
	h, p, err := session.SplitTarget(s, 69, false)
	return h, strconv.Itoa(p), err
}

// browseSave picks where a download goes with the native save dialog,
// suggesting the remote file's name.
func (t *tftpTab) browseSave() {
	name, _ := tftp.LocalName(t.remote.Text)
	t.pickLocal(func() (string, error) { return t.u.files.SaveFile(tr("Local file"), name) })
}

// browseOpen picks an existing file to upload with the native open dialog.
func (t *tftpTab) browseOpen() {
	t.pickLocal(func() (string, error) { return t.u.files.OpenFile(tr("Local file")) })
}

// pickLocal runs a native dialog off the UI goroutine and puts the chosen
// path in the local file field.
func (t *tftpTab) pickLocal(dialog func() (string, error)) {
	go func() {
		path, err := dialog()
		if err != nil {
			if !errors.Is(err, widgets.ErrDialogCancelled) {
				uiDo(func() { t.status.fail(err) })
			}
			return
		}
		uiDo(func() { t.local.SetText(path) })
	}()
}

// client builds an engine client from the form; errors name the field.
func (t *tftpTab) client() (*tftp.Client, string, error) {
	host := strings.TrimSpace(t.host.Text)
	addr, err := session.JoinHostPort(host, t.port.Text, false)
	if err != nil {
		return nil, "", err
	}
	c := tftp.NewClient(addr)
	mode, err := tftp.ParseMode(t.mode.Selected)
	if err != nil {
		return nil, "", err
	}
	c.Mode = mode
	num := func(e *widget.Entry, what string, lo, hi int) (int, error) {
		n, err := strconv.Atoi(strings.TrimSpace(e.Text))
		if err != nil || n < lo || n > hi {
			return 0, textErr(trf("{{.What}} must be a whole number from {{.Lo}} to {{.Hi}}", map[string]any{"What": what, "Lo": lo, "Hi": hi}))
		}
		return n, nil
	}
	retries, err := num(t.retries, tr("Retries"), 1, 100)
	if err != nil {
		return nil, "", err
	}
	c.Retries = retries
	if t.noOptions.Checked {
		c.Options = tftp.Options{}
	} else {
		bs, err := num(t.blksize, "blksize", 8, 65464)
		if err != nil {
			return nil, "", err
		}
		ws, err := num(t.window, "windowsize", 1, 65535)
		if err != nil {
			return nil, "", err
		}
		to, err := num(t.timeout, tr("Timeout"), 0, 255)
		if err != nil {
			return nil, "", err
		}
		c.Options = tftp.Options{BlockSize: bs, WindowSize: ws, Timeout: time.Duration(to) * time.Second, TSize: t.tsize.Checked}
	}
	if t.trace.Checked {
		c.TraceLimit = maxTracePackets / 2
	}
	return c, addr, nil
}

// start begins a download or upload; overwrite is set when the user has
// agreed to replace an existing local file.
func (t *tftpTab) start(dir tftp.Direction, overwrite bool) {
	if t.stop != nil {
		return
	}
	c, addr, err := t.client()
	if err != nil {
		t.status.fail(err)
		return
	}
	remote := strings.TrimSpace(t.remote.Text)
	local := strings.TrimSpace(t.local.Text)
	if dir == tftp.Download && remote == "" {
		t.status.fail(textErr(tr("Type the name of the file on the server")))
		return
	}
	if dir == tftp.Upload {
		if local == "" {
			t.status.fail(textErr(tr("Choose the local file to upload")))
			return
		}
		if st, err := os.Stat(local); err != nil || st.IsDir() {
			t.status.fail(textErr(trf("{{.Path}} is not a file that can be read", map[string]any{"Path": local})))
			return
		}
		if remote == "" {
			remote = filepath.Base(local)
			t.remote.SetText(remote)
		}
	}
	folder, name, target := "", "", local
	if dir == tftp.Download {
		if local == "" {
			if folder, err = downloadsDir(); err != nil {
				t.status.fail(err)
				return
			}
			n, _ := tftp.LocalName(remote)
			target = filepath.Join(folder, n)
		} else {
			folder, name = filepath.Dir(local), filepath.Base(local)
		}
	}
	for key, e := range map[string]*widget.Entry{"host": t.host, "port": t.port, "remote": t.remote, "local": t.local,
		"blksize": t.blksize, "window": t.window, "timeout": t.timeout, "retries": t.retries} {
		t.p.setStr(key, strings.TrimSpace(e.Text))
	}

	live := &tftpLive{}
	c.OnEvent = live.event
	t.live, t.lines, t.followPackets = live, nil, true
	t.packets.Refresh()
	t.packets.ScrollToTop()
	ctx, cancel := context.WithCancel(context.Background())
	t.stop = cancel
	t.download.Disable()
	t.upload.Disable()
	t.cancel.Enable()
	t.progress.Reset()
	t.negotiated.SetText("")
	t.result.SetText("")
	t.copySum.Hide()
	verb := tr("Downloading")
	if dir == tftp.Upload {
		verb = tr("Uploading")
	}
	if dir == tftp.Download {
		// Say where it goes, above all when the user did not choose.
		t.status.info(trf("Downloading {{.File}} to {{.Path}} …", map[string]any{"File": remote, "Path": target}))
	} else {
		t.status.info(fmt.Sprintf("%s %s …", verb, remote))
	}
	t.stopUI = every(150*time.Millisecond, t.refreshLive)
	ended := make(chan struct{})
	t.ended = ended
	go func() {
		var res *tftp.Result
		var path string
		var err error
		if dir == tftp.Download {
			path, res, err = tftp.DownloadFile(ctx, c, remote, folder, name, overwrite)
		} else {
			path = local
			res, err = tftp.UploadFile(ctx, c, local, remote)
		}
		cancel()
		close(ended) // the temporary file is gone or renamed by now
		if path == "" {
			path = target // cancelled or failed: where it was going
		}
		uiDo(func() { t.finish(dir, addr, remote, path, res, err) })
	}()
}

// refreshLive moves the latest engine state onto the widgets.
func (t *tftpTab) refreshLive() {
	l := t.live
	if l == nil {
		return
	}
	l.mu.Lock()
	if !l.dirty {
		l.mu.Unlock()
		return
	}
	l.dirty = false
	pr := l.progress
	opts := l.options
	var fresh []tftp.PacketRecord
	if len(l.packets) > len(t.lines) {
		fresh = append(fresh, l.packets[len(t.lines):]...)
	}
	l.mu.Unlock()
	t.progress.Set(pr.Bytes, pr.Total, pr.Rate, pr.ETA)
	if opts != nil {
		t.negotiated.SetText(tr("Options: ") + opts.String())
	}
	if len(fresh) > 0 {
		for _, p := range fresh {
			t.lines = append(t.lines, p.String())
		}
		t.packets.Refresh()
		if t.followPackets {
			t.packets.ScrollToBottom()
		}
	}
}

func (t *tftpTab) finish(dir tftp.Direction, server, remote, path string, res *tftp.Result, err error) {
	t.refreshLive()
	t.stopUI()
	t.stop = nil
	t.download.Enable()
	t.upload.Enable()
	t.cancel.Disable()
	if dir == tftp.Download && errors.Is(err, tftp.ErrLocalExists) {
		t.progress.Reset()
		t.status.info(tr("The local file exists"))
		dialog.ShowConfirm(tr("Replace the file?"),
			trf("{{.Path}} already exists. Replace it with the downloaded file?", map[string]any{"Path": path}),
			func(yes bool) {
				if yes {
					t.start(dir, true)
				} else {
					t.status.info(tr("Not downloaded: the local file was kept"))
				}
			}, t.u.win)
		return
	}
	rec := recentTransfer{When: time.Now(), Dir: "download", Server: server, Remote: remote, Local: path}
	if dir == tftp.Upload {
		rec.Dir = "upload"
	}
	if res != nil {
		rec.Bytes, rec.Secs = res.Bytes, res.Duration.Seconds()
		if t.trace.Checked && len(res.Trace) > 0 {
			t.lines = t.lines[:0]
			for i, p := range res.Trace {
				if res.TraceOmitted > 0 && i == len(res.Trace)/2 {
					t.lines = append(t.lines, trf("… {{.N}} packets not kept …", map[string]any{"N": res.TraceOmitted}))
				}
				t.lines = append(t.lines, p.String())
			}
			// The full trace replaces the live one: it opens at the start
			// (the request and the options).
			t.followPackets = false
			t.packets.Refresh()
			t.packets.ScrollToTop()
		}
	}
	switch {
	case err == nil:
		t.progress.Finish(true, widgets.ProgressText(res.Bytes, res.Bytes, res.Rate, -1))
		t.status.ok(trf("Done: {{.Path}}", map[string]any{"Path": path}))
		t.lastSum = res.SHA256Hex()
		t.result.SetText(trf("{{.Bytes}} in {{.Secs}} s, {{.Rate}} on average, {{.Retrans}} retransmits. SHA-256 {{.Sum}}", map[string]any{
			"Bytes": humanSize(res.Bytes), "Secs": fmt.Sprintf("%.2f", res.Duration.Seconds()), "Rate": humanSize(int64(res.Rate)) + "/s",
			"Retrans": res.Stats.Retransmits, "Sum": t.lastSum}))
		t.copySum.Show()
	case errors.Is(err, context.Canceled), errors.Is(err, tftp.ErrCancelled):
		t.progress.Finish(false, tr("cancelled"))
		if dir == tftp.Download {
			t.status.info(tr("Cancelled; the server was told and no partial file was kept"))
		} else {
			// Whether the server keeps what it received is up to the server.
			t.status.info(tr("Cancelled; the server was told to stop (it may keep what it received)"))
		}
		rec.Error = tr("cancelled")
	default:
		t.progress.Finish(false, "")
		t.status.fail(textErr(tftpErrorText(err)))
		rec.Error = tftpErrorText(err)
	}
	t.remember(rec)
}

// maxRecent is how many transfers Recent transfers keeps.
const maxRecent = 20

// remember puts rec first in Recent transfers, keeping the last maxRecent,
// and saves the list.
func (t *tftpTab) remember(rec recentTransfer) {
	t.recent = append([]recentTransfer{rec}, t.recent...)
	if len(t.recent) > maxRecent {
		t.recent = t.recent[:maxRecent]
	}
	t.p.save("recent", t.recent)
	t.recentList.Refresh()
}

// tftpErrorText puts the server's own message first when it sent one.
func tftpErrorText(err error) string {
	var re *tftp.RemoteError
	if errors.As(err, &re) {
		return trf("The server answered with an error: {{.Message}} (TFTP error {{.Code}})", map[string]any{"Message": re.Message, "Code": int(re.Code)})
	}
	if errors.Is(err, tftp.ErrTimeout) {
		return tr("The server stopped answering: ") + err.Error()
	}
	return errorText(err)
}

// downloadsDir is the system's Downloads folder, created when missing: on
// Linux and the BSDs the XDG user directory ($XDG_DOWNLOAD_DIR, else the
// XDG_DOWNLOAD_DIR line of user-dirs.dirs), elsewhere and failing that
// ~/Downloads.
func downloadsDir() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", textErr(tr("Cannot find your home folder: choose the local file"))
	}
	dir := filepath.Join(home, "Downloads")
	if runtime.GOOS != "windows" && runtime.GOOS != "darwin" {
		if x := xdgDownloadDir(home); x != "" {
			dir = x
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", textErr(trf("Cannot create the Downloads folder {{.Path}}: choose the local file", map[string]any{"Path": dir}))
	}
	return dir, nil
}

// xdgDownloadDir reads the XDG download directory as xdg-user-dirs writes
// it: XDG_DOWNLOAD_DIR="$HOME/Downloads". "" when it is not set, or is the
// home folder itself (which xdg-user-dirs uses for "disabled").
func xdgDownloadDir(home string) string {
	expand := func(v string) string {
		v = strings.Trim(strings.TrimSpace(v), `"`)
		switch {
		case v == "$HOME" || v == "":
			return ""
		case strings.HasPrefix(v, "$HOME/"):
			return filepath.Join(home, v[len("$HOME/"):])
		case filepath.IsAbs(v):
			return filepath.Clean(v)
		}
		return ""
	}
	if v := expand(os.Getenv("XDG_DOWNLOAD_DIR")); v != "" {
		return v
	}
	cfg := os.Getenv("XDG_CONFIG_HOME")
	if cfg == "" {
		cfg = filepath.Join(home, ".config")
	}
	b, err := os.ReadFile(filepath.Join(cfg, "user-dirs.dirs"))
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), "="); ok && k == "XDG_DOWNLOAD_DIR" {
			return expand(v)
		}
	}
	return ""
}

// wheelRows lies over a list and makes a wheel notch scroll three rows
// (Fyne scrolls a list by 25 pixels, under one row). It takes only wheel
// events: taps and drags reach the list. onScroll learns whether the user
// left the view at the end.
type wheelRows struct {
	widget.BaseWidget
	list     *widget.List
	onScroll func(atEnd bool)
}

func newWheelRows(list *widget.List, onScroll func(atEnd bool)) *wheelRows {
	w := &wheelRows{list: list, onScroll: onScroll}
	w.ExtendBaseWidget(w)
	return w
}

// rowsPerNotch is how far one wheel notch goes.
const rowsPerNotch = 3

// notchPixels is the delta Fyne's desktop driver gives for one notch.
const notchPixels = 25

func (w *wheelRows) Scrolled(ev *fyne.ScrollEvent) {
	row := w.list.CreateItem().MinSize().Height + theme.Padding()
	off := w.list.GetScrollOffset() - ev.Scrolled.DY/notchPixels*rowsPerNotch*row
	w.list.ScrollToOffset(max(off, 0))
	if w.onScroll != nil {
		w.onScroll(w.atEnd())
	}
}

// atEnd reports whether the last row is in view.
func (w *wheelRows) atEnd() bool {
	n := w.list.Length()
	if n == 0 {
		return true
	}
	row := w.list.CreateItem().MinSize().Height + theme.Padding()
	return w.list.GetScrollOffset()+w.list.Size().Height >= float32(n)*row-row/2
}

func (w *wheelRows) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(canvas.NewRectangle(color.Transparent))
}
