package widgets

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/netdebug/netdebug/netcore/codec"
)

// splitSamples is text for each encoding with characters of every length it
// has (GB18030's four-byte ones included) and the symbols engineers meet.
var splitSamples = map[codec.Encoding]string{
	codec.UTF8:     "欢迎使用设备 温度=23.5℃ ±0.1 µΩ 𝄞 ✓",
	codec.GB2312:   "欢迎使用设备 温度=23.5℃ ±0.1 →",
	codec.GBK:      "欢迎使用設備 温度=23.5℃ ±0.1",
	codec.GB18030:  "欢迎使用设备 温度=23.5℃ €µΩ 𝄞 ✓",
	codec.Big5:     "歡迎使用設備 溫度=23.5℃ ±0.1",
	codec.ShiftJIS: "ようこそ 温度=23.5℃ ±0.1 Ω",
}

// logText joins the row bodies of every RX record the view shows.
func logText(v *LogView) string {
	var sb strings.Builder
	for i := 0; i < v.length(); i++ {
		seq := v.seqOf(i)
		r, ok := v.store.BySeq(seq)
		if !ok || r.Dir != RX {
			continue
		}
		sb.WriteString(rowTexts(v, i)[3])
	}
	return sb.String()
}

// TestLogViewJoinsSplitsAtEveryByte: a message cut into two reads at every
// byte position, the reads a minute apart with other streams' records
// between them, shows exactly the message in the rows, in the detail pane,
// in Find and in the saved text, in every encoding.
func TestLogViewJoinsSplitsAtEveryByte(t *testing.T) {
	v, _ := newTestView(t)
	v.store.SetLimits(LogLimits{MaxRecords: 100_000, MaxBytes: 64 << 20})
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for enc, text := range splitSamples {
		raw, err := codec.Encode(enc, text)
		if err != nil {
			t.Fatalf("%s: %v", enc, err)
		}
		s := v.Settings()
		s.Encoding = enc
		v.ApplySettings(s)
		for cut := 1; cut < len(raw); cut++ {
			v.Clear()
			v.store.Append(Record{Time: t0, Dir: RX, Peer: "dev", Data: raw[:cut]})
			v.store.Append(Record{Time: t0, Dir: TX, Peer: "dev", Data: []byte{0xB0}})
			v.store.Append(Record{Time: t0, Dir: RX, Peer: "other", Data: []byte{0xC4}})
			v.store.Append(Record{Time: t0.Add(time.Minute), Dir: RX, Peer: "dev", Data: raw[cut:]})
			v.Update()
			first, second := rowTexts(v, 0)[3], rowTexts(v, 3)[3]
			if got := first + second; got != codec.EscapeText(text) {
				t.Fatalf("%s cut %d: rows %q + %q; want %q", enc, cut, first, second, text)
			}
			if strings.ContainsRune(first+second, '\uFFFD') {
				t.Fatalf("%s cut %d: replacement character in %q %q", enc, cut, first, second)
			}
			// The detail pane shows what the row shows.
			v.list.Select(3)
			if !strings.Contains(v.detailTxt.Text, second) {
				t.Fatalf("%s cut %d: detail %q lacks %q", enc, cut, v.detailTxt.Text, second)
			}
			v.list.UnselectAll()
			v.hasSelected = false
		}
		// Find looks for the joined text: the character cut in two is
		// found in the record that completes it.
		v.Clear()
		runes := []rune(text)
		mid := string(runes[1:3])
		prefix, _ := codec.Encode(enc, string(runes[:2]))
		v.store.Append(Record{Time: t0, Dir: RX, Peer: "dev", Data: prefix[:len(prefix)-1]})
		rest, _ := codec.Encode(enc, string(runes[2:]))
		v.store.Append(Record{Time: t0, Dir: RX, Peer: "dev", Data: append([]byte{prefix[len(prefix)-1]}, rest...)})
		v.Update()
		v.findEntry.SetText(string(runes[1]))
		v.FindNext()
		waitFor(t, func() bool { return v.hasSelected && v.selected == v.first+1 })
		_ = mid
		v.list.UnselectAll()
		v.hasSelected = false
	}
}

