package codec

import (
	"errors"
	"fmt"
	"strings"
)

// ErrBadHex is wrapped by every hex parsing error.
var ErrBadHex = errors.New("invalid hex")

// HexError says where hex input went wrong. Pos is 1-based, counted in
// characters of the input as typed.
type HexError struct {
	Pos    int
	Reason string
}

func (e *HexError) Error() string {
	return fmt.Sprintf("invalid hex: %s at position %d", e.Reason, e.Pos)
}

// Unwrap lets errors.Is(err, ErrBadHex) succeed.
func (e *HexError) Unwrap() error { return ErrBadHex }

// ParseHex reads the hex forms people paste: "48 65 6C", "48656C",
// "0x48,0x65", "48-65-6c", "48:65" and mixed case, across lines. Separators
// are spaces, tabs, newlines, commas, colons, semicolons and dashes; a "0x" or
// "0X" prefix may start each byte group. An odd number of digits in a group or
// any other character is an error naming its position.
func ParseHex(s string) ([]byte, error) {
	out := make([]byte, 0, len(s)/2)
	rs := []rune(s)
	i := 0
	for i < len(rs) {
		r := rs[i]
		if isHexSep(r) {
			i++
			continue
		}
		// A group runs to the next separator.
		start := i
		if r == '0' && i+1 < len(rs) && (rs[i+1] == 'x' || rs[i+1] == 'X') {
			i += 2
			if i >= len(rs) || isHexSep(rs[i]) {
				return nil, &HexError{Pos: start + 1, Reason: `"0x" with no digits after it`}
			}
		}
		digitsStart := i
		for i < len(rs) && !isHexSep(rs[i]) {
			if hexVal(rs[i]) < 0 {
				return nil, &HexError{Pos: i + 1, Reason: fmt.Sprintf("not a hex digit: %q", rs[i])}
			}
			i++
		}
		n := i - digitsStart
		if n%2 != 0 {
			return nil, &HexError{Pos: i, Reason: fmt.Sprintf("odd number of hex digits (%d) in %q", n, string(rs[start:i]))}
		}
		for j := digitsStart; j < i; j += 2 {
			out = append(out, byte(hexVal(rs[j])<<4|hexVal(rs[j+1])))
		}
	}
	return out, nil
}

func isHexSep(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\r', ',', ':', ';', '-':
		return true
	}
	return false
}

func hexVal(r rune) int {
	switch {
	case r >= '0' && r <= '9':
		return int(r - '0')
	case r >= 'a' && r <= 'f':
		return int(r-'a') + 10
	case r >= 'A' && r <= 'F':
		return int(r-'A') + 10
	}
	return -1
}

const upperHex = "0123456789ABCDEF"

// FormatHex returns spaced uppercase pairs: "48 65 6C".
func FormatHex(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	out := make([]byte, len(b)*3-1)
	for i, c := range b {
		if i > 0 {
			out[i*3-1] = ' '
		}
		out[i*3] = upperHex[c>>4]
		out[i*3+1] = upperHex[c&0xF]
	}
	return string(out)
}

// AppendHex appends the spaced form of b to dst, for callers building
// larger strings without intermediate allocations.
func AppendHex(dst []byte, b []byte) []byte {
	for i, c := range b {
		if i > 0 {
			dst = append(dst, ' ')
		}
		dst = append(dst, upperHex[c>>4], upperHex[c&0xF])
	}
	return dst
}

// Dump returns a 16-bytes-per-line dump with offsets and an ASCII column:
//
//	00000000  48 65 6C 6C 6F 2C 20 77  6F 72 6C 64 0D 0A        |Hello, world..|
func Dump(b []byte) string {
	var sb strings.Builder
	sb.Grow((len(b)/16 + 1) * 78)
	for off := 0; off < len(b); off += 16 {
		end := min(off+16, len(b))
		line := b[off:end]
		fmt.Fprintf(&sb, "%08X  ", off)
		for i := 0; i < 16; i++ {
			if i < len(line) {
				sb.WriteByte(upperHex[line[i]>>4])
				sb.WriteByte(upperHex[line[i]&0xF])
				sb.WriteByte(' ')
			} else {
				sb.WriteString("   ")
			}
			if i == 7 {
				sb.WriteByte(' ')
			}
		}
		sb.WriteString(" |")
		for _, c := range line {
			if c >= 0x20 && c < 0x7F {
				sb.WriteByte(c)
			} else {
				sb.WriteByte('.')
			}
		}
		sb.WriteString("|\n")
	}
	return sb.String()
}
