package widgets

import (
	"image"
	"image/color"
	"os"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// gb2312Repertoire decodes every two-byte GB2312 code (rows 0xA1–0xF7,
// cells 0xA1–0xFE) that maps to a character.
func gb2312Repertoire() []rune {
	dec := simplifiedchinese.GBK.NewDecoder()
	var out []rune
	for hi := 0xA1; hi <= 0xF7; hi++ {
		for lo := 0xA1; lo <= 0xFE; lo++ {
			s, err := dec.Bytes([]byte{byte(hi), byte(lo)})
			if err != nil {
				continue
			}
			r := []rune(string(s))
			if len(r) == 1 && r[0] != '\uFFFD' && !(r[0] >= 0xE000 && r[0] <= 0xF8FF) {
				out = append(out, r[0])
			}
		}
	}
	return out
}

// logSymbols are the symbols the log must draw besides CJK.
const logSymbols = "℃°±µΩ²³‰→←↑↓✓✗×÷≤≥≠≈∞√€£¥§¶•…─│┌┐└┘├┤┬┴┼═║╔╗╚╝╠╣╦╩╬▲▼◆●○■□"

// requireCJKFont skips without a CJK font unless the run must have one
// (make test installs fonts-wqy-microhei).
func requireCJKFont(t *testing.T, f *cellFont) {
	t.Helper()
	if !f.Covers('中') {
		if os.Getenv("NETDEBUG_REQUIRE_PEERS") == "1" {
			t.Fatal("no CJK font found for the log (install fonts-wqy-microhei)")
		}
		t.Skip("no CJK font on this system")
	}
}

// TestLogFontCoversGB2312: every character of the GB2312 repertoire and
// the symbols engineers meet has a glyph in the face chain the log rows
// draw with, and each draws something.
func TestLogFontCoversGB2312(t *testing.T) {
	f := theLogFont()
	requireCJKFont(t, f)
	reps := gb2312Repertoire()
	if len(reps) < 7400 {
		t.Fatalf("GB2312 repertoire has %d characters; expected about 7,445", len(reps))
	}
	var missing []rune
	for _, r := range append(reps, []rune(logSymbols)...) {
		if !f.Covers(r) {
			missing = append(missing, r)
		}
	}
	if len(missing) > 0 {
		t.Fatalf("%d characters have no glyph in the log's fonts: %q", len(missing), string(missing[:min(len(missing), 80)]))
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.setSize(14)
	for _, r := range []rune("温度℃°±µΩ²³‰→✓─│┌╬中") {
		g := f.glyph(r)
		if g.mask == nil || !hasInk(g.mask) {
			t.Errorf("%q draws nothing", r)
		}
	}
}

func hasInk(a *image.Alpha) bool {
	for _, p := range a.Pix {
		if p > 64 {
			return true
		}
	}
	return false
}

// TestLogRowDrawsWideCharactersInTwoCells: a CJK character takes two cells
// and Latin text one, so hex dumps stay aligned; ℃ is drawn, not blank.
func TestLogRowDrawsWideCharactersInTwoCells(t *testing.T) {
	f := theLogFont()
	requireCJKFont(t, f)
	img := image.NewRGBA(image.Rect(0, 0, 600, 20))
	white := image.NewUniform(color.White)
	if n := f.draw(img, 0, 14, []cellSpan{{text: "温度=23.5℃", color: white}}); n != 2+2+1+4+1 {
		t.Fatalf("cells = %d; want 10", n)
	}
	cw := f.cellWidth(14)
	// The ℃ cell (the tenth) has ink.
	ink := 0
	for x := 9 * cw; x < 10*cw; x++ {
		for y := 0; y < 20; y++ {
			if img.RGBAAt(x, y).A > 64 {
				ink++
			}
		}
	}
	if ink < 5 {
		t.Fatalf("℃ is blank (%d inked pixels)", ink)
	}
	// Drawing stops at the right edge.
	narrow := image.NewRGBA(image.Rect(0, 0, 5*cw, 20))
	if n := f.draw(narrow, 0, 14, []cellSpan{{text: "0123456789", color: white}}); n != 5 {
		t.Fatalf("drew %d cells into 5", n)
	}
}
