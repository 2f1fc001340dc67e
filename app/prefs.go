package main

import (
	"encoding/json"

	"fyne.io/fyne/v2"
)

// Preference keys. Tabs prefix theirs with the tab name.
const (
	prefLanguage     = "language"
	prefWindowWidth  = "window.width"
	prefWindowHeight = "window.height"
	prefLogMaxRecs   = "log.maxRecords"
	prefLogMaxMB     = "log.maxMB"
	prefLastTab      = "window.tab"
)

// prefs reads and writes one tab's preferences.
type prefs struct {
	p      fyne.Preferences
	prefix string
}

func newPrefs(a fyne.App, prefix string) prefs {
	return prefs{p: a.Preferences(), prefix: prefix + "."}
}

func (p prefs) str(key, fallback string) string {
	return p.p.StringWithFallback(p.prefix+key, fallback)
}
func (p prefs) setStr(key, v string) { p.p.SetString(p.prefix+key, v) }
func (p prefs) boolean(key string, fallback bool) bool {
	return p.p.BoolWithFallback(p.prefix+key, fallback)
}
func (p prefs) setBool(key string, v bool) { p.p.SetBool(p.prefix+key, v) }
func (p prefs) integer(key string, fallback int) int {
	return p.p.IntWithFallback(p.prefix+key, fallback)
}
func (p prefs) setInt(key string, v int) { p.p.SetInt(p.prefix+key, v) }

// load decodes a JSON value into v; it reports false (leaving v alone) when
// the key is missing or malformed.
func (p prefs) load(key string, v any) bool {
	s := p.p.String(p.prefix + key)
	if s == "" {
		return false
	}
	return json.Unmarshal([]byte(s), v) == nil
}

func (p prefs) save(key string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		fyne.LogError("saving preference "+key, err)
		return
	}
	p.p.SetString(p.prefix+key, string(b))
}
