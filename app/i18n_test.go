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

// TestTranslationFilesHaveTheSameKeys: a key in one file and not the other
// is a string that one language shows untranslated.
func TestTranslationFilesHaveTheSameKeys(t *testing.T) {
	zh := loadTranslations(t, "netdebug.zh_Hans.json")
	en := loadTranslations(t, "netdebug.en.json")
	for id := range en {
		if _, ok := zh[id]; !ok {
			t.Errorf("netdebug.zh_Hans.json has no %q", id)
		}
		if en[id] != id {
			t.Errorf("netdebug.en.json: %q should map to itself", id)
		}
	}
	for id := range zh {
		if _, ok := en[id]; !ok {
			t.Errorf("netdebug.en.json has no %q", id)
		}
	}
}

// TestNoEnglishInTheChineseUI: a Chinese "translation" that is the English
// text again is allowed only for acronyms and code names (MAC, inet_ntoa).
func TestNoEnglishInTheChineseUI(t *testing.T) {
	for id, zh := range loadTranslations(t, "netdebug.zh_Hans.json") {
		if zh == id && isEnglish(id) {
			t.Errorf("netdebug.zh_Hans.json leaves %q in English", id)
		}
	}
}

// notWords are the lowercase tokens a UI may show as they are: units,
// protocol option names, and what measures a line of text.
var notWords = map[string]bool{"ms": true, "blksize": true, "windowsize": true, "Ag": true, "NetDebug": true}

// isEnglish reports whether s holds an English word: a token of letters
// that is not an acronym (UDP), a code name (inet_ntoa), something with
// digits in it (0xC0A8, db8::1, Ctrl+9) or one of notWords.
func isEnglish(s string) bool {
	for _, tok := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '/' || r == '\n' }) {
		if strings.ContainsAny(tok, "0123456789_%{$") || notWords[strings.Trim(tok, "()[].:;!?\"'…")] {
			continue
		}
		letters := 0
		lower := false
		for _, r := range tok {
			switch {
			case r >= 'a' && r <= 'z':
				letters++
				lower = true
			case r >= 'A' && r <= 'Z':
				letters++
			}
		}
		if letters >= 2 && lower {
			return true
		}
	}
	return false
}

// visibleCalls are the calls whose string arguments reach the screen.
var visibleCalls = map[string]bool{
	"NewLabel": true, "NewLabelWithStyle": true, "NewButton": true, "NewButtonWithIcon": true, "NewCheck": true,
	"NewRadioGroup": true, "NewHyperlink": true, "SetText": true, "SetPlaceHolder": true, "NewAccordionItem": true,
	"NewTabItem": true, "NewTabItemWithIcon": true, "NewMenuItem": true, "NewMenu": true, "NewFormItem": true,
	"ShowInformation": true, "NewInformation": true, "ShowConfirm": true, "NewConfirm": true, "ShowCustom": true,
	"NewCustom": true, "ShowCustomConfirm": true, "NewCustomConfirm": true, "SetTitle": true, "NewWindow": true,
	"info": true, "ok": true, "Errorf": true, "textErr": true,
}

// TestVisibleStringsAreTranslated finds English text handed straight to a
// widget, a dialog or an error the window shows, without tr or lang.L.
// The CLI (cli*.go) speaks English only.
func TestVisibleStringsAreTranslated(t *testing.T) {
	fset := token.NewFileSet()
	for _, dir := range []string{".", "../widgets"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, file := range files {
			// The CLI speaks English only; font loading errors are logged,
			// never shown.
			if base := filepath.Base(file); strings.HasSuffix(base, "_test.go") || strings.HasPrefix(base, "cli") || strings.HasPrefix(base, "font") {
				continue
			}
			f, err := parser.ParseFile(fset, file, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				name := ""
				switch fn := call.Fun.(type) {
				case *ast.Ident:
					name = fn.Name
				case *ast.SelectorExpr:
					name = fn.Sel.Name
				}
				if !visibleCalls[name] {
					return true
				}
				for _, a := range call.Args {
					lit, ok := a.(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						continue
					}
					if s, err := strconv.Unquote(lit.Value); err == nil && isEnglish(s) {
						t.Errorf("%s: %s(%q) shows English in every language; wrap it in tr or lang.L", fset.Position(lit.Pos()), name, s)
					}
				}
				return true
			})
		}
	}
}

// TestSelectsHaveATranslatedPlaceHolder: Fyne's Select shows "(Select
// one)", in English, whenever nothing is selected. Every Select is built
// with newSelect, or is given its selection where it is built.
func TestSelectsHaveATranslatedPlaceHolder(t *testing.T) {
	fset := token.NewFileSet()
	for _, dir := range []string{".", "../widgets"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, file, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range f.Decls {
				fn, ok := d.(*ast.FuncDecl)
				if !ok || fn.Body == nil || fn.Name.Name == "newSelect" {
					continue
				}
				checkSelects(t, fset, fn.Body)
			}
		}
	}
}

func checkSelects(t *testing.T, fset *token.FileSet, body *ast.BlockStmt) {
	selected := map[string]bool{}
	type site struct {
		target string
		pos    token.Pos
	}
	var built []site
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for i, rhs := range n.Rhs {
				if isSelectorCall(rhs, "widget", "NewSelect") && i < len(n.Lhs) {
					built = append(built, site{exprText(n.Lhs[i]), rhs.Pos()})
				}
			}
		case *ast.CallExpr:
			if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "SetSelected" {
				selected[exprText(sel.X)] = true
			}
			if isSelectorCall(n, "widget", "NewSelect") {
				return true
			}
		}
		return true
	})
	for _, s := range built {
		if !selected[s.target] {
			t.Errorf("%s: %s is built with widget.NewSelect and shows Fyne's English placeholder; use newSelect", fset.Position(s.pos), s.target)
		}
	}
}

func isSelectorCall(e ast.Expr, pkg, name string) bool {
	call, ok := e.(*ast.CallExpr)
	if !ok {
		return false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != name {
		return false
	}
	x, ok := sel.X.(*ast.Ident)
	return ok && x.Name == pkg
}

func exprText(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		return exprText(e.X) + "." + e.Sel.Name
	}
	return ""
}
