package automation

import (
	"fmt"
	"strconv"
	"time"

	"github.com/netdebug/netdebug/netcore/codec"
)

// defaultTimeFormat is what a bare {{time}} produces: 2024-05-01 13:45:07.
const defaultTimeFormat = "%Y-%m-%d %H:%M:%S"

// timeToken is literal bytes or one strftime directive.
type timeToken struct {
	lit []byte
	dir rune
}

// timeDirectives are the strftime conversions {{time:FORMAT}} accepts.
const timeDirectives = "YymdeHIMSpjaAbBzZsLfFT%nt"

// parseTimeFormat compiles a strftime-style format that starts at 1-based
// position pos. Literal text is encoded in enc now, so an unencodable
// character is reported at compile time.
func parseTimeFormat(format []rune, pos int, enc codec.Encoding) ([]timeToken, error) {
	var toks []timeToken
	lit := 0
	flush := func(end int) error {
		if end <= lit {
			return nil
		}
		b, err := encodeText(enc, string(format[lit:end]), false, pos+lit)
		if err != nil {
			return err
		}
		toks = append(toks, timeToken{lit: b})
		return nil
	}
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		if err := flush(i); err != nil {
			return nil, err
		}
		if i+1 >= len(format) {
			return nil, terr(pos+i, ErrBadParameter, `a lone "%%" ends the time format (write "%%%%" for a percent sign)`)
		}
		d := format[i+1]
		if !containsRune(timeDirectives, d) {
			return nil, terr(pos+i, ErrBadParameter, "unknown time directive %%%c (use %%Y %%y %%m %%d %%e %%H %%I %%M %%S %%p %%j %%a %%A %%b %%B %%z %%Z %%s %%L %%f %%F %%T %%%%)", d)
		}
		toks = append(toks, timeToken{dir: d})
		i++
		lit = i + 1
	}
	if err := flush(len(format)); err != nil {
		return nil, err
	}
	return toks, nil
}

func containsRune(s string, r rune) bool {
	for _, c := range s {
		if c == r {
			return true
		}
	}
	return false
}

// appendTime formats t. Directive output is ASCII, the same bytes in every
// encoding NetDebug offers.
func appendTime(out []byte, toks []timeToken, t time.Time) []byte {
	for _, tk := range toks {
		if tk.dir == 0 {
			out = append(out, tk.lit...)
			continue
		}
		out = appendDirective(out, tk.dir, t)
	}
	return out
}

func appendDirective(out []byte, d rune, t time.Time) []byte {
	pad := func(v, w int) []byte { return fmt.Appendf(out, "%0*d", w, v) }
	switch d {
	case 'Y':
		return pad(t.Year(), 4)
	case 'y':
		return pad(t.Year()%100, 2)
	case 'm':
		return pad(int(t.Month()), 2)
	case 'd':
		return pad(t.Day(), 2)
	case 'e':
		return fmt.Appendf(out, "%2d", t.Day())
	case 'H':
		return pad(t.Hour(), 2)
	case 'I':
		h := t.Hour() % 12
		if h == 0 {
			h = 12
		}
		return pad(h, 2)
	case 'M':
		return pad(t.Minute(), 2)
	case 'S':
		return pad(t.Second(), 2)
	case 'p':
		if t.Hour() < 12 {
			return append(out, "AM"...)
		}
		return append(out, "PM"...)
	case 'j':
		return pad(t.YearDay(), 3)
	case 'a':
		return append(out, t.Weekday().String()[:3]...)
	case 'A':
		return append(out, t.Weekday().String()...)
	case 'b':
		return append(out, t.Month().String()[:3]...)
	case 'B':
		return append(out, t.Month().String()...)
	case 'z':
		return t.AppendFormat(out, "-0700")
	case 'Z':
		return t.AppendFormat(out, "MST")
	case 's':
		return strconv.AppendInt(out, t.Unix(), 10)
	case 'L':
		return pad(t.Nanosecond()/1e6, 3)
	case 'f':
		return pad(t.Nanosecond()/1e3, 6)
	case 'F':
		return t.AppendFormat(out, "2006-01-02")
	case 'T':
		return t.AppendFormat(out, "15:04:05")
	case 'n':
		return append(out, '\n')
	case 't':
		return append(out, '\t')
	}
	return append(out, '%')
}
