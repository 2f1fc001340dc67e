package main

import (
	"embed"
	"encoding/json"
	"strings"
	"text/template"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
)

// translations holds netdebug.en.json and netdebug.zh_Hans.json. Keys are
// the English strings used in the code.
//
//go:embed translations
var translations embed.FS

// Language choices in the settings.
const (
	langSystem  = "system"
	langEnglish = "en"
	langChinese = "zh"
)

// setupLanguage loads our translations. With a choice other than system, the
// chosen language's messages are also registered under the system's own
// locale, which is the one Fyne's localizer picks, so the override works on
// every platform without touching the environment.
func setupLanguage(choice string) {
	if err := lang.AddTranslationsFS(translations, "translations"); err != nil {
		fyne.LogError("loading translations", err)
	}
	file := ""
	switch choice {
	case langEnglish:
		file = "translations/netdebug.en.json"
	case langChinese:
		file = "translations/netdebug.zh_Hans.json"
	default:
		return
	}
	data, err := translations.ReadFile(file)
	if err != nil {
		fyne.LogError("loading "+file, err)
		return
	}
	if err := lang.AddTranslationsForLocale(data, lang.SystemLocale()); err != nil {
		fyne.LogError("applying language "+choice, err)
	}
}

// known holds the message IDs our translations have. Fyne's localizer logs
// an error for every ID it cannot find in a non-default language, and some
// texts reach tr at run time (netcore's labels and notes, some with numbers
// in them); those without a translation are shown as they are, silently.
var known = func() map[string]bool {
	m := map[string]bool{}
	data, err := translations.ReadFile("translations/netdebug.zh_Hans.json")
	if err == nil {
		var ids map[string]string
		if json.Unmarshal(data, &ids) == nil {
			for id := range ids {
				m[id] = true
			}
		}
	}
	return m
}()

// tr translates a UI string.
func tr(s string) string {
	if !known[s] {
		return s
	}
	return lang.L(s)
}

// trf translates a templated UI string ({{.Name}} fields).
func trf(s string, data map[string]any) string {
	if !known[s] {
		var sb strings.Builder
		if t, err := template.New("").Parse(s); err == nil && t.Execute(&sb, data) == nil {
			return sb.String()
		}
		return s
	}
	return lang.L(s, data)
}

// newSelect is widget.NewSelect with its placeholder in the user's
// language: Fyne's own "(Select one)" is English only.
func newSelect(options []string, changed func(string)) *widget.Select {
	s := widget.NewSelect(options, changed)
	s.PlaceHolder = tr("(Select one)")
	return s
}

// i18nKey marks a message ID that is translated later, with tr(variable);
// it returns s unchanged. The translation test finds IDs through it.
func i18nKey(s string) string { return s }

// runtimeMessages are texts netcore puts in events, which the UI passes
// through tr when it shows them.
var runtimeMessages = []string{
	i18nKey("closed by peer"),
	i18nKey("closed"),
	i18nKey("disconnected by you"),
	i18nKey("server stopped"),
	// netinfo's field labels, states and fixed notes (the Tools tab).
	i18nKey("Input"), i18nKey("Dotted decimal"), i18nKey("Integer"), i18nKey("Bytes"), i18nKey("Python bytes"),
	i18nKey("Binary"), i18nKey("IPv4-mapped IPv6"), i18nKey("Compressed"), i18nKey("Expanded"), i18nKey("Zone"),
	i18nKey("IPv4 inside"), i18nKey("IPv4 dotted decimal"), i18nKey("32-bit integer"), i18nKey("hex integer"),
	i18nKey("network-order bytes"), i18nKey("IPv6 text"), i18nKey("Value"), i18nKey("Host order"),
	i18nKey("Network order"), i18nKey("Network"), i18nKey("Netmask"), i18nKey("Wildcard"), i18nKey("First host"),
	i18nKey("Last host"), i18nKey("Hosts"), i18nKey("Addresses"), i18nKey("Class"), i18nKey("Address bits"),
	i18nKey("Netmask bits"), i18nKey("Prefix length"), i18nKey("First address"), i18nKey("Last address"),
	i18nKey("Interface"), i18nKey("State"), i18nKey("up"), i18nKey("down"), i18nKey("open"), i18nKey("filtered"),
	i18nKey("error"), i18nKey("little-endian"), i18nKey("big-endian"), i18nKey("none"),
	i18nKey("inet_ntoa / inet_ntop(AF_INET)"), i18nKey("unsigned 32-bit, host value"),
	i18nKey("inet_aton / inet_pton(AF_INET), network order"), i18nKey("inet_ntop(AF_INET6), RFC 5952"),
	i18nKey("inet_pton(AF_INET6), network order"), i18nKey("scope of a link-local address; not part of the bytes"),
	i18nKey("IPv4-mapped IPv6 address"), i18nKey("bytes in memory, lowest address first"),
	i18nKey("big-endian, as sent on the wire"), i18nKey("network-order bytes read as a host integer"),
	i18nKey("inverse of the netmask, as ACLs write it"), i18nKey("/32 is a single host"),
	i18nKey("/31 is a point-to-point link: both addresses are hosts (RFC 3021)"), i18nKey("the address itself"),
	i18nKey("multicast; no default mask"), i18nKey("reserved; no default mask"),
}
