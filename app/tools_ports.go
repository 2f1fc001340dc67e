package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/netdebug/netdebug/netcore/netinfo"
)

// portTool is "Port check": is a TCP port, or a range of them, open on the
// one host typed?
type portTool struct {
	t        *toolsTab
	host     *widget.Entry
	ports    *widget.Entry
	timeout  *widget.Entry
	workers  *widget.Entry
	openOnly *widget.Check
	button   *widget.Button
	bar      *widget.ProgressBar
	table    *toolTable
	status   statusLabel
	copier   *toolCopier
	content  fyne.CanvasObject

	check   netinfo.PortCheck
	checked bool
	stop    context.CancelFunc
	// progressEvery is how often the progress bar moves; a variable for tests.
	progressEvery time.Duration
}

const maxPortWorkers = 1024

func (t *toolsTab) newPortTool() *portTool {
	pt := &portTool{t: t, status: newStatusLabel(), progressEvery: 100 * time.Millisecond}
	pt.copier = t.newCopier(func() string { return pt.check.Text() })
	pt.table = newToolTable([]string{tr("Port"), tr("State"), tr("Time"), tr("Service"), tr("Detail")}, pt.copier.copy)
	pt.host = widget.NewEntry()
	pt.host.SetPlaceHolder(tr("host name or IP"))
	pt.host.SetText(t.p.str(prefToolsPortHost, "127.0.0.1"))
	pt.ports = widget.NewEntry()
	pt.ports.SetPlaceHolder(tr("80, 1-1024 or 22,80,443"))
	pt.ports.SetText(t.p.str(prefToolsPorts, "22,80,443"))
	pt.timeout = widget.NewEntry()
	pt.timeout.SetText(t.p.str(prefToolsPortSecs, "2"))
	pt.workers = widget.NewEntry()
	pt.workers.SetText(t.p.str(prefToolsPortWorkers, strconv.Itoa(netinfo.DefaultPortConcurrency)))
	for _, e := range []*widget.Entry{pt.host, pt.ports, pt.timeout, pt.workers} {
		e.OnSubmitted = func(string) { pt.toggle() }
	}
	pt.openOnly = widget.NewCheck(tr("Open ports only"), func(on bool) {
		t.p.setBool(prefToolsPortOpen, on)
		pt.showRows()
	})
	pt.openOnly.SetChecked(t.p.boolean(prefToolsPortOpen, false))
	pt.button = widget.NewButtonWithIcon(tr("Check"), theme.MediaPlayIcon(), pt.toggle)
	pt.button.Importance = widget.HighImportance
	pt.bar = widget.NewProgressBar()
	pt.bar.Hide()

	row1 := container.NewBorder(nil, nil, widget.NewLabel(tr("Host")),
		container.NewHBox(widget.NewLabel(tr("Ports")), fixedWidth(pt.ports, 200), pt.button),
		pt.host)
	row2 := container.NewHBox(
		widget.NewLabel(tr("Timeout per port (s)")), fixedWidth(pt.timeout, 60),
		widget.NewLabel(tr("Connects at once")), fixedWidth(pt.workers, 70),
		pt.openOnly)
	top := container.NewVBox(row1, row2,
		toolHint(tr("A TCP connect to each port of this one host: open (it accepted), closed (it refused), filtered (no answer before the timeout). Nothing is sent to any other host. Ports 0-1023 are well-known, 1024-49151 registered, 49152-65535 dynamic.")),
		pt.bar)
	pt.content = toolPage(top, pt.status, pt.table.table, pt.copier.bar())
	pt.status.info(tr("Type a host and ports, then Check."))
	return pt
}

func (pt *portTool) toggle() {
	if pt.stop != nil {
		pt.stop()
		return
	}
	pt.start()
}

func (pt *portTool) cancel() {
	if pt.stop != nil {
		pt.stop()
	}
}

// portWorkers reads the concurrency field.
func portWorkers(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 1 || n > maxPortWorkers {
		return 0, errors.New(trf("Connects at once must be a whole number from 1 to {{.Max}}", map[string]any{"Max": maxPortWorkers}))
	}
	return n, nil
}

