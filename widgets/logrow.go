package widgets

import (
	"image"
	"image/color"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// logRow is one line of the log: time, direction tag, peer and body side by
// side in fixed-width cells, drawn into one image the row owns (see
// cellfont.go for why not canvas.Text). It passes the mouse wheel to the
// view, which scrolls by lines like a text view.
type logRow struct {
	widget.BaseWidget

	texts  [4]string
	colors [4]color.Color

	raster   *canvas.Raster
	onScroll func(*fyne.ScrollEvent)
	// gen is the view's refresh generation when the list last used the row.
	gen uint64
}

// rowScratch is the one image every row paints into. Fyne copies a
// raster's image into its texture as soon as the generator returns, and
// draws on one goroutine, so rows need no image of their own. Rows the
// list lets go stay reachable through Fyne's renderer cache for a minute;
// an image in each of them kept hundreds of megabytes alive in a flood.
var rowScratch struct {
	mu  sync.Mutex
	img *image.RGBA
}

// scratchImage returns a cleared w×h image, valid until the next call.
func scratchImage(w, h int) *image.RGBA {
	rowScratch.mu.Lock()
	defer rowScratch.mu.Unlock()
	img := rowScratch.img
	if img == nil || img.Rect.Dx() != w || img.Rect.Dy() != h {
		img = image.NewRGBA(image.Rect(0, 0, w, h))
		rowScratch.img = img
	} else {
		clear(img.Pix)
	}
	return img
}

func newLogRow(onScroll func(*fyne.ScrollEvent)) *logRow {
	r := &logRow{onScroll: onScroll}
	r.raster = canvas.NewRaster(r.paint)
	r.raster.ScaleMode = canvas.ImageScalePixels
	r.ExtendBaseWidget(r)
	return r
}

// CreateRenderer is the row's image.
func (r *logRow) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(r.raster)
}

// MinSize is one line of monospace text.
func (r *logRow) MinSize() fyne.Size {
	return fyne.NewSize(100, logRowHeight())
}

// logRowHeight is the height of a log line.
func logRowHeight() float32 {
	return fyne.MeasureText("M", theme.TextSize(), fyne.TextStyle{Monospace: true}).Height
}

// Scrolled passes the wheel to the view.
func (r *logRow) Scrolled(ev *fyne.ScrollEvent) {
	if r.onScroll != nil {
		r.onScroll(ev)
	}
}

// set changes what the row shows, redrawing it only when something changed.
func (r *logRow) set(when, tag, peer, body string, tagColor color.Color) {
	muted := theme.Color(theme.ColorNameDisabled)
	texts := [4]string{when, tag, peer, body}
	colors := [4]color.Color{muted, tagColor, muted, theme.Color(theme.ColorNameForeground)}
	if texts == r.texts && colors == r.colors {
		return
	}
	r.texts, r.colors = texts, colors
	r.raster.Refresh()
}

// paint draws the row at w×h pixels into the shared scratch image.
func (r *logRow) paint(w, h int) image.Image {
	img := scratchImage(w, h)
	size := r.Size()
	scale := float64(1)
	if size.Height > 0 {
		scale = float64(h) / float64(size.Height)
	}
	px := float64(theme.TextSize()) * scale
	f := theLogFont()
	gap := 2 * f.cellWidth(px)
	x := int(float64(theme.Padding()) * scale)
	for i, t := range r.texts {
		if t == "" {
			continue
		}
		x += f.draw(img, x, px, []cellSpan{{text: t, color: image.NewUniform(r.colors[i])}})*f.cellWidth(px) + gap
		if x >= w {
			break
		}
	}
	return img
}

func setRow(row *logRow, when, tag, peer, body string, tagColor color.Color) {
	row.set(when, tag, peer, body, tagColor)
}
