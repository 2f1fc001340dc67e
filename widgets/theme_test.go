package widgets

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"github.com/go-text/typesetting/font"
	"github.com/go-text/typesetting/fontscan"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// themeSymbols are the symbols issue 14 names, plus box drawing.
func themeSymbols() []rune {
	rs := []rune("℃°±µΩ²³‰→✓")
	for r := rune(0x2500); r <= 0x257F; r++ {
		rs = append(rs, r)
	}
	return rs
}

// needCJKFont skips when the system has no CJK font at all, unless the
// run promised one (make test installs fonts-wqy-microhei and sets
// NETDEBUG_REQUIRE_PEERS=1).
func needCJKFont(t *testing.T, f *cjkFont) {
	t.Helper()
	if f != nil {
		t.Logf("CJK font: %s from %s (%d mappings kept, %d left to Fyne's font, %d empty dropped, composed %q)",
			f.family, f.path, f.repair.kept, f.repair.left, f.repair.dropped, f.repair.composed)
		return
	}
	if os.Getenv("NETDEBUG_REQUIRE_PEERS") == "1" {
		t.Fatal("no CJK font found on this system (NETDEBUG_REQUIRE_PEERS=1; install fonts-wqy-microhei)")
	}
	t.Skip("no CJK font on this system (install fonts-wqy-microhei or fonts-noto-cjk)")
}

func parseFace(t *testing.T, r fyne.Resource) *font.Face {
	t.Helper()
	f, err := font.ParseTTF(bytes.NewReader(r.Content()))
	if err != nil {
		t.Fatalf("%s: %v", r.Name(), err)
	}
	return f
}

// themeChain is the start of the face list Fyne's painter builds for a
// style: the theme's font, Fyne's bundled font for the style, the emoji
// font. Coverage must not depend on the faces it adds later, which vary
// with the locale and with what was drawn before.
func themeChain(t *testing.T, th fyne.Theme, style fyne.TextStyle) []*font.Face {
	fallback := theme.DefaultTextFont()
	if style.Monospace {
		fallback = theme.DefaultTextMonospaceFont()
	}
	return []*font.Face{parseFace(t, th.Font(style)), parseFace(t, fallback), parseFace(t, theme.DefaultEmojiFont())}
}

// gbkRunes is every character of GBK's two-byte range, the part of
// GB18030 in common use (the four-byte part is Unicode's remainder).
func gbkRunes() []rune {
	dec := simplifiedchinese.GBK.NewDecoder()
	var rs []rune
	for hi := 0x81; hi <= 0xFE; hi++ {
		for lo := 0x40; lo <= 0xFE; lo++ {
			out, err := dec.Bytes([]byte{byte(hi), byte(lo)})
			if lo == 0x7F || err != nil {
				continue
			}
			r := []rune(string(out))
			if len(r) == 1 && r[0] != 0xFFFD && (r[0] < 0xE000 || r[0] > 0xF8FF) {
				rs = append(rs, r[0])
			}
		}
	}
	return rs
}

// TestThemeFontsCoverGB2312 loads the fonts Theme returns for Monospace
// and regular text and checks that every GB2312 character, the symbols
// engineers use and box drawing get a glyph with ink from the first face
// that claims them, as Fyne's painter picks.
func TestThemeFontsCoverGB2312(t *testing.T) {
	th := NewTheme(theme.DefaultTheme())
	for _, tc := range []struct {
		name  string
		style fyne.TextStyle
		mono  bool
	}{{"Monospace", fyne.TextStyle{Monospace: true}, true}, {"Regular", fyne.TextStyle{}, false}} {
		t.Run(tc.name, func(t *testing.T) {
			needCJKFont(t, cjkTextFont(tc.mono))
			chain := themeChain(t, th, tc.style)
			gb := gb2312Runes()
			// GB2312 has 7,445 characters; x/text decodes 35 more in
			// these rows, which GBK added there.
			if len(gb) < 7445 {
				t.Fatalf("GB2312 repertoire has %d characters, want at least 7445", len(gb))
			}
			var bad, system []rune
			for _, r := range gb {
				if _, ok := firstInked(chain, r); !ok {
					bad = append(bad, r)
				}
			}
			for _, r := range themeSymbols() {
				if _, ok := firstInked(chain, r); ok {
					continue
				}
				// Regular text may take box drawing from the system font
				// Fyne's painter finds for it (DejaVu Sans on Linux); the
				// log's Monospace may not.
				if f := systemFallback(t, r); !tc.mono && f != nil {
					if _, inked := draws(f, r); inked {
						system = append(system, r)
						continue
					}
				}
				bad = append(bad, r)
			}
			if len(system) > 0 {
				t.Logf("drawn by the system fallback font: %q", string(system))
			}
			if len(bad) > 0 {
				t.Errorf("%d characters not drawn by %s: %q", len(bad), th.Font(tc.style).Name(), string(bad[:min(len(bad), 200)]))
			}
			var gbkBad []rune
			gbk := gbkRunes()
			for _, r := range gbk {
				if _, ok := firstInked(chain, r); !ok {
					gbkBad = append(gbkBad, r)
				}
			}
			// Rare Extension A ideographs and radicals are not in every
			// system font; Fyne's per-character fallback may still find
			// them. The common range must be there.
			t.Logf("GBK/GB18030 two-byte range: %d of %d drawn by the theme's faces; missing %q",
				len(gbk)-len(gbkBad), len(gbk), string(gbkBad))
			if len(gbkBad)*200 > len(gbk) {
				t.Errorf("%d of %d GBK characters not drawn", len(gbkBad), len(gbk))
			}
			if tc.mono {
				// Latin stays DejaVu Sans Mono, one advance for all; the
				// space (which must be in the CJK font, see buildCJKFont)
				// has the same advance.
				fb := chain[1]
				var adv float32 = -1
				for r := rune(0x20); r < 0x7F; r++ {
					f, _ := firstInked(chain, r)
					if r != ' ' && f != fb {
						t.Fatalf("%q is drawn by the CJK font, not by %s", r, theme.DefaultTextMonospaceFont().Name())
					}
					g, _ := f.NominalGlyph(r)
					a := f.HorizontalAdvance(g) / float32(f.Upem())
					if adv < 0 {
						adv = a
					} else if math.Abs(float64(a-adv)) > 0.001 {
						t.Fatalf("%q advances %v em, want %v", r, a, adv)
					}
				}
				// Line height comes from the face with the space.
				ours, _ := chain[0].FontHExtents()
				def, _ := fb.FontHExtents()
				if d := (ours.Ascender-ours.Descender)/float32(chain[0].Upem()) - (def.Ascender-def.Descender)/float32(fb.Upem()); math.Abs(float64(d)) > 0.001 {
					t.Errorf("line height differs from %s by %v em", theme.DefaultTextMonospaceFont().Name(), d)
				}
			}
		})
	}
}

