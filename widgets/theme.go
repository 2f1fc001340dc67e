package widgets

// Why NetDebug needs its own theme for fonts.
//
// For each text style Fyne's painter (internal/painter/font.go) draws a
// character with the first face in a list that maps it: the theme's font,
// Fyne's bundled font for the style (DejaVu Sans Mono for Monospace, Noto
// Sans otherwise), the emoji font, a system font for the locale, and then
// one more face per character it meets that none of those maps, found with
// fontscan and appended to the list for good. Fyne only asks whether a face
// maps a character, never whether the glyph has ink.
//
// DejaVu Sans Mono has no CJK and no ℃. On Linux the first Chinese
// character the log draws makes fontscan append WenQuanYi Micro Hei, the
// CJK font Debian and Ubuntu ship, and that font maps ℃, ℉, Ⅴ, Ⅹ and a
// few pinyin letters to glyphs with no outline (a bug in the font). From
// then on `温度=23.5℃` draws as `温度=23.5 `: the appended face claims ℃
// before any face that could draw it is asked. Which face wins also
// depends on what the app happened to draw first, and the locale face
// (WenQuanYi under zh_CN) can claim Ⅴ in regular text the same way.
//
// So Theme puts first, for Monospace and for regular text, a font built at
// start from the system's CJK face (cjkCandidates lists them per OS): the
// characters Fyne's bundled font already draws are taken out of it, so
// Latin stays DejaVu Sans Mono (hex dumps keep their columns) and line
// heights do not change; glyphs mapped but empty are taken out too, or
// drawn from the face's own letters (℃ = ° + C) when the bundled font
// lacks them as well. The result covers all of GB2312 and the common GBK
// and GB18030 range together with the bundled font, whatever else was
// drawn before; TestThemeFontsCoverGB2312 checks that against the fonts
// the theme returns. When no CJK font is found Theme returns the base
// theme's fonts and Fyne falls back per character as before.

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// Theme is a base theme with fonts that draw Chinese and the symbols
// engineers meet (℃ ° ± µ Ω ² ³ ‰ → ✓, box drawing) in the log, the send
// box, the record detail and the chat.
type Theme struct {
	fyne.Theme
}

// NewTheme wraps base (the default theme when nil) and starts building
// its fonts in the background, so the first frame does not wait for them.
func NewTheme(base fyne.Theme) *Theme {
	if base == nil {
		base = theme.DefaultTheme()
	}
	go func() {
		cjkTextFont(true)
		cjkTextFont(false)
	}()
	return &Theme{Theme: base}
}

// Font returns the CJK-capable font for Monospace and for regular text,
// and the base theme's font for every other style (and when the system
// has no CJK font).
func (t *Theme) Font(s fyne.TextStyle) fyne.Resource {
	switch {
	case s.Symbol:
	case s.Monospace:
		if f := cjkTextFont(true); f != nil {
			return f.res
		}
	case !s.Bold && !s.Italic:
		if f := cjkTextFont(false); f != nil {
			return f.res
		}
	}
	return t.Theme.Font(s)
}
