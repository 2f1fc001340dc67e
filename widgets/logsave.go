package widgets

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"github.com/sqweek/dialog"

	"github.com/netdebug/netdebug/netcore/codec"
)

// ErrDialogCancelled is returned by FileDialogs when the user cancels.
var ErrDialogCancelled = errors.New("cancelled")

// FileFilter narrows a file dialog to some extensions.
type FileFilter struct {
	Name       string
	Extensions []string
}

// FileDialogs asks the user for files and folders. Calls block until the
// user answers and must be made off the UI goroutine.
type FileDialogs interface {
	SaveFile(title, defaultName string, filters ...FileFilter) (string, error)
	OpenFile(title string, filters ...FileFilter) (string, error)
	Folder(title string) (string, error)
}

// NativeDialogs uses the operating system's dialogs (GTK on Linux, the
// Windows and macOS file pickers) through github.com/sqweek/dialog.
type NativeDialogs struct{}

// ErrNoNativeDialog is returned when the system's dialogs cannot start (on
// Linux, GTK found no display).
var ErrNoNativeDialog = errors.New("the system's file dialog is not available")

// guard turns the dialog library's panic (it panics when GTK did not
// start) into an error, so a missing dialog never takes the app down.
func guard(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%w: %v", ErrNoNativeDialog, r)
	}
}

// SaveFile asks where to save.
func (NativeDialogs) SaveFile(title, defaultName string, filters ...FileFilter) (path string, err error) {
	defer guard(&err)
	b := dialog.File().Title(title)
	for _, f := range filters {
		b = b.Filter(f.Name, f.Extensions...)
	}
	if defaultName != "" {
		b = b.SetStartFile(defaultName)
	}
	return nativeResult(b.Save())
}

// OpenFile asks for an existing file.
func (NativeDialogs) OpenFile(title string, filters ...FileFilter) (path string, err error) {
	defer guard(&err)
	b := dialog.File().Title(title)
	for _, f := range filters {
		b = b.Filter(f.Name, f.Extensions...)
	}
	return nativeResult(b.Load())
}

// Folder asks for a folder.
func (NativeDialogs) Folder(title string) (path string, err error) {
	defer guard(&err)
	return nativeResult(dialog.Directory().Title(title).Browse())
}

func nativeResult(path string, err error) (string, error) {
	if errors.Is(err, dialog.ErrCancelled) {
		return "", ErrDialogCancelled
	}
	return path, err
}

// async runs slow work (dialogs, file writes, searches) off the UI
// goroutine; tests replace it to run inline.
func (v *LogView) async(f func()) {
	if v.runInline {
		f()
		return
	}
	go f()
}

func (v *LogView) files() FileDialogs {
	if v.Files != nil {
		return v.Files
	}
	return NativeDialogs{}
}

// SaveTextDialog asks for a file and saves the log as text in the current
// display mode.
func (v *LogView) SaveTextDialog() {
	settings := v.settings
	v.async(func() {
		path, err := v.files().SaveFile(lang.L("Save log as text"), "netdebug-log.txt", FileFilter{"Text", []string{"txt", "log"}})
		if err != nil {
			v.reportSave(path, 0, err)
			return
		}
		n, err := v.SaveText(path, settings)
		v.reportSave(path, n, err)
	})
}

// SaveRawDialog asks for a file and saves the received bytes exactly.
func (v *LogView) SaveRawDialog() {
	v.async(func() {
		path, err := v.files().SaveFile(lang.L("Save received bytes"), "netdebug-rx.bin", FileFilter{"Binary", []string{"bin", "dat"}})
		if err != nil {
			v.reportSave(path, 0, err)
			return
		}
		n, err := v.SaveRaw(path)
		v.reportSave(path, n, err)
	})
}

func (v *LogView) reportSave(path string, n int, err error) {
	var msg string
	switch {
	case errors.Is(err, ErrDialogCancelled):
		return
	case err != nil:
		msg = lang.L("Could not save: {{.Error}}", map[string]any{"Error": err.Error()})
	default:
		msg = lang.L("Saved {{.Count}} records to {{.Path}}", map[string]any{"Count": n, "Path": path})
		if dr, _ := v.store.Dropped(); dr > 0 {
			msg += " " + lang.L("({{.Dropped}} older records were dropped by the log limit and are not in the file)", map[string]any{"Dropped": dr})
		}
	}
	fyne.Do(func() { v.ShowMessage(msg) })
}

// SaveText writes every record held as text: a header line per record, then
// the decoded text and/or a hex dump, as the settings' mode says. Split
// characters are joined exactly, stream by stream. It returns the number of
// records written. It may be called from any goroutine.
func (v *LogView) SaveText(path string, s LogSettings) (int, error) {
	recs := v.store.Snapshot()
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	w := bufio.NewWriterSize(f, 256<<10)
	err = WriteText(w, recs, s)
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return len(recs), err
}

