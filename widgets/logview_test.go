package widgets

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/netdebug/netdebug/netcore/codec"
)

// rowTexts renders list row id and returns its four texts.
func rowTexts(v *LogView, id int) []string {
	row := newLogRow(nil)
	v.updateRow(id, row)
	return row.texts[:]
}

// updateNow is Update with the status line refreshed at once, as it is
// when the status interval has passed.
func updateNow(v *LogView) {
	v.statusAt = time.Time{}
	v.Update()
}

func newTestView(t *testing.T) (*LogView, fyne.Window) {
	t.Helper()
	test.NewTempApp(t)
	store := NewLogStore(LogLimits{MaxRecords: 1000})
	v := NewLogView(store)
	v.runInline = true
	w := test.NewTempWindow(t, v)
	w.Resize(fyne.NewSize(900, 420))
	return v, w
}

func TestLogViewRendersModes(t *testing.T) {
	v, w := newTestView(t)
	gb, _ := codec.Encode(codec.GB2312, "你好\r\n")
	v.Store().Append(rec(RX, "Hello\r\n"))
	v.Store().Append(Record{Time: rec(RX, "").Time, Dir: RX, Peer: "127.0.0.1:5000", Data: gb})
	v.Store().Append(rec(TX, "AT+GMR"))
	v.Store().Append(Record{Time: rec(RX, "").Time, Dir: Note, Peer: "127.0.0.1:5000", Data: []byte("connected")})
	updateNow(v)

	if got := rowTexts(v, 0); strings.Join(got, "|") != `12:00:01.123|RX|127.0.0.1:5000 (7 B)|Hello\r\n` {
		t.Fatalf("row 0 = %q", got)
	}
	// GB2312 bytes decoded as UTF-8 are replacement characters...
	if got := rowTexts(v, 1)[3]; !strings.Contains(got, "\uFFFD") {
		t.Fatalf("GB2312 as UTF-8 = %q", got)
	}
	test.AssertRendersToImage(t, "logview/text_utf8.png", w.Canvas())

	// ...and switching the encoding re-renders the same bytes as Chinese.
	s := v.Settings()
	s.Encoding = codec.GB2312
	v.ApplySettings(s)
	if got := rowTexts(v, 1)[3]; got != `你好\r\n` {
		t.Fatalf("GB2312 row = %q", got)
	}
	s.Mode = ShowHex
	v.ApplySettings(s)
	if got := rowTexts(v, 1)[3]; got != "C4 E3 BA C3 0D 0A" {
		t.Fatalf("hex row = %q", got)
	}
	s.Mode = ShowBoth
	s.ShowTime = false
	v.ApplySettings(s)
	if got := rowTexts(v, 0); got[0] != "" || got[3] != `Hello\r\n`+strings.Repeat(" ", 23)+` │ 48 65 6C 6C 6F 0D 0A` {
		t.Fatalf("both/no time row = %q", got)
	}
	test.AssertRendersToImage(t, "logview/both_gb2312.png", w.Canvas())
}

func TestLogViewJoinsSplitCharacters(t *testing.T) {
	v, _ := newTestView(t)
	raw, _ := codec.Encode(codec.GB18030, "中文")
	// 中 is split across two reads; a TX record from another stream sits
	// between them.
	v.Store().Append(Record{Dir: RX, Peer: "p", Data: raw[:1]})
	v.Store().Append(Record{Dir: TX, Peer: "p", Data: []byte("x")})
	v.Store().Append(Record{Dir: RX, Peer: "p", Data: raw[1:]})
	s := v.Settings()
	s.Encoding = codec.GB18030
	v.ApplySettings(s)
	v.Update()
	if got := rowTexts(v, 0)[3]; got != "" {
		t.Fatalf("first piece = %q; the partial character belongs to the next record", got)
	}
	if got := rowTexts(v, 2)[3]; got != "中文" {
		t.Fatalf("second piece = %q", got)
	}
	// A record whose last character never completes shows U+FFFD.
	v.Store().Append(Record{Dir: RX, Peer: "q", Data: raw[:3]})
	v.Update()
	if got := rowTexts(v, 3)[3]; got != "中\uFFFD" {
		t.Fatalf("dangling = %q", got)
	}
}

func TestLogViewFilterAndDropsKeepRowsStable(t *testing.T) {
	v, _ := newTestView(t)
	v.Store().SetLimits(LogLimits{MaxRecords: 5})
	for i := 0; i < 4; i++ {
		v.Store().Append(Record{Dir: RX, Peer: []string{"a:1", "b:2"}[i%2], Data: []byte{byte('0' + i)}})
	}
	v.Update()
	v.SetPeerFilter("b:2")
	if v.length() != 2 || rowTexts(v, 0)[3] != "1" || rowTexts(v, 1)[3] != "3" {
		t.Fatalf("filtered rows: %d %q %q", v.length(), rowTexts(v, 0), rowTexts(v, 1))
	}
	for i := 4; i < 8; i++ {
		v.Store().Append(Record{Dir: RX, Peer: []string{"a:1", "b:2"}[i%2], Data: []byte{byte('0' + i)}})
	}
	v.Update()
	var got []string
	for i := 0; i < v.length(); i++ {
		got = append(got, rowTexts(v, i)[3])
	}
	if strings.Join(got, ",") != "3,5,7" {
		t.Fatalf("after drops: %v", got)
	}
	v.SetPeerFilter("")
	if v.length() != 5 {
		t.Fatalf("unfiltered length %d", v.length())
	}
}

