package automation

import (
	"strconv"
	"strings"

	"github.com/netdebug/netdebug/netcore/checksum"
)

const (
	maxRand  = 65536 // bytes one {{rand:N}} may produce
	maxWidth = 32    // digits a counter may be padded to
)

// param is one "key=value" or "flag" inside a placeholder.
type param struct {
	key, val string
	hasVal   bool
	pos      int // 1-based position of the key
}

// splitParams splits "a=1, b, c=x" at commas, remembering positions.
func splitParams(args []rune, argPos int) ([]param, error) {
	var out []param
	seen := map[string]bool{}
	start := 0
	for k := 0; k <= len(args); k++ {
		if k < len(args) && args[k] != ',' {
			continue
		}
		piece := args[start:k]
		lead := 0
		for lead < len(piece) && (piece[lead] == ' ' || piece[lead] == '\t') {
			lead++
		}
		pos := argPos + start + lead
		text := strings.TrimSpace(string(piece))
		only := start == 0 && k == len(args)
		start = k + 1
		if text == "" {
			if only {
				break
			}
			return nil, terr(pos, ErrBadParameter, "empty parameter (stray comma?)")
		}
		p := param{key: strings.ToLower(text), pos: pos}
		if key, val, ok := strings.Cut(text, "="); ok {
			p = param{key: strings.ToLower(strings.TrimSpace(key)), val: strings.TrimSpace(val), hasVal: true, pos: pos}
		}
		if seen[p.key] {
			return nil, terr(pos, ErrBadParameter, "parameter %q given twice", p.key)
		}
		seen[p.key] = true
		out = append(out, p)
	}
	return out, nil
}

// parseInt reads decimal ("-12") or hex ("0x1F") integers. Leading zeros are
// decimal, never octal.
func parseInt(s string) (int64, error) {
	neg := strings.HasPrefix(s, "-")
	body := strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+")
	base := 10
	if len(body) > 2 && (body[:2] == "0x" || body[:2] == "0X") {
		body, base = body[2:], 16
	}
	if body == "" || strings.ContainsAny(body, "_+-") {
		return 0, strconv.ErrSyntax
	}
	u, err := strconv.ParseUint(body, base, 64)
	if err != nil {
		return 0, err
	}
	if neg {
		if u > 1<<63 {
			return 0, strconv.ErrRange
		}
		return int64(-u), nil
	}
	if u > 1<<63-1 {
		return 0, strconv.ErrRange
	}
	return int64(u), nil
}

func intParam(p param, lo, hi int64) (int64, error) {
	if !p.hasVal || p.val == "" {
		return 0, terr(p.pos, ErrBadParameter, "%q needs a number", p.key)
	}
	n, err := parseInt(p.val)
	if err != nil || n < lo || n > hi {
		return 0, terr(p.pos, ErrBadParameter, "%q must be a whole number from %d to %d, not %q", p.key, lo, hi, p.val)
	}
	return n, nil
}

func flagParam(p param) error {
	if p.hasVal {
		return terr(p.pos, ErrBadParameter, "%q is a flag and takes no value", p.key)
	}
	return nil
}

// counterSpec is one {{counter}}. Its running value lives in the Template.
type counterSpec struct {
	idx         int
	start, step int64
	width       int  // text form: zero-pad to this many digits
	hex         bool // text form in uppercase hex digits
	bytes       int  // binary form: this many bytes; 0 means text form
	le          bool // binary form: low byte first
}

