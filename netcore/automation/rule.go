package automation

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"time"

	"github.com/netdebug/netdebug/netcore/codec"
)

// MatchMode says how a rule's pattern is compared with received data.
type MatchMode string

// The match modes. The regex modes use Go's RE2 syntax.
const (
	MatchExact    MatchMode = "exact"     // the data equals the pattern bytes
	MatchContains MatchMode = "contains"  // the pattern bytes occur in the data
	MatchPrefix   MatchMode = "prefix"    // the data starts with the pattern bytes
	MatchRegex    MatchMode = "regex"     // regexp over the data decoded in the rule's encoding
	MatchRegexHex MatchMode = "regex-hex" // regexp over the spaced uppercase hex form "50 49 4E 47"
)

// MatchModes lists the modes in menu order.
func MatchModes() []MatchMode {
	return []MatchMode{MatchExact, MatchContains, MatchPrefix, MatchRegex, MatchRegexHex}
}

// Rate is a token bucket: up to Burst replies at once, refilled at PerSecond.
type Rate struct {
	PerSecond float64 `json:"per_second"`
	Burst     int     `json:"burst"`
}

// DefaultRate applies when a rule sets no limit. A reply that echoes back and
// matches again is suppressed after 10 quick rounds, which ends the loop.
var DefaultRate = Rate{PerSecond: 10, Burst: 10}

const maxDelay = time.Hour

// Rule is one auto-reply rule as stored in JSON. See the package
// documentation for the file format.
type Rule struct {
	Name     string    `json:"name"`
	Disabled bool      `json:"disabled,omitempty"`
	Match    MatchMode `json:"match"`
	// Pattern is bytes for exact/contains/prefix (text in Encoding, or hex
	// when PatternHex) and a regular expression for the regex modes.
	Pattern    string `json:"pattern"`
	PatternHex bool   `json:"pattern_hex,omitempty"`
	// Encoding decodes received data for MatchRegex and encodes text
	// patterns and replies; "" means the engine's default (the tab's).
	Encoding string `json:"encoding,omitempty"`
	// Escapes turns on \r \n \t \0 \\ \xHH in a text pattern and a text reply.
	Escapes bool `json:"escapes,omitempty"`
	// Reply is a template (text, or hex when ReplyHex) that may use $1,
	// ${name}, $0 and $$. An empty reply swallows the data: the rule counts
	// a hit and nothing is sent.
	Reply      string `json:"reply"`
	ReplyHex   bool   `json:"reply_hex,omitempty"`
	LineEnding string `json:"line_ending,omitempty"` // appended to a text reply
	DelayMS    int    `json:"delay_ms,omitempty"`
	// MaxPerSecond and Burst limit replies; 0 means DefaultRate.
	MaxPerSecond float64 `json:"max_per_second,omitempty"`
	Burst        int     `json:"burst,omitempty"`
}

// Enabled is !Disabled, for readers who think in checkboxes.
func (r Rule) Enabled() bool { return !r.Disabled }

// Rate is the limit the rule runs with, defaults filled in.
func (r Rule) Rate() Rate {
	rt := Rate{PerSecond: r.MaxPerSecond, Burst: r.Burst}
	if rt.PerSecond == 0 && rt.Burst == 0 {
		return DefaultRate
	}
	if rt.PerSecond == 0 {
		rt.PerSecond = DefaultRate.PerSecond
	}
	if rt.Burst == 0 {
		rt.Burst = max(1, int(math.Ceil(rt.PerSecond)))
	}
	return rt
}

// Validate compiles the rule as the engine would, with UTF-8 as the default
// encoding, and reports the first problem.
func (r Rule) Validate() error {
	_, err := compileRule(r, codec.UTF8, nil)
	return err
}

// RuleSet is a tab's ordered rules: the JSON file format.
type RuleSet struct {
	Version int    `json:"version"`
	Rules   []Rule `json:"rules"`
}

// Validate checks every rule and names the first bad one.
func (s RuleSet) Validate() error {
	for i, r := range s.Rules {
		if _, err := compileRule(r, codec.UTF8, nil); err != nil {
			return fmt.Errorf("%s: %w", itemLabel("rule", i, r.Name), err)
		}
	}
	return nil
}

// ImportRuleSet reads a rules file. Malformed JSON, a wrong version, an
// unknown field, a bad regular expression or a bad reply template is refused
// with a message naming the rule.
func ImportRuleSet(data []byte) (RuleSet, error) {
	var top struct {
		Version int               `json:"version"`
		Rules   []json.RawMessage `json:"rules"`
	}
	if err := decodeStrict(data, &top); err != nil {
		return RuleSet{}, fmt.Errorf("%w: rules file: %w", ErrMalformedJSON, err)
	}
	if err := checkVersion(top.Version, "rules"); err != nil {
		return RuleSet{}, err
	}
	rules, err := decodeItems[Rule](top.Rules, "rule")
	if err != nil {
		return RuleSet{}, err
	}
	set := RuleSet{Version: FormatVersion, Rules: rules}
	if err := set.Validate(); err != nil {
		return RuleSet{}, err
	}
	return set, nil
}

