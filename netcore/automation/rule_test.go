package automation

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/netdebug/netdebug/netcore/codec"
)

func gbk(t *testing.T, s string) []byte {
	t.Helper()
	b, err := codec.Encode(codec.GBK, s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// replyTo runs one rule over data and returns what it replied.
func replyTo(t *testing.T, r Rule, data []byte) (Outcome, []byte) {
	t.Helper()
	eng, err := NewEngine(RuleSet{Rules: []Rule{r}})
	if err != nil {
		t.Fatalf("NewEngine(%+v): %v", r, err)
	}
	defer eng.Close()
	var sent []byte
	out := eng.Handle(context.Background(), data, "peer", func(b []byte) error { sent = append([]byte(nil), b...); return nil })
	return out, sent
}

func TestRuleMatchingAndCaptures(t *testing.T) {
	cases := []struct {
		name  string
		rule  Rule
		data  []byte
		match bool
		reply []byte
	}{
		{"exact text", Rule{Match: MatchExact, Pattern: "PING", Reply: "PONG"}, []byte("PING"), true, []byte("PONG")},
		{"exact is exact", Rule{Match: MatchExact, Pattern: "PING", Reply: "PONG"}, []byte("PING\n"), false, nil},
		{"exact hex pattern, hex reply", Rule{Match: MatchExact, Pattern: "01 03", PatternHex: true, Reply: "01 83 {{hex:02}}", ReplyHex: true},
			[]byte{1, 3}, true, []byte{1, 0x83, 2}},
		{"contains with $0", Rule{Match: MatchContains, Pattern: "OK", Reply: "[$0]$$"}, []byte("AT OK\r\n"), true, []byte("[OK]$")},
		{"contains misses", Rule{Match: MatchContains, Pattern: "OK", Reply: "x"}, []byte("ERROR"), false, nil},
		{"empty contains matches anything", Rule{Match: MatchContains, Reply: "ack"}, []byte{0xFF}, true, []byte("ack")},
		{"prefix with escapes", Rule{Match: MatchPrefix, Pattern: `\x02ID`, Escapes: true, Reply: `ok\r\n`}, []byte("\x02ID123"), true, []byte("ok\r\n")},
		{"prefix misses", Rule{Match: MatchPrefix, Pattern: "ID", Reply: "x"}, []byte("xID"), false, nil},
		{"regex group", Rule{Match: MatchRegex, Pattern: `PING (\d+)`, Reply: "PONG $1"}, []byte("PING 42"), true, []byte("PONG 42")},
		{"regex named groups", Rule{Match: MatchRegex, Pattern: `(?P<id>\d+)-(?P<v>\w+)`, Reply: "${v}=${id};${1}", LineEnding: "crlf"},
			[]byte("dev 7-on"), true, []byte("on=7;7\r\n")},
		{"regex unmatched optional group is empty", Rule{Match: MatchRegex, Pattern: `A(x)?B`, Reply: "<$1>"}, []byte("AB"), true, []byte("<>")},
		{"regex GBK text", Rule{Match: MatchRegex, Pattern: `温度(\d+)`, Encoding: "gbk", Reply: "T=$1"}, gbk(t, "温度25℃"), true, []byte("T=25")},
		{"regex GBK capture keeps original bytes", Rule{Match: MatchRegex, Pattern: `名字:(.+)`, Encoding: "GB2312", Reply: "你好$1"},
			gbk(t, "名字:张三"), true, gbk(t, "你好张三")},
		{"regex UTF-8 capture is byte-exact on invalid input", Rule{Match: MatchRegex, Pattern: `ID:(.*);`, Reply: "$1"},
			[]byte("ID:\xff\xfe;"), true, []byte{0xFF, 0xFE}},
		{"regex over hex", Rule{Match: MatchRegexHex, Pattern: `^01 03 (.. ..)`, Reply: "01 83 $1 {{crc16modbus}}", ReplyHex: true},
			[]byte{1, 3, 0, 0x0A, 0xFF}, true, []byte{1, 0x83, 0, 0x0A, 0x70, 0x37}}, // CRC by hand: 0x3770, low byte first
		{"regex over hex misses", Rule{Match: MatchRegexHex, Pattern: `^01 04`, Reply: "00", ReplyHex: true}, []byte{1, 3}, false, nil},
		{"captures then checksum", Rule{Match: MatchRegex, Pattern: `PING (\d+)`, Reply: "PONG $1{{sum8}}"}, []byte("PING 1"),
			true, []byte{'P', 'O', 'N', 'G', ' ', '1', 0x85}}, // 0x185 mod 256
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, sent := replyTo(t, c.rule, c.data)
			if out.Matched() != c.match {
				t.Fatalf("matched = %v; want %v (outcome %+v)", out.Matched(), c.match, out)
			}
			if out.Err != nil {
				t.Fatalf("error: %v", out.Err)
			}
			if !bytes.Equal(sent, c.reply) {
				t.Fatalf("reply = % X (%q); want % X (%q)", sent, sent, c.reply, c.reply)
			}
		})
	}
}