func (pt *portTool) start() {
	host := strings.TrimSpace(pt.host.Text)
	if host == "" {
		pt.status.fail(errors.New(tr("Type the host to check")))
		return
	}
	ports, err := netinfo.ParsePorts(pt.ports.Text)
	if err != nil {
		pt.status.fail(err)
		return
	}
	timeout, err := toolSeconds(pt.timeout.Text, 0.05, 60)
	if err != nil {
		pt.status.fail(err)
		return
	}
	workers, err := portWorkers(pt.workers.Text)
	if err != nil {
		pt.status.fail(err)
		return
	}
	pt.t.p.setStr(prefToolsPortHost, host)
	pt.t.p.setStr(prefToolsPorts, strings.TrimSpace(pt.ports.Text))
	pt.t.p.setStr(prefToolsPortSecs, strings.TrimSpace(pt.timeout.Text))
	pt.t.p.setStr(prefToolsPortWorkers, strings.TrimSpace(pt.workers.Text))

	// The checker reports each port from its goroutines; the bar follows a
	// counter a few times a second instead.
	var done atomic.Int64
	checker := &netinfo.PortChecker{Timeout: timeout, Concurrency: workers, Progress: func(d, _ int) { done.Store(int64(d)) }}
	ctx, cancel := context.WithCancel(context.Background())
	pt.stop = cancel
	pt.button.SetText(tr("Cancel"))
	pt.button.SetIcon(theme.CancelIcon())
	// Old answers go: they were for another host or other ports.
	pt.check, pt.checked = netinfo.PortCheck{}, false
	pt.table.setRows(nil, nil)
	pt.copier.enable(false)
	pt.bar.Max = float64(len(ports))
	pt.bar.SetValue(0)
	if len(ports) > 1 {
		pt.bar.Show()
	}
	pt.status.info(trf("Checking {{.Count}} ports on {{.Host}}…", map[string]any{"Count": len(ports), "Host": host}))
	finished := make(chan struct{})
	go func() {
		tick := time.NewTicker(pt.progressEvery)
		defer tick.Stop()
		for {
			select {
			case <-finished:
				return
			case <-tick.C:
				d := done.Load()
				uiDo(func() {
					if pt.stop != nil {
						pt.bar.SetValue(float64(d))
					}
				})
			}
		}
	}()
	go func() {
		res, err := checker.Check(ctx, host, ports)
		close(finished)
		cancel()
		uiDo(func() { pt.done(res, err) })
	}()
}

func (pt *portTool) done(res netinfo.PortCheck, err error) {
	pt.stop = nil
	pt.button.SetText(tr("Check"))
	pt.button.SetIcon(theme.MediaPlayIcon())
	pt.bar.Hide()
	if err != nil && !res.Cancelled {
		pt.status.fail(err)
		return
	}
	pt.check, pt.checked = res, true
	pt.showRows()
	pt.copier.enable(true)
	host := res.Host
	if res.Addr.IsValid() && res.Addr.String() != res.Host {
		host += " (" + res.Addr.String() + ")"
	}
	msg := trf("{{.Host}}: {{.Open}} open, {{.Closed}} closed, {{.Filtered}} filtered, {{.Errors}} errors; {{.Time}}", map[string]any{
		"Host": host, "Open": res.Count(netinfo.PortOpen), "Closed": res.Count(netinfo.PortClosed),
		"Filtered": res.Count(netinfo.PortFiltered), "Errors": res.Count(netinfo.PortError),
		"Time": res.Elapsed.Round(time.Millisecond),
	})
	switch {
	case res.Cancelled:
		pt.status.Importance = widget.WarningImportance
		pt.status.SetText(trf("Cancelled after {{.Done}} of {{.Count}} ports. ", map[string]any{"Done": len(res.Results), "Count": len(res.Ports)}) + msg)
	case res.Count(netinfo.PortOpen) > 0:
		pt.status.ok(msg)
	default:
		pt.status.info(msg)
	}
}

// showRows fills the table: every open port on its own row, runs of
// adjacent ports in one other state on one row, as the copied text has them.
func (pt *portTool) showRows() {
	if !pt.checked {
		return
	}
	rows, imp := portRows(pt.check.Results, pt.openOnly.Checked)
	pt.table.setRows(rows, imp)
}

func portRows(rs []netinfo.PortResult, openOnly bool) ([][]string, []widget.Importance) {
	svc := netinfo.DefaultServices()
	var rows [][]string
	var imp []widget.Importance
	for i := 0; i < len(rs); {
		r := rs[i]
		j := i
		if r.State != netinfo.PortOpen {
			for j+1 < len(rs) && rs[j+1].Port == rs[j].Port+1 && rs[j+1].State == r.State && portDetail(rs[j+1]) == portDetail(r) {
				j++
			}
		}
		i = j + 1
		if openOnly && r.State != netinfo.PortOpen {
			continue
		}
		run := rs[j].Port != r.Port
		name := ""
		if s := svc.ByPort(r.Port, "tcp"); len(s) > 0 {
			name = s[0].Name
		}
		port, latency := strconv.Itoa(r.Port), r.Latency.Round(10*time.Microsecond).String()
		if run {
			port, latency, name = fmt.Sprintf("%d-%d", r.Port, rs[j].Port), "", ""
		}
		rows = append(rows, []string{port, tr(r.State.String()), latency, name, portDetail(r)})
		switch r.State {
		case netinfo.PortOpen:
			imp = append(imp, widget.SuccessImportance)
		case netinfo.PortError:
			imp = append(imp, widget.DangerImportance)
		default:
			imp = append(imp, widget.LowImportance)
		}
	}
	return rows, imp
}

func portDetail(r netinfo.PortResult) string {
	switch r.State {
	case netinfo.PortFiltered:
		return tr("no answer before the timeout")
	case netinfo.PortError:
		var op *net.OpError
		if errors.As(r.Err, &op) && op.Err != nil {
			return op.Err.Error()
		}
		if r.Err != nil {
			return r.Err.Error()
		}
	}
	return ""
}