var (
	sysFontsOnce sync.Once
	sysFonts     *fontscan.FontMap
)

// systemFallback is the face Fyne's painter appends for r when no face in
// its list maps it (a sans-serif query), or nil.
func systemFallback(t *testing.T, r rune) *font.Face {
	sysFontsOnce.Do(func() {
		fm := fontscan.NewFontMap(quietLog{})
		if err := fm.UseSystemFonts(""); err != nil {
			t.Logf("system fonts: %v", err)
			return
		}
		sysFonts = fm
	})
	if sysFonts == nil {
		return nil
	}
	sysFonts.SetQuery(fontscan.Query{Families: []string{fontscan.SansSerif}})
	return sysFonts.ResolveFace(r)
}

const drawnSample = "温度=23.5℃ ±0.1 µΩ ² ³ ‰ → ✓ ─│┌"

// TestThemeDrawsSymbols renders the sample with Fyne's software
// painter, which picks faces like the window's, and checks that every
// character's cell has ink: ℃ after 温 is what drew as a blank before.
func TestThemeDrawsSymbols(t *testing.T) {
	needCJKFont(t, cjkTextFont(true))
	for _, style := range []fyne.TextStyle{{Monospace: true}, {}} {
		a := test.NewTempApp(t)
		a.Settings().SetTheme(NewTheme(theme.DefaultTheme()))
		// Draw Chinese first, as a log does, so any face fontscan adds
		// for it is in the list before ℃ is looked up.
		fg := theme.DefaultTheme().Color(theme.ColorNameForeground, a.Settings().ThemeVariant())
		warm := canvas.NewText("温度中文", fg)
		warm.TextStyle = style
		txt := canvas.NewText(drawnSample, fg)
		txt.TextStyle, txt.TextSize = style, 20
		w := test.NewTempWindow(t, container.NewVBox(warm, txt))
		w.Resize(fyne.NewSize(700, 120))
		img := w.Canvas().Capture()
		if d := os.Getenv("NETDEBUG_FONT_PNG"); d != "" {
			if f, err := os.Create(fmt.Sprintf("%s/font-%v.png", d, style.Monospace)); err == nil {
				_ = png.Encode(f, img)
				f.Close()
			}
		}
		sc := float32(img.Bounds().Dx()) / w.Canvas().Size().Width
		pos := a.Driver().AbsolutePositionForObject(txt)
		bg := img.At(0, 0)
		var missing []string
		runes := []rune(drawnSample)
		for i, r := range runes {
			if r == ' ' {
				continue
			}
			x0 := pos.X + fyne.MeasureText(string(runes[:i]), txt.TextSize, style).Width
			x1 := pos.X + fyne.MeasureText(string(runes[:i+1]), txt.TextSize, style).Width
			if n := themeInk(img, bg, int(x0*sc)+1, int(x1*sc)-1, int(pos.Y*sc), int((pos.Y+txt.MinSize().Height)*sc)); n == 0 {
				missing = append(missing, string(r))
			}
		}
		if len(missing) > 0 {
			t.Errorf("style %+v: no ink where %s should be in %q", style, strings.Join(missing, " "), drawnSample)
		}
	}
}

// themeInk counts the pixels in columns x0..x1 and rows y0..y1 that differ
// from bg.
func themeInk(img image.Image, bg color.Color, x0, x1, y0, y1 int) int {
	br, bgc, bb, _ := bg.RGBA()
	n := 0
	for y := max(y0, img.Bounds().Min.Y); y < min(y1, img.Bounds().Max.Y); y++ {
		for x := max(x0, img.Bounds().Min.X); x <= min(x1, img.Bounds().Max.X-1); x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if themeAbsDiff(r, br)+themeAbsDiff(g, bgc)+themeAbsDiff(b, bb) > 0x3000 {
				n++
			}
		}
	}
	return n
}

func themeAbsDiff(a, b uint32) uint32 {
	if a > b {
		return a - b
	}
	return b - a
}
