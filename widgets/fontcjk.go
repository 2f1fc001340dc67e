package widgets

// Finding a system CJK font on each OS and turning one of its faces into
// the first font of Fyne's face list; theme.go says why.

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"github.com/go-text/typesetting/font"
	ot "github.com/go-text/typesetting/font/opentype"
	"github.com/go-text/typesetting/fontscan"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// fontCandidate is a face to look for: its family name and the files it
// usually comes in, relative to the OS's font folders.
type fontCandidate struct {
	family string
	files  []string
}

// cjkCandidates lists, best first, the faces to use for mono (fixed-width
// Latin, full-width CJK) or for proportional text on goos.
func cjkCandidates(goos string, mono bool) []fontCandidate {
	var list []fontCandidate
	switch goos {
	case "windows":
		// NSimSun is SimSun's fixed-width face, in every Windows since
		// XP; YaHei and SimHei are the proportional ones.
		list = []fontCandidate{
			{"NSimSun", []string{"simsun.ttc"}},
			{"Microsoft YaHei Mono", []string{"msyhmono.ttf", "YaHeiMono.ttf"}},
			{"Microsoft YaHei", []string{"msyh.ttc", "msyh.ttf"}},
			{"SimHei", []string{"simhei.ttf"}},
			{"SimSun", []string{"simsun.ttc"}},
			{"DengXian", []string{"Deng.ttf"}},
		}
		if !mono {
			list = append(list[2:], list[:2]...)
		}
	case "darwin", "ios":
		// macOS has no fixed-width CJK face; PingFang and Heiti have
		// full-width ideographs, which is what the log needs.
		list = []fontCandidate{
			{"PingFang SC", []string{"PingFang.ttc"}},
			{"Heiti SC", []string{"STHeiti Light.ttc", "STHeiti Medium.ttc"}},
			{"STHeiti", []string{"STHeiti Light.ttc", "STHeiti Medium.ttc"}},
			{"Hiragino Sans GB", []string{"Hiragino Sans GB.ttc", "Hiragino Sans GB W3.ttc"}},
			{"Songti SC", []string{"Songti.ttc"}},
			{"Arial Unicode MS", []string{"Arial Unicode.ttf"}},
		}
	case "android":
		list = []fontCandidate{
			{"Noto Sans Mono CJK SC", []string{"NotoSansMonoCJK-VF.otf.ttc", "NotoSansCJK-Regular.ttc"}},
			{"Noto Sans CJK SC", []string{"NotoSansCJK-Regular.ttc", "NotoSansSC-Regular.otf"}},
			{"Droid Sans Fallback", []string{"DroidSansFallback.ttf", "DroidSansFallbackFull.ttf"}},
		}
	default: // Linux and the BSDs: the packages distributions ship
		wqy := []string{"truetype/wqy/wqy-microhei.ttc", "wenquanyi/wqy-microhei/wqy-microhei.ttc", "wqy-microhei/wqy-microhei.ttc", "wqy-microhei.ttc"}
		zen := []string{"truetype/wqy/wqy-zenhei.ttc", "wenquanyi/wqy-zenhei/wqy-zenhei.ttc", "wqy-zenhei/wqy-zenhei.ttc", "wqy-zenhei.ttc"}
		noto := []string{"opentype/noto/NotoSansCJK-Regular.ttc", "noto-cjk/NotoSansCJK-Regular.ttc", "google-noto-cjk/NotoSansCJK-Regular.ttc", "NotoSansCJK-Regular.ttc", "OTF/NotoSansCJK-Regular.ttc"}
		monos := []fontCandidate{
			{"WenQuanYi Micro Hei Mono", wqy},
			{"Noto Sans Mono CJK SC", noto},
			{"WenQuanYi Zen Hei Mono", zen},
			{"Sarasa Mono SC", nil},
			{"Source Han Mono SC", nil},
		}
		sans := []fontCandidate{
			{"WenQuanYi Micro Hei", wqy},
			{"Noto Sans CJK SC", noto},
			{"WenQuanYi Zen Hei", zen},
			{"Source Han Sans SC", nil},
			{"Droid Sans Fallback", []string{"truetype/droid/DroidSansFallbackFull.ttf", "google-droid-sans-fonts/DroidSansFallbackFull.ttf"}},
		}
		if mono {
			list = append(monos, sans...)
		} else {
			list = append(sans, monos...)
		}
	}
	return list
}