func (ps *parser) counter(pos int, args []rune, argPos int) error {
	params, err := splitParams(args, argPos)
	if err != nil {
		return err
	}
	c := counterSpec{idx: ps.nCounters, step: 1}
	var textForm, order *param
	for i := range params {
		p := &params[i]
		var n int64
		switch p.key {
		case "start":
			c.start, err = intParam(*p, -1<<63, 1<<63-1)
		case "step":
			c.step, err = intParam(*p, -1<<63, 1<<63-1)
		case "width":
			n, err = intParam(*p, 0, maxWidth)
			c.width, textForm = int(n), p
		case "hex":
			err, c.hex, textForm = flagParam(*p), true, p
		case "bytes":
			n, err = intParam(*p, 1, 8)
			c.bytes = int(n)
		case "le", "be":
			err, c.le, order = flagParam(*p), p.key == "le", p
		default:
			err = terr(p.pos, ErrBadParameter, "unknown counter parameter %q (use start, step, width, hex, bytes, le, be)", p.key)
		}
		if err != nil {
			return err
		}
	}
	switch {
	case c.bytes > 0 && textForm != nil:
		return terr(textForm.pos, ErrBadParameter, "%q is for a text counter and cannot be combined with bytes=", textForm.key)
	case c.bytes == 0 && order != nil && (textForm != nil || !ps.p.Hex):
		return terr(order.pos, ErrBadParameter, "%q needs a binary counter: add bytes=N", order.key)
	case c.bytes == 0 && textForm == nil && ps.p.Hex:
		c.bytes = 1 // in hex mode a bare counter is one binary byte
	}
	ps.nCounters++
	ps.segs = append(ps.segs, segment{kind: segCounter, pos: pos, ctr: c})
	return nil
}

func (c *counterSpec) appendValue(out []byte, v int64) []byte {
	if c.bytes > 0 {
		u := uint64(v)
		for i := range c.bytes {
			shift := 8 * (c.bytes - 1 - i)
			if c.le {
				shift = 8 * i
			}
			out = append(out, byte(u>>shift))
		}
		return out
	}
	base := 10
	if c.hex {
		base = 16
	}
	digits := strings.ToUpper(strconv.FormatUint(uint64(abs(v)), base))
	if v < 0 {
		out = append(out, '-')
	}
	for range c.width - len(digits) {
		out = append(out, '0')
	}
	return append(out, digits...)
}

func abs(v int64) uint64 {
	if v < 0 {
		return uint64(-v) // also right for math.MinInt64
	}
	return uint64(v)
}

// toMode says where a checksum range ends when "to" is not a number.
type toMode uint8

const (
	toHere  toMode = iota // the checksum's own position (default)
	toEnd                 // the end of the payload
	toValue               // the offset in checksumSpec.to
)

// checksumSpec is one checksum placeholder.
type checksumSpec struct {
	alg   *checksum.Algorithm
	from  int // byte offset; negative counts back from the payload's end
	to    int
	toAt  toMode
	order checksum.Order
	ascii bool // write the value as uppercase hex digits instead of binary
}

// size is how many bytes the checksum occupies in the payload.
func (s *checksumSpec) size() int {
	if s.ascii {
		return 2 * s.alg.Size
	}
	return s.alg.Size
}

func (s *checksumSpec) write(dst []byte, v uint32) {
	bin := s.alg.Append(make([]byte, 0, 4), v, s.order)
	if !s.ascii {
		copy(dst, bin)
		return
	}
	const digits = "0123456789ABCDEF"
	for i, b := range bin {
		dst[2*i], dst[2*i+1] = digits[b>>4], digits[b&0xF]
	}
}

func (ps *parser) checksum(alg *checksum.Algorithm, pos int, args []rune, argPos int) error {
	params, err := splitParams(args, argPos)
	if err != nil {
		return err
	}
	s := checksumSpec{alg: alg}
	var order *param
	for i := range params {
		p := &params[i]
		var n int64
		switch p.key {
		case "from":
			n, err = intParam(*p, -1<<31, 1<<31-1)
			s.from = int(n)
		case "to":
			if strings.EqualFold(p.val, "end") {
				s.toAt = toEnd
				break
			}
			n, err = intParam(*p, -1<<31, 1<<31-1)
			s.to, s.toAt = int(n), toValue
		case "le", "be":
			if order != nil {
				return terr(p.pos, ErrBadParameter, "choose one of le and be")
			}
			err, order = flagParam(*p), p
			s.order = checksum.BigEndian
			if p.key == "le" {
				s.order = checksum.LittleEndian
			}
		case "ascii":
			err, s.ascii = flagParam(*p), true
		default:
			err = terr(p.pos, ErrBadParameter, "unknown %s parameter %q (use from, to, le, be, ascii)", alg.Name, p.key)
		}
		if err != nil {
			return err
		}
	}
	ps.segs = append(ps.segs, segment{kind: segChecksum, pos: pos, sum: s})
	return nil
}