func TestLogViewAutoScrollPausesWhenScrolledUp(t *testing.T) {
	v, _ := newTestView(t)
	for i := 0; i < 200; i++ {
		v.Store().Append(rec(RX, "line"))
	}
	v.Update()
	bottom := v.list.GetScrollOffset()
	if bottom <= 0 || !v.atBottom() {
		t.Fatalf("not following: offset %v", bottom)
	}
	v.list.ScrollToOffset(0)
	for i := 0; i < 50; i++ {
		v.Store().Append(rec(RX, "more"))
	}
	v.Update()
	if off := v.list.GetScrollOffset(); off != 0 {
		t.Fatalf("scrolled while the user was reading: %v", off)
	}
	v.scrollToBottom()
	v.Store().Append(rec(RX, "again"))
	v.Update()
	if !v.atBottom() || v.list.GetScrollOffset() <= bottom {
		t.Fatal("did not resume following at the bottom")
	}
}

// TestLogViewFollowsAgainAfterTheDetailCloses: opening a record while
// following shortens the list and pauses following; closing it resumes.
func TestLogViewFollowsAgainAfterTheDetailCloses(t *testing.T) {
	v, _ := newTestView(t)
	for i := 0; i < 200; i++ {
		v.Store().Append(rec(RX, "line"))
	}
	v.Update()
	v.list.Select(190)
	for i := 0; i < 50; i++ {
		v.Store().Append(rec(RX, "more"))
	}
	v.Update()
	if !v.detail.Visible() {
		t.Fatal("the detail pane did not open")
	}
	v.hasSelected = false
	v.list.UnselectAll()
	v.refreshDetail()
	v.Store().Append(rec(RX, "after"))
	v.Update()
	if !v.atBottom() {
		t.Fatal("closing the record left the log paused above the newest rows")
	}
}

func TestLogViewSaveTextAndRaw(t *testing.T) {
	v, _ := newTestView(t)
	raw, _ := codec.Encode(codec.GB2312, "你好")
	v.Store().Append(Record{Time: rec(RX, "").Time, Dir: RX, Peer: "h:1", Data: raw[:1]})
	v.Store().Append(Record{Time: rec(RX, "").Time, Dir: RX, Peer: "h:1", Data: append(raw[1:], 0xFF)})
	v.Store().Append(Record{Time: rec(RX, "").Time, Dir: TX, Peer: "h:1", Data: []byte("ok")})
	dir := t.TempDir()
	n, err := v.SaveRaw(filepath.Join(dir, "rx.bin"))
	if err != nil || n != 2 {
		t.Fatal(n, err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "rx.bin"))
	if string(b) != string(append(raw, 0xFF)) {
		t.Fatalf("raw = % X", b)
	}
	_, err = v.SaveText(filepath.Join(dir, "log.txt"), LogSettings{Mode: ShowBoth, Encoding: codec.GB2312})
	if err != nil {
		t.Fatal(err)
	}
	txt, _ := os.ReadFile(filepath.Join(dir, "log.txt"))
	for _, want := range []string{"[2026-11-21 12:00:01.123] RX h:1 (1 bytes)", "你好\uFFFD", "00000000  E3 BA C3 FF", "TX h:1 (2 bytes)\nok\n"} {
		if !strings.Contains(string(txt), want) {
			t.Errorf("saved text lacks %q:\n%s", want, txt)
		}
	}
	if _, err := v.SaveText(filepath.Join(dir, "missing", "x.txt"), v.Settings()); err == nil {
		t.Error("saving into a missing folder did not fail")
	}
}

func TestLogViewFindSelectsRecord(t *testing.T) {
	v, _ := newTestView(t)
	for _, s := range []string{"alpha", "beta", "gamma", "beta again"} {
		v.Store().Append(rec(RX, s))
	}
	v.Update()
	v.findEntry.SetText("BETA")
	v.FindNext()
	waitFor(t, func() bool { return v.hasSelected && v.selected == 1 })
	v.FindNext()
	waitFor(t, func() bool { return v.selected == 3 })
	if !strings.Contains(v.detailTxt.Text, "beta again") {
		t.Fatalf("detail = %q", v.detailTxt.Text)
	}
	v.findEntry.SetText("67 61 6D") // "gam" in hex
	s := v.Settings()
	s.Mode = ShowHex
	v.ApplySettings(s)
	v.FindNext()
	waitFor(t, func() bool { return v.selected == 2 })
	v.findEntry.SetText("nowhere")
	v.FindNext()
	waitFor(t, func() bool { return strings.Contains(v.message.Text, "nowhere") })
}

