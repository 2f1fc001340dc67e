package netinfo

import (
	"strings"
	"text/tabwriter"
	"unicode/utf8"
)

// Field is one labelled line of a result: what the tab shows as a row with
// its own copy button (copying Value) and what Text prints as an aligned line.
type Field struct {
	Label string // "Netmask"
	Value string // "255.255.255.0"
	Note  string // optional explanation: "inet_aton, network order"
}

// fieldsText prints fields as aligned label, value and note columns. The
// note column is placed after the widest value that has a note, so a long
// value without one (Python bytes, flags) does not push every note right.
func fieldsText(fields []Field) string {
	labelW, valueW := 0, 0
	for _, f := range fields {
		labelW = max(labelW, utf8.RuneCountInString(f.Label))
		if f.Note != "" {
			valueW = max(valueW, utf8.RuneCountInString(f.Value))
		}
	}
	var b strings.Builder
	pad := func(s string, w int) {
		b.WriteString(s)
		b.WriteString(strings.Repeat(" ", w-utf8.RuneCountInString(s)+2))
	}
	for _, f := range fields {
		label, value, note := sanitizeCell(f.Label), sanitizeCell(f.Value), sanitizeCell(f.Note)
		pad(label, labelW)
		if note == "" {
			b.WriteString(strings.TrimRight(value, " "))
		} else {
			pad(value, valueW)
			b.WriteString(note)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// table aligns rows under an optional header with two spaces between columns.
// Every row gets every column, so a column lines up even across rows where it
// is empty; trailing blanks are trimmed afterwards.
func table(header []string, rows [][]string) string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	cols := len(header)
	for _, r := range rows {
		cols = max(cols, len(r))
	}
	line := func(cells []string) {
		for i := 0; i < cols; i++ {
			if i < len(cells) {
				w.Write([]byte(sanitizeCell(cells[i])))
			}
			if i < cols-1 {
				w.Write([]byte{'\t'})
			}
		}
		w.Write([]byte{'\n'})
	}
	if header != nil {
		line(header)
	}
	for _, r := range rows {
		line(r)
	}
	w.Flush()
	lines := strings.SplitAfter(b.String(), "\n")
	b.Reset()
	for _, l := range lines {
		if l == "" {
			continue
		}
		b.WriteString(strings.TrimRight(l, " \n"))
		b.WriteByte('\n')
	}
	return b.String()
}

// sanitizeCell keeps tabs and newlines (from names the system gave us) out of
// the table so they cannot break its alignment.
func sanitizeCell(s string) string {
	if !strings.ContainsAny(s, "\t\n\r") {
		return s
	}
	return strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace(s)
}
