package main

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/netdebug/netdebug/netcore/automation"
)

// quickPanel is the tab's quick commands: named payloads sent with one
// click or Ctrl+1…9 (the first nine).
type quickPanel struct {
	a       *automationPanel
	set     automation.QuickCommandSet
	tmpls   []*automation.Template // one per command: counters carry on between sends
	srcs    []automation.Payload   // what each template was compiled from
	list    *widget.List
	sel     int
	bar     *listToolbar
	status  pageStatus
	hint    func()
	content fyne.CanvasObject
	editor  *payloadEditor // the open dialog, for tests
}

func newQuickPanel(a *automationPanel) *quickPanel {
	q := &quickPanel{a: a, sel: -1, status: newPageStatus()}
	q.set.Version = automation.FormatVersion
	if s := a.p.str(prefAutoQuick, ""); s != "" {
		set, err := automation.ImportQuickCommands([]byte(s))
		if err != nil {
			q.status.fail(fmt.Errorf("%s: %w", tr("The saved quick commands could not be read"), err))
		} else {
			q.set = set
		}
	}
	q.compile()
	q.list = widget.NewList(func() int { return len(q.set.Commands) }, q.newRow, q.updateRow)
	q.list.OnSelected = func(id widget.ListItemID) { q.sel = id; q.bar.selected(id, len(q.set.Commands)) }
	q.list.OnUnselected = func(widget.ListItemID) { q.sel = -1; q.bar.selected(-1, len(q.set.Commands)) }
	q.bar = newListToolbar(a.u.win, q.add, func() { q.edit(q.sel) }, q.askDelete, func() { q.move(q.sel, q.sel-1) }, func() { q.move(q.sel, q.sel+1) }, q.importFile, q.exportFile)
	list, hint := listWithHint(q.list, func() int { return len(q.set.Commands) },
		tr("No quick commands yet. Type a payload in the send box, then + saves it here; Send or Ctrl+1…9 sends it."))
	q.hint = hint
	q.content = container.NewBorder(nil, container.NewVBox(q.bar.box, q.status.Label), nil, nil, list)
	return q
}

func (q *quickPanel) newRow() fyne.CanvasObject {
	key := widget.NewLabel("Ctrl+9")
	key.TextStyle = fyne.TextStyle{Monospace: true}
	key.Importance = widget.LowImportance
	name := widget.NewLabel("")
	name.TextStyle = fyne.TextStyle{Bold: true}
	name.Truncation = fyne.TextTruncateEllipsis
	send := widget.NewButtonWithIcon("", theme.MailSendIcon(), nil)
	return container.NewBorder(nil, nil, key, send, name)
}

func (q *quickPanel) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	if id >= len(q.set.Commands) {
		return
	}
	c := q.set.Commands[id]
	row := o.(*fyne.Container)
	row.Objects[0].(*widget.Label).SetText(c.Name)
	key := row.Objects[1].(*widget.Label)
	if id < 9 {
		key.SetText(fmt.Sprintf("Ctrl+%d", id+1))
	} else {
		key.SetText("      ")
	}
	row.Objects[2].(*widget.Button).OnTapped = func() { q.send(id) }
}

// payloadSummary is one line describing a payload in a list.
func payloadSummary(p automation.Payload) string {
	if p.Hex {
		return "HEX " + p.Text
	}
	return p.Text
}

// compile rebuilds the templates after the list changed. Commands whose
// payload did not change keep their template, so their counters carry on.
func (q *quickPanel) compile() {
	old := map[automation.Payload][]*automation.Template{}
	for i, t := range q.tmpls {
		old[q.srcs[i]] = append(old[q.srcs[i]], t)
	}
	q.tmpls = make([]*automation.Template, len(q.set.Commands))
	q.srcs = make([]automation.Payload, len(q.set.Commands))
	for i, c := range q.set.Commands {
		q.srcs[i] = c.Payload
		if ts := old[c.Payload]; len(ts) > 0 {
			q.tmpls[i], old[c.Payload] = ts[0], ts[1:]
			continue
		}
		q.tmpls[i], _ = c.Payload.Compile() // valid: the set checks every command
	}
}

