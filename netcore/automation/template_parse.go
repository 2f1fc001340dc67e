package automation

import (
	"errors"
	"fmt"
	"strings"

	"github.com/netdebug/netdebug/netcore/checksum"
	"github.com/netdebug/netdebug/netcore/codec"
)

type segKind uint8

const (
	segLiteral segKind = iota
	segCounter
	segTime
	segRand
	segChecksum
	segCapture
)

// segment is one piece of a compiled template.
type segment struct {
	kind segKind
	pos  int         // 1-based position of the piece in the template text
	lit  []byte      // segLiteral
	ctr  counterSpec // segCounter
	tfmt []timeToken // segTime
	n    int         // segRand: byte count; segCapture: group index
	sum  checksumSpec
}

// parser turns template text into segments. Positions are rune indexes.
type parser struct {
	rs        []rune
	p         codec.Payload
	cfg       *config
	segs      []segment
	nCounters int
}

func (ps *parser) run() error {
	rs := ps.rs
	lit := 0
	for i := 0; i < len(rs); {
		switch {
		case rs[i] == '{' && i+1 < len(rs) && rs[i+1] == '{':
			if err := ps.literal(lit, i); err != nil {
				return err
			}
			end, err := ps.placeholder(i)
			if err != nil {
				return err
			}
			i, lit = end, end
		case ps.cfg.captures && rs[i] == '$':
			if err := ps.literal(lit, i); err != nil {
				return err
			}
			end, err := ps.capture(i)
			if err != nil {
				return err
			}
			i, lit = end, end
		default:
			i++
		}
	}
	return ps.literal(lit, len(rs))
}

// literal compiles rs[a:b], plain text or hex, into bytes.
func (ps *parser) literal(a, b int) error {
	if a >= b {
		return nil
	}
	s := string(ps.rs[a:b])
	var out []byte
	var err error
	if ps.p.Hex {
		out, err = codec.ParseHex(s)
		var he *codec.HexError
		if errors.As(err, &he) {
			return &TemplateError{Pos: a + he.Pos, Reason: he.Reason, Kind: ErrBadText, Err: err}
		}
	} else {
		out, err = encodeText(ps.p.Encoding, s, ps.p.Escapes, a+1)
	}
	if err != nil {
		return err
	}
	ps.addLiteral(out, a+1)
	return nil
}

func (ps *parser) addLiteral(b []byte, pos int) {
	if n := len(ps.segs); n > 0 && ps.segs[n-1].kind == segLiteral {
		ps.segs[n-1].lit = append(ps.segs[n-1].lit, b...)
		return
	}
	ps.segs = append(ps.segs, segment{kind: segLiteral, pos: pos, lit: append([]byte(nil), b...)})
}

// encodeText encodes s (which starts at 1-based position base) in enc, with
// escapes when asked, mapping codec errors to template positions.
func encodeText(enc codec.Encoding, s string, escapes bool, base int) ([]byte, error) {
	var out []byte
	var err error
	if escapes {
		out, err = codec.EncodeEscaped(enc, s)
	} else {
		out, err = codec.Encode(enc, s)
	}
	if err == nil {
		return out, nil
	}
	var ee *codec.EscapeError
	if errors.As(err, &ee) {
		return nil, &TemplateError{Pos: base + ee.Pos - 1, Reason: ee.Reason, Kind: ErrBadText, Err: err}
	}
	pos, reason := base, err.Error()
	for i, r := range []rune(s) {
		if _, e := codec.Encode(enc, string(r)); e != nil {
			pos, reason = base+i, fmt.Sprintf("%q has no %s form", r, enc)
			break
		}
	}
	return nil, &TemplateError{Pos: pos, Reason: reason, Kind: ErrBadText, Err: err}
}

