package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/netdebug/netdebug/netcore/automation"
	"github.com/netdebug/netdebug/netcore/codec"
	"github.com/netdebug/netdebug/widgets"
)

// rulesPanel is the tab's auto-reply rules: an ordered list, each with a
// check to enable it and its counters (hits, replies, suppressed) and rate
// limit beside it. The engine answers on the session's goroutines; the
// counters are polled on each flush, never pushed per packet.
type rulesPanel struct {
	a      *automationPanel
	set    automation.RuleSet
	engine *automation.Engine
	// active is whether any rule is enabled: without one the session
	// handler skips the engine entirely.
	active  atomic.Bool
	stats   []automation.RuleStats
	list    *widget.List
	sel     int
	bar     *listToolbar
	status  pageStatus
	hint    func()
	content fyne.CanvasObject
	editor  *ruleEditor
}

func newRulesPanel(a *automationPanel) *rulesPanel {
	r := &rulesPanel{a: a, sel: -1, status: newPageStatus()}
	r.set = automation.RuleSet{Version: automation.FormatVersion}
	if s := a.p.str(prefAutoRules, ""); s != "" {
		set, err := automation.ImportRuleSet([]byte(s))
		if err != nil {
			r.status.fail(fmt.Errorf("%s: %w", tr("The saved rules could not be read"), err))
		} else {
			r.set = set
		}
	}
	adapter := a.log.adapter
	eng, err := automation.NewEngine(r.set, automation.WithEvents(func(ev automation.Event) {
		// On a session goroutine: the log is safe from any goroutine.
		switch ev.Kind {
		case automation.ReplyFailed:
			adapter.Fault(ev.From, ev.Err)
		case automation.ReplyCancelled:
			adapter.Note(ev.From, fmt.Sprintf("%s: %s", ev.Name, tr("delayed reply cancelled")))
		}
	}))
	if err != nil { // the set was checked on import; keep the tab usable anyway
		r.status.fail(err)
		r.set = automation.RuleSet{Version: automation.FormatVersion}
		eng, _ = automation.NewEngine(r.set)
	}
	r.engine = eng
	r.syncActive()
	r.stats = eng.Stats()

	r.list = widget.NewList(func() int { return len(r.set.Rules) }, r.newRow, r.updateRow)
	r.list.OnSelected = func(id widget.ListItemID) { r.sel = id; r.bar.selected(id, len(r.set.Rules)) }
	r.list.OnUnselected = func(widget.ListItemID) { r.sel = -1; r.bar.selected(-1, len(r.set.Rules)) }
	reset := fyne.NewMenuItem(tr("Reset counters"), func() {
		r.engine.ResetStats()
		r.refresh()
	})
	reset.Icon = theme.ViewRefreshIcon()
	r.bar = newListToolbar(a.u.win, r.add, func() { r.edit(r.sel) }, r.askDelete, func() { r.move(r.sel, r.sel-1) }, func() { r.move(r.sel, r.sel+1) }, r.importFile, r.exportFile, reset)
	list, hint := listWithHint(r.list, func() int { return len(r.set.Rules) },
		tr("No rules yet. + adds one: what to match in received data, and the reply sent back to the sender. The first enabled rule that matches answers."))
	r.hint = hint
	r.content = container.NewBorder(nil, container.NewVBox(r.bar.box, r.status.Label), nil, nil, list)
	return r
}

// A rule's row: its check, then its name in bold and what it does, and
// under them its counters and limit.
func (r *rulesPanel) newRow() fyne.CanvasObject {
	on := widget.NewCheck("", nil)
	what := widget.NewRichText(
		&widget.TextSegment{Style: widget.RichTextStyleStrong},
		&widget.TextSegment{Style: widget.RichTextStyle{Inline: true, TextStyle: fyne.TextStyle{Monospace: true}, ColorName: theme.ColorNamePlaceHolder}})
	what.Truncation = fyne.TextTruncateEllipsis
	// Small unpadded text keeps a rule to three short lines; the list
	// clips what does not fit.
	small := theme.TextSize() - 2
	stats := canvas.NewText("", theme.Color(theme.ColorNameForeground))
	stats.TextSize = small
	limit := canvas.NewText("", theme.Color(theme.ColorNamePlaceHolder))
	limit.TextSize = small
	lines := container.New(layout.NewCustomPaddedVBoxLayout(2), what, container.NewPadded(container.NewVBox(stats, limit)))
	return container.NewBorder(nil, nil, on, nil, lines)
}