func TestLogViewClear(t *testing.T) {
	v, _ := newTestView(t)
	v.Store().Append(rec(RX, "x"))
	v.Update()
	v.Clear()
	if v.length() != 0 || v.Store().Len() != 0 {
		t.Fatal("not cleared")
	}
	if !strings.Contains(v.countText.Text, "RX 1 B (1 pkts)") {
		t.Fatalf("counters should survive clear: %q", v.countText.Text)
	}
	v.resetBtn.OnTapped()
	if !strings.Contains(v.countText.Text, "RX 0 B (0 pkts)") {
		t.Fatalf("reset: %q", v.countText.Text)
	}
}

func TestLogViewShowsDrops(t *testing.T) {
	v, _ := newTestView(t)
	v.Store().SetLimits(LogLimits{MaxRecords: 2})
	for i := 0; i < 5; i++ {
		v.Store().Append(rec(RX, "x"))
	}
	updateNow(v)
	if !strings.Contains(v.usageText.Text, "dropped 3") {
		t.Fatalf("usage = %q", v.usageText.Text)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		ok := false
		fyne.DoAndWait(func() { ok = cond() })
		if ok {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("condition not met")
}

type fakeFiles struct {
	path string
	err  error
}

func (f fakeFiles) SaveFile(string, string, ...FileFilter) (string, error) { return f.path, f.err }
func (f fakeFiles) OpenFile(string, ...FileFilter) (string, error)         { return f.path, f.err }
func (f fakeFiles) Folder(string) (string, error)                          { return f.path, f.err }

func TestLogViewSaveDialogs(t *testing.T) {
	v, _ := newTestView(t)
	v.Store().Append(rec(RX, "abc"))
	v.Files = fakeFiles{err: ErrDialogCancelled}
	v.SaveRawDialog()
	if v.message.Visible() {
		t.Fatalf("cancel showed %q", v.message.Text)
	}
	path := filepath.Join(t.TempDir(), "rx.bin")
	v.Files = fakeFiles{path: path}
	v.SaveRawDialog()
	if b, _ := os.ReadFile(path); string(b) != "abc" || !strings.Contains(v.message.Text, "Saved 1 records") {
		t.Fatalf("file %q message %q", b, v.message.Text)
	}
	v.Files = fakeFiles{path: filepath.Join(t.TempDir(), "no", "such", "dir.txt")}
	v.SaveTextDialog()
	if !strings.Contains(v.message.Text, "Could not save") {
		t.Fatalf("message %q", v.message.Text)
	}
}

func TestLogViewDoesNotJoinBinaryTailWithLaterReply(t *testing.T) {
	v, _ := newTestView(t)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	// A binary reply ending in 0xC5 (a UTF-8 lead byte), then, a second
	// later, the next reply. The second must not lose its first byte.
	v.Store().Append(Record{Time: t0, Dir: RX, Peer: "p", Data: []byte{'O', 'K', 0xC5}})
	v.Store().Append(Record{Time: t0.Add(time.Second), Dir: RX, Peer: "p", Data: []byte("PONG 9")})
	// Within one burst, but the bytes do not make a character: no join.
	v.Store().Append(Record{Time: t0.Add(2 * time.Second), Dir: RX, Peer: "q", Data: []byte{'A', 0xE4}})
	v.Store().Append(Record{Time: t0.Add(2*time.Second + time.Millisecond), Dir: RX, Peer: "q", Data: []byte("BC")})
	v.Update()
	for i, want := range []string{"OK\uFFFD", "PONG 9", "A\uFFFD", "BC"} {
		if got := rowTexts(v, i)[3]; got != want {
			t.Errorf("row %d = %q; want %q", i, got, want)
		}
	}
}

func TestSavedTextEscapesControlBytes(t *testing.T) {
	var sb strings.Builder
	recs := []Record{{Time: rec(RX, "").Time, Dir: RX, Peer: "p", Data: []byte("ok\r\n\x01\x03\x00*\tz")}}
	if err := WriteText(&sb, recs, LogSettings{Mode: ShowText, Encoding: codec.UTF8}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sb.String(), "ok\r\n\\x01\\x03\\x00*\tz") {
		t.Fatalf("saved %q", sb.String())
	}
}

func TestNativeDialogPanicBecomesError(t *testing.T) {
	var err error
	func() {
		defer guard(&err)
		panic("gtk initialisation failed; presumably no X server is available")
	}()
	if !errors.Is(err, ErrNoNativeDialog) {
		t.Fatalf("err = %v", err)
	}
}