func TestHexCaptureMustBeWholeBytes(t *testing.T) {
	out, sent := replyTo(t, Rule{Match: MatchRegexHex, Pattern: `^0(1 0)3`, Reply: "$1", ReplyHex: true}, []byte{1, 3})
	if !out.Matched() || out.Err == nil || sent != nil {
		t.Fatalf("outcome %+v, sent % X; want a failed reply", out, sent)
	}
}

func TestDecodeWithOffsets(t *testing.T) {
	data := append(gbk(t, "a你b"), 0x81) // a truncated lead byte at the end
	text, offs := decodeWithOffsets(codec.GBK, data)
	if text != "a你b\uFFFD" {
		t.Fatalf("text = %q", text)
	}
	// "a" at 0, "你" (3 UTF-8 bytes) from 1, "b" at 3, U+FFFD from 4, end 5.
	want := []int{0, 1, 1, 1, 3, 4, 4, 4, 5}
	if len(offs) != len(want) {
		t.Fatalf("offs = %v; want %v", offs, want)
	}
	for i := range want {
		if offs[i] != want[i] {
			t.Fatalf("offs = %v; want %v", offs, want)
		}
	}
}

func TestInvalidRulesNameTheRule(t *testing.T) {
	cases := []struct {
		rule Rule
		want string
	}{
		{Rule{Name: "bad re", Match: MatchRegex, Pattern: "PING ("}, "invalid regular expression"},
		{Rule{Name: "bad mode", Match: "glob", Pattern: "x"}, "unknown match mode"},
		{Rule{Name: "bad hex", Match: MatchExact, Pattern: "0G", PatternHex: true}, "invalid hex"},
		{Rule{Name: "empty exact", Match: MatchExact}, "cannot be empty"},
		{Rule{Name: "bad ref", Match: MatchRegex, Pattern: `(\d)`, Reply: "x$2"}, "position 2"},
		{Rule{Name: "no groups", Match: MatchContains, Pattern: "a", Reply: "$1"}, "no capture group"},
		{Rule{Name: "bad enc", Match: MatchContains, Pattern: "a", Encoding: "klingon"}, "unknown encoding"},
		{Rule{Name: "bad delay", Match: MatchContains, Pattern: "a", DelayMS: -1}, "delay_ms"},
		{Rule{Name: "bad rate", Match: MatchContains, Pattern: "a", MaxPerSecond: -3}, "positive"},
		{Rule{Name: "bad le", Match: MatchContains, Pattern: "a", LineEnding: "lfcr"}, "line ending"},
	}
	for _, c := range cases {
		set := RuleSet{Version: 1, Rules: []Rule{{Name: "fine", Match: MatchContains, Pattern: "ok"}, c.rule}}
		err := set.Validate()
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), `rule 2 ("`+c.rule.Name+`")`) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v; want ErrInvalid naming rule 2 and %q", c.rule.Name, err, c.want)
		}
		if _, err := NewEngine(set); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: NewEngine err = %v", c.rule.Name, err)
		}
	}
}

func TestRuleRateDefaults(t *testing.T) {
	if r := (Rule{}).Rate(); r != DefaultRate {
		t.Errorf("default rate = %+v", r)
	}
	if r := (Rule{MaxPerSecond: 2.5}).Rate(); r != (Rate{2.5, 3}) {
		t.Errorf("rate with default burst = %+v", r)
	}
	if r := (Rule{Burst: 4}).Rate(); r != (Rate{DefaultRate.PerSecond, 4}) {
		t.Errorf("burst only = %+v", r)
	}
}
