package widgets

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// TransferProgress shows a transfer: a bar that fills when the size is
// known and turns indeterminate when it is not, and a line with percent,
// bytes, rate and time left. Call its methods on the UI goroutine, a few
// times a second at most (the TFTP tab batches engine events for it).
type TransferProgress struct {
	widget.BaseWidget

	bar     *widget.ProgressBar
	spinner *widget.ProgressBarInfinite
	// track stands in for the bar while idle: Fyne's empty bar is a
	// solid tint of the primary colour, which reads as a full one.
	track *canvas.Rectangle
	label *widget.Label
	stack *fyne.Container
	idle  bool
}

// NewTransferProgress starts idle: a grey track and "No transfer yet".
func NewTransferProgress() *TransferProgress {
	p := &TransferProgress{bar: widget.NewProgressBar(), spinner: widget.NewProgressBarInfinite(), label: widget.NewLabel("")}
	p.bar.TextFormatter = func() string { return "" }
	p.spinner.Hide()
	p.spinner.Stop()
	p.track = canvas.NewRectangle(theme.Color(theme.ColorNameDisabledButton))
	p.track.CornerRadius = theme.InputRadiusSize()
	p.track.SetMinSize(p.bar.MinSize()) // the same height idle or not
	p.stack = container.NewStack(p.track, p.bar, p.spinner)
	p.ExtendBaseWidget(p)
	p.Reset()
	return p
}

// CreateRenderer stacks the bar over the text line.
func (p *TransferProgress) CreateRenderer() fyne.WidgetRenderer {
	return &progressRenderer{WidgetRenderer: widget.NewSimpleRenderer(container.NewVBox(p.stack, p.label)), p: p}
}

// progressRenderer keeps the idle track in the theme's colours.
type progressRenderer struct {
	fyne.WidgetRenderer
	p *TransferProgress
}

func (r *progressRenderer) Refresh() {
	th := r.p.Theme()
	r.p.track.FillColor = th.Color(theme.ColorNameDisabledButton, fyne.CurrentApp().Settings().ThemeVariant())
	r.p.track.CornerRadius = th.Size(theme.SizeNameInputRadius)
	r.p.track.Refresh()
	r.WidgetRenderer.Refresh()
}

// Idle reports whether no transfer has been shown since the last Reset.
func (p *TransferProgress) Idle() bool { return p.idle }

func (p *TransferProgress) active() {
	if p.idle {
		p.idle = false
		p.label.Importance = widget.MediumImportance
		p.bar.Show()
	}
}

// Set shows bytes of total (total < 0: unknown), the rate in bytes per
// second and the time left (eta < 0: unknown).
func (p *TransferProgress) Set(bytes, total int64, rate float64, eta time.Duration) {
	p.active()
	if total > 0 {
		if p.spinner.Visible() {
			p.spinner.Stop()
			p.spinner.Hide()
			p.bar.Show()
		}
		p.bar.SetValue(min(float64(bytes)/float64(total), 1))
	} else if !p.spinner.Visible() {
		p.bar.Hide()
		p.spinner.Show()
		p.spinner.Start()
	}
	p.label.SetText(ProgressText(bytes, total, rate, eta))
}

// Finish stops the bar at full (or where it got to, when ok is false) and
// shows text.
func (p *TransferProgress) Finish(ok bool, text string) {
	p.active()
	if p.spinner.Visible() {
		p.spinner.Stop()
		p.spinner.Hide()
		p.bar.Show()
	}
	if ok {
		p.bar.SetValue(1)
	}
	p.label.SetText(text)
}

// Reset goes back to idle: the grey track and "No transfer yet".
func (p *TransferProgress) Reset() {
	p.spinner.Stop()
	p.spinner.Hide()
	p.bar.SetValue(0)
	p.bar.Hide()
	p.idle = true
	p.label.Importance = widget.LowImportance
	p.label.SetText(lang.L("No transfer yet"))
}

// Text is the line under the bar.
func (p *TransferProgress) Text() string { return p.label.Text }

// Value is the bar's fill, 0 to 1, or -1 while it is indeterminate.
func (p *TransferProgress) Value() float64 {
	if p.spinner.Visible() {
		return -1
	}
	return p.bar.Value
}

// ProgressText is "45% · 22.5 MiB of 50.0 MiB · 85.3 MiB/s · 0:01 left",
// leaving out what is unknown.
func ProgressText(bytes, total int64, rate float64, eta time.Duration) string {
	s := ""
	if total > 0 {
		s = fmt.Sprintf("%d%% · %s %s %s", int(float64(bytes)*100/float64(total)), humanBytes(uint64(bytes)), lang.L("of"), humanBytes(uint64(total)))
	} else {
		s = humanBytes(uint64(bytes))
	}
	if rate > 0 {
		s += " · " + humanBytes(uint64(rate)) + "/s"
	}
	if eta >= 0 && total > 0 {
		eta = eta.Round(time.Second)
		s += " · " + lang.L("{{.Time}} left", map[string]any{"Time": fmt.Sprintf("%d:%02d", int(eta.Minutes()), int(eta.Seconds())%60)})
	}
	return s
}
