package automation

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/netdebug/netdebug/netcore/codec"
)

func mustCompile(t *testing.T, p codec.Payload, opts ...Option) *Template {
	t.Helper()
	tm, err := Compile(p, opts...)
	if err != nil {
		t.Fatalf("Compile(%q): %v", p.Text, err)
	}
	return tm
}

func expandOK(t *testing.T, tm *Template) []byte {
	t.Helper()
	b, err := tm.Expand()
	if err != nil {
		t.Fatalf("Expand(%q): %v", tm.Payload().Text, err)
	}
	return b
}

func hexOf(t *testing.T, s string) []byte {
	t.Helper()
	b, err := codec.ParseHex(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestModbusFrame(t *testing.T) {
	tm := mustCompile(t, codec.Payload{Text: "01 03 00 00 00 0A {{crc16modbus}}", Hex: true})
	if got, want := expandOK(t, tm), hexOf(t, "01 03 00 00 00 0A C5 CD"); !bytes.Equal(got, want) {
		t.Fatalf("got % X; want % X", got, want)
	}
	if tm.Dynamic() {
		t.Error("a frame with only a checksum should not be dynamic")
	}
}

func TestCountersAcrossSends(t *testing.T) {
	cases := []struct {
		name string
		p    codec.Payload
		want []string // hex of successive sends
	}{
		{"bare text counter starts at 0", codec.Payload{Text: "N{{counter}}"}, []string{"4E 30", "4E 31", "4E 32"}},
		{"start step width", codec.Payload{Text: "{{counter:start=1,step=2,width=4}}"},
			[]string{"30 30 30 31", "30 30 30 33", "30 30 30 35"}},
		{"width does not truncate", codec.Payload{Text: "{{counter:start=99,width=2}}"}, []string{"39 39", "31 30 30"}},
		{"negative step", codec.Payload{Text: "{{counter:start=1,step=-1,width=3}}"}, []string{"30 30 31", "30 30 30", "2D 30 30 31"}},
		{"hex text", codec.Payload{Text: "{{counter:hex,width=4,start=0xFE}}"}, []string{"30 30 46 45", "30 30 46 46", "30 31 30 30"}},
		{"binary wraps", codec.Payload{Text: "{{counter:bytes=2,start=0xFFFF}}"}, []string{"FF FF", "00 00", "00 01"}},
		{"binary little-endian", codec.Payload{Text: "{{counter:bytes=2,le,start=0x0102,step=0x100}}"}, []string{"02 01", "02 02"}},
		{"hex mode bare counter is one byte", codec.Payload{Text: "AA {{counter:start=0xFE}} 55", Hex: true},
			[]string{"AA FE 55", "AA FF 55", "AA 00 55"}},
		{"hex mode text counter", codec.Payload{Text: "{{counter:width=2}}", Hex: true}, []string{"30 30", "30 31"}},
		{"two counters are independent", codec.Payload{Text: "{{counter}}{{counter:start=5,step=5}}"},
			[]string{"30 35", "31 31 30", "32 31 35"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tm := mustCompile(t, c.p)
			for i, w := range c.want {
				if got := expandOK(t, tm); !bytes.Equal(got, hexOf(t, w)) {
					t.Fatalf("send %d: got % X; want %s", i+1, got, w)
				}
			}
		})
	}
}

func TestPreviewDoesNotAdvance(t *testing.T) {
	tm := mustCompile(t, codec.Payload{Text: "#{{counter:start=7}}"})
	for range 3 {
		if got, _ := tm.Preview(); string(got) != "#7" {
			t.Fatalf("Preview = %q; want #7", got)
		}
	}
	if got := expandOK(t, tm); string(got) != "#7" {
		t.Fatalf("first Expand = %q", got)
	}
	if got, _ := tm.Preview(); string(got) != "#8" {
		t.Fatalf("Preview after Expand = %q; want #8", got)
	}
	tm.Reset()
	if got := expandOK(t, tm); string(got) != "#7" {
		t.Fatalf("Expand after Reset = %q; want #7", got)
	}
	// A failed expansion advances nothing.
	bad := mustCompile(t, codec.Payload{Text: "{{counter}}{{sum8:from=9}}"})
	if _, err := bad.Expand(); !errors.Is(err, ErrRangeOutOfBounds) {
		t.Fatalf("err = %v", err)
	}
	if got, _ := bad.Preview(); got != nil {
		t.Fatalf("Preview of a failing template = % X", got)
	}
	bad.segs = bad.segs[:1] // drop the broken checksum: the counter must still be at its start
	if got := expandOK(t, bad); string(got) != "0" {
		t.Fatalf("counter advanced by a failed Expand: %q", got)
	}
}

func TestExpanderKeepsCountersUntilEdit(t *testing.T) {
	x := NewExpander()
	p := codec.Payload{Text: "{{counter}}"}
	for i, want := range []string{"0", "1", "2"} {
		if prev, _ := x.Preview(p); string(prev) != want {
			t.Fatalf("preview %d = %q; want %q", i, prev, want)
		}
		if got, _ := x.Expand(p); string(got) != want {
			t.Fatalf("send %d = %q; want %q", i, got, want)
		}
	}
	p.Text = "{{counter}};"
	if got, _ := x.Expand(p); string(got) != "0;" {
		t.Fatalf("after edit = %q; want 0;", got)
	}
}

func TestTime(t *testing.T) {
	fixed := time.Date(2024, 3, 5, 14, 7, 9, 123456789, time.FixedZone("CST", 8*3600))
	clock := WithClock(func() time.Time { return fixed })
	cases := map[string]string{
		"{{time}}":                         "2024-03-05 14:07:09",
		"{{time:%H:%M:%S.%L}}":             "14:07:09.123",
		"{{time:%y%m%d %I%p %j %f}}":       "240305 02PM 065 123456",
		"{{time:%a %A %b %B %e %z %Z %%}}": "Tue Tuesday Mar March  5 +0800 CST %",
		"{{time:%F_%T}}":                   "2024-03-05_14:07:09",
		"t={{time:%s}}":                    "t=1709618829",
	}
	for tmpl, want := range cases {
		tm := mustCompile(t, codec.Payload{Text: tmpl}, clock)
		if got := expandOK(t, tm); string(got) != want {
			t.Errorf("%s = %q; want %q", tmpl, got, want)
		}
	}
	// Literal text in the format is encoded like the rest of the payload.
	tm := mustCompile(t, codec.Payload{Text: "{{time:%H点}}", Encoding: codec.GBK}, clock)
	if got, want := expandOK(t, tm), []byte{'1', '4', 0xB5, 0xE3}; !bytes.Equal(got, want) {
		t.Errorf("GBK time = % X; want % X", got, want)
	}
}

func TestRandAndHex(t *testing.T) {
	tm := mustCompile(t, codec.Payload{Text: "R{{rand:16}}"})
	a, b := expandOK(t, tm), expandOK(t, tm)
	if len(a) != 17 || len(b) != 17 || a[0] != 'R' {
		t.Fatalf("lengths %d %d; want 17", len(a), len(b))
	}
	if bytes.Equal(a, b) {
		t.Errorf("two 16-byte random draws are equal: % X", a)
	}
	det := mustCompile(t, codec.Payload{Text: "{{rand:3}}", Hex: true}, WithRand(bytes.NewReader([]byte{9, 8, 7})))
	if got := expandOK(t, det); !bytes.Equal(got, []byte{9, 8, 7}) {
		t.Errorf("rand from reader = % X", got)
	}
	if _, err := det.Expand(); !errors.Is(err, ErrTemplate) {
		t.Errorf("exhausted reader: err = %v", err)
	}
	hx := mustCompile(t, codec.Payload{Text: `AT{{hex:0D 0A}}\t{{open}}x}}`, Escapes: true})
	if got := expandOK(t, hx); string(got) != "AT\r\n\t{{x}}" {
		t.Errorf("hex/escape/open = %q", got)
	}
	gbk := mustCompile(t, codec.Payload{Text: "你好{{counter}}", Encoding: codec.GBK, LineEnding: codec.LineCRLF})
	if got, want := expandOK(t, gbk), []byte{0xC4, 0xE3, 0xBA, 0xC3, '0', '\r', '\n'}; !bytes.Equal(got, want) {
		t.Errorf("GBK = % X; want % X", got, want)
	}
}

func TestChecksumPlacementAndRanges(t *testing.T) {
	cases := []struct {
		name string
		p    codec.Payload
		want string
	}{
		{"skip header", codec.Payload{Text: "AA 55 01 02 {{sum8:from=2}}", Hex: true}, "AA 55 01 02 03"},
		{"trailer after checksum", codec.Payload{Text: "02 31 32 {{xor8:from=1}} 03", Hex: true}, "02 31 32 03 03"},
		{"explicit to", codec.Payload{Text: "31 32 33 {{sum8:from=0,to=2}}", Hex: true}, "31 32 33 63"},
		{"checksum first, covering what follows", codec.Payload{Text: "{{crc16xmodem:from=2,to=end}}123456789"},
			"31 C3 31 32 33 34 35 36 37 38 39"},
		{"negative from counts from the end", codec.Payload{Text: "xx123456789{{crc32:from=-13}}"},
			"78 78 31 32 33 34 35 36 37 38 39 CB F4 39 26"},
		{"negative to", codec.Payload{Text: "{{crc8:from=1,to=-1}}123456789Z"}, "F4 31 32 33 34 35 36 37 38 39 5A"},
		{"modbus big-endian", codec.Payload{Text: "01 03 00 00 00 0A {{crc16modbus:be}}", Hex: true}, "01 03 00 00 00 0A CD C5"},
		{"ccitt little-endian", codec.Payload{Text: "123456789{{crc16ccitt:le}}"}, "31 32 33 34 35 36 37 38 39 B1 29"},
		{"ascii form", codec.Payload{Text: ":123456789{{crc16xmodem:from=1,ascii}}"}, "3A 31 32 33 34 35 36 37 38 39 33 31 43 33"},
		{"checksum over a checksum", codec.Payload{Text: "01 02 {{sum8}} {{xor8}}", Hex: true}, "01 02 03 00"},
		{"line ending is outside the default range", codec.Payload{Text: "AB{{sum8}}", LineEnding: codec.LineCRLF}, "41 42 83 0D 0A"},
		{"counter inside the range", codec.Payload{Text: "01 {{counter:start=5}} {{sum8}}", Hex: true}, "01 05 06"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := expandOK(t, mustCompile(t, c.p))
			if want := hexOf(t, c.want); !bytes.Equal(got, want) {
				t.Fatalf("got % X; want % X", got, want)
			}
		})
	}
}

func TestBadTemplatesNamePosition(t *testing.T) {
	cases := []struct {
		p    codec.Payload
		pos  int
		kind error
	}{
		{codec.Payload{Text: "abc{{counter"}, 4, ErrUnclosedPlaceholder},
		{codec.Payload{Text: "{{counter {{time}}"}, 1, ErrUnclosedPlaceholder},
		{codec.Payload{Text: "x{{foo}}"}, 2, ErrUnknownPlaceholder},
		{codec.Payload{Text: "你好{{foo}}"}, 3, ErrUnknownPlaceholder},
		{codec.Payload{Text: "{{}}"}, 1, ErrUnknownPlaceholder},
		{codec.Payload{Text: "{{counter:width=abc}}"}, 11, ErrBadParameter},
		{codec.Payload{Text: "{{counter:start=1, bogus}}"}, 20, ErrBadParameter},
		{codec.Payload{Text: "{{counter:start=1,,step=2}}"}, 19, ErrBadParameter},
		{codec.Payload{Text: "{{counter:bytes=2,width=3}}"}, 19, ErrBadParameter},
		{codec.Payload{Text: "{{counter:le}}"}, 11, ErrBadParameter},
		{codec.Payload{Text: "{{counter:bytes=9}}"}, 11, ErrBadParameter},
		{codec.Payload{Text: "{{rand:0}}"}, 8, ErrBadParameter},
		{codec.Payload{Text: "ab{{rand}}"}, 3, ErrBadParameter},
		{codec.Payload{Text: "{{hex:0G}}"}, 8, ErrBadText},
		{codec.Payload{Text: "{{hex:}}"}, 1, ErrBadParameter},
		{codec.Payload{Text: "{{time:%H%Q}}"}, 10, ErrBadParameter},
		{codec.Payload{Text: "{{crc16modbus:le,be}}"}, 18, ErrBadParameter},
		{codec.Payload{Text: "{{crc16modbus:from=x}}"}, 15, ErrBadParameter},
		{codec.Payload{Text: "{{open:x}}"}, 8, ErrBadParameter},
		{codec.Payload{Text: "01 0{{counter}}", Hex: true}, 4, ErrBadText},
		{codec.Payload{Text: "01 {{sum8}} zz", Hex: true}, 13, ErrBadText},
		{codec.Payload{Text: `ab\q{{counter}}`, Escapes: true}, 3, ErrBadText},
		{codec.Payload{Text: "ab你", Encoding: codec.Latin1}, 3, ErrBadText},
	}
	for _, c := range cases {
		_, err := Compile(c.p)
		var te *TemplateError
		if !errors.As(err, &te) || te.Pos != c.pos || !errors.Is(err, c.kind) || !errors.Is(err, ErrTemplate) {
			t.Errorf("Compile(%q): err = %v; want %v at position %d", c.p.Text, err, c.kind, c.pos)
		}
	}
	// Range errors can only show once the payload length is known.
	for _, c := range []struct {
		text string
		pos  int
	}{
		{"01 02 {{sum8:from=5}}", 7},
		{"01 {{sum8:to=end}}", 4},
		{"{{sum8:from=1,to=end}}{{xor8:from=0,to=1}}", 1},
		{"01 02 {{sum8:from=2,to=1}}", 7},
	} {
		tm := mustCompile(t, codec.Payload{Text: c.text, Hex: true})
		_, err := tm.Expand()
		var te *TemplateError
		if !errors.As(err, &te) || te.Pos != c.pos || !errors.Is(err, ErrRangeOutOfBounds) {
			t.Errorf("Expand(%q): err = %v; want range error at %d", c.text, err, c.pos)
		}
	}
}

func TestCaptureReferencesParse(t *testing.T) {
	names := []string{"", "num", ""} // like regexp `(?P<num>\d+)(x)`
	ok := mustCompile(t, codec.Payload{Text: "a$1-${num}-${2}-$$-$0"}, withCaptures(names))
	got, err := ok.expand([][]byte{[]byte("ALL"), []byte("42"), []byte("x")}, true)
	if err != nil || string(got) != "a42-42-x-$-ALL" {
		t.Fatalf("got %q, %v", got, err)
	}
	for _, c := range []struct {
		text string
		pos  int
	}{
		{"ab$", 3}, {"ab$x", 3}, {"$3", 1}, {"x${nope}", 2}, {"${num", 1}, {"${}", 1}, {"$01", 1},
	} {
		_, err := Compile(codec.Payload{Text: c.text}, withCaptures(names))
		var te *TemplateError
		if !errors.As(err, &te) || te.Pos != c.pos || !errors.Is(err, ErrBadCapture) {
			t.Errorf("Compile(%q): err = %v; want capture error at %d", c.text, err, c.pos)
		}
	}
	// Without captures a dollar is just text.
	if got := expandOK(t, mustCompile(t, codec.Payload{Text: "$1 costs $$"})); string(got) != "$1 costs $$" {
		t.Errorf("plain dollars = %q", got)
	}
}

// TestTemplateErrorSaysWhatAndWhere: the message reads in the user's terms,
// what is wrong and then where, with no "template error" jargon.
func TestTemplateErrorSaysWhatAndWhere(t *testing.T) {
	for _, c := range []struct {
		p    codec.Payload
		want string
	}{
		{codec.Payload{Text: "41 4G", Hex: true}, "not a hex digit: 'G' at position 5"},
		{codec.Payload{Text: "01 {{hex:0Z}}", Hex: true}, "not a hex digit: 'Z' at position 11"},
		{codec.Payload{Text: `ab\q`, Escapes: true}, `unknown escape "\q" (use \r \n \t \0 \\ or \xHH) at position 3`},
	} {
		_, err := Compile(c.p)
		if err == nil || err.Error() != c.want {
			t.Errorf("Compile(%q) = %v, want %q", c.p.Text, err, c.want)
		}
	}
}
