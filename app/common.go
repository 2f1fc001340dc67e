package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/netdebug/netdebug/netcore/session"
	"github.com/netdebug/netdebug/widgets"
)

// sessionLog is a tab's traffic log: store, view and adapter, with the
// view's settings persisted under the tab's preferences.
type sessionLog struct {
	store   *widgets.LogStore
	view    *widgets.LogView
	adapter *Adapter
}

func (u *appUI) newSessionLog(p prefs) *sessionLog {
	store := widgets.NewLogStore(u.logLimits())
	view := widgets.NewLogView(store)
	view.Files = u.files
	settings := widgets.DefaultLogSettings
	p.load("log", &settings)
	view.ApplySettings(settings)
	view.OnSettingsChanged = func(s widgets.LogSettings) { p.save("log", s) }
	l := &sessionLog{store: store, view: view, adapter: NewAdapter(store, view).Start()}
	u.stores = append(u.stores, store)
	u.onQuit(l.adapter.Stop)
	return l
}

// newSendBox makes a send box whose settings and history persist.
func newSendBox(p prefs) *widgets.SendBox {
	sb := widgets.NewSendBox()
	st := widgets.DefaultSendSettings
	p.load("send", &st)
	sb.ApplySettings(st)
	var hist []widgets.HistoryItem
	if p.load("history", &hist) {
		sb.SetHistory(hist)
	}
	sb.OnSettingsChanged = func(s widgets.SendSettings) { p.save("send", s) }
	sb.OnHistoryChanged = func(h []widgets.HistoryItem) { p.save("history", h) }
	return sb
}

// fileSender is the "Send file…" control: a button, then a progress bar
// with Cancel while the file streams.
type fileSender struct {
	u      *appUI
	button *widget.Button
	bar    *widget.ProgressBar
	cancel *widget.Button
	label  *widget.Label
	box    *fyne.Container
	stop   context.CancelFunc
	// unavailable keeps the button disabled while there is nothing to
	// send to (a stopped server); the end of a transfer leaves it so.
	unavailable bool
	canStart    func() error
	// bind runs on the UI goroutine once a file is chosen: it checks the
	// target again (the peer may have gone while the dialog was open) and
	// returns a send bound to the session of that moment.
	bind func() (fileSend, error)
}

// fileSend streams one file to a target fixed when it was bound.
type fileSend func(ctx context.Context, name string, r io.Reader, size int64, progress session.Progress) (int64, error)

func (u *appUI) newFileSender(canStart func() error, bind func() (fileSend, error)) *fileSender {
	f := &fileSender{u: u, canStart: canStart, bind: bind}
	f.button = widget.NewButtonWithIcon(tr("Send file…"), theme.UploadIcon(), f.pick)
	f.bar = widget.NewProgressBar()
	f.label = widget.NewLabel("")
	f.cancel = widget.NewButtonWithIcon(tr("Cancel"), theme.CancelIcon(), func() {
		if f.stop != nil {
			f.stop()
		}
	})
	progress := container.NewBorder(nil, nil, nil, f.cancel, f.bar)
	progress.Hide()
	f.box = container.NewBorder(nil, nil, f.button, f.label, progress)
	return f
}

// setAvailable enables the button when a file could be sent now and
// disables it when not. A transfer in progress keeps it disabled; when
// the transfer ends the button follows the last availability set.
func (f *fileSender) setAvailable(on bool) {
	f.unavailable = !on
	if on && f.stop == nil {
		f.button.Enable()
	} else if !on {
		f.button.Disable()
	}
}