// Export writes the set as indented JSON with the current version.
func (s RuleSet) Export() ([]byte, error) {
	s.Version = FormatVersion
	if s.Rules == nil {
		s.Rules = []Rule{}
	}
	return marshal(s)
}

// LoadRuleSetFile reads and checks a rules file, for the CLI's --rules.
func LoadRuleSetFile(path string) (RuleSet, error) {
	var set RuleSet
	err := readFile(path, func(b []byte) (err error) { set, err = ImportRuleSet(b); return err })
	return set, err
}

// compiledRule is a Rule ready to match.
type compiledRule struct {
	rule     Rule
	enc      codec.Encoding
	pat      []byte
	re       *regexp.Regexp
	reply    *Template
	captures bool // the reply uses capture groups other than through $$
	delay    time.Duration
	rate     Rate
	state    *ruleState
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

func compileRule(r Rule, defEnc codec.Encoding, topts []Option) (*compiledRule, error) {
	cr := &compiledRule{rule: r, enc: defEnc, delay: time.Duration(r.DelayMS) * time.Millisecond, rate: r.Rate()}
	if r.Encoding != "" {
		e, err := codec.ParseEncoding(r.Encoding)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		cr.enc = e
	}
	if r.DelayMS < 0 || time.Duration(r.DelayMS)*time.Millisecond > maxDelay {
		return nil, invalid("delay_ms must be from 0 to %d", maxDelay.Milliseconds())
	}
	if cr.rate.PerSecond < 0 || math.IsNaN(cr.rate.PerSecond) || math.IsInf(cr.rate.PerSecond, 0) || cr.rate.Burst < 0 {
		return nil, invalid("max_per_second and burst must be positive")
	}
	le, err := codec.ParseLineEnding(r.LineEnding)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	names := []string{""}
	switch r.Match {
	case MatchExact, MatchContains, MatchPrefix:
		if r.PatternHex {
			cr.pat, err = codec.ParseHex(r.Pattern)
		} else if r.Escapes {
			cr.pat, err = codec.EncodeEscaped(cr.enc, r.Pattern)
		} else {
			cr.pat, err = codec.Encode(cr.enc, r.Pattern)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: pattern: %w", ErrInvalid, err)
		}
		if r.Match == MatchExact && len(cr.pat) == 0 {
			return nil, invalid("an exact pattern cannot be empty")
		}
	case MatchRegex, MatchRegexHex:
		cr.re, err = regexp.Compile(r.Pattern)
		if err != nil {
			return nil, fmt.Errorf("%w: invalid regular expression: %w", ErrInvalid, err)
		}
		names = cr.re.SubexpNames()
	default:
		return nil, invalid("unknown match mode %q (use exact, contains, prefix, regex or regex-hex)", r.Match)
	}
	opts := append(append([]Option(nil), topts...), withCaptures(names))
	cr.reply, err = Compile(codec.Payload{Text: r.Reply, Hex: r.ReplyHex, Encoding: cr.enc, LineEnding: le, Escapes: r.Escapes}, opts...)
	if err != nil {
		return nil, fmt.Errorf("%w: reply: %w", ErrInvalid, err)
	}
	for _, s := range cr.reply.segs {
		cr.captures = cr.captures || s.kind == segCapture
	}
	return cr, nil
}

// input is one received chunk with its text and hex forms made on demand.
type input struct {
	data  []byte
	hex   *string
	texts map[codec.Encoding]string
}

func (in *input) hexText() string {
	if in.hex == nil {
		h := codec.FormatHex(in.data)
		in.hex = &h
	}
	return *in.hex
}

func (in *input) text(e codec.Encoding) string {
	if e == codec.UTF8 {
		return string(in.data) // regexp treats invalid UTF-8 as U+FFFD; offsets stay byte offsets
	}
	if s, ok := in.texts[e]; ok {
		return s
	}
	if in.texts == nil {
		in.texts = map[codec.Encoding]string{}
	}
	s := codec.Decode(e, in.data)
	in.texts[e] = s
	return s
}

// match returns the submatch index pairs of the match (one pair for the
// byte modes), or nil.
func (cr *compiledRule) match(in *input) []int {
	d := in.data
	switch cr.rule.Match {
	case MatchExact:
		if bytes.Equal(d, cr.pat) {
			return []int{0, len(d)}
		}
	case MatchContains:
		if i := bytes.Index(d, cr.pat); i >= 0 {
			return []int{i, i + len(cr.pat)}
		}
	case MatchPrefix:
		if bytes.HasPrefix(d, cr.pat) {
			return []int{0, len(cr.pat)}
		}
	case MatchRegex:
		return cr.re.FindStringSubmatchIndex(in.text(cr.enc))
	case MatchRegexHex:
		return cr.re.FindStringSubmatchIndex(in.hexText())
	}
	return nil
}