// fontDirs are the folders the candidates' files are looked for in.
func fontDirs(goos string) []string {
	home, _ := os.UserHomeDir()
	switch goos {
	case "windows":
		win := os.Getenv("WINDIR")
		if win == "" {
			win = `C:\Windows`
		}
		dirs := []string{filepath.Join(win, "Fonts")}
		if local := os.Getenv("LOCALAPPDATA"); local != "" {
			dirs = append(dirs, filepath.Join(local, "Microsoft", "Windows", "Fonts"))
		}
		return dirs
	case "darwin", "ios":
		return []string{"/System/Library/Fonts", "/System/Library/Fonts/Supplemental", "/Library/Fonts", filepath.Join(home, "Library", "Fonts")}
	case "android":
		return []string{"/system/fonts"}
	default:
		dirs := []string{"/usr/share/fonts", "/usr/local/share/fonts", "/usr/X11R6/lib/X11/fonts"}
		if d := os.Getenv("XDG_DATA_HOME"); d != "" {
			dirs = append(dirs, filepath.Join(d, "fonts"))
		}
		if home != "" {
			dirs = append(dirs, filepath.Join(home, ".local", "share", "fonts"), filepath.Join(home, ".fonts"))
		}
		return dirs
	}
}

// cjkFont is a built font and where it came from.
type cjkFont struct {
	res    fyne.Resource
	family string // the system face it was made from
	path   string
	repair cjkRepair
	// missing is the GB2312 the font and fallback do not draw; only the
	// best of several incomplete fonts is used.
	missing []rune
}

// cjkRepair counts what building the font changed.
type cjkRepair struct {
	kept, left, dropped int    // mappings kept, left to the default font, dropped as empty
	composed            string // characters drawn by composite glyphs
}

var (
	cjkOnce [2]sync.Once
	cjkRes  [2]*cjkFont
)

// cjkTextFont returns the font for mono or for regular text, built on
// first use; nil when the system has no usable CJK font.
func cjkTextFont(mono bool) *cjkFont {
	i := 0
	if mono {
		i = 1
	}
	cjkOnce[i].Do(func() {
		fallback := theme.DefaultTextFont()
		if mono {
			fallback = theme.DefaultTextMonospaceFont()
		}
		cjkRes[i] = findCJKFont(runtime.GOOS, mono, fallback)
		if cjkRes[i] == nil && mono {
			fyne.LogError("NetDebug: no CJK font found (on Linux install fonts-wqy-microhei or fonts-noto-cjk); Chinese text falls back per character", nil)
		}
	})
	return cjkRes[i]
}

// findCJKFont tries the candidates at their usual paths, then by family
// among all system fonts, then any system font that covers most of
// GB2312. The first that draws all of GB2312 (with fallback) wins, else
// the one that misses least.
func findCJKFont(goos string, mono bool, fallback fyne.Resource) *cjkFont {
	var best *cjkFont
	try := func(path, family string) bool {
		b := buildFromFile(path, family, fallback)
		if b != nil && (best == nil || len(b.missing) < len(best.missing)) {
			best = b
		}
		return best != nil && len(best.missing) == 0
	}
	cands := cjkCandidates(goos, mono)
	dirs := fontDirs(goos)
	for _, c := range cands {
		for _, f := range c.files {
			for _, d := range dirs {
				if try(filepath.Join(d, f), c.family) {
					return best
				}
			}
		}
	}
	if best != nil {
		return best
	}
	// Anywhere else (user folders, other layouts): the system font index
	// Fyne builds for its own fallback, shared through fontscan's cache.
	prints, err := fontscan.SystemFonts(quietLog{}, "")
	if err != nil || len(prints) == 0 {
		return nil
	}
	for _, c := range cands {
		want := font.NormalizeFamily(c.family)
		for _, p := range prints {
			if p.Family == want && try(p.Location.File, c.family) {
				return best
			}
		}
	}
	if best != nil {
		return best
	}
	probe := gb2312Runes()
	for _, p := range prints {
		hits := 0
		for _, r := range probe {
			if p.Runes.Contains(r) {
				hits++
			}
		}
		if hits >= len(probe)*95/100 && try(p.Location.File, p.Family) {
			return best
		}
	}
	return best
}

type quietLog struct{}

func (quietLog) Printf(string, ...any) {}

