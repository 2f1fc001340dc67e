package framing

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// feed pushes the chunks and returns the frames as strings plus the flushed
// remainder.
func feed(t *testing.T, c Config, chunks ...string) ([]string, string) {
	t.Helper()
	f, err := New(c)
	if err != nil {
		t.Fatalf("New(%+v): %v", c, err)
	}
	var out []string
	for _, ch := range chunks {
		for _, fr := range f.Push([]byte(ch)) {
			out = append(out, string(fr))
		}
	}
	return out, string(f.Flush())
}

func TestModes(t *testing.T) {
	cases := []struct {
		name   string
		cfg    Config
		chunks []string
		frames []string
		rest   string
	}{
		{"raw", Config{}, []string{"ab", "cd"}, []string{"ab", "cd"}, ""},
		{"lf", Config{Mode: Delimiter, Delimiter: []byte("\n")}, []string{"a\nb", "c\n\nd"}, []string{"a\n", "bc\n", "\n"}, "d"},
		{"crlf split across reads", Config{Mode: Delimiter, Delimiter: []byte("\r\n")}, []string{"OK\r", "\nERR\r\n"}, []string{"OK\r\n", "ERR\r\n"}, ""},
		{"custom hex delimiter", Config{Mode: Delimiter, Delimiter: []byte{0x7E}}, []string{"\x01\x7E\x02", "\x7E"}, []string{"\x01\x7E", "\x02\x7E"}, ""},
		{"fixed", Config{Mode: Fixed, FixedLen: 3}, []string{"abcd", "efgh"}, []string{"abc", "def"}, "gh"},
		{"len1", Config{Mode: LengthPrefix, PrefixLen: 1}, []string{"\x02hi\x03yo", "u"}, []string{"\x02hi", "\x03you"}, ""},
		{"len2 big endian sticky", Config{Mode: LengthPrefix, PrefixLen: 2}, []string{"\x00\x05hello\x00\x05world"}, []string{"\x00\x05hello", "\x00\x05world"}, ""},
		{"len2 little endian", Config{Mode: LengthPrefix, PrefixLen: 2, LittleEndian: true}, []string{"\x02\x00ab\x01"}, []string{"\x02\x00ab"}, "\x01"},
		{"len4 header counted", Config{Mode: LengthPrefix, PrefixLen: 4, IncludesHeader: true}, []string{"\x00\x00\x00\x06", "hi\x00\x00\x00\x04"}, []string{"\x00\x00\x00\x06hi", "\x00\x00\x00\x04"}, ""},
		{"len header counted but too small", Config{Mode: LengthPrefix, PrefixLen: 1, IncludesHeader: true}, []string{"\x00\x02a"}, []string{"\x00", "\x02a"}, ""},
		{"len too big for max frame", Config{Mode: LengthPrefix, PrefixLen: 2, MaxFrame: 8}, []string{"\xff\xff\x00\x01z"}, []string{"\xff\xff", "\x00\x01z"}, ""},
		{"idle waits", Config{Mode: IdleGap, Gap: 20 * time.Millisecond}, []string{"ab", "cd"}, nil, "abcd"},
		{"delimiter bounded by max frame", Config{Mode: Delimiter, Delimiter: []byte("\n"), MaxFrame: 4}, []string{"abcdef"}, []string{"abcdef"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			frames, rest := feed(t, c.cfg, c.chunks...)
			if fmt.Sprintf("%q", frames) != fmt.Sprintf("%q", c.frames) || rest != c.rest {
				t.Errorf("frames %q rest %q; want %q rest %q", frames, rest, c.frames, c.rest)
			}
		})
	}
}

func TestIdleGapReported(t *testing.T) {
	f, _ := New(Config{Mode: IdleGap, Gap: 30 * time.Millisecond})
	if f.IdleGap() != 30*time.Millisecond {
		t.Fatal("IdleGap not reported")
	}
	g, _ := New(Config{Mode: Delimiter, Delimiter: []byte("\n")})
	if g.IdleGap() != 0 {
		t.Fatal("delimiter mode reports a gap")
	}
}