func (r *rulesPanel) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	if id >= len(r.set.Rules) {
		return
	}
	rule := r.set.Rules[id]
	row := o.(*fyne.Container)
	lines := row.Objects[0].(*fyne.Container)
	on := row.Objects[1].(*widget.Check)
	on.OnChanged = nil
	on.SetChecked(rule.Enabled())
	on.OnChanged = func(v bool) { r.setEnabled(id, v) }
	what := lines.Objects[0].(*widget.RichText)
	what.Segments[0].(*widget.TextSegment).Text = rule.Name
	what.Segments[1].(*widget.TextSegment).Text = "  " + ruleSummary(rule)
	what.Refresh()
	st := automation.RuleStats{Rate: rule.Rate()}
	if id < len(r.stats) {
		st = r.stats[id]
	}
	small := lines.Objects[1].(*fyne.Container).Objects[0].(*fyne.Container)
	stats, limit := small.Objects[0].(*canvas.Text), small.Objects[1].(*canvas.Text)
	stats.Text = ruleStatsText(st)
	// Suppressed replies mean the limit is biting: say so in colour.
	if st.Suppressed > 0 || st.Failed > 0 {
		stats.Color = theme.Color(theme.ColorNameWarning)
	} else {
		stats.Color = theme.Color(theme.ColorNameForeground)
	}
	stats.Refresh()
	limit.Text = ruleLimitText(st.Rate)
	limit.Color = theme.Color(theme.ColorNamePlaceHolder)
	limit.Refresh()
}

// ruleSummary is "regex PING (\d+) → PONG $1{{crc16modbus}}".
func ruleSummary(rule automation.Rule) string {
	pat := rule.Pattern
	if rule.PatternHex {
		pat = "HEX " + pat
	}
	reply := rule.Reply
	if rule.ReplyHex {
		reply = "HEX " + reply
	}
	if reply == "" {
		reply = "∅"
	}
	s := string(rule.Match) + " " + pat + " → " + reply
	if rule.DelayMS > 0 {
		s += fmt.Sprintf(" (+%d ms)", rule.DelayMS)
	}
	return s
}

// refresh shows the counters when they moved; cheap enough for every flush.
func (r *rulesPanel) refresh() {
	st := r.engine.Stats()
	if slices.Equal(st, r.stats) {
		return
	}
	r.stats = st
	r.list.Refresh()
}

func (r *rulesPanel) syncActive() {
	on := false
	for _, rule := range r.set.Rules {
		on = on || rule.Enabled()
	}
	r.active.Store(on)
}

// apply puts set in force, saves it and redraws. On error nothing changes.
func (r *rulesPanel) apply(set automation.RuleSet) error {
	if err := r.engine.SetRules(set); err != nil {
		return err
	}
	r.set = set
	r.syncActive()
	if data, err := set.Export(); err == nil {
		r.a.p.setStr(prefAutoRules, string(data))
	}
	r.stats = r.engine.Stats()
	r.list.Refresh()
	r.hint()
	if r.sel >= len(r.set.Rules) {
		r.sel = -1
		r.list.UnselectAll()
	}
	r.bar.selected(r.sel, len(r.set.Rules))
	return nil
}

// with returns a copy of the set with f applied to its rules.
func (r *rulesPanel) with(f func([]automation.Rule) []automation.Rule) automation.RuleSet {
	return automation.RuleSet{Version: automation.FormatVersion, Rules: f(slices.Clone(r.set.Rules))}
}

func (r *rulesPanel) setEnabled(i int, on bool) {
	if i >= len(r.set.Rules) || r.set.Rules[i].Enabled() == on {
		return
	}
	if err := r.apply(r.with(func(rs []automation.Rule) []automation.Rule { rs[i].Disabled = !on; return rs })); err != nil {
		r.status.fail(err)
	}
}

func (r *rulesPanel) nameTaken(name string, except int) bool {
	for i, rule := range r.set.Rules {
		if i != except && rule.Name == name {
			return true
		}
	}
	return false
}

