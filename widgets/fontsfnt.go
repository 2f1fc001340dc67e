package widgets

// The few OpenType table edits the CJK text font needs (see theme.go for
// why): one face out of a collection (.ttc) as a standalone font, a new
// cmap, and composite glyphs in place of glyphs a font maps but left empty.
// Every other table is copied byte for byte, so glyph IDs, hinting, GSUB
// and GPOS stay valid.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sort"

	ot "github.com/go-text/typesetting/font/opentype"
)

// sfntFont is one face's tables, by tag.
type sfntFont struct {
	version uint32 // 0x00010000 for TrueType outlines, "OTTO" for CFF
	tables  map[string][]byte
}

func loadSFNT(ld *ot.Loader) (*sfntFont, error) {
	f := &sfntFont{version: 0x00010000, tables: map[string][]byte{}}
	for _, tag := range ld.Tables() {
		data, err := ld.RawTable(tag)
		if err != nil {
			return nil, err
		}
		f.tables[tag.String()] = data
	}
	if f.tables["CFF "] != nil || f.tables["CFF2"] != nil {
		f.version = 0x4F54544F // OTTO
	}
	for _, need := range []string{"head", "maxp", "hhea", "hmtx", "cmap"} {
		if f.tables[need] == nil {
			return nil, fmt.Errorf("font has no %s table", need)
		}
	}
	if len(f.tables["head"]) < 54 || len(f.tables["maxp"]) < 6 || len(f.tables["hhea"]) < 36 {
		return nil, errors.New("font tables too short")
	}
	return f, nil
}

func (f *sfntFont) numGlyphs() int { return int(binary.BigEndian.Uint16(f.tables["maxp"][4:])) }

// setCmap replaces the cmap with one format 12 subtable (Windows, full
// Unicode) holding exactly m.
func (f *sfntFont) setCmap(m map[rune]uint16) {
	runes := make([]rune, 0, len(m))
	for r := range m {
		runes = append(runes, r)
	}
	sort.Slice(runes, func(i, j int) bool { return runes[i] < runes[j] })
	type group struct{ start, end, gid uint32 }
	var groups []group
	for _, r := range runes {
		g := uint32(m[r])
		if n := len(groups); n > 0 && groups[n-1].end+1 == uint32(r) && groups[n-1].gid+(groups[n-1].end-groups[n-1].start)+1 == g {
			groups[n-1].end++
			continue
		}
		groups = append(groups, group{uint32(r), uint32(r), g})
	}
	sub := make([]byte, 16+12*len(groups))
	be := binary.BigEndian
	be.PutUint16(sub[0:], 12)
	be.PutUint32(sub[4:], uint32(len(sub)))
	be.PutUint32(sub[12:], uint32(len(groups)))
	for i, g := range groups {
		be.PutUint32(sub[16+12*i:], g.start)
		be.PutUint32(sub[20+12*i:], g.end)
		be.PutUint32(sub[24+12*i:], g.gid)
	}
	head := make([]byte, 12)
	be.PutUint16(head[2:], 1)  // one subtable
	be.PutUint16(head[4:], 3)  // Windows
	be.PutUint16(head[6:], 10) // Unicode full repertoire
	be.PutUint32(head[8:], 12)
	f.tables["cmap"] = append(head, sub...)
}

// glyfEntries splits the glyf table by loca; nil when the font has no
// TrueType outlines.
func (f *sfntFont) glyfEntries() ([][]byte, error) {
	glyf, loca := f.tables["glyf"], f.tables["loca"]
	if glyf == nil || loca == nil {
		return nil, nil
	}
	n := f.numGlyphs()
	long := binary.BigEndian.Uint16(f.tables["head"][50:]) == 1
	off := func(i int) (int, bool) {
		if long {
			if 4*i+4 > len(loca) {
				return 0, false
			}
			return int(binary.BigEndian.Uint32(loca[4*i:])), true
		}
		if 2*i+2 > len(loca) {
			return 0, false
		}
		return 2 * int(binary.BigEndian.Uint16(loca[2*i:])), true
	}
	out := make([][]byte, n)
	for i := 0; i < n; i++ {
		a, ok1 := off(i)
		b, ok2 := off(i + 1)
		if !ok1 || !ok2 || a > b || b > len(glyf) {
			return nil, fmt.Errorf("bad loca entry for glyph %d", i)
		}
		out[i] = glyf[a:b]
	}
	return out, nil
}

