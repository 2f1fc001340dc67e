package automation

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestRuleSetRoundTrip(t *testing.T) {
	set := RuleSet{Rules: []Rule{
		{Name: "heartbeat", Match: MatchRegex, Pattern: `PING (\d+)`, Reply: "PONG $1{{crc16modbus}}", DelayMS: 20, MaxPerSecond: 5, Burst: 3},
		{Name: "modbus", Disabled: true, Match: MatchPrefix, Pattern: "01 03", PatternHex: true, Reply: "01 83 02 {{crc16modbus}}", ReplyHex: true},
		{Name: "gbk", Match: MatchContains, Pattern: `温度\r\n`, Encoding: "GBK", Escapes: true, Reply: "好", LineEnding: "crlf"},
	}}
	data, err := set.Export()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"version": 1`) {
		t.Fatalf("export has no version:\n%s", data)
	}
	back, err := ImportRuleSet(data)
	if err != nil {
		t.Fatalf("import of our own export: %v\n%s", err, data)
	}
	set.Version = FormatVersion
	if !reflect.DeepEqual(back, set) {
		t.Fatalf("round trip changed the set:\n got %+v\nwant %+v", back, set)
	}
	path := filepath.Join(t.TempDir(), "rules.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if fromFile, err := LoadRuleSetFile(path); err != nil || !reflect.DeepEqual(fromFile, set) {
		t.Fatalf("LoadRuleSetFile = %+v, %v", fromFile, err)
	}
}

func TestSequenceRoundTrip(t *testing.T) {
	seq := Sequence{Name: "poll", Repeat: 3, Steps: []Step{
		{Name: "read", Payload: Payload{Text: "01 03 00 00 00 0A {{crc16modbus}}", Hex: true}, DelayMS: 100},
		{Payload: Payload{Text: `n={{counter:width=3}}`, Encoding: "GB2312", LineEnding: "crlf", Escapes: true}},
	}}
	data, err := seq.Export()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ImportSequence(data)
	seq.Version = FormatVersion
	if err != nil || !reflect.DeepEqual(back, seq) {
		t.Fatalf("round trip = %+v, %v; want %+v\n%s", back, err, seq, data)
	}
	forever := Sequence{Forever: true, Steps: []Step{{Payload: Payload{Text: "x"}, DelayMS: 1000}}}
	data, _ = forever.Export()
	if back, err := ImportSequence(data); err != nil || !back.Forever || back.Loops() != 0 {
		t.Fatalf("forever round trip = %+v, %v", back, err)
	}
}

func TestQuickCommandsRoundTripAndEdit(t *testing.T) {
	var set QuickCommandSet
	for _, c := range []QuickCommand{
		{Name: "read regs", Payload: Payload{Text: "01 03 00 00 00 0A {{crc16modbus}}", Hex: true}},
		{Name: "hello", Payload: Payload{Text: "你好", Encoding: "GB2312", LineEnding: "crlf"}},
		{Name: "at", Payload: Payload{Text: `AT\r`, Escapes: true}},
	} {
		if err := set.Add(c); err != nil {
			t.Fatal(err)
		}
	}
	names := func() string {
		var n []string
		for _, c := range set.Commands {
			n = append(n, c.Name)
		}
		return strings.Join(n, ",")
	}
	steps := []struct {
		op   func() error
		want string
	}{
		{func() error { return set.MoveDown(0) }, "hello,read regs,at"},
		{func() error { return set.MoveUp(2) }, "hello,at,read regs"},
		{func() error { return set.Move(2, 0) }, "read regs,hello,at"},
		{func() error { return set.Move(0, 2) }, "hello,at,read regs"},
		{func() error {
			return set.Update(1, QuickCommand{Name: "AT+GMR", Payload: Payload{Text: "AT+GMR", LineEnding: "crlf"}})
		}, "hello,AT+GMR,read regs"},
		{func() error { return set.Delete(0) }, "AT+GMR,read regs"},
	}
	for i, s := range steps {
		if err := s.op(); err != nil {
			t.Fatalf("op %d: %v", i, err)
		}
		if got := names(); got != s.want {
			t.Fatalf("after op %d: %s; want %s", i, got, s.want)
		}
	}
	for _, err := range []error{set.MoveUp(0), set.MoveDown(1), set.Delete(5), set.Update(-1, QuickCommand{Name: "x"})} {
		if !errors.Is(err, ErrNoSuchCommand) {
			t.Errorf("out-of-range edit: err = %v", err)
		}
	}
	if err := set.Add(QuickCommand{Name: "bad", Payload: Payload{Text: "01 0", Hex: true}}); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), `command 3 ("bad")`) {
		t.Errorf("Add(bad) = %v", err)
	}
	if err := set.Add(QuickCommand{Payload: Payload{Text: "x"}}); !errors.Is(err, ErrInvalid) {
		t.Errorf("Add(no name) = %v", err)
	}
	if names() != "AT+GMR,read regs" {
		t.Fatalf("a refused edit changed the set: %s", names())
	}
	data, err := set.Export()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ImportQuickCommands(data)
	set.Version = FormatVersion
	if err != nil || !reflect.DeepEqual(back, set) {
		t.Fatalf("round trip = %+v, %v; want %+v\n%s", back, err, set, data)
	}
}

func TestMalformedFilesRefusedWithMessage(t *testing.T) {
	cases := []struct {
		name   string
		load   func([]byte) error
		data   string
		is     error
		phrase string
	}{
		{"empty", rulesLoader, ``, ErrMalformedJSON, "empty"},
		{"syntax error names line and column", rulesLoader, "{\"version\": 1,\n \"rules\": [}\n", ErrMalformedJSON, "line 2, column 12"},
		{"truncated", rulesLoader, `{"version": 1, "rules": [`, ErrMalformedJSON, "ends too early"},
		{"trailing data", rulesLoader, `{"version": 1, "rules": []} {}`, ErrMalformedJSON, "after the JSON value"},
		{"not an object", rulesLoader, `[1, 2]`, ErrMalformedJSON, "must be an object"},
		{"no version", rulesLoader, `{"rules": []}`, ErrUnsupportedVersion, `no "version"`},
		{"newer version", rulesLoader, `{"version": 2, "rules": []}`, ErrUnsupportedVersion, "newer NetDebug"},
		{"a sequence is not a rules file", rulesLoader, `{"version": 1, "steps": []}`, ErrMalformedJSON, `unknown field "steps"`},
		{"unknown rule field names the rule", rulesLoader, `{"version": 1, "rules": [{"name": "a", "match": "exact", "pattern": "x"},
			{"name": "hb", "match": "regex", "patern": "x"}]}`, ErrMalformedJSON, `rule 2 ("hb"): unknown field "patern"`},
		{"wrong type names the rule", rulesLoader, `{"version": 1, "rules": [{"name": "slow", "match": "exact", "pattern": "x", "delay_ms": "100"}]}`,
			ErrMalformedJSON, `rule 1 ("slow"): "delay_ms" must be a number, not string`},
		{"invalid regex names the rule", rulesLoader, `{"version": 1, "rules": [{"name": "hb", "match": "regex", "pattern": "PING ("}]}`,
			ErrInvalid, `rule 1 ("hb"): invalid definition: invalid regular expression`},
		{"bad reply template names rule and position", rulesLoader, `{"version": 1, "rules": [{"match": "contains", "pattern": "x", "reply": "ok {{crc17}}"}]}`,
			ErrTemplate, `rule 1: invalid definition: reply: unknown placeholder "crc17"`},
		{"sequence syntax", seqLoader, `{"version": 1, "steps": [{"text": "a",}]}`, ErrMalformedJSON, "line 1, column"},
		{"sequence bad step", seqLoader, `{"version": 1, "steps": [{"name": "s", "text": "{{counter"}]}`, ErrTemplate, `step 1 ("s")`},
		{"sequence no steps", seqLoader, `{"version": 1, "steps": []}`, ErrInvalid, "no steps"},
		{"sequence repeat type", seqLoader, `{"version": 1, "repeat": "3", "steps": []}`, ErrMalformedJSON, `"repeat" must be a number`},
		{"commands unknown field", cmdLoader, `{"version": 1, "commands": [{"name": "x", "text": "a", "hexx": true}]}`, ErrMalformedJSON, `command 1 ("x"): unknown field "hexx"`},
		{"commands bad encoding", cmdLoader, `{"version": 1, "commands": [{"name": "x", "text": "a", "encoding": "utf9"}]}`, ErrInvalid, `command 1 ("x")`},
		{"commands version zero", cmdLoader, `{"version": 0, "commands": []}`, ErrUnsupportedVersion, "version"},
	}
	for _, c := range cases {
		err := c.load([]byte(c.data))
		if !errors.Is(err, c.is) || !strings.Contains(err.Error(), c.phrase) {
			t.Errorf("%s: err = %v; want %v containing %q", c.name, err, c.is, c.phrase)
		}
	}
	if err := rulesLoader([]byte(`{"version": 1, "rules": [{"match": "contains", "pattern": "x", "reply": "ok {{crc17}}"}]}`)); err == nil || !strings.HasSuffix(err.Error(), " at position 4") {
		t.Errorf("bad reply template: err = %v; want it to end with the position", err)
	}
	path := filepath.Join(t.TempDir(), "seq.json")
	os.WriteFile(path, []byte(`{"version": 1, "steps": [`), 0o600)
	if _, err := LoadSequenceFile(path); !errors.Is(err, ErrMalformedJSON) || !strings.Contains(err.Error(), path) {
		t.Errorf("LoadSequenceFile error does not name the file: %v", err)
	}
	if _, err := LoadQuickCommandsFile(filepath.Join(t.TempDir(), "missing.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func rulesLoader(b []byte) error { _, err := ImportRuleSet(b); return err }
func seqLoader(b []byte) error   { _, err := ImportSequence(b); return err }
func cmdLoader(b []byte) error   { _, err := ImportQuickCommands(b); return err }
