package widgets

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"math"
	"sync"
	"unicode"

	"fyne.io/fyne/v2/theme"
	"github.com/go-text/render"
	"github.com/go-text/typesetting/font"
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
	faces []*font.Face
	// The metrics and glyphs are for one pixel size at a time (rows
	// share it).
	px     float64
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

func newCellFont(srcs []fontSource) *cellFont {
	f := &cellFont{}
	for _, s := range srcs {
		faces, err := font.ParseTTC(bytes.NewReader(s.data))
		if err != nil || len(faces) == 0 {
			continue
		}
		f.faces = append(f.faces, faces[min(s.index, len(faces)-1)])
	}
	return f
}

// faceFor returns the first face in the chain that draws r, or nil. A
// face that maps r to an empty glyph does not count: WenQuanYi Micro Hei
// maps ℃ to one, which is why ℃ came out blank in the log.
func (f *cellFont) faceFor(r rune) *font.Face {
	for _, fc := range f.faces {
		gid, ok := fc.NominalGlyph(r)
		if !ok {
			continue
		}
		if unicode.IsSpace(r) || hasOutline(fc, gid) {
			return fc
		}
	}
	return nil
}

// hasOutline reports whether glyph gid of fc draws anything.
func hasOutline(fc *font.Face, gid font.GID) bool {
	switch d := fc.GlyphData(gid).(type) {
	case font.GlyphOutline:
		return len(d.Segments) > 0
	case nil:
		return false
	}
	return true // bitmaps and SVG glyphs
}

// Covers reports whether some face in the chain has a glyph for r.
func (f *cellFont) Covers(r rune) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.faceFor(r) != nil
}

// setSize prepares metrics for a text size in pixels. Call with mu held.
func (f *cellFont) setSize(px float64) {
	if px == f.px && f.glyphs != nil {
		return
	}
	f.px, f.glyphs = px, map[rune]*cellGlyph{}
	f.cellW, f.ascent, f.height = int(math.Ceil(px*0.6)), int(math.Ceil(px*0.8)), int(math.Ceil(px*1.2))
	if len(f.faces) == 0 {
		return
	}
	fc := f.faces[0]
	scale := px / float64(fc.Upem())
	if gid, ok := fc.NominalGlyph('0'); ok {
		f.cellW = max(1, int(math.Round(float64(fc.HorizontalAdvance(gid))*scale)))
	}
	if ext, ok := fc.FontHExtents(); ok {
		f.ascent = int(math.Ceil(float64(ext.Ascender) * scale))
		f.height = f.ascent + int(math.Ceil(float64(-ext.Descender)*scale))
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
// cells, the baseline at ascent. Call with mu held.
func (f *cellFont) glyph(r rune) *cellGlyph {
	if g, ok := f.glyphs[r]; ok {
		return g
	}
	if len(f.glyphs) >= maxCachedGlyphs {
		f.glyphs = map[rune]*cellGlyph{}
	}
	cells := cellsOf(r)
	fc := f.faceFor(r)
	if fc == nil {
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
		img := image.NewRGBA(image.Rect(0, 0, w+f.cellW, f.height))
		gid, _ := fc.NominalGlyph(r)
		adv := float64(fc.HorizontalAdvance(gid)) * f.px / float64(fc.Upem())
		x := 0
		if fc != f.faces[0] {
			// Other faces have their own advances: centre in the cells.
			x = int(math.Round((float64(w) - adv) / 2))
		}
		rd := render.Renderer{FontSize: float32(f.px), PixScale: 1, Color: color.White}
		rd.DrawStringAt(string(r), img, x, f.ascent, fc)
		a := image.NewAlpha(img.Rect)
		for i := range a.Pix {
			a.Pix[i] = img.Pix[i*4+3]
		}
		g.mask = a
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