func TestBadConfigs(t *testing.T) {
	bad := []Config{
		{Mode: Delimiter},
		{Mode: Fixed},
		{Mode: LengthPrefix, PrefixLen: 3},
		{Mode: IdleGap},
		{Mode: "morse"},
	}
	for _, c := range bad {
		if _, err := New(c); !errors.Is(err, ErrBadConfig) {
			t.Errorf("New(%+v) err = %v", c, err)
		}
	}
	for in, want := range map[string][]byte{`\n`: {10}, `\r\n`: {13, 10}, "0D 0A": {13, 10}, "0x7E": {0x7E}} {
		got, err := ParseDelimiter(in)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("ParseDelimiter(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"0G", "", "7"} {
		if _, err := ParseDelimiter(in); !errors.Is(err, ErrBadConfig) {
			t.Errorf("ParseDelimiter(%q) err = %v", in, err)
		}
	}
	_, err := ParseDelimiter("0D 0G")
	if err == nil || !strings.Contains(err.Error(), "position 5") {
		t.Errorf("bad hex delimiter error should name the position: %v", err)
	}
}

func TestAddPrefixRoundTrip(t *testing.T) {
	for _, c := range []Config{
		{Mode: LengthPrefix, PrefixLen: 1},
		{Mode: LengthPrefix, PrefixLen: 2},
		{Mode: LengthPrefix, PrefixLen: 2, LittleEndian: true},
		{Mode: LengthPrefix, PrefixLen: 4, IncludesHeader: true},
		{Mode: LengthPrefix, PrefixLen: 4, LittleEndian: true, IncludesHeader: true},
	} {
		var stream []byte
		msgs := []string{"你好", "", "a longer message"}
		for _, m := range msgs {
			b, err := c.AddPrefix([]byte(m))
			if err != nil {
				t.Fatal(err)
			}
			stream = append(stream, b...)
		}
		f, _ := New(c)
		// Deliver one byte at a time: the worst sticky/split case.
		var got []string
		for i := range stream {
			for _, fr := range f.Push(stream[i : i+1]) {
				got = append(got, string(fr[c.PrefixLen:]))
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(msgs) || f.Pending() != 0 {
			t.Errorf("%+v: got %q pending %d", c, got, f.Pending())
		}
	}
	if _, err := (Config{Mode: LengthPrefix, PrefixLen: 1}).AddPrefix(make([]byte, 256)); !errors.Is(err, ErrTooLong) {
		t.Errorf("256 bytes in a 1-byte prefix: %v", err)
	}
	if b, _ := (Config{}).AddPrefix([]byte("x")); string(b) != "x" {
		t.Error("raw mode changed the payload")
	}
}

func FuzzFramerKeepsEveryByte(f *testing.F) {
	f.Add([]byte("a\nb\r\nc"), uint8(0), uint8(3), uint8(1))
	f.Add([]byte("\x00\x05hello\x00\x05world\xff"), uint8(3), uint8(2), uint8(7))
	f.Add([]byte("abcdefgh"), uint8(2), uint8(3), uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, mode uint8, param uint8, chunk uint8) {
		modes := []Config{
			{Mode: Raw},
			{Mode: Delimiter, Delimiter: []byte("\n")},
			{Mode: Delimiter, Delimiter: []byte("\r\n"), MaxFrame: 64},
			{Mode: Fixed, FixedLen: int(param%16) + 1},
			{Mode: LengthPrefix, PrefixLen: []int{1, 2, 4}[param%3], LittleEndian: param&4 != 0, IncludesHeader: param&8 != 0, MaxFrame: 1 + int(param)*8},
			{Mode: IdleGap, Gap: time.Millisecond, MaxFrame: 1 + int(param)},
		}
		c := modes[int(mode)%len(modes)]
		fr, err := New(c)
		if err != nil {
			t.Fatal(err)
		}
		step := int(chunk%32) + 1
		var out []byte
		for i := 0; i < len(data); i += step {
			for _, frame := range fr.Push(data[i:min(i+step, len(data))]) {
				if len(frame) == 0 {
					t.Fatalf("empty frame in mode %+v", c)
				}
				out = append(out, frame...)
			}
		}
		out = append(out, fr.Flush()...)
		if !bytes.Equal(out, data) {
			t.Fatalf("mode %+v chunk %d: frames+rest = %q; input %q", c, step, out, data)
		}
	})
}