func (r *rulesPanel) add() {
	r.editor = r.a.editRule(tr("New rule"), automation.Rule{Match: automation.MatchContains, MaxPerSecond: automation.DefaultRate.PerSecond, Burst: automation.DefaultRate.Burst},
		func(rule automation.Rule) error {
			if r.nameTaken(rule.Name, -1) {
				return errors.New(tr("Another rule has this name"))
			}
			if err := r.apply(r.with(func(rs []automation.Rule) []automation.Rule { return append(rs, rule) })); err != nil {
				return err
			}
			r.list.Select(len(r.set.Rules) - 1)
			return nil
		})
}

func (r *rulesPanel) edit(i int) {
	if i < 0 || i >= len(r.set.Rules) {
		return
	}
	r.editor = r.a.editRule(tr("Edit rule"), r.set.Rules[i], func(rule automation.Rule) error {
		if i >= len(r.set.Rules) {
			return errors.New(tr("The rule was deleted"))
		}
		if r.nameTaken(rule.Name, i) {
			return errors.New(tr("Another rule has this name"))
		}
		return r.apply(r.with(func(rs []automation.Rule) []automation.Rule { rs[i] = rule; return rs }))
	})
}

func (r *rulesPanel) askDelete() {
	if i := r.sel; i >= 0 && i < len(r.set.Rules) {
		r.a.confirmDelete(r.set.Rules[i].Name, func() { r.delete(i) })
	}
}

func (r *rulesPanel) delete(i int) {
	if i < 0 || i >= len(r.set.Rules) {
		return
	}
	_ = r.apply(r.with(func(rs []automation.Rule) []automation.Rule { return slices.Delete(rs, i, i+1) }))
}

func (r *rulesPanel) move(from, to int) {
	n := len(r.set.Rules)
	if from < 0 || from >= n || to < 0 || to >= n {
		return
	}
	if r.apply(r.with(func(rs []automation.Rule) []automation.Rule { rs[from], rs[to] = rs[to], rs[from]; return rs })) == nil {
		r.list.Select(to)
	}
}

func (r *rulesPanel) importFile() {
	r.a.importJSON(tr("Import rules"), r.status, func(data []byte) error {
		set, err := automation.ImportRuleSet(data)
		if err != nil {
			return err
		}
		r.list.UnselectAll()
		r.sel = -1
		return r.apply(set)
	})
}

func (r *rulesPanel) exportFile() {
	data, err := r.set.Export()
	r.a.exportJSON(tr("Export rules"), "rules.json", r.status, data, err)
}

// matchLabels are the match modes in the rule editor's menu.
func matchLabels() []string {
	return []string{tr("exact bytes"), tr("contains"), tr("starts with"), tr("regular expression"), tr("regular expression over hex")}
}

// matchHints say, for each match mode in menu order, what the pattern is
// and what $0 and the groups stand for in the reply; matchExamples are the
// pattern field's placeholder in that mode.
func matchHints() []string {
	return []string{
		tr("Replies when a message is exactly these bytes (text, or hex with Hex ticked). $0 in the reply is the message."),
		tr("Replies when these bytes occur anywhere in a message (text, or hex with Hex ticked). $0 in the reply is the bytes found."),
		tr("Replies when a message starts with these bytes (text, or hex with Hex ticked). $0 in the reply is the bytes found."),
		tr("A regular expression over the message as text, in the rule's encoding. $0 in the reply is the whole match, $1 … $9 and ${name} what the groups captured."),
		tr("A regular expression over the message written as spaced hex (\"50 49 4E 47\"). $0 in the reply is the whole match, $1 … $9 and ${name} what the groups captured."),
	}
}

var matchExamples = []string{"PING", "PING", "AT+", `PING (\d+)`, `^01 03 (.. ..)`}

// replyExamples are the reply field's placeholder in each mode: groups
// ($1) exist only in the regex modes.
var replyExamples = []string{"OK $0", "OK $0", "OK $0", "PONG $1{{crc16modbus}}", "06 $1"}

// ruleEditor is the dialog for one rule. Its check line shows the rule's
// first problem, or with test data, what the rule would answer.
type ruleEditor struct {
	*editDialog
	name, pattern, delay, perSec, burst, test *widget.Entry
	enabled, patternHex, replyHex, testHex    *widget.Check
	match                                     *widget.Select
	enc, line                                 *widget.Select
	escapes                                   *widget.Check
	reply                                     *widget.Entry
	// modeHint says what the pattern is in the chosen match mode.
	modeHint *widget.Label
}

