package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/netdebug/netdebug/netcore/automation"
	"github.com/netdebug/netdebug/netcore/codec"
	"github.com/netdebug/netdebug/widgets"
)

// editDialog is a form with a live check line and Save, which stays
// disabled while the check fails: a bad template never gets saved, and the
// user sees why (with the position) while typing.
type editDialog struct {
	dlg     *dialog.CustomDialog
	save    *widget.Button
	cancel  *widget.Button
	preview *widget.Label
	check   func() (string, error)
	onSave  func() error
}

func newEditDialog(win fyne.Window, title string, items []*widget.FormItem, help string, check func() (string, error), onSave func() error) *editDialog {
	e := &editDialog{check: check, onSave: onSave}
	e.preview = widget.NewLabel("")
	e.preview.Wrapping = fyne.TextWrapWord
	e.preview.TextStyle = fyne.TextStyle{Monospace: true}
	helpLabel := widget.NewLabel(help)
	helpLabel.Wrapping = fyne.TextWrapWord
	helpLabel.Importance = widget.LowImportance
	content := container.NewVBox(widget.NewForm(items...), e.preview, helpLabel)
	e.dlg = dialog.NewCustomWithoutButtons(title, content, win)
	e.cancel = widget.NewButton(tr("Cancel"), e.dlg.Hide)
	e.save = widget.NewButton(tr("Save"), e.confirm)
	e.save.Importance = widget.HighImportance
	e.dlg.SetButtons([]fyne.CanvasObject{e.cancel, e.save})
	width := min(float32(640), max(win.Canvas().Size().Width-60, 420))
	e.dlg.Resize(fyne.NewSize(width, content.MinSize().Height))
	e.update()
	return e
}

// notReady is a check result that is not an error yet (a name still to
// type): shown plainly, but Save stays off.
type notReady string

func (n notReady) Error() string { return string(n) }

// update reruns the check; call it whenever a field changes.
func (e *editDialog) update() {
	text, err := e.check()
	var nr notReady
	if errors.As(err, &nr) {
		e.preview.Importance = widget.MediumImportance
		e.preview.SetText(err.Error())
		e.save.Disable()
		return
	}
	if err != nil {
		e.preview.Importance = widget.DangerImportance
		e.preview.SetText(err.Error())
		e.save.Disable()
		return
	}
	e.preview.Importance = widget.MediumImportance
	e.preview.SetText(text)
	e.save.Enable()
}

func (e *editDialog) confirm() {
	if _, err := e.check(); err != nil {
		e.update()
		return
	}
	if err := e.onSave(); err != nil {
		e.preview.Importance = widget.DangerImportance
		e.preview.SetText(err.Error())
		return
	}
	e.dlg.Hide()
}

// previewText shows bytes as the send box does: hex and a length.
func previewText(b []byte) string {
	const show = 64
	text := codec.FormatHex(b[:min(len(b), show)])
	if len(b) > show {
		text += " …"
	}
	return text + "  " + trf("({{.N}} bytes)", map[string]any{"N": len(b)})
}

// lineEndingLabel names a line ending in menus.
func lineEndingLabel(l codec.LineEnding) string {
	if l == codec.LineNone {
		return tr("No line ending")
	}
	return l.Label()
}

func lineEndingLabels() []string {
	var out []string
	for _, l := range codec.LineEndings() {
		out = append(out, lineEndingLabel(l))
	}
	return out
}

func lineEndingFromLabel(s string) codec.LineEnding {
	for _, l := range codec.LineEndings() {
		if lineEndingLabel(l) == s {
			return l
		}
	}
	return codec.LineNone
}

// payloadFields edit one automation.Payload: text (multi-line), text or
// hex, encoding, line ending and escapes.
type payloadFields struct {
	text    *widget.Entry
	hex     *widget.Check
	enc     *widget.Select
	line    *widget.Select
	escapes *widget.Check
	options fyne.CanvasObject
}

func newPayloadFields(p automation.Payload, changed func()) *payloadFields {
	f := &payloadFields{}
	f.text = widget.NewMultiLineEntry()
	f.text.SetMinRowsVisible(3)
	f.text.Wrapping = fyne.TextWrapBreak
	f.text.TextStyle = fyne.TextStyle{Monospace: true}
	f.text.SetText(p.Text)
	f.hex = widget.NewCheck(tr("Hex"), nil)
	f.hex.SetChecked(p.Hex)
	f.enc = newSelect(codec.EncodingNames(), nil)
	enc, err := codec.ParseEncoding(p.Encoding)
	if err != nil {
		enc = codec.UTF8
	}
	f.enc.SetSelected(string(enc))
	f.line = newSelect(lineEndingLabels(), nil)
	le, _ := codec.ParseLineEnding(p.LineEnding)
	f.line.SetSelected(lineEndingLabel(le))
	f.escapes = widget.NewCheck(tr("Escapes"), nil)
	f.escapes.SetChecked(p.Escapes)
	f.options = container.NewHBox(f.hex, widgets.FitOptionsAtLeast(f.enc, 110), widgets.FitOptionsAtLeast(f.line, 140), f.escapes)
	f.sync()
	f.text.OnChanged = func(string) { changed() }
	f.hex.OnChanged = func(bool) { f.sync(); changed() }
	f.enc.OnChanged = func(string) { changed() }
	f.line.OnChanged = func(string) { changed() }
	f.escapes.OnChanged = func(bool) { changed() }
	return f
}

// sync disables what hex mode ignores.
func (f *payloadFields) sync() {
	for _, w := range []fyne.Disableable{f.enc, f.line, f.escapes} {
		if f.hex.Checked {
			w.Disable()
		} else {
			w.Enable()
		}
	}
}

