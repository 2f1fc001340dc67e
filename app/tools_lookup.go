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

// lookupTool is "Lookup": a name to its addresses, an address to its
// names, and a service to its port or back, from one field.
type lookupTool struct {
	t       *toolsTab
	query   *widget.Entry
	timeout *widget.Entry
	button  *widget.Button
	fields  *fieldList
	status  statusLabel
	copier  *toolCopier
	content fyne.CanvasObject

	result netinfo.LookupResult
	stop   context.CancelFunc
	// resolver is nil (the system's) except in tests.
	resolver *netinfo.Resolver
}

func (t *toolsTab) newLookupTool() *lookupTool {
	lt := &lookupTool{t: t, status: newStatusLabel()}
	lt.copier = t.newCopier(func() string { return lt.result.Text() })
	lt.fields = newFieldList(lt.copier.copy)
	lt.query = widget.NewEntry()
	lt.query.SetPlaceHolder(tr("host name, IP address, service or port: example.com, 8.8.8.8, mysql, 3306/tcp"))
	lt.query.SetText(t.p.str(prefToolsLookup, ""))
	lt.query.OnSubmitted = func(string) { lt.toggle() }
	lt.timeout = widget.NewEntry()
	lt.timeout.SetText(t.p.str(prefToolsLookupSecs, "5"))
	lt.timeout.OnSubmitted = func(string) { lt.toggle() }
	lt.button = widget.NewButtonWithIcon(tr("Look up"), theme.SearchIcon(), lt.toggle)
	lt.button.Importance = widget.HighImportance
	top := container.NewVBox(
		container.NewBorder(nil, nil, widget.NewLabel(tr("Look up")),
			container.NewHBox(widget.NewLabel(tr("Timeout (s)")), fixedWidth(lt.timeout, 60), lt.button),
			lt.query),
		toolHint(tr("A name gives its IPv4 and IPv6 addresses (gethostbyname), an address its names (gethostbyaddr), a service its ports and a port its service (getservbyname, getservbyport), from the system's services file or the built-in table.")),
	)
	lt.content = toolPage(top, lt.status, lt.fields.scroll, lt.copier.bar())
	lt.status.info(tr("Type a name, an address or a service and press Enter."))
	return lt
}

// toggle starts a lookup, or cancels the one running.
func (lt *lookupTool) toggle() {
	if lt.stop != nil {
		lt.stop()
		return
	}
	lt.start()
}

func (lt *lookupTool) cancel() {
	if lt.stop != nil {
		lt.stop()
	}
}

func (lt *lookupTool) start() {
	q := strings.TrimSpace(lt.query.Text)
	secs, err := toolSeconds(lt.timeout.Text, 0.1, 120)
	if err != nil {
		lt.status.fail(err)
		return
	}
	if q == "" {
		lt.status.fail(errors.New(tr("Type a host name, an IP address or a service to look up")))
		return
	}
	lt.t.p.setStr(prefToolsLookup, q)
	lt.t.p.setStr(prefToolsLookupSecs, strings.TrimSpace(lt.timeout.Text))
	r := &netinfo.Resolver{}
	if lt.resolver != nil {
		r2 := *lt.resolver
		r = &r2
	}
	r.Timeout = secs
	ctx, cancel := context.WithCancel(context.Background())
	lt.stop = cancel
	lt.button.SetText(tr("Cancel"))
	lt.button.SetIcon(theme.CancelIcon())
	lt.status.info(trf("Looking up {{.Query}}…", map[string]any{"Query": q}))
	go func() {
		res, err := r.Lookup(ctx, q)
		cancel()
		uiDo(func() { lt.done(res, err) })
	}()
}

func (lt *lookupTool) done(res netinfo.LookupResult, err error) {
	lt.stop = nil
	lt.button.SetText(tr("Look up"))
	lt.button.SetIcon(theme.SearchIcon())
	if err != nil {
		lt.result = netinfo.LookupResult{}
		lt.fields.set(nil)
		lt.copier.enable(false)
		if errors.Is(err, context.Canceled) {
			lt.status.Importance = widget.WarningImportance
			lt.status.SetText(tr("Lookup cancelled"))
			return
		}
		lt.status.fail(err)
		return
	}
	lt.result = res
	lt.fields.set(lookupFields(res))
	lt.copier.enable(true)
	lt.status.ok(lookupSummary(res))
}

