package widgets

import (
	"image"
	"image/draw"
	"math"
	"sync"
	"unicode"

	"fyne.io/fyne/v2/theme"
	xfont "golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"golang.org/x/text/width"
)

// The log draws its rows itself, cell by cell, instead of through
// canvas.Text. Fyne caches a texture for every distinct string it has drawn
// for a minute; a log under a flood shows new strings on every row at every
// refresh, so that cache grew by hundreds of megabytes a minute and shaping
// each long row took the UI goroutine's time. A fixed-width row needs no
// shaping: each character is one glyph in one or two cells. cellFont keeps a
// bounded cache of glyph masks, and each row owns one image, so the memory
// the log's rows cost is fixed by the screen, not by the traffic.

// cellFont draws fixed-width text from a chain of faces: the theme's
// monospace font first, then a font with CJK and symbol coverage, so every
// character of GB2312 and GB18030's common range is drawn.
type cellFont struct {
	mu    sync.Mutex
	fonts []*sfnt.Font
	buf   sfnt.Buffer
	// faces, metrics and glyphs are for one pixel size at a time (rows
	// share it).
	px     float64
	faces  []xfont.Face
	cellW  int
	ascent int
	height int
	glyphs map[rune]*cellGlyph
}

// cellGlyph is a rendered glyph: a mask as wide as its cells (plus one for
// overhang) and as tall as a line.
type cellGlyph struct {
	mask  *image.Alpha
	cells int
}

// maxCachedGlyphs bounds the glyph cache; a log that has shown every
// character of GB18030 starts it again.
const maxCachedGlyphs = 8192

var (
	logFontOnce sync.Once
	logFont     *cellFont
)

// theLogFont is the font every log row draws with.
func theLogFont() *cellFont {
	logFontOnce.Do(func() {
		logFont = newCellFont(cellFontSources())
	})
	return logFont
}

// fontSource is a font to load: its bytes and, for a collection, which
// face.
type fontSource struct {
	data  []byte
	index int
}

// cellFontSources is the face chain: the theme's monospace font (bundled
// with Fyne), then the CJK font the theme builds from the system's (see
// theme.go), which draws what the first lacks.
func cellFontSources() []fontSource {
	out := []fontSource{{data: theme.DefaultTextMonospaceFont().Content()}}
	if f := cjkTextFont(true); f != nil {
		out = append(out, fontSource{data: f.res.Content()})
	}
	return out
}

// newCellFont parses the fonts with x/image's sfnt, which reads glyphs
// from the font data as they are needed: the CJK font costs the log its
// bytes (shared with the theme), not a parsed copy of its 30,000 glyphs.
func newCellFont(srcs []fontSource) *cellFont {
	f := &cellFont{}
	for _, s := range srcs {
		if fnt := parseFontFace(s.data, s.index); fnt != nil {
			f.fonts = append(f.fonts, fnt)
		}
	}
	return f
}

func parseFontFace(data []byte, index int) *sfnt.Font {
	if c, err := opentype.ParseCollection(data); err == nil {
		fnt, err := c.Font(min(index, c.NumFonts()-1))
		if err != nil {
			return nil
		}
		return fnt
	}
	return nil
}

// faceFor returns the index of the first font in the chain that draws r,
// or -1. A font that maps r to an empty glyph does not count: WenQuanYi
// Micro Hei maps ℃ to one, which is why ℃ came out blank in the log. Call
// with mu held.
func (f *cellFont) faceFor(r rune) int {
	for i, fnt := range f.fonts {
		gid, err := fnt.GlyphIndex(&f.buf, r)
		if err != nil || gid == 0 {
			continue
		}
		if unicode.IsSpace(r) {
			return i
		}
		segs, err := fnt.LoadGlyph(&f.buf, gid, fixed.I(16), nil)
		if err == nil && len(segs) > 0 {
			return i
		}
	}
	return -1
}

// Covers reports whether some font in the chain draws r.
func (f *cellFont) Covers(r rune) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.faceFor(r) >= 0
}

