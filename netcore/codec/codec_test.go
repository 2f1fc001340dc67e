package codec

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseEncoding(t *testing.T) {
	cases := map[string]Encoding{
		"utf8": UTF8, "UTF-8": UTF8, "gb2312": GB2312, "GBK": GBK, "gb18030": GB18030,
		"big5": Big5, "sjis": ShiftJIS, "Shift_JIS": ShiftJIS, "latin1": Latin1, "ISO-8859-1": Latin1, "ascii": ASCII,
	}
	for in, want := range cases {
		got, err := ParseEncoding(in)
		if err != nil || got != want {
			t.Errorf("ParseEncoding(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := ParseEncoding("klingon"); !errors.Is(err, ErrUnknownEncoding) {
		t.Errorf("unknown name: err = %v", err)
	}
}

func TestEncodeKnownBytes(t *testing.T) {
	cases := []struct {
		enc  Encoding
		text string
		want []byte
	}{
		{UTF8, "你好", []byte{0xE4, 0xBD, 0xA0, 0xE5, 0xA5, 0xBD}},
		{GB2312, "你好", []byte{0xC4, 0xE3, 0xBA, 0xC3}},
		{GBK, "你好", []byte{0xC4, 0xE3, 0xBA, 0xC3}},
		{GB18030, "你好€", []byte{0xC4, 0xE3, 0xBA, 0xC3, 0xA2, 0xE3}},
		{Big5, "你好", []byte{0xA7, 0x41, 0xA6, 0x6E}},
		{ShiftJIS, "こんにちは", []byte{0x82, 0xB1, 0x82, 0xF1, 0x82, 0xC9, 0x82, 0xBF, 0x82, 0xCD}},
		{Latin1, "café", []byte{'c', 'a', 'f', 0xE9}},
		{ASCII, "AT+OK", []byte("AT+OK")},
	}
	for _, c := range cases {
		got, err := Encode(c.enc, c.text)
		if err != nil {
			t.Errorf("Encode(%s, %q): %v", c.enc, c.text, err)
			continue
		}
		if !bytes.Equal(got, c.want) {
			t.Errorf("Encode(%s, %q) = % X; want % X", c.enc, c.text, got, c.want)
		}
		if back := Decode(c.enc, got); back != c.text {
			t.Errorf("Decode(%s, % X) = %q; want %q", c.enc, got, back, c.text)
		}
	}
}

func TestEncodeUnencodableNamesPosition(t *testing.T) {
	_, err := Encode(Latin1, "ab你")
	if !errors.Is(err, ErrUnencodable) || !strings.Contains(err.Error(), "character 3") {
		t.Fatalf("err = %v; want ErrUnencodable naming character 3", err)
	}
	_, err = Encode(ASCII, "é")
	if !errors.Is(err, ErrUnencodable) {
		t.Fatalf("ASCII é: err = %v", err)
	}
}

func TestDecodeInvalidBecomesReplacement(t *testing.T) {
	if got := Decode(UTF8, []byte{'a', 0xFF, 'b'}); got != "a\uFFFDb" {
		t.Errorf("utf8 = %q", got)
	}
	if got := Decode(ASCII, []byte{'a', 0x80}); got != "a\uFFFD" {
		t.Errorf("ascii = %q", got)
	}
	// A GBK lead byte at the very end of the stream never completes.
	if got := Decode(GBK, []byte{'a', 0xC4}); got != "a\uFFFD" {
		t.Errorf("gbk truncated = %q", got)
	}
}

func TestStreamingDecoderSplitsEverywhere(t *testing.T) {
	texts := map[Encoding]string{
		UTF8: "A你好,世界😀!", GB2312: "A你好，世界！", GBK: "A你好，世界！", GB18030: "A你好😀€",
		Big5: "A你好世界", ShiftJIS: "Aこんにちは世界", Latin1: "Açé", ASCII: "hello",
	}
	for enc, text := range texts {
		raw, err := Encode(enc, text)
		if err != nil {
			t.Fatalf("%s: %v", enc, err)
		}
		for cut := 0; cut <= len(raw); cut++ {
			d := NewDecoder(enc)
			got := d.Decode(raw[:cut]) + d.Decode(raw[cut:]) + d.Flush()
			if got != text {
				t.Errorf("%s cut at %d: %q; want %q", enc, cut, got, text)
			}
		}
		// One byte at a time.
		d := NewDecoder(enc)
		var sb strings.Builder
		for i := range raw {
			sb.WriteString(d.Decode(raw[i : i+1]))
		}
		sb.WriteString(d.Flush())
		if sb.String() != text {
			t.Errorf("%s byte by byte: %q", enc, sb.String())
		}
	}
}

func TestParseHex(t *testing.T) {
	good := map[string][]byte{
		"48 65 6C":           {0x48, 0x65, 0x6C},
		"48656C":             {0x48, 0x65, 0x6C},
		"0x48,0x65":          {0x48, 0x65},
		"0X48, 0x65 ,0x6c":   {0x48, 0x65, 0x6C},
		"de:ad:BE:ef":        {0xDE, 0xAD, 0xBE, 0xEF},
		"01-02\n03\t04;05\r": {1, 2, 3, 4, 5},
		"":                   {},
		"   ":                {},
	}
	for in, want := range good {
		got, err := ParseHex(in)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("ParseHex(%q) = % X, %v; want % X", in, got, err, want)
		}
	}
	bad := map[string]int{
		"4G":      2,
		"48 6":    4,
		"123":     3,
		"48 zz":   4,
		"0x":      1,
		"0x4":     3,
		"41 你":    4,
		"4142 4":  6,
		"0x41,0x": 6,
	}
	for in, pos := range bad {
		_, err := ParseHex(in)
		var he *HexError
		if !errors.As(err, &he) || !errors.Is(err, ErrBadHex) {
			t.Errorf("ParseHex(%q) err = %v; want HexError", in, err)
			continue
		}
		if he.Pos != pos {
			t.Errorf("ParseHex(%q) pos = %d; want %d (%v)", in, he.Pos, pos, err)
		}
	}
}

func TestFormatHexAndDump(t *testing.T) {
	if got := FormatHex([]byte("Hel")); got != "48 65 6C" {
		t.Errorf("FormatHex = %q", got)
	}
	if got := FormatHex(nil); got != "" {
		t.Errorf("FormatHex(nil) = %q", got)
	}
	if got := string(AppendHex([]byte("x:"), []byte{0, 0xFF})); got != "x:00 FF" {
		t.Errorf("AppendHex = %q", got)
	}
	d := Dump([]byte("Hello, world\r\n0123456789"))
	want := "00000000  48 65 6C 6C 6F 2C 20 77  6F 72 6C 64 0D 0A 30 31  |Hello, world..01|\n" +
		"00000010  32 33 34 35 36 37 38 39                           |23456789|\n"
	if d != want {
		t.Errorf("Dump =\n%s\nwant\n%s", d, want)
	}
}

func TestEscapes(t *testing.T) {
	got, err := EncodeEscaped(GB2312, `你好\r\n\x01\t\\\0`)
	want := []byte{0xC4, 0xE3, 0xBA, 0xC3, '\r', '\n', 0x01, '\t', '\\', 0}
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("EncodeEscaped = % X, %v; want % X", got, err, want)
	}
	for in, pos := range map[string]int{`ab\`: 3, `\q`: 1, `x\x4`: 2, `\xZZ`: 1} {
		_, err := EncodeEscaped(UTF8, in)
		var ee *EscapeError
		if !errors.As(err, &ee) || ee.Pos != pos {
			t.Errorf("EncodeEscaped(%q) err = %v; want position %d", in, err, pos)
		}
	}
	if s := Escape(UTF8, []byte("a\r\n\x01\\b")); s != `a\r\n\x01\\b` {
		t.Errorf("Escape = %q", s)
	}
}

func TestPayloadBuild(t *testing.T) {
	cases := []struct {
		p    Payload
		want []byte
	}{
		{Payload{Text: "你好", Encoding: GB2312, LineEnding: LineCRLF}, []byte{0xC4, 0xE3, 0xBA, 0xC3, '\r', '\n'}},
		{Payload{Text: "hi", LineEnding: LineLF}, []byte("hi\n")},
		{Payload{Text: "hi", LineEnding: LineCR}, []byte("hi\r")},
		{Payload{Text: "hi", LineEnding: LineNone}, []byte("hi")},
		{Payload{Text: "01 02", Hex: true, LineEnding: LineCRLF}, []byte{1, 2}},
		{Payload{Text: `a\n`, Escapes: true}, []byte("a\n")},
		{Payload{Text: `a\n`}, []byte(`a\n`)},
	}
	for _, c := range cases {
		got, err := c.p.Build()
		if err != nil || !bytes.Equal(got, c.want) {
			t.Errorf("%+v.Build() = % X, %v; want % X", c.p, got, err, c.want)
		}
	}
	if _, err := (Payload{Text: "4G", Hex: true}).Build(); !errors.Is(err, ErrBadHex) {
		t.Errorf("bad hex payload err = %v", err)
	}
	for _, s := range []string{"none", "LF", `\r\n`, "cr"} {
		if _, err := ParseLineEnding(s); err != nil {
			t.Errorf("ParseLineEnding(%q): %v", s, err)
		}
	}
	if _, err := ParseLineEnding("lfcr"); err == nil {
		t.Error("ParseLineEnding(lfcr) accepted")
	}
}

func FuzzParseHex(f *testing.F) {
	for _, s := range []string{"48 65 6C", "48656C", "0x48,0x65", "4G", "0x", "de:ad", "你好"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := ParseHex(s)
		if err != nil {
			var he *HexError
			if !errors.As(err, &he) || he.Pos < 1 || he.Pos > utf8.RuneCountInString(s) {
				t.Fatalf("ParseHex(%q): bad error %v", s, err)
			}
			return
		}
		// Whatever parsed must round-trip through our own formatting.
		again, err := ParseHex(FormatHex(b))
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("round trip of %q: % X vs % X (%v)", s, b, again, err)
		}
	})
}

func FuzzDecodeSplit(f *testing.F) {
	f.Add([]byte("你好"), uint8(1), uint8(0))
	f.Add([]byte{0xC4, 0xE3, 0xBA, 0xC3}, uint8(3), uint8(1))
	f.Add([]byte{0x81, 0x30, 0x81, 0x30}, uint8(2), uint8(3))
	f.Fuzz(func(t *testing.T, data []byte, cut uint8, which uint8) {
		all := Encodings()
		enc := all[int(which)%len(all)]
		c := int(cut)
		if c > len(data) {
			c = len(data)
		}
		whole := Decode(enc, data)
		d := NewDecoder(enc)
		split := d.Decode(data[:c]) + d.Decode(data[c:]) + d.Flush()
		if whole != split {
			t.Fatalf("%s: split at %d gives %q, whole gives %q", enc, c, split, whole)
		}
		if !utf8.ValidString(split) {
			t.Fatalf("%s: invalid UTF-8 out", enc)
		}
	})
}

func TestIncompleteTail(t *testing.T) {
	for _, enc := range Encodings() {
		text := "ab 你好, 世界 cd 中文"
		raw, err := Encode(enc, text)
		if err != nil {
			raw, _ = Encode(enc, "ab, cd: xyz")
		}
		for cut := 0; cut <= len(raw); cut++ {
			d := NewDecoder(enc)
			d.Decode(raw[:cut])
			if got, want := IncompleteTail(enc, raw[:cut]), d.Pending(); got != want {
				t.Errorf("%s cut %d: IncompleteTail = %d; decoder holds %d", enc, cut, got, want)
			}
		}
	}
}

// TestStreamTailCarries: a chunk with no sure boundary (all of it continues
// a character begun before it) is read with what the stream carried in.
func TestStreamTailCarries(t *testing.T) {
	raw, _ := Encode(GB18030, "𝄞") // 94 32 BE 34
	if n, sure := StreamTail(GB18030, nil, raw[1:2]); sure || n != 0 {
		t.Fatalf("without carry: %d %v", n, sure)
	}
	if n, _ := StreamTail(GB18030, raw[:1], raw[1:2]); n != 2 {
		t.Fatalf("with carry: %d; want 2", n)
	}
	if n, _ := StreamTail(GB18030, raw[:3], raw[3:]); n != 0 {
		t.Fatalf("completed: %d", n)
	}
	u := []byte("日") // E6 97 A5
	if n, sure := StreamTail(UTF8, u[:1], u[1:2]); sure || n != 2 {
		t.Fatalf("UTF-8 continuation: %d %v", n, sure)
	}
	if n, sure := StreamTail(UTF8, nil, []byte("ab\xe6\x97")); !sure || n != 2 {
		t.Fatalf("UTF-8 tail: %d %v", n, sure)
	}
}