// changed saves and redraws after an edit.
func (q *quickPanel) changed() {
	q.compile()
	data, err := q.set.Export()
	if err == nil {
		q.a.p.setStr(prefAutoQuick, string(data))
	}
	q.list.Refresh()
	q.hint()
	if q.sel >= len(q.set.Commands) {
		q.sel = -1
		q.list.UnselectAll()
	}
	q.bar.selected(q.sel, len(q.set.Commands))
}

// sendShortcut sends command n (1-based), for Ctrl+1…9.
func (q *quickPanel) sendShortcut(n int) {
	if n < 1 || n > len(q.set.Commands) {
		q.status.info(trf("There is no quick command {{.N}}", map[string]any{"N": n}))
		return
	}
	q.send(n - 1)
}

// send sends command i through the tab's send path (its target and its
// length prefix), like the Send button.
func (q *quickPanel) send(i int) {
	if i < 0 || i >= len(q.set.Commands) {
		return
	}
	c := q.set.Commands[i]
	err := func() error {
		send, err := q.a.target()
		if err != nil {
			return err
		}
		b, err := q.tmpls[i].Expand()
		if err == nil {
			b, err = q.a.framing.sendOpts().finish(b)
		}
		if err != nil {
			return err
		}
		n := len(b)
		return q.a.queue.send(send, b, func(err error) {
			if err != nil {
				q.failed(c.Name, err)
				return
			}
			q.status.ok(trf("Sent {{.Name}} ({{.N}} bytes)", map[string]any{"Name": c.Name, "N": n}))
		})
	}()
	if err != nil {
		q.failed(c.Name, err)
	}
}

func (q *quickPanel) failed(name string, err error) {
	err = fmt.Errorf("%s: %w", name, err)
	q.status.fail(err)
	q.a.send.ShowError(err)
}

func (q *quickPanel) add() {
	q.editor = q.a.editPayload(tr("New quick command"), "", payloadFromSendBox(q.a.send), 0, false,
		func(name string, p automation.Payload, _ int) error {
			if err := q.set.Add(automation.QuickCommand{Name: name, Payload: p}); err != nil {
				return err
			}
			q.changed()
			q.list.Select(len(q.set.Commands) - 1)
			return nil
		})
}

func (q *quickPanel) edit(i int) {
	if i < 0 || i >= len(q.set.Commands) {
		return
	}
	c := q.set.Commands[i]
	q.editor = q.a.editPayload(tr("Edit quick command"), c.Name, c.Payload, 0, false,
		func(name string, p automation.Payload, _ int) error {
			if err := q.set.Update(i, automation.QuickCommand{Name: name, Payload: p}); err != nil {
				return err
			}
			q.changed()
			return nil
		})
}

func (q *quickPanel) askDelete() {
	if i := q.sel; i >= 0 && i < len(q.set.Commands) {
		q.a.confirmDelete(q.set.Commands[i].Name, func() { q.delete(i) })
	}
}

func (q *quickPanel) delete(i int) {
	if q.set.Delete(i) == nil {
		q.changed()
	}
}

// move moves command from to index to and keeps it selected.
func (q *quickPanel) move(from, to int) {
	if q.set.Move(from, to) == nil {
		q.changed()
		q.list.Select(to)
	}
}

func (q *quickPanel) importFile() {
	q.a.importJSON(tr("Import quick commands"), q.status, func(data []byte) error {
		set, err := automation.ImportQuickCommands(data)
		if err != nil {
			return err
		}
		q.set = set
		q.list.UnselectAll()
		q.sel = -1
		q.changed()
		return nil
	})
}

func (q *quickPanel) exportFile() {
	data, err := q.set.Export()
	q.a.exportJSON(tr("Export quick commands"), "quick-commands.json", q.status, data, err)
}
