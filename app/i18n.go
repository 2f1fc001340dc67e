package main

import (
	"embed"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
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

// tr translates a UI string.
func tr(s string) string { return lang.L(s) }

// trf translates a templated UI string ({{.Name}} fields).
func trf(s string, data map[string]any) string { return lang.L(s, data) }

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
}
