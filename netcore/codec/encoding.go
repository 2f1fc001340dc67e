// Package codec turns bytes into text and text into bytes the way a network
// debug assistant needs: text encodings (UTF-8, GB2312/GBK, GB18030, Big5,
// Shift_JIS, Latin-1, ASCII) with streaming decoding, hex parsing and
// formatting, C-style escapes and line endings.
//
// The encodings themselves come from golang.org/x/text. This package only adds
// what a debug tool needs on top: names users type, a decoder that keeps a
// multibyte character split across two reads, and errors that name a position.
//
// codec never changes the bytes it is given: decoding is for display only, and
// invalid input shows as U+FFFD while the original bytes stay with the caller.
package codec

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Encoding names a text encoding. The zero value is UTF-8.
type Encoding string

// The encodings NetDebug offers.
const (
	UTF8     Encoding = "UTF-8"
	GB2312   Encoding = "GB2312"
	GBK      Encoding = "GBK"
	GB18030  Encoding = "GB18030"
	Big5     Encoding = "Big5"
	ShiftJIS Encoding = "Shift_JIS"
	Latin1   Encoding = "Latin-1"
	ASCII    Encoding = "ASCII"
)

// ErrUnknownEncoding is returned by ParseEncoding for a name it does not know.
var ErrUnknownEncoding = errors.New("unknown encoding")

// ErrUnencodable is returned by Encode when a character has no representation
// in the chosen encoding.
var ErrUnencodable = errors.New("character cannot be encoded")

// Encodings lists the supported encodings in the order a menu shows them.
func Encodings() []Encoding {
	return []Encoding{UTF8, GB2312, GBK, GB18030, Big5, ShiftJIS, Latin1, ASCII}
}

// EncodingNames is Encodings as strings, for select widgets and flag help.
func EncodingNames() []string {
	all := Encodings()
	out := make([]string, len(all))
	for i, e := range all {
		out[i] = string(e)
	}
	return out
}

var aliases = map[string]Encoding{
	"utf8": UTF8, "utf-8": UTF8, "": UTF8,
	"gb2312": GB2312, "gb-2312": GB2312, "euc-cn": GB2312, "euccn": GB2312, "cp936": GBK,
	"gbk": GBK, "gb18030": GB18030,
	"big5": Big5, "big-5": Big5,
	"shift_jis": ShiftJIS, "shift-jis": ShiftJIS, "shiftjis": ShiftJIS, "sjis": ShiftJIS,
	"latin-1": Latin1, "latin1": Latin1, "iso-8859-1": Latin1, "iso8859-1": Latin1,
	"ascii": ASCII, "us-ascii": ASCII,
}

// ParseEncoding accepts the names people type: "gb2312", "UTF8", "latin1",
// "sjis" and so on, case-insensitively.
func ParseEncoding(name string) (Encoding, error) {
	if e, ok := aliases[strings.ToLower(strings.TrimSpace(name))]; ok {
		return e, nil
	}
	known := EncodingNames()
	sort.Strings(known)
	return "", fmt.Errorf("%w %q (known: %s)", ErrUnknownEncoding, name, strings.Join(known, ", "))
}

// MustEncoding is ParseEncoding for names that come from our own menus; an
// unknown name falls back to UTF-8 rather than failing.
func MustEncoding(name string) Encoding {
	e, err := ParseEncoding(name)
	if err != nil {
		return UTF8
	}
	return e
}

// textEncoding maps to golang.org/x/text. GB2312 is decoded and encoded as
// GBK (code page 936), its superset: that is what the Windows assistants that
// label their option "GB2312" actually send, and x/text's HZGB2312 is the
// unrelated 7-bit HZ form.
func (e Encoding) textEncoding() encoding.Encoding {
	switch e {
	case GB2312, GBK:
		return simplifiedchinese.GBK
	case GB18030:
		return simplifiedchinese.GB18030
	case Big5:
		return traditionalchinese.Big5
	case ShiftJIS:
		return japanese.ShiftJIS
	case Latin1:
		return charmap.ISO8859_1
	case ASCII:
		return asciiEncoding{}
	default:
		return unicode.UTF8
	}
}

// String returns the display name.
func (e Encoding) String() string {
	if e == "" {
		return string(UTF8)
	}
	return string(e)
}

// Encode converts s to bytes in encoding e. A character that the encoding
// cannot represent is an error naming the character and its position, so the
// user is never sent something other than what they typed.
func Encode(e Encoding, s string) ([]byte, error) {
	if e == UTF8 || e == "" {
		return []byte(s), nil
	}
	enc := e.textEncoding().NewEncoder()
	if b, err := enc.Bytes([]byte(s)); err == nil {
		return b, nil
	}
	// Find the first character that failed, to name it.
	pos := 0
	for _, r := range s {
		pos++
		if _, err := enc.Bytes([]byte(string(r))); err != nil {
			return nil, fmt.Errorf("%w: %q (character %d) has no %s form", ErrUnencodable, r, pos, e)
		}
	}
	return nil, fmt.Errorf("%w into %s", ErrUnencodable, e)
}

// Decode converts a complete byte slice to text. Invalid or incomplete
// sequences become U+FFFD.
func Decode(e Encoding, b []byte) string {
	d := NewDecoder(e)
	s := d.Decode(b)
	return s + d.Flush()
}

// Decoder decodes a stream chunk by chunk. A multibyte character split across
// two chunks is held back from the first and completed by the second.
type Decoder struct {
	enc     Encoding
	t       transform.Transformer
	pending []byte
	buf     []byte
}