// buildFromFile builds from the face of family in the file at path (or its
// only face), if it covers GB2312.
func buildFromFile(path, family string, fallback fyne.Resource) *cjkFont {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	lds, err := ot.NewLoaders(bytes.NewReader(data))
	if err != nil || len(lds) == 0 {
		return nil
	}
	want := font.NormalizeFamily(family)
	var ld *ot.Loader
	for _, l := range lds {
		d, _ := font.Describe(l, nil)
		if font.NormalizeFamily(d.Family) == want {
			ld = l
			break
		}
	}
	if ld == nil {
		if len(lds) != 1 {
			return nil
		}
		ld = lds[0]
	}
	b := buildCJKFont(ld, fallback)
	if b == nil {
		return nil
	}
	b.family, b.path = family, path
	return b
}

// blankByDesign reports whether r is drawn as nothing in every font.
func blankByDesign(r rune) bool {
	return unicode.IsSpace(r) || unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r) ||
		unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r) || r == 0x2800
}

// sameFaceRune reports whether r keeps the face of the text before it
// (go-text's segmenter does not change faces for it).
func sameFaceRune(r rune) bool {
	return unicode.In(r, unicode.Cc, unicode.Cs, unicode.Cf, unicode.Zl, unicode.Zp, unicode.Zs,
		unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector) && r != 0x1680
}

// draws reports whether r maps in f to a glyph with ink (or is blank by
// design).
func draws(f *font.Face, r rune) (mapped, inked bool) {
	g, ok := f.NominalGlyph(r)
	if !ok {
		return false, false
	}
	if blankByDesign(r) {
		return true, true
	}
	switch d := f.GlyphData(g).(type) {
	case font.GlyphOutline:
		return true, len(d.Segments) > 0
	case nil:
		return true, false
	default: // bitmap or SVG
		return true, true
	}
}

// compositions are glyphs some CJK fonts map but leave empty (WenQuanYi
// Micro Hei: ℃ ℉ Ⅴ Ⅹ), built from the font's own letters.
var compositions = map[rune]string{
	'℃': "°C", '℉': "°F",
	'Ⅰ': "I", 'Ⅱ': "II", 'Ⅲ': "III", 'Ⅳ': "IV", 'Ⅴ': "V", 'Ⅵ': "VI",
	'Ⅶ': "VII", 'Ⅷ': "VIII", 'Ⅸ': "IX", 'Ⅹ': "X", 'Ⅺ': "XI", 'Ⅻ': "XII",
	'ⅰ': "i", 'ⅱ': "ii", 'ⅲ': "iii", 'ⅳ': "iv", 'ⅴ': "v", 'ⅵ': "vi",
	'ⅶ': "vii", 'ⅷ': "viii", 'ⅸ': "ix", 'ⅹ': "x",
}

