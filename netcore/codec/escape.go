package codec

import (
	"errors"
	"fmt"
	"strings"
)

// ErrBadEscape is wrapped by every escape parsing error.
var ErrBadEscape = errors.New("invalid escape")

// EscapeError says which escape in the text was wrong. Pos is 1-based, in
// characters.
type EscapeError struct {
	Pos    int
	Reason string
}

func (e *EscapeError) Error() string {
	return fmt.Sprintf("invalid escape: %s at position %d", e.Reason, e.Pos)
}

// Unwrap lets errors.Is(err, ErrBadEscape) succeed.
func (e *EscapeError) Unwrap() error { return ErrBadEscape }

// EncodeEscaped converts text typed in the send box to bytes. Escapes
// \r \n \t \0 \\ and \xHH are recognised; \xHH inserts the raw byte HH
// whatever the encoding, so binary can be mixed with text. Everything else is
// encoded in e.
func EncodeEscaped(e Encoding, s string) ([]byte, error) {
	if !strings.Contains(s, `\`) {
		return Encode(e, s)
	}
	var out []byte
	var plain strings.Builder
	flush := func() error {
		if plain.Len() == 0 {
			return nil
		}
		b, err := Encode(e, plain.String())
		if err != nil {
			return err
		}
		out = append(out, b...)
		plain.Reset()
		return nil
	}
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		if rs[i] != '\\' {
			plain.WriteRune(rs[i])
			continue
		}
		if i+1 >= len(rs) {
			return nil, &EscapeError{Pos: i + 1, Reason: `a lone "\" at the end (write "\\" for a backslash)`}
		}
		var lit byte
		switch rs[i+1] {
		case 'r':
			lit = '\r'
		case 'n':
			lit = '\n'
		case 't':
			lit = '\t'
		case '0':
			lit = 0
		case '\\':
			lit = '\\'
		case 'x', 'X':
			if i+3 >= len(rs) || hexVal(rs[i+2]) < 0 || hexVal(rs[i+3]) < 0 {
				return nil, &EscapeError{Pos: i + 1, Reason: `"\x" must be followed by two hex digits`}
			}
			if err := flush(); err != nil {
				return nil, err
			}
			out = append(out, byte(hexVal(rs[i+2])<<4|hexVal(rs[i+3])))
			i += 3
			continue
		default:
			return nil, &EscapeError{Pos: i + 1, Reason: fmt.Sprintf(`unknown escape "\%c" (use \r \n \t \0 \\ or \xHH)`, rs[i+1])}
		}
		if err := flush(); err != nil {
			return nil, err
		}
		out = append(out, lit)
		i++
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return out, nil
}

// Escape renders bytes decoded in e as one line of text with control bytes
// made visible (\r \n \t \xHH), so a log row shows exactly what arrived.
func Escape(e Encoding, b []byte) string {
	return EscapeText(Decode(e, b))
}

// EscapeText makes control characters in already decoded text visible.
func EscapeText(s string) string {
	var sb strings.Builder
	sb.Grow(len(s) + 8)
	for _, r := range s {
		switch {
		case r == '\r':
			sb.WriteString(`\r`)
		case r == '\n':
			sb.WriteString(`\n`)
		case r == '\t':
			sb.WriteString(`\t`)
		case r == '\\':
			sb.WriteString(`\\`)
		case r < 0x20 || r == 0x7F:
			fmt.Fprintf(&sb, `\x%02X`, r)
		default:
			sb.WriteRune(r)
		}
	}
	return sb.String()
}

// LineEnding is what the send box appends to every message.
type LineEnding string

// The line endings on offer.
const (
	LineNone LineEnding = "none"
	LineLF   LineEnding = "lf"
	LineCRLF LineEnding = "crlf"
	LineCR   LineEnding = "cr"
)

// LineEndings lists the choices in menu order.
func LineEndings() []LineEnding { return []LineEnding{LineNone, LineLF, LineCRLF, LineCR} }

// Bytes returns the bytes the ending appends.
func (l LineEnding) Bytes() []byte {
	switch l {
	case LineLF:
		return []byte{'\n'}
	case LineCRLF:
		return []byte{'\r', '\n'}
	case LineCR:
		return []byte{'\r'}
	}
	return nil
}

// Label is the form shown in menus: "None", "\n", "\r\n", "\r".
func (l LineEnding) Label() string {
	switch l {
	case LineLF:
		return `\n (LF)`
	case LineCRLF:
		return `\r\n (CRLF)`
	case LineCR:
		return `\r (CR)`
	}
	return "None"
}

// ParseLineEnding accepts "none", "lf", "crlf", "cr", the escaped forms
// (`\n`, `\r\n`, `\r`) and menu labels.
func ParseLineEnding(s string) (LineEnding, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "none":
		return LineNone, nil
	case "lf", `\n`, "\n", `\n (lf)`:
		return LineLF, nil
	case "crlf", `\r\n`, "\r\n", `\r\n (crlf)`:
		return LineCRLF, nil
	case "cr", `\r`, "\r", `\r (cr)`:
		return LineCR, nil
	}
	return "", fmt.Errorf("unknown line ending %q (use none, lf, crlf or cr)", s)
}

// Payload is what a user asks to send: text or hex, how to encode it and what
// to append (text mode only: hex input is sent exactly as typed). Build turns it into bytes; every tab and the CLI use it.
type Payload struct {
	Text       string
	Hex        bool
	Encoding   Encoding
	LineEnding LineEnding
	// Escapes turns on \r \n \t \xHH processing in text mode.
	Escapes bool
}

// Build returns the bytes to send, or an error that names the position of
// bad hex, a bad escape or an unencodable character.
func (p Payload) Build() ([]byte, error) {
	var b []byte
	var err error
	switch {
	case p.Hex:
		b, err = ParseHex(p.Text)
	case p.Escapes:
		b, err = EncodeEscaped(p.Encoding, p.Text)
	default:
		b, err = Encode(p.Encoding, p.Text)
	}
	if err != nil {
		return nil, err
	}
	if p.Hex {
		// Hex input is exact: the user typed every byte they want.
		return b, nil
	}
	return append(b, p.LineEnding.Bytes()...), nil
}