// TestLogViewJoinsFourBytesOneByteAtATime: a GB18030 four-byte character
// (and a UTF-8 one) arriving one byte per read is shown whole in the record
// that completes it, and nothing in the others.
func TestLogViewJoinsFourBytesOneByteAtATime(t *testing.T) {
	v, _ := newTestView(t)
	for _, enc := range []codec.Encoding{codec.GB18030, codec.UTF8} {
		raw, _ := codec.Encode(enc, "𝄞€")
		s := v.Settings()
		s.Encoding = enc
		v.ApplySettings(s)
		v.Clear()
		for i := range raw {
			v.store.Append(Record{Dir: RX, Peer: "dev", Data: raw[i : i+1]})
		}
		v.Update()
		var rows []string
		for i := 0; i < v.length(); i++ {
			rows = append(rows, rowTexts(v, i)[3])
		}
		if got := strings.Join(rows, ""); got != "𝄞€" {
			t.Fatalf("%s: rows %q", enc, rows)
		}
		if rows[3] != "𝄞" || rows[0] != "" {
			t.Fatalf("%s: rows %q; the character belongs to the record that completes it", enc, rows)
		}
	}
}

// TestLogViewJoinsAcrossLongRecords: in a flood, long records start and end
// mid-character; a record of pure double-byte text with no ASCII in its last
// 4 KiB still hands on the right bytes.
func TestLogViewJoinsAcrossLongRecords(t *testing.T) {
	v, _ := newTestView(t)
	v.store.SetLimits(LogLimits{MaxRecords: 1000, MaxBytes: 64 << 20})
	s := v.Settings()
	s.Encoding = codec.GBK
	v.ApplySettings(s)
	text := strings.Repeat("欢迎使用设备温度", 2000) // 32,000 bytes, no byte below 0x80
	raw, _ := codec.Encode(codec.GBK, text)
	// Odd cuts: every record but the first starts with a trail byte.
	var pieces [][]byte
	for off := 0; off < len(raw); {
		n := min(len(raw)-off, 6001)
		pieces = append(pieces, raw[off:off+n])
		off += n
	}
	for _, p := range pieces {
		v.store.Append(Record{Dir: RX, Peer: "dev", Data: p})
	}
	v.Update()
	var got strings.Builder
	for i := range pieces {
		r, _ := v.store.BySeq(v.first + uint64(i))
		tv := textView{store: v.store, enc: codec.GBK}
		s, _ := tv.text(v.first+uint64(i), &r, len(r.Data), 0)
		got.WriteString(s)
		// Rows show only the start of a long record, but it must be right.
		if row := rowTexts(v, i)[3]; strings.ContainsRune(row, '\uFFFD') {
			t.Fatalf("row %d starts %q", i, row[:min(len(row), 30)])
		}
	}
	if got.String() != text {
		t.Fatal("the records' text differs from what was sent")
	}
	path := filepath.Join(t.TempDir(), "log.txt")
	if _, err := v.SaveText(path, v.Settings()); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if strings.ContainsRune(string(b), '\uFFFD') {
		t.Fatal("the saved text has replacement characters")
	}
}

