package main

import (
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// toolsTab is the Tools tab: the facts of this machine and the small
// calculators the notes teach, one section each. The logic is all in
// netinfo; the tab reads input, runs the blocking calls (lookups, port
// checks, socket lists) off the UI goroutine with a timeout and a Cancel
// button, and shows the answers with a copy button for each.
type toolsTab struct {
	u        *appUI
	p        prefs
	sections *container.AppTabs

	machine *machineTool
	lookup  *lookupTool
	convert *convertTool
	order   *byteOrderTool
	subnet  *subnetTool
	ports   *portTool
	sockets *socketTool
}

// Preference keys of the Tools tab (under "tools.").
const (
	prefToolsSection     = "section"
	prefToolsLookup      = "lookup"
	prefToolsLookupSecs  = "lookupTimeout"
	prefToolsConvert     = "convert"
	prefToolsOrderValue  = "byteOrder.value"
	prefToolsOrderBits   = "byteOrder.bits"
	prefToolsSubnetAddr  = "subnet.address"
	prefToolsSubnetMask  = "subnet.mask"
	prefToolsPortHost    = "port.host"
	prefToolsPorts       = "port.ports"
	prefToolsPortSecs    = "port.timeout"
	prefToolsPortWorkers = "port.concurrency"
	prefToolsPortOpen    = "port.openOnly"
	prefToolsListenOnly  = "sockets.listeningOnly"
)

// toolsTabs finds the Tools tab of a window, for tests: appUI belongs to
// ui.go, which keeps no field for this tab.
var (
	toolsMu   sync.Mutex
	toolsTabs = map[*appUI]*toolsTab{}
)

func init() { registerTab(70, (*appUI).newToolsTab) }

func (u *appUI) newToolsTab() tab {
	t := u.buildToolsTab()
	return tab{name: tr("Tools"), icon: theme.InfoIcon(), content: t.sections}
}

// buildToolsTab makes the tab and remembers it for toolsOf.
func (u *appUI) buildToolsTab() *toolsTab {
	t := &toolsTab{u: u, p: newPrefs(u.app, "tools")}
	t.machine = t.newMachineTool()
	t.lookup = t.newLookupTool()
	t.convert = t.newConvertTool()
	t.order = t.newByteOrderTool()
	t.subnet = t.newSubnetTool()
	t.ports = t.newPortTool()
	t.sockets = t.newSocketTool()
	// Text only: with icons each section is a tall button and at 600 px
	// the last two (Port check, Sockets) went behind an overflow menu.
	t.sections = container.NewAppTabs(
		container.NewTabItem(tr("This machine"), t.machine.content),
		container.NewTabItem(tr("Lookup"), t.lookup.content),
		container.NewTabItem(tr("Address converter"), t.convert.content),
		container.NewTabItem(tr("Byte order"), t.order.content),
		container.NewTabItem(tr("Subnet calculator"), t.subnet.content),
		container.NewTabItem(tr("Port check"), t.ports.content),
		container.NewTabItem(tr("Sockets"), t.sockets.content),
	)
	t.sections.SetTabLocation(container.TabLocationLeading)
	if i := t.p.integer(prefToolsSection, 0); i > 0 && i < len(t.sections.Items) {
		t.sections.SelectIndex(i)
	}
	t.sections.OnSelected = func(*container.TabItem) {
		t.p.setInt(prefToolsSection, t.sections.SelectedIndex())
		t.shown()
	}
	t.machine.refresh()
	t.shown()

	toolsMu.Lock()
	toolsTabs[u] = t
	toolsMu.Unlock()
	u.onQuit(func() {
		t.shutdown()
		toolsMu.Lock()
		delete(toolsTabs, u)
		toolsMu.Unlock()
	})
	return t
}

// toolsOf is the Tools tab of u, or nil.
func toolsOf(u *appUI) *toolsTab {
	toolsMu.Lock()
	defer toolsMu.Unlock()
	return toolsTabs[u]
}

// shown loads the socket list the first time its section is opened: it
// reads every process's file table, which is not free.
func (t *toolsTab) shown() {
	if t.sections.Selected() != nil && t.sections.Selected().Content == t.sockets.content && !t.sockets.loaded {
		t.sockets.refresh()
	}
}

func (t *toolsTab) shutdown() {
	t.lookup.cancel()
	t.ports.cancel()
}

// selectSection opens the section whose content is c.
func (t *toolsTab) selectSection(c fyne.CanvasObject) {
	for _, it := range t.sections.Items {
		if it.Content == c {
			t.sections.Select(it)
		}
	}
}

// toolPage lays out one section: its controls with the status line right
// under them, where an error in a field is seen, then the answer filling
// the rest, then "Copy all" with its feedback.
func toolPage(top fyne.CanvasObject, status statusLabel, body, copyBar fyne.CanvasObject) fyne.CanvasObject {
	return container.NewBorder(container.NewVBox(top, status), copyBar, nil, nil, body)
}

// toolHint is a line of help under a section's controls.
func toolHint(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Importance = widget.LowImportance
	l.Wrapping = fyne.TextWrapWord
	return l
}
