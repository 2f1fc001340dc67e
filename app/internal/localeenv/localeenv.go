// Package localeenv keeps Fyne from logging "Error parsing user locale C"
// when NetDebug starts under LANG=C.UTF-8 (the default in containers and
// many minimal systems).
//
// Fyne's lang package reads the locale in its package init, before main
// runs, and go-locale turns "C.UTF-8" into the language tag "C", which does
// not parse. This package must therefore run its init first. Go initialises
// packages in import-path order among those whose imports are ready; this
// package imports only syscall (ready before os, which go-locale needs), and
// its path sorts before github.com/nicksnyder/go-i18n, which fyne's lang
// needs. So its init always runs before lang's. It rewrites "C.*" and
// "POSIX.*" to "C", which go-locale understands as "no preference", and
// Restore puts the original values back once main starts, so child
// processes and GTK see the user's real locale.
package localeenv

import "syscall"

var saved = map[string]string{}

func init() {
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v, ok := syscall.Getenv(name)
		if !ok || v == "" {
			continue
		}
		// go-locale uses the first variable that is set.
		if isPlainC(v) && v != "C" && v != "POSIX" {
			saved[name] = v
			_ = syscall.Setenv(name, "C")
		}
		break
	}
}

func isPlainC(v string) bool {
	for _, p := range []string{"C.", "POSIX."} {
		if len(v) > len(p) && v[:len(p)] == p {
			return true
		}
	}
	return false
}

// Restore puts back the variables init changed. Call it at the start of
// main, after Fyne's package init has read them.
func Restore() {
	for name, v := range saved {
		_ = syscall.Setenv(name, v)
	}
}