// TestLogViewInvalidBytesShowReplacement: a stream of bytes that are not
// text in the chosen encoding (a large record of 0xFF, a NUL flood) shows
// U+FFFD where they do not decode, and the record after it is intact.
func TestLogViewInvalidBytesShowReplacement(t *testing.T) {
	v, _ := newTestView(t)
	v.store.SetLimits(LogLimits{MaxRecords: 1000, MaxBytes: 64 << 20})
	s := v.Settings()
	s.Encoding = codec.GBK
	v.ApplySettings(s)
	v.store.Append(Record{Dir: RX, Peer: "dev", Data: bytes.Repeat([]byte{0xFF}, 4<<20)})
	v.store.Append(Record{Dir: RX, Peer: "dev", Data: make([]byte, 1<<20)})
	ok, _ := codec.Encode(codec.GBK, "正常")
	v.store.Append(Record{Dir: RX, Peer: "dev", Data: ok})
	v.Update()
	if row := rowTexts(v, 0)[3]; !strings.HasPrefix(row, "\uFFFD\uFFFD") {
		t.Fatalf("invalid bytes row = %q", row[:min(len(row), 20)])
	}
	if row := rowTexts(v, 1)[3]; !strings.HasPrefix(row, `\x00\x00`) {
		t.Fatalf("NUL row = %q", row[:min(len(row), 20)])
	}
	if row := rowTexts(v, 2)[3]; row != "正常" {
		t.Fatalf("row after them = %q", row)
	}
}

// TestLogViewTextHexColumnsLineUp: in Text + Hex the hex starts in the same
// cell on every row, with Chinese, ASCII or a long text before it; the
// record detail has the hex dump in every view.
func TestLogViewTextHexColumnsLineUp(t *testing.T) {
	v, _ := newTestView(t)
	s := v.Settings()
	s.Mode, s.Encoding = ShowBoth, codec.GB2312
	v.ApplySettings(s)
	for _, text := range []string{"ab", "你好世界", "温度=23.5℃", strings.Repeat("长", 40)} {
		raw, _ := codec.Encode(codec.GB2312, text)
		v.store.Append(Record{Dir: RX, Peer: "dev", Data: raw})
	}
	v.Update()
	col := -1
	for i := 0; i < v.length(); i++ {
		row := rowTexts(v, i)[3]
		before, _, ok := strings.Cut(row, "│")
		if !ok {
			t.Fatalf("row %d = %q", i, row)
		}
		cells := 0
		for _, r := range before {
			cells += cellsOf(r)
		}
		if col >= 0 && cells != col {
			t.Fatalf("row %d: hex at cell %d, row 0 at %d (%q)", i, cells, col, row)
		}
		col = cells
	}
	s.Mode = ShowText
	v.ApplySettings(s)
	v.list.Select(1)
	if !strings.Contains(v.detailTxt.Text, "C4 E3 BA C3") {
		t.Fatalf("the detail in Text view has no hex dump: %q", v.detailTxt.Text)
	}
}

// TestLogViewHugeRecord: one 64 MB record (a device that never sends the
// delimiter, with a large frame limit) is held and shown: the row and the
// detail show its start and say how much more there is. (Under a 64 MiB
// log limit the next record pushes it out, as the limit says.)
func TestLogViewHugeRecord(t *testing.T) {
	v, _ := newTestView(t)
	v.store.SetLimits(LogLimits{MaxRecords: 1000, MaxBytes: 256 << 20})
	v.store.Append(Record{Dir: RX, Peer: "dev", Data: []byte("before")})
	huge := bytes.Repeat([]byte("温度=23.5℃ "), (64<<20)/14)
	v.store.Append(Record{Dir: RX, Peer: "dev", Data: huge})
	v.store.Append(Record{Dir: RX, Peer: "dev", Data: []byte("after")})
	v.Update()
	if got := lastRowText(v); got != "after" {
		t.Fatalf("last row %q", got)
	}
	id := v.length() - 2
	if row := rowTexts(v, id)[3]; !strings.HasPrefix(row, "温度=23.5℃ ") || !strings.Contains(row, "more") && !strings.Contains(row, "(+") {
		t.Fatalf("huge row = %q", row[:min(len(row), 60)])
	}
	v.list.Select(id)
	if !strings.Contains(v.detailTxt.Text, "more bytes") {
		t.Fatalf("detail does not say the record goes on: %q", v.detailTxt.Text[len(v.detailTxt.Text)-80:])
	}
}