// tabEncodingLabel is the encoding menu's first choice: the rule follows
// the send box's encoding.
func tabEncodingLabel() string { return tr("(the tab's encoding)") }

func (a *automationPanel) editRule(title string, rule automation.Rule, save func(automation.Rule) error) *ruleEditor {
	e := &ruleEditor{}
	var d *editDialog
	changed := func() {
		if d != nil {
			d.update()
		}
	}
	entry := func(text, placeholder string) *widget.Entry {
		w := widget.NewEntry()
		w.SetText(text)
		w.SetPlaceHolder(placeholder)
		w.OnChanged = func(string) { changed() }
		return w
	}
	check := func(label string, on bool) *widget.Check {
		c := widget.NewCheck(label, nil)
		c.SetChecked(on)
		c.OnChanged = func(bool) { changed() }
		return c
	}
	e.name = entry(rule.Name, tr("e.g. heartbeat"))
	e.enabled = check(tr("Enabled"), rule.Enabled())
	e.match = newSelect(matchLabels(), nil)
	e.match.SetSelectedIndex(max(slices.Index(automation.MatchModes(), rule.Match), 0))
	e.pattern = entry(rule.Pattern, "")
	e.modeHint = widget.NewLabel("")
	e.modeHint.Wrapping = fyne.TextWrapWord
	e.modeHint.Importance = widget.LowImportance
	e.pattern.TextStyle = fyne.TextStyle{Monospace: true}
	e.patternHex = check(tr("Hex"), rule.PatternHex)
	e.enc = newSelect(append([]string{tabEncodingLabel()}, codec.EncodingNames()...), nil)
	if enc, err := codec.ParseEncoding(rule.Encoding); rule.Encoding == "" || err != nil {
		e.enc.SetSelectedIndex(0)
	} else {
		e.enc.SetSelected(string(enc))
	}
	e.escapes = check(tr("Escapes"), rule.Escapes)
	e.reply = widget.NewMultiLineEntry()
	e.reply.SetMinRowsVisible(2)
	e.reply.Wrapping = fyne.TextWrapBreak
	e.reply.TextStyle = fyne.TextStyle{Monospace: true}
	e.reply.SetText(rule.Reply)
	e.reply.OnChanged = func(string) { changed() }
	e.replyHex = check(tr("Hex"), rule.ReplyHex)
	e.line = newSelect(lineEndingLabels(), nil)
	le, _ := codec.ParseLineEnding(rule.LineEnding)
	e.line.SetSelected(lineEndingLabel(le))
	e.delay = entry(fmt.Sprint(rule.DelayMS), "0")
	rate := rule.Rate()
	e.perSec = entry(formatRate(rate.PerSecond), "10")
	e.burst = entry(fmt.Sprint(rate.Burst), "10")
	e.test = entry("", tr("data to try the rule on, e.g. PING 42"))
	e.testHex = check(tr("Hex"), false)
	sync := func() {
		mode := max(e.match.SelectedIndex(), 0)
		e.modeHint.SetText(matchHints()[mode])
		e.pattern.SetPlaceHolder(matchExamples[mode])
		e.reply.SetPlaceHolder(replyExamples[mode])
		regex := mode >= 3
		if regex {
			e.patternHex.Disable()
		} else {
			e.patternHex.Enable()
		}
		if e.replyHex.Checked {
			e.line.Disable()
		} else {
			e.line.Enable()
		}
	}
	e.match.OnChanged = func(string) { sync(); changed() }
	e.replyHex.OnChanged = func(bool) { sync(); changed() }
	e.enc.OnChanged = func(string) { changed() }
	e.line.OnChanged = func(string) { changed() }
	sync()

	items := []*widget.FormItem{
		widget.NewFormItem(tr("Name"), container.NewBorder(nil, nil, nil, e.enabled, e.name)),
		widget.NewFormItem(tr("Match"), container.NewBorder(nil, nil, widgets.FitOptionsAtLeast(e.match, 200), e.patternHex, e.pattern)),
		widget.NewFormItem("", e.modeHint),
		widget.NewFormItem(tr("Text"), container.NewHBox(widgets.FitOptionsAtLeast(e.enc, 170), e.escapes)),
		widget.NewFormItem(tr("Reply"), container.NewBorder(nil, nil, nil, e.replyHex, e.reply)),
		widget.NewFormItem("", widgets.FitOptionsAtLeast(e.line, 170)),
		widget.NewFormItem(tr("Delay (ms)"), container.NewHBox(fixedWidth(e.delay, 90),
			widget.NewLabel(tr("At most")), fixedWidth(e.perSec, 70), widget.NewLabel(tr("per second, burst")), fixedWidth(e.burst, 60))),
		widget.NewFormItem(tr("Try with"), container.NewBorder(nil, nil, nil, e.testHex, e.test)),
	}
	// What $0 and the groups mean depends on the match mode: the hint
	// under Match says it.
	help := templateHelp()
	tabEnc := a.send.Settings().Encoding
	d = newEditDialog(a.u.win, title, items, help, func() (string, error) { return e.check(tabEnc) }, func() error {
		rule, err := e.rule()
		if err != nil {
			return err
		}
		return save(rule)
	})
	e.editDialog = d
	d.dlg.Show()
	a.u.win.Canvas().Focus(e.name)
	return e
}

