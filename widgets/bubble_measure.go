package widgets

import (
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// bubbleMetrics estimates bubble heights without laying widgets out.
//
// Shaping text is what laying out a label costs (a millisecond for a
// bubble); a conversation of ten thousand messages cannot be measured that
// way. The estimate wraps text greedily with cached character widths and
// uses line heights measured once from real labels. ChatView measures a
// bubble exactly when it first comes into view and corrects the estimate,
// so an estimate is only ever seen as the length of the scroll bar.
type bubbleMetrics struct {
	textSize, capSize  float32
	textLine, textPad  float32
	capLine, capPad    float32
	monoLine, monoPad  float32
	topH               float32
	retryW, retryH     float32
	actionsW           float32
	innerPad, pad, gap float32
	overlap            float32
	adv                map[advKey]float32
}

type advKey struct {
	r    rune
	size float32
	mono bool
}

// newBubbleMetrics measures the fixed parts with real widgets of b.
func newBubbleMetrics(b *Bubble) *bubbleMetrics {
	th := b.Theme()
	m := &bubbleMetrics{
		textSize: th.Size(theme.SizeNameText),
		capSize:  th.Size(theme.SizeNameCaptionText),
		innerPad: th.Size(theme.SizeNameInnerPadding),
		pad:      bubblePad(th),
		gap:      th.Size(theme.SizeNamePadding),
		overlap:  th.Size(theme.SizeNameInnerPadding) / 2,
		adv:      map[advKey]float32{},
	}
	lines := func(size fyne.ThemeSizeName, mono bool) (line, pad float32) {
		style := fyne.TextStyle{Monospace: mono}
		one := (&widget.Label{Text: "Ag", SizeName: size, TextStyle: style}).MinSize().Height
		two := (&widget.Label{Text: "Ag\nAg", SizeName: size, TextStyle: style}).MinSize().Height
		return two - one, one - (two - one)
	}
	m.textLine, m.textPad = lines(theme.SizeNameText, false)
	m.capLine, m.capPad = lines(theme.SizeNameCaptionText, false)
	m.monoLine, m.monoPad = lines(theme.SizeNameCaptionText, true)
	m.topH = max(m.capLine+m.capPad, b.hexBtn.MinSize().Height, b.copyBtn.MinSize().Height)
	rs := b.retry.MinSize()
	m.retryW, m.retryH = rs.Width, rs.Height
	m.actionsW = b.hexBtn.MinSize().Width + b.copyBtn.MinSize().Width
	return m
}

// advance is the width of one character.
func (m *bubbleMetrics) advance(r rune, size float32, mono bool) float32 {
	if !mono && isWide(r) {
		r = '中' // ideographs share one width; measure one for all
	}
	k := advKey{r, size, mono}
	if w, ok := m.adv[k]; ok {
		return w
	}
	w := fyne.MeasureText(string(r), size, fyne.TextStyle{Monospace: mono}).Width
	m.adv[k] = w
	return w
}

func isWide(r rune) bool {
	return r >= 0x2E80 && (unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) ||
		unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r) || r >= 0xFF00 && r <= 0xFF60 || r >= 0x3000 && r <= 0x303F)
}

// width is the widest line of s.
func (m *bubbleMetrics) width(s string, size float32, mono bool) float32 {
	w, line := float32(0), float32(0)
	for _, r := range s {
		if r == '\n' {
			w, line = max(w, line), 0
			continue
		}
		line += m.advance(r, size, mono)
	}
	return max(w, line)
}

// lines counts the lines s wraps to in width: breaks after spaces and
// between wide characters, and anywhere inside a word too long for a line.
func (m *bubbleMetrics) lines(s string, size float32, mono bool, width float32) int {
	n := 0
	for _, para := range strings.Split(s, "\n") {
		n++
		x := float32(0)
		word := float32(0) // the unbroken run ending at the cursor
		for _, r := range para {
			a := m.advance(r, size, mono)
			switch {
			case r == ' ':
				x += a
				word = 0
				continue
			case isWide(r):
				word = 0
			}
			if x+a > width && x > 0 {
				if word > 0 && word+a <= width {
					x = word // the word moves to the new line
				} else {
					x = 0
					word = 0
				}
				n++
			}
			x += a
			word += a
		}
	}
	return n
}

// estimate is the row height of message msg at rowWidth.
func (m *bubbleMetrics) estimate(msg ChatMessage, hex bool, rowWidth float32) float32 {
	p := partsOf(msg, hex)
	ip := m.innerPad
	natural := max(
		m.width(p.text, m.textSize, false)+2*ip,
		m.width(p.header, m.capSize, false)+2*ip+2*m.gap+2+m.actionsW,
	)
	if p.showFooter {
		nw := m.width(p.note, m.capSize, false) + 2*ip
		if p.retry {
			nw += m.retryW + m.gap
		}
		natural = max(natural, nw)
	}
	if p.hex != "" {
		natural = max(natural, 360)
	}
	w := min(natural+2*m.pad, bubbleMaxWidth(rowWidth, m.pad))
	inner := w - 2*m.pad
	h := m.topH
	h += float32(m.lines(p.text, m.textSize, false, inner-2*ip))*m.textLine + m.textPad - m.overlap
	if p.hex != "" {
		h += float32(m.lines(p.hex, m.capSize, true, inner-2*ip))*m.monoLine + m.monoPad - m.overlap
	}
	if p.showFooter {
		noteW := inner - 2*ip
		if p.retry {
			noteW -= m.retryW + m.gap
		}
		fh := float32(m.lines(p.note, m.capSize, false, noteW))*m.capLine + m.capPad
		if p.retry {
			fh = max(fh, m.retryH)
		}
		h += fh - m.overlap
	}
	return h + 2*m.pad + m.gap
}