// placeholder compiles the "{{...}}" starting at rune index i and returns the
// index just past its "}}".
func (ps *parser) placeholder(i int) (int, error) {
	rs := ps.rs
	j := i + 2
	for ; j+1 < len(rs); j++ {
		if rs[j] == '}' && rs[j+1] == '}' {
			break
		}
		if rs[j] == '{' && rs[j+1] == '{' {
			return 0, terr(i+1, ErrUnclosedPlaceholder, `"{{" is not closed by "}}" before the next "{{" (position %d)`, j+1)
		}
	}
	if j+1 >= len(rs) {
		return 0, terr(i+1, ErrUnclosedPlaceholder, `"{{" is never closed by "}}" (write {{open}} for a literal "{{")`)
	}
	body := rs[i+2 : j]
	namePart, args, hasArgs := body, []rune(nil), false
	for k, r := range body {
		if r == ':' {
			namePart, args, hasArgs = body[:k], body[k+1:], true
			break
		}
	}
	argPos := i + 3 + len(namePart) + 1 // 1-based position of the first argument character
	name := strings.ToLower(strings.TrimSpace(string(namePart)))
	pos := i + 1
	var err error
	switch name {
	case "counter":
		err = ps.counter(pos, args, argPos)
	case "time":
		format := []rune(defaultTimeFormat)
		fpos := 0 // the default format cannot fail to parse
		if len(args) > 0 {
			format, fpos = args, argPos
		}
		var toks []timeToken
		toks, err = parseTimeFormat(format, fpos, ps.p.Encoding)
		if err == nil {
			ps.segs = append(ps.segs, segment{kind: segTime, pos: pos, tfmt: toks})
		}
	case "rand":
		var n int64
		rp := param{key: "rand", val: strings.TrimSpace(string(args)), hasVal: hasArgs, pos: argPos}
		if !hasArgs {
			rp.pos = pos
		}
		n, err = intParam(rp, 1, maxRand)
		if err == nil {
			ps.segs = append(ps.segs, segment{kind: segRand, pos: pos, n: int(n)})
		}
	case "hex":
		err = ps.inlineHex(args, argPos, pos)
	case "open":
		if hasArgs {
			return 0, terr(argPos, ErrBadParameter, "{{open}} takes no parameters")
		}
		var b []byte
		b, err = encodeText(ps.p.Encoding, "{{", false, pos)
		if err == nil {
			ps.addLiteral(b, pos)
		}
	case "":
		err = terr(pos, ErrUnknownPlaceholder, "empty placeholder {{}}")
	default:
		alg, lerr := checksum.Lookup(name)
		if lerr != nil {
			return 0, terr(pos, ErrUnknownPlaceholder, "unknown placeholder %q (known: counter, time, rand, hex, open, %s)",
				name, strings.Join(checksum.Names(), ", "))
		}
		err = ps.checksum(alg, pos, args, argPos)
	}
	if err != nil {
		return 0, err
	}
	return j + 2, nil
}

func (ps *parser) inlineHex(args []rune, argPos, pos int) error {
	b, err := codec.ParseHex(string(args))
	var he *codec.HexError
	if errors.As(err, &he) {
		return &TemplateError{Pos: argPos + he.Pos - 1, Reason: he.Reason, Kind: ErrBadText, Err: err}
	}
	if err != nil {
		return &TemplateError{Pos: argPos, Reason: err.Error(), Kind: ErrBadText, Err: err}
	}
	if len(b) == 0 {
		return terr(pos, ErrBadParameter, "{{hex:...}} needs at least one byte, as in {{hex:0D 0A}}")
	}
	ps.addLiteral(b, pos)
	return nil
}

// capture compiles "$$", "$N", "${N}" or "${name}" at rune index i.
func (ps *parser) capture(i int) (int, error) {
	rs := ps.rs
	if i+1 >= len(rs) {
		return 0, terr(i+1, ErrBadCapture, `a lone "$" at the end (write "$$" for a dollar sign)`)
	}
	switch c := rs[i+1]; {
	case c == '$':
		b, err := encodeText(ps.p.Encoding, "$", false, i+1)
		if err != nil {
			return 0, err
		}
		ps.addLiteral(b, i+1)
		return i + 2, nil
	case c >= '0' && c <= '9':
		j := i + 1
		for j < len(rs) && rs[j] >= '0' && rs[j] <= '9' {
			j++
		}
		return j, ps.addCapture(string(rs[i+1:j]), i+1)
	case c == '{':
		for j := i + 2; j < len(rs); j++ {
			if rs[j] == '}' {
				return j + 1, ps.addCapture(string(rs[i+2:j]), i+1)
			}
		}
		return 0, terr(i+1, ErrBadCapture, `"${" is never closed by "}"`)
	}
	return 0, terr(i+1, ErrBadCapture, `"$" must be followed by a group number, {name} or "$" (write "$$" for a dollar sign)`)
}

func (ps *parser) addCapture(ref string, pos int) error {
	names := ps.cfg.groupNames
	if ref == "" {
		return terr(pos, ErrBadCapture, `empty "${}"`)
	}
	idx := -1
	if ref[0] >= '0' && ref[0] <= '9' {
		n, err := parseInt(ref)
		if err != nil || n < 0 || n >= int64(len(names)) || (len(ref) > 1 && ref[0] == '0') {
			return terr(pos, ErrBadCapture, "no capture group $%s (the pattern has %d)", ref, max(len(names)-1, 0))
		}
		idx = int(n)
	} else {
		for k, nm := range names {
			if k > 0 && nm == ref {
				idx = k
				break
			}
		}
		if idx < 0 {
			return terr(pos, ErrBadCapture, "no capture group named %q in the pattern", ref)
		}
	}
	ps.segs = append(ps.segs, segment{kind: segCapture, pos: pos, n: idx})
	return nil
}