func (f *payloadFields) payload() automation.Payload {
	return automation.FromCodec(codec.Payload{
		Text: f.text.Text, Hex: f.hex.Checked, Encoding: codec.Encoding(f.enc.Selected),
		LineEnding: lineEndingFromLabel(f.line.Selected), Escapes: f.escapes.Checked,
	})
}

// preview compiles the payload and shows its bytes, counters unmoved.
func (f *payloadFields) preview() (string, error) {
	p := f.payload()
	if strings.TrimSpace(p.Text) == "" {
		return "", notReady(tr("Type the payload."))
	}
	t, err := p.Compile()
	if err != nil {
		return "", err
	}
	b, err := t.Preview()
	if err != nil {
		return "", err
	}
	return previewText(b), nil
}

// payloadFromSendBox is what a new quick command or step starts as: what
// the user has typed in the send box, with its settings.
func payloadFromSendBox(sb *widgets.SendBox) automation.Payload {
	return automation.FromCodec(sb.Payload())
}

// intField reads a whole number between lo and hi from an entry; empty is
// the fallback.
func intField(e *widget.Entry, what string, lo, hi, fallback int) (int, error) {
	s := strings.TrimSpace(e.Text)
	if s == "" {
		return fallback, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, errors.New(trf("{{.What}} must be a whole number from {{.Lo}} to {{.Hi}}", map[string]any{"What": what, "Lo": lo, "Hi": hi}))
	}
	return n, nil
}

func formatRate(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// payloadEditor is the dialog for a quick command (withDelay false) or a
// sequence step (a delay, and a name that may stay empty).
type payloadEditor struct {
	*editDialog
	name   *widget.Entry
	delay  *widget.Entry
	fields *payloadFields
}

func (a *automationPanel) editPayload(title, name string, p automation.Payload, delayMS int, step bool,
	save func(name string, p automation.Payload, delayMS int) error) *payloadEditor {
	e := &payloadEditor{name: widget.NewEntry()}
	e.name.SetText(name)
	var d *editDialog
	changed := func() {
		if d != nil {
			d.update()
		}
	}
	e.name.OnChanged = func(string) { changed() }
	e.fields = newPayloadFields(p, changed)
	items := []*widget.FormItem{widget.NewFormItem(tr("Name"), e.name)}
	if step {
		e.name.SetPlaceHolder(tr("optional"))
	}
	items = append(items, widget.NewFormItem(tr("Payload"), e.fields.text), widget.NewFormItem("", e.fields.options))
	if step {
		e.delay = widget.NewEntry()
		e.delay.SetText(strconv.Itoa(delayMS))
		e.delay.OnChanged = func(string) { changed() }
		items = append(items, widget.NewFormItem(tr("Then wait (ms)"), fixedWidth(e.delay, 120)))
	}
	read := func() (string, automation.Payload, int, error) {
		n := strings.TrimSpace(e.name.Text)
		ms := 0
		if step {
			var err error
			if ms, err = intField(e.delay, tr("The delay"), 0, 3_600_000, 0); err != nil {
				return "", automation.Payload{}, 0, err
			}
		}
		return n, e.fields.payload(), ms, nil
	}
	check := func() (string, error) {
		if _, _, _, err := read(); err != nil {
			return "", err
		}
		text, err := e.fields.preview()
		if err == nil && !step && strings.TrimSpace(e.name.Text) == "" {
			return "", notReady(text + "\n" + tr("Give the command a name to save it."))
		}
		return text, err
	}
	d = newEditDialog(a.u.win, title, items, templateHelp(), check, func() error {
		n, pl, ms, err := read()
		if err != nil {
			return err
		}
		return save(n, pl, ms)
	})
	e.editDialog = d
	d.dlg.Show()
	if e.name.Text == "" && !step {
		a.u.win.Canvas().Focus(e.name)
	} else {
		a.u.win.Canvas().Focus(e.fields.text)
	}
	return e
}

// importJSON asks for a file and hands its bytes to apply on the UI
// goroutine; apply's error (the automation package names the rule, step
// or command, or the line) goes to status.
func (a *automationPanel) importJSON(title string, status pageStatus, apply func([]byte) error) {
	go func() {
		path, err := a.u.files.OpenFile(title, automationFilter)
		if errors.Is(err, widgets.ErrDialogCancelled) {
			return
		}
		var data []byte
		if err == nil {
			data, err = os.ReadFile(path)
		}
		uiDo(func() {
			if err == nil {
				err = apply(data)
			}
			if err != nil {
				status.fail(fmt.Errorf("%s: %w", filepath.Base(path), err))
				return
			}
			status.ok(trf("Imported {{.File}}", map[string]any{"File": filepath.Base(path)}))
		})
	}()
}

// exportJSON asks where to save data (made on the UI goroutine) and writes it.
func (a *automationPanel) exportJSON(title, name string, status pageStatus, data []byte, err error) {
	if err != nil {
		status.fail(err)
		return
	}
	go func() {
		path, err := a.u.files.SaveFile(title, name, automationFilter)
		if errors.Is(err, widgets.ErrDialogCancelled) {
			return
		}
		if err == nil {
			err = os.WriteFile(path, data, 0o644)
		}
		uiDo(func() {
			if err != nil {
				status.fail(err)
				return
			}
			status.ok(trf("Saved {{.File}}", map[string]any{"File": filepath.Base(path)}))
		})
	}()
}

// confirmDelete asks before deleting what.
func (a *automationPanel) confirmDelete(what string, del func()) {
	dialog.ShowConfirm(tr("Delete"), trf("Delete {{.What}}?", map[string]any{"What": what}), func(ok bool) {
		if ok {
			del()
		}
	}, a.u.win)
}