// glyphBox is a glyph's bounding box from its glyf header; ok is false
// for an empty glyph.
func glyphBox(data []byte) (xMin, yMin, xMax, yMax int16, ok bool) {
	if len(data) < 10 {
		return 0, 0, 0, 0, false
	}
	be := binary.BigEndian
	return int16(be.Uint16(data[2:])), int16(be.Uint16(data[4:])), int16(be.Uint16(data[6:])), int16(be.Uint16(data[8:])), true
}

// setGlyphs writes glyf and loca (long offsets) from entries.
func (f *sfntFont) setGlyphs(entries [][]byte) {
	total := 0
	for _, e := range entries {
		total += (len(e) + 3) &^ 3
	}
	glyf := make([]byte, 0, total)
	loca := make([]byte, 4*(len(entries)+1))
	for i, e := range entries {
		binary.BigEndian.PutUint32(loca[4*i:], uint32(len(glyf)))
		glyf = append(glyf, e...)
		for len(glyf)%4 != 0 {
			glyf = append(glyf, 0)
		}
	}
	binary.BigEndian.PutUint32(loca[4*len(entries):], uint32(len(glyf)))
	f.tables["glyf"], f.tables["loca"] = glyf, loca
	head := append([]byte(nil), f.tables["head"]...)
	binary.BigEndian.PutUint16(head[50:], 1)
	f.tables["head"] = head
}

// advance is the horizontal advance of gid from hmtx.
func (f *sfntFont) advance(gid uint16) int {
	n := int(binary.BigEndian.Uint16(f.tables["hhea"][34:]))
	hmtx := f.tables["hmtx"]
	if n == 0 {
		return 0
	}
	i := min(int(gid), n-1)
	if 4*i+2 > len(hmtx) {
		return 0
	}
	return int(binary.BigEndian.Uint16(hmtx[4*i:]))
}

// setLSB sets gid's left side bearing, which must equal its xMin.
func (f *sfntFont) setLSB(gid uint16, lsb int16) {
	n := int(binary.BigEndian.Uint16(f.tables["hhea"][34:]))
	pos := 4*int(gid) + 2
	if int(gid) >= n {
		pos = 4*n + 2*(int(gid)-n)
	}
	hmtx := f.tables["hmtx"]
	if pos+2 > len(hmtx) {
		return
	}
	hmtx = append([]byte(nil), hmtx...)
	binary.BigEndian.PutUint16(hmtx[pos:], uint16(lsb))
	f.tables["hmtx"] = hmtx
}

// composite is a composite glyph: the parts side by side, their ink
// centred in advance and squeezed horizontally if it would not fit.
func composite(parts []uint16, boxes [][4]int16, advance int) (data []byte, xMin int16) {
	gap := advance / 24
	width := gap * (len(parts) - 1)
	for _, b := range boxes {
		width += int(b[2] - b[0])
	}
	scale := 1.0
	if limit := advance * 92 / 100; width > limit && width > 0 {
		scale = float64(limit) / float64(width)
	}
	pen := (float64(advance) - float64(width)*scale) / 2
	be := binary.BigEndian
	data = make([]byte, 10)
	be.PutUint16(data[0:], 0xFFFF) // numberOfContours = -1
	var bx0, by0, bx1, by1 float64
	for i, gid := range parts {
		b := boxes[i]
		dx := pen - scale*float64(b[0])
		x0, x1 := pen, pen+scale*float64(b[2]-b[0])
		if i == 0 || x0 < bx0 {
			bx0 = x0
		}
		if i == 0 || x1 > bx1 {
			bx1 = x1
		}
		if i == 0 || float64(b[1]) < by0 {
			by0 = float64(b[1])
		}
		if i == 0 || float64(b[3]) > by1 {
			by1 = float64(b[3])
		}
		pen = x1 + float64(gap)*scale
		flags := uint16(0x0001 | 0x0002) // ARG_1_AND_2_ARE_WORDS, ARGS_ARE_XY_VALUES
		if i < len(parts)-1 {
			flags |= 0x0020 // MORE_COMPONENTS
		}
		if scale != 1 {
			flags |= 0x0040 // WE_HAVE_AN_X_AND_Y_SCALE
		}
		comp := make([]byte, 8)
		be.PutUint16(comp[0:], flags)
		be.PutUint16(comp[2:], gid)
		be.PutUint16(comp[4:], uint16(int16(math.Round(dx))))
		if scale != 1 {
			comp = be.AppendUint16(comp, uint16(int16(scale*16384)))
			comp = be.AppendUint16(comp, 0x4000)
		}
		data = append(data, comp...)
	}
	xMin = int16(math.Floor(bx0))
	be.PutUint16(data[2:], uint16(xMin))
	be.PutUint16(data[4:], uint16(int16(by0)))
	be.PutUint16(data[6:], uint16(int16(math.Ceil(bx1))))
	be.PutUint16(data[8:], uint16(int16(by1)))
	return data, xMin
}

