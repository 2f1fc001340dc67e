package automation

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
)

// TestDocExamplesLoad keeps the JSON examples in doc.go (which the README
// copies) true: each one must import, and the rules example must work.
func TestDocExamplesLoad(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	var blocks []string
	var cur []string
	for _, line := range strings.Split(string(src), "\n") {
		body, ok := strings.CutPrefix(line, "//\t")
		switch {
		case ok && body == "{":
			cur = []string{body}
		case ok && cur != nil:
			cur = append(cur, body)
			if body == "}" {
				blocks = append(blocks, strings.Join(cur, "\n"))
				cur = nil
			}
		}
	}
	if len(blocks) != 3 {
		t.Fatalf("found %d JSON examples in doc.go; want 3", len(blocks))
	}
	rules, err := ImportRuleSet([]byte(blocks[0]))
	if err != nil {
		t.Fatalf("rules example: %v", err)
	}
	if _, err := ImportSequence([]byte(blocks[1])); err != nil {
		t.Fatalf("sequence example: %v", err)
	}
	if _, err := ImportQuickCommands([]byte(blocks[2])); err != nil {
		t.Fatalf("quick commands example: %v", err)
	}
	eng, err := NewEngine(rules)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	var got []byte
	eng.Handle(context.Background(), []byte("PING 42"), "p", func(b []byte) error { got = b; return nil })
	if want := append([]byte("PONG 42"), modbusCRC([]byte("PONG 42"))...); !bytes.Equal(got, want) {
		t.Fatalf("doc rule replied % X; want % X", got, want)
	}
	got = nil
	eng.Handle(context.Background(), gbk(t, "说你好"), "p", func(b []byte) error { got = b; return nil })
	if want := append(gbk(t, "收到"), '\r', '\n'); !bytes.Equal(got, want) {
		t.Fatalf("doc GB2312 rule replied % X; want % X", got, want)
	}
}