// NewDecoder returns a streaming decoder for e.
func NewDecoder(e Encoding) *Decoder {
	return &Decoder{enc: e, t: e.textEncoding().NewDecoder()}
}

// Encoding reports what the decoder decodes.
func (d *Decoder) Encoding() Encoding { return d.enc }

// Pending reports how many bytes are held back waiting for the rest of a
// character.
func (d *Decoder) Pending() int { return len(d.pending) }

// Decode returns the text of every character completed by p. Bytes that may
// start a character continued in the next chunk are kept for the next call.
func (d *Decoder) Decode(p []byte) string {
	src := p
	if len(d.pending) > 0 {
		src = append(d.pending[:len(d.pending):len(d.pending)], p...)
	}
	s, rest := d.run(src, false)
	d.pending = append(d.pending[:0], rest...)
	return s
}

// Flush ends the stream: held-back bytes that never completed become U+FFFD.
func (d *Decoder) Flush() string {
	if len(d.pending) == 0 {
		return ""
	}
	s, _ := d.run(d.pending, true)
	d.pending = d.pending[:0]
	return s
}

// Reset forgets held-back bytes.
func (d *Decoder) Reset() {
	d.pending = d.pending[:0]
	d.t.Reset()
}

func (d *Decoder) run(src []byte, atEOF bool) (string, []byte) {
	if cap(d.buf) < len(src)*3+16 {
		d.buf = make([]byte, len(src)*3+16)
	}
	dst := d.buf[:cap(d.buf)]
	var sb strings.Builder
	for {
		nDst, nSrc, err := d.t.Transform(dst, src, atEOF)
		sb.Write(dst[:nDst])
		src = src[nSrc:]
		switch {
		case err == nil:
			return sb.String(), nil
		case errors.Is(err, transform.ErrShortDst):
			continue
		case errors.Is(err, transform.ErrShortSrc):
			return sb.String(), src
		default:
			// x/text decoders replace invalid input themselves; any other
			// error means we cannot go on with these bytes. Show them as
			// replacement characters so nothing silently disappears.
			sb.WriteString(strings.Repeat("\uFFFD", len(src)))
			return sb.String(), nil
		}
	}
}

// asciiEncoding is 7-bit ASCII: bytes above 0x7F decode to U+FFFD and
// characters above U+007F cannot be encoded. x/text has no plain ASCII.
type asciiEncoding struct{}

func (asciiEncoding) NewDecoder() *encoding.Decoder {
	return &encoding.Decoder{Transformer: asciiDecoder{}}
}

func (asciiEncoding) NewEncoder() *encoding.Encoder {
	return &encoding.Encoder{Transformer: asciiEncoder{}}
}

type asciiDecoder struct{ transform.NopResetter }

func (asciiDecoder) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	for nSrc < len(src) {
		c := src[nSrc]
		if c < utf8.RuneSelf {
			if nDst >= len(dst) {
				return nDst, nSrc, transform.ErrShortDst
			}
			dst[nDst] = c
			nDst++
		} else {
			if nDst+3 > len(dst) {
				return nDst, nSrc, transform.ErrShortDst
			}
			nDst += copy(dst[nDst:], "\uFFFD")
		}
		nSrc++
	}
	return nDst, nSrc, nil
}

type asciiEncoder struct{ transform.NopResetter }

func (asciiEncoder) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	for nSrc < len(src) {
		c := src[nSrc]
		if c >= utf8.RuneSelf {
			return nDst, nSrc, encoding.ErrInvalidUTF8
		}
		if nDst >= len(dst) {
			return nDst, nSrc, transform.ErrShortDst
		}
		dst[nDst] = c
		nDst++
		nSrc++
	}
	return nDst, nSrc, nil
}

// IncompleteTail reports how many bytes at the end of b begin a character
// that b does not finish, so a viewer showing records one at a time can hand
// them to the next record of the same stream. It assumes b starts on a
// character boundary; StreamTail drops that assumption.
func IncompleteTail(e Encoding, b []byte) int {
	n, _ := StreamTail(e, nil, b)
	return n
}

// syncWindow is how far back from the end StreamTail looks for a byte that
// must start a character before it decodes the whole chunk instead.
const syncWindow = 4096

// StreamTail reports how many bytes at the end of carry+b begin a character
// that is not finished yet, where carry is what the stream before b left
// pending (nil when b starts on a boundary). n may exceed len(b) when all of
// b continues a character begun in carry.
//
// It looks only at the end of b when it can: it restarts from the last byte
// that cannot be the second or later byte of a character (below 0x30 in the
// double-byte encodings, not 10xxxxxx in UTF-8); sure reports that it found
// one, so carry did not matter. Without one it decodes carry and all of b,
// and the answer is only as good as carry.
func StreamTail(e Encoding, carry, b []byte) (n int, sure bool) {
	if len(b) == 0 {
		return len(carry), len(carry) == 0
	}
	start := -1
	switch e {
	case UTF8, "":
		for i := len(b) - 1; i >= 0 && i >= len(b)-4; i-- {
			if b[i]&0xC0 != 0x80 {
				start = i
				break
			}
		}
	case Latin1, ASCII:
		return 0, true
	default:
		for i := len(b) - 1; i >= 0 && i >= len(b)-syncWindow; i-- {
			if b[i] < 0x30 {
				start = i + 1
				break
			}
		}
	}
	d := NewDecoder(e)
	if start >= 0 {
		d.Decode(b[start:])
		return d.Pending(), true
	}
	if len(carry) > 0 {
		d.Decode(carry)
	}
	d.Decode(b)
	return d.Pending(), false
}
