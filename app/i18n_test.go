package main

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"text/template"
	"text/template/parse"
)

// translatedCalls are the functions whose first string argument is a
// message ID: tr, trf and i18nKey here, lang.L and lang.X in widgets.
var translatedCalls = map[string]bool{"tr": true, "trf": true, "i18nKey": true, "L": true, "X": true}

// messageIDs collects the literal message IDs used in the Go files of dirs.
func messageIDs(t *testing.T, dirs ...string) map[string]string {
	t.Helper()
	ids := map[string]string{}
	fset := token.NewFileSet()
	for _, dir := range dirs {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, file, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok || len(call.Args) == 0 {
					return true
				}
				name := ""
				switch fn := call.Fun.(type) {
				case *ast.Ident:
					name = fn.Name
				case *ast.SelectorExpr:
					if x, ok := fn.X.(*ast.Ident); ok && x.Name == "lang" {
						name = fn.Sel.Name
					}
				}
				if !translatedCalls[name] {
					return true
				}
				if lit, ok := call.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					s, err := strconv.Unquote(lit.Value)
					if err == nil {
						ids[s] = fset.Position(lit.Pos()).String()
					}
				}
				return true
			})
		}
	}
	return ids
}

func loadTranslations(t *testing.T, name string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("translations", name))
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}

// TestEveryStringIsTranslated fails when a user-visible string has no
// Simplified Chinese translation, so a new string cannot slip in English.
func TestEveryStringIsTranslated(t *testing.T) {
	ids := messageIDs(t, ".", "../widgets")
	if path := os.Getenv("NETDEBUG_DUMP_KEYS"); path != "" {
		// For translators: every message ID, as a JSON list.
		var all []string
		for id := range ids {
			all = append(all, id)
		}
		sort.Strings(all)
		b, _ := json.MarshalIndent(all, "", "  ")
		os.WriteFile(path, b, 0o644)
	}
	zh := loadTranslations(t, "netdebug.zh_Hans.json")
	en := loadTranslations(t, "netdebug.en.json")
	var missing []string
	for id, where := range ids {
		if zh[id] == "" {
			missing = append(missing, strconv.Quote(id)+"  ("+where+")")
		}
		if en[id] != id {
			t.Errorf("netdebug.en.json: %q should map to itself (%s)", id, where)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("%d strings have no Chinese translation:\n%s", len(missing), strings.Join(missing, "\n"))
	}
	// Templates must keep their fields, or the translation drops data.
	for id, tr := range zh {
		if fieldsOf(t, id) != fieldsOf(t, tr) {
			t.Errorf("translation of %q uses fields %s, the original %s", id, fieldsOf(t, tr), fieldsOf(t, id))
		}
	}
}

func fieldsOf(t *testing.T, s string) string {
	tmpl, err := template.New("").Parse(s)
	if err != nil {
		t.Errorf("%q is not a valid template: %v", s, err)
		return ""
	}
	var fields []string
	for _, n := range tmpl.Tree.Root.Nodes {
		if a, ok := n.(*parse.ActionNode); ok {
			fields = append(fields, a.String())
		}
	}
	sort.Strings(fields)
	return strings.Join(fields, ",")
}