func (f *fileSender) pick() {
	if err := f.canStart(); err != nil {
		f.label.SetText(err.Error())
		f.label.Importance = widget.DangerImportance
		f.label.Refresh()
		return
	}
	go func() {
		path, err := f.u.files.OpenFile(tr("Send file"))
		if errors.Is(err, widgets.ErrDialogCancelled) {
			return
		}
		if err != nil {
			uiDo(func() { f.done(0, err) })
			return
		}
		file, err := os.Open(path)
		if err != nil {
			uiDo(func() { f.done(0, err) })
			return
		}
		defer file.Close()
		size := int64(-1)
		if st, err := file.Stat(); err == nil {
			size = st.Size()
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		bound := make(chan fileSend, 1)
		uiDo(func() {
			send, err := f.bind()
			if err != nil {
				f.done(0, err)
				bound <- nil
				return
			}
			bound <- send
			f.stop = cancel
			f.button.Disable()
			f.bar.SetValue(0)
			f.bar.Max = 1
			f.box.Objects[0].Show()
			f.label.Importance = widget.MediumImportance
			f.label.SetText(filepath.Base(path))
		})
		send := <-bound
		if send == nil {
			return
		}
		start := time.Now()
		n, err := send(ctx, filepath.Base(path), file, size, func(sent, total int64) {
			uiDo(func() {
				if total > 0 {
					f.bar.SetValue(float64(sent) / float64(total))
				}
				f.label.SetText(fmt.Sprintf("%s · %s / %s", filepath.Base(path), humanSize(sent), humanSize(total)))
			})
		})
		cancel()
		uiDo(func() {
			f.label.SetText(fmt.Sprintf("%s · %s · %s", filepath.Base(path), humanSize(n), rate(n, time.Since(start))))
			f.done(n, err)
		})
	}()
}

func (f *fileSender) done(_ int64, err error) {
	f.stop = nil
	if !f.unavailable {
		f.button.Enable()
	}
	f.box.Objects[0].Hide()
	switch {
	case errors.Is(err, context.Canceled):
		f.label.Importance = widget.WarningImportance
		f.label.SetText(f.label.Text + " · " + tr("cancelled"))
	case err != nil:
		f.label.Importance = widget.DangerImportance
		f.label.SetText(err.Error())
	}
	f.label.Refresh()
}

// captureControl is "Receive to file…": every received byte streams to the
// chosen file, exactly, however many records the log drops.
type captureControl struct {
	u       *appUI
	button  *widget.Button
	label   *widget.Label
	box     *fyne.Container
	capture *session.Capture
	attach  func(*session.Capture)
}

func (u *appUI) newCaptureControl(attach func(*session.Capture)) *captureControl {
	c := &captureControl{u: u, attach: attach}
	c.button = widget.NewButtonWithIcon(tr("Receive to file…"), theme.DownloadIcon(), c.toggle)
	c.label = widget.NewLabel("")
	c.label.Truncation = fyne.TextTruncateEllipsis
	c.box = container.NewBorder(nil, nil, c.button, nil, c.label)
	u.onQuit(c.stop)
	return c
}

func (c *captureControl) toggle() {
	if c.capture != nil {
		c.stop()
		return
	}
	go func() {
		path, err := c.u.files.SaveFile(tr("Receive to file"), "netdebug-capture.bin")
		if errors.Is(err, widgets.ErrDialogCancelled) {
			return
		}
		var capture *session.Capture
		if err == nil {
			capture, err = session.CreateCapture(path)
		}
		uiDo(func() {
			if err != nil {
				c.label.Importance = widget.DangerImportance
				c.label.SetText(err.Error())
				return
			}
			c.capture = capture
			c.attach(capture)
			c.button.SetText(tr("Stop receiving to file"))
			c.button.SetIcon(theme.MediaStopIcon())
			c.label.Importance = widget.MediumImportance
			c.refresh()
		})
	}()
}

// refresh shows the byte count; tabs call it on each flush.
func (c *captureControl) refresh() {
	if c.capture == nil {
		return
	}
	c.label.SetText(trf("writing {{.Path}}: {{.Size}}", map[string]any{"Path": c.capture.Path(), "Size": humanSize(c.capture.Bytes())}))
}

func (c *captureControl) stop() {
	if c.capture == nil {
		return
	}
	c.attach(nil)
	err := c.capture.Close()
	text := trf("saved {{.Size}} to {{.Path}}", map[string]any{"Path": c.capture.Path(), "Size": humanSize(c.capture.Bytes())})
	if err != nil {
		text = err.Error()
		c.label.Importance = widget.DangerImportance
	}
	c.capture = nil
	c.label.SetText(text)
	c.button.SetText(tr("Receive to file…"))
	c.button.SetIcon(theme.DownloadIcon())
}

// statusLabel shows a line of state or an error under a tab's controls.
type statusLabel struct{ *widget.Label }

func newStatusLabel() statusLabel {
	l := widget.NewLabel("")
	l.Wrapping = fyne.TextWrapWord
	return statusLabel{l}
}

func (s statusLabel) info(text string) {
	s.Importance = widget.MediumImportance
	s.SetText(text)
}

func (s statusLabel) ok(text string) {
	s.Importance = widget.SuccessImportance
	s.SetText(text)
}

func (s statusLabel) fail(err error) {
	s.Importance = widget.DangerImportance
	s.SetText(errorText(err))
}

func humanSize(n int64) string {
	if n < 0 {
		return "?"
	}
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

func rate(n int64, d time.Duration) string {
	if d <= 0 {
		return ""
	}
	return humanSize(int64(float64(n)/d.Seconds())) + "/s"
}

// optionsRoom is the most height an expanded Options block takes; past
// it the block scrolls, so the log keeps rows in a 600 px window.
const optionsRoom = 80

// sessionPage lays out a session tab: rows (the target) at the top, the
// Options accordion under them, then the log (center) above the send area
// (bottom) with a divider between them. At 1024×600 the send area scrolls
// rather than squeeze the log to a row or push controls off the window.
func sessionPage(rows, options, center, bottom fyne.CanvasObject) fyne.CanvasObject {
	acc := widget.NewAccordion(widget.NewAccordionItem(tr("Options"), widgets.CappedScroll(options, optionsRoom)))
	upper := container.NewBorder(acc, nil, nil, nil, center)
	return container.NewBorder(rows, nil, nil, nil, widgets.NewSendSplit(upper, bottom).Content())
}

// labeled puts a label before an object.
func labeled(text string, o fyne.CanvasObject) fyne.CanvasObject {
	return container.NewBorder(nil, nil, widget.NewLabel(text), nil, o)
}

// fixedWidth gives an entry a sensible width in an HBox.
func fixedWidth(o fyne.CanvasObject, w float32) fyne.CanvasObject {
	return container.NewGridWrap(fyne.NewSize(w, o.MinSize().Height), o)
}

// every runs f on the UI goroutine at each interval until the returned
// stop function is called. Tabs use it for lists that must stay current
// when no traffic makes the log flush.
func every(interval time.Duration, f func()) (stop func()) {
	done := make(chan struct{})
	go func() {
		tk := time.NewTicker(interval)
		defer tk.Stop()
		for {
			select {
			case <-done:
				return
			case <-tk.C:
				uiDo(f)
			}
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { close(done) }) }
}
