package automation

import (
	"errors"
	"testing"
	"unicode/utf8"

	"github.com/netdebug/netdebug/netcore/codec"
)

// FuzzTemplate checks that no input panics the parser or the expander, and
// that every error is a *TemplateError whose position is inside the text
// (or just past its end, for "missing at the end" errors).
func FuzzTemplate(f *testing.F) {
	for _, s := range []string{
		"01 03 00 00 00 0A {{crc16modbus}}", "N{{counter:start=1,step=2,width=4}}", "{{time:%H:%M}}",
		"{{rand:4}}{{hex:01 02}}", "{{sum8:from=-3,to=end,le,ascii}}", "PONG $1{{crc16modbus}}", "${name}$$",
		"{{", "}}{{x}}", `\x4G{{open}}`, "{{counter:bytes=2,le}}", "{{crc32:from=1,to=-1}}", "你好{{time:%Y年}}",
	} {
		f.Add(s, false, false, true)
		f.Add(s, true, true, false)
	}
	names := []string{"", "name", ""}
	f.Fuzz(func(t *testing.T, text string, hex, escapes, captures bool) {
		p := codec.Payload{Text: text, Hex: hex, Escapes: escapes, Encoding: codec.GBK, LineEnding: codec.LineCRLF}
		var opts []Option
		if captures {
			opts = append(opts, withCaptures(names))
		}
		limit := utf8.RuneCountInString(text) + 1
		check := func(stage string, err error) {
			if err == nil {
				return
			}
			var te *TemplateError
			if !errors.As(err, &te) {
				t.Fatalf("%s(%q): error %v is not a *TemplateError", stage, text, err)
			}
			if te.Pos < 1 || te.Pos > limit {
				t.Fatalf("%s(%q): position %d outside 1..%d: %v", stage, text, te.Pos, limit, err)
			}
			if !errors.Is(err, ErrTemplate) {
				t.Fatalf("%s(%q): %v does not wrap ErrTemplate", stage, text, err)
			}
		}
		tm, err := Compile(p, opts...)
		check("Compile", err)
		if err != nil {
			return
		}
		_, err = tm.Preview()
		check("Preview", err)
		_, err = tm.expand([][]byte{[]byte("all"), []byte("n"), nil}, true)
		check("Expand", err)
	})
}
