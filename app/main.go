// Command netdebug is NetDebug, a network debug assistant: TCP client and
// server, UDP, chat, TFTP and network tools in one window, and the same
// features headless from the command line (netdebug help).
package main

import (
	"os"
	"strings"

	// localeenv must initialise before Fyne's lang package; see its doc.
	"github.com/netdebug/netdebug/app/internal/localeenv"

	fyneapp "fyne.io/fyne/v2/app"

	"github.com/netdebug/netdebug/widgets"
)

func main() {
	// macOS passes -psn_… when Finder starts an app bundle.
	if len(os.Args) > 1 && !strings.HasPrefix(os.Args[1], "-psn") {
		localeenv.Restore()
		os.Exit(runCLI(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	a := fyneapp.NewWithID(appID)
	// Fonts that draw Chinese and ℃ in the log and send box; see widgets/theme.go.
	a.Settings().SetTheme(widgets.NewTheme(a.Settings().Theme()))
	setupLanguage(a.Preferences().StringWithFallback(prefLanguage, langSystem))
	localeenv.Restore()
	w := a.NewWindow("NetDebug")
	newUI(a, w, widgets.NativeDialogs{})
	w.ShowAndRun()
}
