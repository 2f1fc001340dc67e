package main

import (
	"fmt"
	"net/url"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/netdebug/netdebug/assets"
	"github.com/netdebug/netdebug/widgets"
)

// appID is the reverse-DNS ID, the same as in FyneApp.toml.
const appID = "io.github.netdebug.netdebug"

// readmeURL is where the About dialog points.
const readmeURL = "https://github.com/netdebug/netdebug#readme"

// tab is one page of the main window.
type tab struct {
	name    string
	icon    fyne.Resource
	content fyne.CanvasObject
}

// appUI owns the window and what every tab shares: preferences, file
// dialogs, log limits and the things to stop on quit.
type appUI struct {
	app     fyne.App
	win     fyne.Window
	files   widgets.FileDialogs
	stores  []*widgets.LogStore
	quit    []func()
	stopped bool
	tabs    *container.AppTabs

	tcpClient *tcpClientTab
	tcpServer *tcpServerTab
	udp       *udpTab

	tftpClient *tftpTab
	tftpServer *tftpServerTab
}

// newUI builds the main window's content. files is the dialog provider
// (native in the app, a fake in tests).
func newUI(a fyne.App, w fyne.Window, files widgets.FileDialogs) *appUI {
	u := &appUI{app: a, win: w, files: files}
	a.SetIcon(assets.Icon)
	w.SetIcon(assets.Icon)

	var items []*container.TabItem
	for _, t := range u.buildTabs() {
		items = append(items, container.NewTabItemWithIcon(t.name, t.icon, t.content))
	}
	u.tabs = container.NewAppTabs(items...)
	u.tabs.SetTabLocation(container.TabLocationTop)
	if i := a.Preferences().IntWithFallback(prefLastTab, 0); i >= 0 && i < len(items) {
		u.tabs.SelectIndex(i)
	}
	u.tabs.OnSelected = func(*container.TabItem) {
		a.Preferences().SetInt(prefLastTab, u.tabs.SelectedIndex())
	}
	w.SetContent(u.tabs)
	w.SetMainMenu(u.menu())
	u.applyMemoryLimit()
	u.manageMemory()
	p := a.Preferences()
	w.Resize(fyne.NewSize(
		float32(p.FloatWithFallback(prefWindowWidth, 1100)),
		float32(p.FloatWithFallback(prefWindowHeight, 720))))
	w.SetCloseIntercept(func() {
		u.shutdown()
		w.Close()
	})
	// File → Quit (and Cmd+Q) end the app without the close intercept.
	a.Lifecycle().SetOnStopped(u.shutdown)
	return u
}

// tabFactory builds one tab; order places it in the tab bar.
type tabFactory struct {
	order int
	build func(u *appUI) tab
}

var tabFactories []tabFactory

// registerTab adds a tab to the main window. Each tab file registers itself
// in an init function, so adding a tab touches no shared file. A tab is
// registered only once it works completely.
func registerTab(order int, build func(u *appUI) tab) {
	tabFactories = append(tabFactories, tabFactory{order, build})
}

// buildTabs builds the registered tabs in order.
func (u *appUI) buildTabs() []tab {
	sort.SliceStable(tabFactories, func(i, j int) bool { return tabFactories[i].order < tabFactories[j].order })
	tabs := make([]tab, 0, len(tabFactories))
	for _, f := range tabFactories {
		tabs = append(tabs, f.build(u))
	}
	return tabs
}

func (u *appUI) onQuit(f func()) { u.quit = append(u.quit, f) }

// shutdown saves the window size and stops every session. It runs once,
// whichever way the app ends.
func (u *appUI) shutdown() {
	if u.stopped {
		return
	}
	u.stopped = true
	size := u.win.Canvas().Size()
	if size.Width > 100 && size.Height > 100 {
		u.app.Preferences().SetFloat(prefWindowWidth, float64(size.Width))
		u.app.Preferences().SetFloat(prefWindowHeight, float64(size.Height))
	}
	for i := len(u.quit) - 1; i >= 0; i-- {
		u.quit[i]()
	}
	u.quit = nil
}

func (u *appUI) logLimits() widgets.LogLimits {
	p := u.app.Preferences()
	return widgets.LogLimits{
		MaxRecords: p.IntWithFallback(prefLogMaxRecs, widgets.DefaultLogLimits.MaxRecords),
		MaxBytes:   int64(p.IntWithFallback(prefLogMaxMB, int(widgets.DefaultLogLimits.MaxBytes>>20))) << 20,
	}
}

// memoryHeadroom is what the program needs beside its logs: the window,
// fonts, session buffers and the garbage between two collections.
const memoryHeadroom = 160 << 20

// applyMemoryLimit sets Go's soft memory limit to what the logs may hold
// plus headroom. Under a flood the collector then runs often enough that
// garbage never piles up beyond it; the logs' caps stay the only thing that
// grows with traffic.
func (u *appUI) applyMemoryLimit() {
	logs := u.logLimits().MaxBytes * int64(max(1, len(u.stores)))
	debug.SetMemoryLimit(logs + memoryHeadroom)
}