// buildCJKFont makes the font Fyne puts first in its face list, before
// fallback (Fyne's bundled font for the style):
//   - characters fallback draws are left out, so Latin, digits and the
//     symbols DejaVu Sans Mono has keep today's look and column widths,
//     and the line height stays fallback's (Fyne measures a space);
//   - characters the face maps to an empty glyph are left out (so the next
//     font draws them), or drawn by a composite of the face's own glyphs
//     when fallback lacks them too (℃ = ° + C).
//
// It returns nil unless the result covers 95% of GB2312 with fallback.
func buildCJKFont(ld *ot.Loader, fallback fyne.Resource) *cjkFont {
	src, err := font.NewFont(ld)
	if err != nil {
		return nil
	}
	face := font.NewFace(src)
	fb, err := font.ParseTTF(bytes.NewReader(fallback.Content()))
	if err != nil {
		return nil
	}
	sf, err := loadSFNT(ld)
	if err != nil {
		return nil
	}
	glyphs, err := sf.glyfEntries()
	if err != nil {
		return nil
	}

	var rep cjkRepair
	cmap := map[rune]uint16{}
	type pending struct {
		r   rune
		gid uint16
	}
	var compose, spaces []pending
	for it := src.Cmap.Iter(); it.Next(); {
		r, g := it.Char()
		if g > 0xFFFF {
			continue
		}
		if sameFaceRune(r) {
			// Spaces and controls never choose a face: the shaper keeps
			// them in the run before them, so this font must map them.
			cmap[r] = uint16(g)
			if unicode.Is(unicode.Zs, r) {
				spaces = append(spaces, pending{r, uint16(g)})
			}
			continue
		}
		if _, inked := draws(fb, r); inked {
			rep.left++
			continue
		}
		if _, inked := draws(face, r); inked {
			cmap[r] = uint16(g)
			continue
		}
		if _, ok := compositions[r]; ok && glyphs != nil {
			compose = append(compose, pending{r, uint16(g)})
			continue
		}
		rep.dropped++
	}
	// Composites need their parts' glyphs from the face itself.
	maxParts := 0
	for _, p := range compose {
		var parts []uint16
		var boxes [][4]int16
		for _, c := range compositions[p.r] {
			g, ok := face.NominalGlyph(c)
			if !ok || int(g) >= len(glyphs) {
				parts = nil
				break
			}
			x0, y0, x1, y1, ok := glyphBox(glyphs[g])
			if !ok {
				parts = nil
				break
			}
			parts, boxes = append(parts, uint16(g)), append(boxes, [4]int16{x0, y0, x1, y1})
		}
		adv := sf.advance(p.gid)
		if parts == nil || adv == 0 || int(p.gid) >= len(glyphs) {
			rep.dropped++
			continue
		}
		data, xMin := composite(parts, boxes, adv)
		glyphs[p.gid] = data
		sf.setLSB(p.gid, xMin)
		cmap[p.r] = p.gid
		rep.composed += string(p.r)
		maxParts = max(maxParts, len(parts))
	}
	if maxParts > 0 {
		sf.setGlyphs(glyphs)
		sf.noteComposites(maxParts)
	}
	// Fyne takes the line height and the tab width from the face that
	// maps a space, now this one: give it fallback's, so rows keep their
	// height and spaces their width.
	scale := float32(sf.upem()) / float32(fb.Upem())
	if ext, ok := fb.FontHExtents(); ok {
		sf.setLineMetrics(int16(ext.Ascender*scale+0.5), int16(ext.Descender*scale-0.5), int16(ext.LineGap*scale+0.5))
	}
	for _, p := range spaces {
		if g, ok := fb.NominalGlyph(p.r); ok {
			sf.setAdvance(p.gid, uint16(fb.HorizontalAdvance(g)*scale+0.5))
		}
	}
	rep.kept = len(cmap)
	sf.setCmap(cmap)
	out := sf.bytes()

	// The result should draw the whole of GB2312 together with fallback.
	built, err := font.ParseTTF(bytes.NewReader(out))
	if err != nil {
		return nil
	}
	var missing []rune
	gb := gb2312Runes()
	for _, r := range gb {
		if _, ok := firstInked([]*font.Face{built, fb}, r); !ok {
			missing = append(missing, r)
		}
	}
	if len(missing)*20 > len(gb) {
		return nil
	}
	d, _ := font.Describe(ld, nil)
	name := "NetDebug-" + strings.ReplaceAll(d.Family, " ", "") + ".ttf"
	return &cjkFont{res: fyne.NewStaticResource(name, out), repair: rep, missing: missing}
}

// firstInked is how Fyne picks a face for r: the first that maps it. ok is
// whether that face draws it.
func firstInked(faces []*font.Face, r rune) (*font.Face, bool) {
	for _, f := range faces {
		if mapped, inked := draws(f, r); mapped {
			return f, inked
		}
	}
	return nil, false
}

var (
	gbOnce  sync.Once
	gbRunes []rune
)

// gb2312Runes is the GB2312 repertoire: every valid code of rows
// 0xA1–0xF7 by cells 0xA1–0xFE, decoded as GBK (which decodes GB2312's
// 7,445 as GB2312 does, and adds 35 of its own in these rows).
func gb2312Runes() []rune {
	gbOnce.Do(func() {
		dec := simplifiedchinese.GBK.NewDecoder()
		for hi := 0xA1; hi <= 0xF7; hi++ {
			for lo := 0xA1; lo <= 0xFE; lo++ {
				out, err := dec.Bytes([]byte{byte(hi), byte(lo)})
				if err != nil {
					continue
				}
				rs := []rune(string(out))
				if len(rs) != 1 || rs[0] == unicode.ReplacementChar || rs[0] >= 0xE000 && rs[0] <= 0xF8FF {
					continue // unassigned (GBK maps these to the private use area)
				}
				gbRunes = append(gbRunes, rs[0])
			}
		}
	})
	return gbRunes
}
