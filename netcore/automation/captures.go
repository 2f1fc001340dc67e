package automation

import (
	"fmt"

	"github.com/netdebug/netdebug/netcore/codec"
)

// captureBytes returns, for each group of the match, the received bytes it
// stands for, so a reply repeats exactly what arrived:
//   - byte modes: $0 is the matched bytes;
//   - regex over text: each group's text is mapped back to the bytes it was
//     decoded from (exact for valid text; invalid bytes stay with the U+FFFD
//     they became);
//   - regex over hex: each group's hex text is parsed back into bytes, so a
//     group must cover whole "HH" pairs.
func (cr *compiledRule) captureBytes(in *input, loc []int) ([][]byte, error) {
	if !cr.captures {
		return nil, nil
	}
	caps := make([][]byte, len(loc)/2)
	switch cr.rule.Match {
	case MatchExact, MatchContains, MatchPrefix:
		caps[0] = in.data[loc[0]:loc[1]]
	case MatchRegexHex:
		hex := in.hexText()
		for g := range caps {
			if loc[2*g] < 0 {
				continue
			}
			s := hex[loc[2*g]:loc[2*g+1]]
			b, err := codec.ParseHex(s)
			if err != nil {
				return nil, fmt.Errorf("capture $%d %q is not whole hex bytes: %w", g, s, err)
			}
			caps[g] = b
		}
	case MatchRegex:
		text, offs := in.data, []int(nil)
		if cr.enc != codec.UTF8 {
			var s string
			s, offs = decodeWithOffsets(cr.enc, in.data)
			text = []byte(s)
			if loc = cr.re.FindSubmatchIndex(text); loc == nil {
				return nil, fmt.Errorf("the match could not be mapped back to the received bytes")
			}
		}
		for g := range caps {
			a, b := loc[2*g], loc[2*g+1]
			if a < 0 {
				continue
			}
			if offs != nil {
				a, b = offs[a], offs[b]
			}
			caps[g] = in.data[a:b]
		}
	}
	return caps, nil
}

// decodeWithOffsets decodes data in e one byte at a time, recording for each
// byte of the text the offset in data where the character it belongs to
// began. offs has len(text)+1 entries; the last is len(data).
func decodeWithOffsets(e codec.Encoding, data []byte) (string, []int) {
	d := codec.NewDecoder(e)
	text := make([]byte, 0, len(data)*2)
	offs := make([]int, 0, len(data)*2+1)
	start := 0 // first byte of data not yet attributed to text
	emit := func(s string, next int) {
		for range len(s) {
			offs = append(offs, start)
		}
		text = append(text, s...)
		start = next
	}
	for i := range data {
		if s := d.Decode(data[i : i+1]); s != "" {
			emit(s, i+1-d.Pending())
		}
	}
	emit(d.Flush(), len(data))
	return string(text), append(offs, len(data))
}