// lookupFields turns an answer into rows: one per address, name or service.
func lookupFields(r netinfo.LookupResult) []netinfo.Field {
	var f []netinfo.Field
	if n := r.Name; n != nil {
		f = append(f, netinfo.Field{Label: "Name", Value: n.Name})
		if n.ASCII != n.Name {
			f = append(f, netinfo.Field{Label: "Looked up as", Value: n.ASCII, Note: "internationalised name in ASCII (punycode)"})
		}
		for _, a := range n.Addrs {
			fam, note := "IPv6", "AAAA"
			if a.Is4() {
				fam, note = "IPv4", "A"
			}
			f = append(f, netinfo.Field{Label: fam, Value: a.String(), Note: note})
		}
		f = append(f, netinfo.Field{Label: "Time", Value: n.Elapsed.Round(10 * time.Microsecond).String()})
	}
	if rv := r.Reverse; rv != nil {
		f = append(f, netinfo.Field{Label: "Address", Value: rv.Addr.String()})
		for _, n := range rv.Names {
			f = append(f, netinfo.Field{Label: "Name", Value: n})
		}
		f = append(f, netinfo.Field{Label: "Time", Value: rv.Elapsed.Round(10 * time.Microsecond).String()})
	}
	if s := r.Service; s != nil {
		for _, sv := range s.Services {
			label, value := sv.Name, fmt.Sprintf("%d/%s", sv.Port, sv.Proto)
			if s.Query.Port >= 0 {
				label, value = fmt.Sprintf("%d/%s", sv.Port, sv.Proto), sv.Name
			}
			note := netinfo.PortClass(sv.Port) + "; " + sv.Source
			if len(sv.Aliases) > 0 {
				note = "aliases " + strings.Join(sv.Aliases, " ") + "; " + note
			}
			if sv.Comment != "" {
				note += "; " + sv.Comment
			}
			f = append(f, netinfo.Field{Label: label, Value: value, Note: note})
		}
	}
	if r.NameErr != nil {
		f = append(f, netinfo.Field{Label: "Host name", Value: "-", Note: r.NameErr.Error()})
	}
	return f
}

// lookupSummary is the status line: the answer at a glance.
func lookupSummary(r netinfo.LookupResult) string {
	var parts []string
	if r.Name != nil {
		var addrs []string
		for _, a := range r.Name.Addrs {
			addrs = append(addrs, a.String())
		}
		parts = append(parts, r.Name.Name+" → "+joinFew(addrs))
	}
	if r.Reverse != nil {
		parts = append(parts, r.Reverse.Addr.String()+" → "+joinFew(r.Reverse.Names))
	}
	if s := r.Service; s != nil {
		var svcs []string
		for _, sv := range s.Services {
			if s.Query.Port >= 0 {
				svcs = append(svcs, sv.Name+" ("+sv.Proto+")")
			} else {
				svcs = append(svcs, fmt.Sprintf("%d/%s", sv.Port, sv.Proto))
			}
		}
		parts = append(parts, r.Query+" → "+joinFew(svcs))
	}
	if r.NameErr != nil {
		parts = append(parts, tr("a service name, not a host name here"))
	}
	return strings.Join(parts, "; ")
}

// joinFew lists up to four items, and says how many more there are.
func joinFew(items []string) string {
	if len(items) <= 4 {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:4], ", ") + ", " + trf("and {{.Count}} more", map[string]any{"Count": len(items) - 4})
}

// toolSeconds reads a timeout in seconds between lo and hi.
func toolSeconds(s string, lo, hi float64) (time.Duration, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || v < lo || v > hi {
		return 0, errors.New(trf("The timeout must be a number of seconds from {{.Lo}} to {{.Hi}}", map[string]any{"Lo": lo, "Hi": hi}))
	}
	return time.Duration(v * float64(time.Second)), nil
}