// noteComposites raises maxp's component limits to cover composites of n
// parts, one level deep.
func (f *sfntFont) noteComposites(n int) {
	maxp := f.tables["maxp"]
	if len(maxp) < 32 || binary.BigEndian.Uint32(maxp) != 0x00010000 {
		return
	}
	maxp = append([]byte(nil), maxp...)
	if binary.BigEndian.Uint16(maxp[28:]) < uint16(n) {
		binary.BigEndian.PutUint16(maxp[28:], uint16(n))
	}
	if binary.BigEndian.Uint16(maxp[30:]) < 1 {
		binary.BigEndian.PutUint16(maxp[30:], 1)
	}
	f.tables["maxp"] = maxp
}

func sfntChecksum(b []byte) uint32 {
	var sum uint32
	for i := 0; i < len(b); i += 4 {
		var w [4]byte
		copy(w[:], b[i:])
		sum += binary.BigEndian.Uint32(w[:])
	}
	return sum
}

// bytes writes the font as one standalone sfnt file.
func (f *sfntFont) bytes() []byte {
	delete(f.tables, "DSIG") // the signature no longer matches
	tags := make([]string, 0, len(f.tables))
	size := 12
	for tag, data := range f.tables {
		tags = append(tags, tag)
		size += 16 + (len(data)+3)&^3
	}
	sort.Strings(tags)
	head := append([]byte(nil), f.tables["head"]...)
	binary.BigEndian.PutUint32(head[8:], 0) // checkSumAdjustment, set below
	f.tables["head"] = head

	be := binary.BigEndian
	out := make([]byte, 12+16*len(tags), size)
	be.PutUint32(out[0:], f.version)
	n := len(tags)
	be.PutUint16(out[4:], uint16(n))
	sel := 0
	for 1<<(sel+1) <= n {
		sel++
	}
	be.PutUint16(out[6:], uint16(16<<sel))
	be.PutUint16(out[8:], uint16(sel))
	be.PutUint16(out[10:], uint16(16*n-16<<sel))
	headAt := 0
	for i, tag := range tags {
		data := f.tables[tag]
		rec := out[12+16*i:]
		copy(rec[0:4], tag)
		be.PutUint32(rec[4:], sfntChecksum(data))
		be.PutUint32(rec[8:], uint32(len(out)))
		be.PutUint32(rec[12:], uint32(len(data)))
		if tag == "head" {
			headAt = len(out)
		}
		out = append(out, data...)
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
	}
	be.PutUint32(out[headAt+8:], 0xB1B0AFBA-sfntChecksum(out))
	return out
}

// setLineMetrics sets the ascender, descender and line gap (font units,
// hhea and OS/2 typo values alike, so either choice of a renderer reads
// them).
func (f *sfntFont) setLineMetrics(asc, desc, gap int16) {
	be := binary.BigEndian
	hhea := append([]byte(nil), f.tables["hhea"]...)
	be.PutUint16(hhea[4:], uint16(asc))
	be.PutUint16(hhea[6:], uint16(desc))
	be.PutUint16(hhea[8:], uint16(gap))
	f.tables["hhea"] = hhea
	if os2 := f.tables["OS/2"]; len(os2) >= 74 {
		os2 = append([]byte(nil), os2...)
		be.PutUint16(os2[68:], uint16(asc))
		be.PutUint16(os2[70:], uint16(desc))
		be.PutUint16(os2[72:], uint16(gap))
		f.tables["OS/2"] = os2
	}
}

// setAdvance sets gid's advance when it has a metric of its own.
func (f *sfntFont) setAdvance(gid uint16, adv uint16) {
	n := int(binary.BigEndian.Uint16(f.tables["hhea"][34:]))
	hmtx := f.tables["hmtx"]
	if int(gid) >= n || 4*int(gid)+2 > len(hmtx) {
		return
	}
	hmtx = append([]byte(nil), hmtx...)
	binary.BigEndian.PutUint16(hmtx[4*int(gid):], adv)
	f.tables["hmtx"] = hmtx
}

func (f *sfntFont) upem() int { return int(binary.BigEndian.Uint16(f.tables["head"][18:])) }