// rule reads the fields.
func (e *ruleEditor) rule() (automation.Rule, error) {
	r := automation.Rule{
		Name: e.name.Text, Disabled: !e.enabled.Checked, Match: automation.MatchModes()[max(e.match.SelectedIndex(), 0)],
		Pattern: e.pattern.Text, PatternHex: e.patternHex.Checked && e.match.SelectedIndex() < 3,
		Escapes: e.escapes.Checked, Reply: e.reply.Text, ReplyHex: e.replyHex.Checked,
	}
	if r.Name == "" {
		return r, notReady(tr("Give the rule a name: it labels the counters."))
	}
	if r.Pattern == "" {
		// An empty pattern would match every message.
		return r, notReady(tr("Give the rule a pattern: what the data must match."))
	}
	if e.enc.SelectedIndex() > 0 {
		r.Encoding = e.enc.Selected
	}
	if le := lineEndingFromLabel(e.line.Selected); le != codec.LineNone && !r.ReplyHex {
		r.LineEnding = string(le)
	}
	var err error
	if r.DelayMS, err = intField(e.delay, tr("The delay"), 0, 3_600_000, 0); err != nil {
		return r, err
	}
	r.MaxPerSecond = automation.DefaultRate.PerSecond
	if s := strings.TrimSpace(e.perSec.Text); s != "" {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f < 0.01 || f > 100_000 {
			return r, errors.New(tr("Replies per second must be a number from 0.01 to 100000"))
		}
		r.MaxPerSecond = f
	}
	if r.Burst, err = intField(e.burst, tr("The burst"), 1, 100_000, automation.DefaultRate.Burst); err != nil {
		return r, err
	}
	return r, r.Validate()
}

// check validates the rule and, with test data, shows what it answers.
func (e *ruleEditor) check(tabEnc codec.Encoding) (string, error) {
	rule, err := e.rule()
	if err != nil {
		return "", err
	}
	if e.test.Text == "" {
		return tr("The rule is valid. Type test data under it to see the reply."), nil
	}
	var data []byte
	if e.testHex.Checked {
		data, err = codec.ParseHex(e.test.Text)
	} else {
		enc := tabEnc
		if rule.Encoding != "" {
			enc = codec.Encoding(rule.Encoding)
		}
		data, err = codec.Encode(enc, e.test.Text)
	}
	if err != nil {
		return "", fmt.Errorf("%s: %w", tr("Test data"), err)
	}
	rule.Disabled, rule.DelayMS = false, 0
	eng, err := automation.NewEngine(automation.RuleSet{Version: automation.FormatVersion, Rules: []automation.Rule{rule}}, automation.WithEncoding(tabEnc))
	if err != nil {
		return "", err
	}
	defer eng.Close()
	var reply []byte
	out := eng.Handle(context.Background(), data, "", func(b []byte) error { reply = append([]byte(nil), b...); return nil })
	switch {
	case out.Err != nil:
		return "", out.Err
	case !out.Matched():
		return tr("The test data does not match."), nil
	case len(reply) == 0:
		return tr("Matches; the reply is empty, so nothing is sent."), nil
	}
	return tr("Reply:") + " " + previewText(reply), nil
}