// setSize prepares faces and metrics for a text size in pixels. Call with
// mu held.
func (f *cellFont) setSize(px float64) {
	if px == f.px && f.glyphs != nil {
		return
	}
	for _, fc := range f.faces {
		if fc != nil {
			fc.Close()
		}
	}
	f.px, f.faces, f.glyphs = px, nil, map[rune]*cellGlyph{}
	for _, fnt := range f.fonts {
		fc, err := opentype.NewFace(fnt, &opentype.FaceOptions{Size: px, DPI: 72, Hinting: xfont.HintingFull})
		if err != nil {
			fc = nil
		}
		f.faces = append(f.faces, fc)
	}
	f.cellW, f.ascent, f.height = int(math.Ceil(px*0.6)), int(math.Ceil(px*0.8)), int(math.Ceil(px*1.2))
	if len(f.faces) > 0 && f.faces[0] != nil {
		m := f.faces[0].Metrics()
		if adv, ok := f.faces[0].GlyphAdvance('0'); ok {
			f.cellW = max(1, adv.Round())
		}
		f.ascent = m.Ascent.Ceil()
		f.height = (m.Ascent + m.Descent).Ceil()
	}
}

// cellsOf is how many cells r takes: two for East Asian wide and
// full-width characters, none for combining marks and controls.
func cellsOf(r rune) int {
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return 2
	}
	if r < 0x20 || (r >= 0x300 && r < 0x370) || r == 0x200B {
		return 0
	}
	return 1
}

// glyph returns r rendered at the current size as a mask the size of its
// cells (plus one for overhang), the baseline at ascent. Call with mu held.
func (f *cellFont) glyph(r rune) *cellGlyph {
	if g, ok := f.glyphs[r]; ok {
		return g
	}
	if len(f.glyphs) >= maxCachedGlyphs {
		f.glyphs = map[rune]*cellGlyph{}
	}
	cells := cellsOf(r)
	i := f.faceFor(r)
	if i < 0 || f.faces[i] == nil {
		// No font has it: draw the replacement character in its place.
		g := &cellGlyph{cells: max(1, cells)}
		if r != '\uFFFD' {
			g.mask = f.glyph('\uFFFD').mask
		}
		f.glyphs[r] = g
		return g
	}
	g := &cellGlyph{cells: cells}
	if cells > 0 {
		w := cells * f.cellW
		fc := f.faces[i]
		x := fixed.I(0)
		if i > 0 {
			// Other fonts have their own advances: centre in the cells.
			if adv, ok := fc.GlyphAdvance(r); ok {
				x = (fixed.I(w) - adv) / 2
			}
		}
		dr, mask, mp, _, ok := fc.Glyph(fixed.Point26_6{X: x, Y: fixed.I(f.ascent)}, r)
		if ok {
			a := image.NewAlpha(image.Rect(0, 0, w+f.cellW, f.height))
			draw.Draw(a, dr, mask, mp, draw.Src)
			g.mask = a
		}
	}
	f.glyphs[r] = g
	return g
}

// cellSpan is a run of text in one colour.
type cellSpan struct {
	text  string
	color image.Image
}

// draw paints spans from x0 into dst (its bounds are the row), vertically
// centred, at text size px; it stops at the right edge and returns the
// cells used.
func (f *cellFont) draw(dst *image.RGBA, x0 int, px float64, spans []cellSpan) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.setSize(px)
	b := dst.Bounds()
	top := b.Min.Y + (b.Dy()-f.height)/2
	x := b.Min.X + x0
	cells := 0
	for _, sp := range spans {
		for _, r := range sp.text {
			if x >= b.Max.X {
				return cells
			}
			g := f.glyph(r)
			if g.mask != nil {
				at := image.Point{X: x, Y: top}
				rect := image.Rectangle{Min: at, Max: at.Add(g.mask.Rect.Size())}
				draw.DrawMask(dst, rect, sp.color, image.Point{}, g.mask, image.Point{}, draw.Over)
			}
			x += g.cells * f.cellW
			cells += g.cells
		}
	}
	return cells
}

// cellWidth is the width of one cell at size px.
func (f *cellFont) cellWidth(px float64) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.setSize(px)
	return f.cellW
}
