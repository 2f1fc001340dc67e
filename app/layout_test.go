package main

import (
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/netdebug/netdebug/widgets"
)

// smallWindow is the smallest screen every page must be usable on.
var smallWindow = fyne.NewSize(1024, 600)

// newSizedUI builds the window in language lang with the app's own theme
// (the test theme's sizes differ) at size.
func newSizedUI(t *testing.T, lang string, size fyne.Size) *appUI {
	t.Helper()
	a := test.NewTempApp(t)
	a.Settings().SetTheme(widgets.NewTheme(theme.DefaultTheme()))
	setupLanguage(lang)
	t.Cleanup(func() { setupLanguage(langEnglish) })
	w := test.NewTempWindow(t, nil)
	var u *appUI
	onUI(func() {
		u = newUI(a, w, &fakeFiles{})
		w.Resize(size)
	})
	t.Cleanup(func() { onUI(u.shutdown) })
	return u
}

// openEverything expands every accordion on the page and opens its
// Automation panel.
func openEverything(u *appUI, page fyne.CanvasObject) {
	walk(page, func(o fyne.CanvasObject) {
		if acc, ok := o.(*widget.Accordion); ok {
			acc.OpenAll()
		}
	})
	for _, a := range []*automationPanel{u.tcpClient.auto, u.tcpServer.auto, u.udp.auto} {
		if holds(page, a.root) && !a.shown {
			a.setShown(true)
		}
	}
}

// walk visits o and everything inside it (containers, scrolls, splits,
// tabs and widgets' renderers).
func walk(o fyne.CanvasObject, f func(fyne.CanvasObject)) {
	f(o)
	switch c := o.(type) {
	case *fyne.Container:
		for _, ch := range c.Objects {
			walk(ch, f)
		}
	case fyne.Widget:
		for _, ch := range test.WidgetRenderer(c).Objects() {
			walk(ch, f)
		}
	}
	if s, ok := o.(*container.Split); ok {
		walk(s.Leading, f)
		walk(s.Trailing, f)
	}
}

// TestPagesDump writes each page at 1024×600 with everything open, for
// a person to look at: NETDEBUG_SHOTS=dir go test -run TestPagesDump.
func TestPagesDump(t *testing.T) {
	dir := os.Getenv("NETDEBUG_SHOTS")
	if dir == "" {
		t.Skip("NETDEBUG_SHOTS not set")
	}
	for _, lang := range []string{langEnglish, langChinese} {
		u := newSizedUI(t, lang, smallWindow)
		for i, item := range u.tabs.Items {
			onUI(func() {
				u.tabs.SelectIndex(i)
				openEverything(u, item.Content)
			})
			relayout(u)
			onUI(func() {
				im := u.win.Canvas().Capture()
				f, _ := os.Create(filepath.Join(dir, lang+"-"+string(rune('0'+i))+".png"))
				_ = png.Encode(f, im)
				f.Close()
				t.Logf("%s tab %d %q content min %v", lang, i, item.Text, item.Content.MinSize())
			})
		}
	}
}

// relayout lays the window out again as the real driver does after
// something changed size (the test canvas does not on its own).
func relayout(u *appUI) {
	waitUI()
	onUI(func() {
		size := u.win.Canvas().Size()
		u.win.Resize(size.SubtractWidthHeight(1, 1))
		u.win.Resize(size)
	})
	waitUI()
}

// waitUI lets queued UI work (refreshes asked for during layout) run.
func waitUI() {
	for range 3 {
		onUI(func() {})
	}
}

// cutSelects lists the selects inside o whose shown choice is cut short.
func cutSelects(o fyne.CanvasObject) []string {
	var cut []string
	walk(o, func(o fyne.CanvasObject) {
		s, ok := o.(*widget.Select)
		if !ok || !s.Visible() || s.Size().Width == 0 {
			return
		}
		var shown strings.Builder
		walk(s, func(o fyne.CanvasObject) {
			if t, ok := o.(*canvas.Text); ok {
				shown.WriteString(t.Text)
			}
		})
		want := s.Selected
		if want == "" {
			want = s.PlaceHolder
		}
		if shown.String() != want {
			cut = append(cut, shown.String())
		}
	})
	return cut
}

// TestSelectsShowTheirChoice: no select on any page, nor in Settings,
// cuts its choice short at 1024×600, in English or Chinese.
func TestSelectsShowTheirChoice(t *testing.T) {
	for _, lang := range []string{langEnglish, langChinese} {
		u := newSizedUI(t, lang, smallWindow)
		for i, item := range u.tabs.Items {
			onUI(func() {
				u.tabs.SelectIndex(i)
				openEverything(u, item.Content)
			})
			waitUI()
			onUI(func() {
				if cut := cutSelects(item.Content); len(cut) > 0 {
					t.Errorf("%s, %s: selects cut short: %q", lang, item.Text, cut)
				}
			})
		}
		onUI(func() {
			u.showSettings()
			for _, o := range u.win.Canvas().Overlays().List() {
				if cut := cutSelects(o); len(cut) > 0 {
					t.Errorf("%s, Settings: selects cut short: %q", lang, cut)
				}
			}
		})
	}
}

// menuBarRoom is the height of the window's menu bar (File, Help) in the
// real window; the test window draws none.
const menuBarRoom = 30

// TestPagesFitSmallWindow: at 1024×600, in English and Chinese, with the
// Options open and the Automation panel shown, every page's content fits
// under the tab bar, the logs keep rows to read, the Find box has room
// to type in, and the Tools sections are all in view (no overflow menu).
func TestPagesFitSmallWindow(t *testing.T) {
	for _, lang := range []string{langEnglish, langChinese} {
		u := newSizedUI(t, lang, smallWindow)
		for i, item := range u.tabs.Items {
			onUI(func() {
				u.tabs.SelectIndex(i)
				openEverything(u, item.Content)
			})
			relayout(u)
			onUI(func() {
				room := fyne.NewSize(smallWindow.Width, smallWindow.Height-menuBarRoom-item.Content.Position().Y)
				if m := item.Content.MinSize(); m.Width > room.Width || m.Height > room.Height {
					t.Errorf("%s, %s: content needs %v, has %v", lang, item.Text, m, room)
				}
			})
		}
		onUI(func() {
			if m := u.win.Content().MinSize(); m.Width > smallWindow.Width || m.Height > smallWindow.Height-menuBarRoom {
				t.Errorf("%s: the window's content needs %v: it cannot shrink to 1024×600", lang, m)
			}
			for name, l := range map[string]*sessionLog{"TCP client": u.tcpClient.log, "TCP server": u.tcpServer.log, "UDP": u.udp.log} {
				// Toolbar, status (two rows when narrow) and rows to read.
				if h := l.view.Size().Height; h < 200 {
					t.Errorf("%s, %s: the log is %v px high", lang, name, h)
				}
				var find *widget.Entry
				walk(l.view, func(o fyne.CanvasObject) {
					if e, ok := o.(*widget.Entry); ok && e.PlaceHolder == tr("Find") {
						find = e
					}
				})
				if find == nil || find.Size().Width < 150 {
					t.Errorf("%s, %s: the Find box is %v wide", lang, name, find.Size().Width)
				}
			}
			tools := toolsOf(u).sections
			walk(tools, func(o fyne.CanvasObject) {
				if b, ok := o.(*widget.Button); ok && b.Visible() && b.Text == "" &&
					(b.Icon == theme.MoreVerticalIcon() || b.Icon == theme.MoreHorizontalIcon()) {
					t.Errorf("%s: Tools sections overflow into a menu", lang)
				}
			})
		})
	}
}