// WriteText formats records as SaveText does.
func WriteText(w io.Writer, recs []Record, s LogSettings) error {
	type stream struct {
		dir  Direction
		peer string
	}
	decoders := map[stream]*codec.Decoder{}
	for i := range recs {
		r := &recs[i]
		if _, err := fmt.Fprintf(w, "[%s] %s", r.Time.Format("2006-01-02 15:04:05.000"), r.Dir); err != nil {
			return err
		}
		if r.Peer != "" {
			fmt.Fprintf(w, " %s", r.Peer)
		}
		if r.Dir == Note || r.Dir == Fault {
			fmt.Fprintf(w, " %s\n", r.Data)
			continue
		}
		fmt.Fprintf(w, " (%d bytes)\n", len(r.Data))
		if s.Mode != ShowHex {
			key := stream{r.Dir, r.Peer}
			d := decoders[key]
			if d == nil {
				d = codec.NewDecoder(s.Encoding)
				decoders[key] = d
			}
			text := printable(d.Decode(r.Data))
			io.WriteString(w, text)
			if !strings.HasSuffix(text, "\n") {
				io.WriteString(w, "\n")
			}
		}
		if s.Mode != ShowText {
			if _, err := io.WriteString(w, codec.Dump(r.Data)); err != nil {
				return err
			}
		}
	}
	for _, d := range decoders {
		if rest := d.Flush(); rest != "" {
			fmt.Fprintf(w, "%s\n", rest)
		}
	}
	return nil
}

// SaveRaw writes the data of every RX record held, back to back, exactly as
// received. It returns the number of records written.
func (v *LogView) SaveRaw(path string) (int, error) {
	recs := v.store.Snapshot()
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	w := bufio.NewWriterSize(f, 256<<10)
	n := 0
	for i := range recs {
		if recs[i].Dir == RX {
			if _, err = w.Write(recs[i].Data); err != nil {
				break
			}
			n++
		}
	}
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return n, err
}

// FindNext selects the next record after the selection (or the first) whose
// row contains the find text, wrapping around. The search runs off the UI
// goroutine.
func (v *LogView) FindNext() {
	q := strings.ToLower(strings.TrimSpace(v.findEntry.Text))
	if q == "" {
		return
	}
	first, n := v.first, v.n
	start := first
	if v.hasSelected && v.selected >= first {
		start = v.selected + 1
	}
	var candidates []uint64
	if v.peer != "" {
		candidates = append([]uint64(nil), v.filtered...)
	}
	tv := textView{store: v.store, enc: v.settings.Encoding}
	mode := v.settings.Mode
	v.async(func() {
		found, ok := v.search(tv, mode, q, first, n, start, candidates)
		fyne.Do(func() {
			if !ok {
				v.ShowMessage(lang.L("Not found: {{.Query}}", map[string]any{"Query": q}))
				return
			}
			v.ShowMessage("")
			v.selectSeq(found)
		})
	})
}

func (v *LogView) search(tv textView, mode DisplayMode, q string, first uint64, n int, start uint64, candidates []uint64) (uint64, bool) {
	check := func(seq uint64) bool {
		r, ok := v.store.BySeq(seq)
		return ok && tv.matches(seq, &r, mode, q)
	}
	if candidates != nil {
		for pass := 0; pass < 2; pass++ {
			for _, seq := range candidates {
				if (pass == 0) == (seq >= start) && check(seq) {
					return seq, true
				}
			}
		}
		return 0, false
	}
	end := first + uint64(n)
	for seq := max(start, first); seq < end; seq++ {
		if check(seq) {
			return seq, true
		}
	}
	for seq := first; seq < min(start, end); seq++ {
		if check(seq) {
			return seq, true
		}
	}
	return 0, false
}

// selectSeq selects and shows the record with sequence number seq.
func (v *LogView) selectSeq(seq uint64) {
	id := -1
	if v.peer != "" {
		for i, s := range v.filtered {
			if s == seq {
				id = i
			}
		}
	} else if seq >= v.first && seq < v.first+uint64(v.n) {
		id = int(seq - v.first)
	}
	if id < 0 {
		return
	}
	v.list.Select(id)
}

// printable escapes control characters other than line breaks and tabs, so
// a text log of binary data stays a text file; the hex dump and "save
// received bytes" keep the bytes themselves.
func printable(s string) string {
	if !strings.ContainsFunc(s, isOtherControl) {
		return s
	}
	var sb strings.Builder
	for _, r := range s {
		if isOtherControl(r) {
			fmt.Fprintf(&sb, `\x%02X`, r)
		} else {
			sb.WriteRune(r)
		}
	}
	return sb.String()
}

func isOtherControl(r rune) bool {
	return (r < 0x20 && r != '\n' && r != '\r' && r != '\t') || r == 0x7F
}