// gcPercent is the Go collector's target growth over live memory. The
// default (100) lets garbage grow as large as the logs and fonts together
// before a collection; a flood makes garbage steadily, so collecting at a
// quarter of that keeps the process near what it holds, for a few
// milliseconds of marking per collection.
const gcPercent = 25

// trimInterval is how often the window's process hands freed C memory
// back to the system (see trimCHeap).
const trimInterval = 5 * time.Second

// manageMemory sets the collector's pace and trims the C heap every few
// seconds until the app stops.
func (u *appUI) manageMemory() {
	debug.SetGCPercent(gcPercent)
	stop := make(chan struct{})
	u.onQuit(func() { close(stop) })
	go func() {
		t := time.NewTicker(trimInterval)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				trimCHeap()
			}
		}
	}()
}

func (u *appUI) menu() *fyne.MainMenu {
	settings := fyne.NewMenuItem(tr("Settings…"), u.showSettings)
	settings.Icon = theme.SettingsIcon()
	about := fyne.NewMenuItem(tr("About NetDebug"), u.showAbout)
	about.Icon = theme.InfoIcon()
	readme := fyne.NewMenuItem(tr("User guide (README)"), func() {
		if link, err := url.Parse(readmeURL); err == nil {
			_ = u.app.OpenURL(link)
		}
	})
	return fyne.NewMainMenu(
		fyne.NewMenu(tr("File"), settings),
		fyne.NewMenu(tr("Help"), readme, about),
	)
}

// version and build are set by the Makefile from FyneApp.toml (-ldflags -X).
var (
	version = "dev"
	build   = "0"
)

func appVersion(a fyne.App) (string, string) {
	if a != nil {
		if m := a.Metadata(); m.Version != "" && m.Version != "0.0.1" {
			return m.Version, strconv.Itoa(m.Build)
		}
	}
	return version, build
}

func (u *appUI) showAbout() {
	v, b := appVersion(u.app)
	link, _ := url.Parse(readmeURL)
	icon := widget.NewIcon(assets.Icon)
	content := container.NewVBox(
		container.NewGridWrap(fyne.NewSize(96, 96), icon),
		widget.NewLabelWithStyle("NetDebug", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		widget.NewLabel(tr("Network debug assistant: TCP, UDP, chat, TFTP and network tools.")),
		widget.NewLabel(trf("Version {{.Version}} (build {{.Build}})", map[string]any{"Version": v, "Build": b})),
		widget.NewLabel(tr("Licence: MIT")),
		widget.NewHyperlink(tr("User guide (README)"), link),
	)
	dialog.ShowCustom(tr("About NetDebug"), tr("Close"), content, u.win)
}

func (u *appUI) showSettings() {
	p := u.app.Preferences()
	langs := map[string]string{langSystem: tr("Follow the system"), langEnglish: "English", langChinese: "简体中文"}
	langSel := newSelect([]string{langs[langSystem], langs[langEnglish], langs[langChinese]}, nil)
	langSel.SetSelected(langs[p.StringWithFallback(prefLanguage, langSystem)])
	lim := u.logLimits()
	recs := widget.NewEntry()
	recs.SetText(strconv.Itoa(lim.MaxRecords))
	mb := widget.NewEntry()
	mb.SetText(strconv.FormatInt(lim.MaxBytes>>20, 10))
	form := []*widget.FormItem{
		widget.NewFormItem(tr("Language"), widgets.FitOptions(langSel)),
		widget.NewFormItem(tr("Log: most records"), recs),
		widget.NewFormItem(tr("Log: most megabytes"), mb),
	}
	dialog.ShowForm(tr("Settings"), tr("Save"), tr("Cancel"), form, func(ok bool) {
		if !ok {
			return
		}
		n, err1 := strconv.Atoi(strings.TrimSpace(recs.Text))
		m, err2 := strconv.Atoi(strings.TrimSpace(mb.Text))
		if err1 != nil || err2 != nil || n < 100 || m < 1 || n > 10_000_000 || m > 16384 {
			dialog.ShowError(fmt.Errorf("%s", tr("The log limits must be whole numbers: at least 100 records and 1 MB")), u.win)
			return
		}
		p.SetInt(prefLogMaxRecs, n)
		p.SetInt(prefLogMaxMB, m)
		for _, s := range u.stores {
			s.SetLimits(u.logLimits())
		}
		u.applyMemoryLimit()
		for code, label := range langs {
			if label == langSel.Selected && code != p.StringWithFallback(prefLanguage, langSystem) {
				p.SetString(prefLanguage, code)
				dialog.ShowInformation(tr("Language"), tr("Restart NetDebug to use the new language."), u.win)
			}
		}
	}, u.win)
}
