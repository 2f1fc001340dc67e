package chat

import (
	"bytes"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/netdebug/netdebug/netcore/codec"
)

var historyPeer = netip.MustParseAddrPort("192.0.2.7:9900")

// saved waits until the save loop has taken everything of key.
func saved(t *testing.T, c *Chat, key string) {
	t.Helper()
	waitFor(t, "the save", func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		cv := c.convs[key]
		return cv != nil && cv.pending == 0 && !cv.rewrite
	})
	// The last save may still be writing what it took.
	time.Sleep(2 * saveEvery)
}

func fileSize(t *testing.T, dir, key string) int64 {
	t.Helper()
	st, err := os.Stat(filepath.Join(dir, fileName(key)))
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

func ids(msgs []Message) string {
	var b strings.Builder
	for _, m := range msgs {
		fmt.Fprintf(&b, "%d,", m.ID)
	}
	return b.String()
}

// writeHistory puts a conversation with msgs on disk as a chat would.
func writeHistory(t *testing.T, dir, key string, msgs []Message) {
	t.Helper()
	s := &store{dir: dir}
	if err := s.saveIndex([]Conversation{{Key: key, Transport: UDP, Addr: key, Encoding: codec.UTF8}}); err != nil {
		t.Fatal(err)
	}
	b, err := encodeLines(msgs)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, fileName(key)), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// A conversation of large messages stays within the byte limit in memory,
// and its file stays within twice that on disk: it used to be rewritten
// only past twice the line limit, so it grew without bound (41 MB for 34
// messages kept).
func TestHistoryFileStaysWithinTheByteLimit(t *testing.T) {
	dir := t.TempDir()
	const limit = 32 << 10
	c, err := New(Config{Dir: dir, HistoryBytes: limit})
	if err != nil {
		t.Fatal(err)
	}
	key := UDPKey(historyPeer)
	payload := strings.Repeat("x", 2000)
	line, _ := encodeLines([]Message{{ID: 1 << 40, Dir: Incoming, Time: time.Now(), Raw: []byte(payload), Enc: codec.UTF8, Status: StatusReceived}})
	const batch = 50
	n := 0
	for range 8 {
		for range batch {
			n++
			c.received(UDP, historyPeer, []byte(fmt.Sprintf("%05d%s", n, payload)), time.Now())
		}
		saved(t, c, key)
		// Compaction happens before an append that would start past twice
		// the limit, so one batch may sit on top.
		if size := fileSize(t, dir, key); size > 2*limit+batch*int64(len(line)) {
			t.Fatalf("after %d messages the file is %d bytes for a limit of %d", n, size, limit)
		}
	}
	kept := c.Messages(key)
	if len(kept) == 0 || len(kept) > limit/2000 || !strings.HasPrefix(kept[len(kept)-1].Text, fmt.Sprintf("%05d", n)) {
		t.Fatalf("memory keeps %d messages", len(kept))
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if size := fileSize(t, dir, key); size > 2*limit {
		t.Fatalf("after closing the file is %d bytes for a limit of %d", size, limit)
	}
	c, err = New(Config{Dir: dir, HistoryBytes: limit})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got := c.Messages(key); ids(got) != ids(kept) || got[len(got)-1].Text != kept[len(kept)-1].Text {
		t.Fatalf("after restart %s, before %s", ids(got), ids(kept))
	}
}

// Loading a file far larger than the limits reads only its end, keeps
// what a whole read would, and compacts the file.
func TestHistoryLoadReadsOnlyTheTail(t *testing.T) {
	dir := t.TempDir()
	key := UDPKey(historyPeer)
	const limit = 32 << 10
	var msgs []Message
	at := time.Now().Add(-time.Hour)
	for i := range 1500 { // under twice the line limit: never compacted before
		msgs = append(msgs, Message{ID: int64(i + 1), Dir: Incoming, Time: at, Raw: []byte(fmt.Sprintf("%05d%s", i, strings.Repeat("y", 3000))), Status: StatusReceived})
	}
	writeHistory(t, dir, key, msgs)
	size := fileSize(t, dir, key)

	s := &store{dir: dir}
	whole := s.readTail(fileName(key), size, 1000, limit, nil)
	if !whole.whole || len(whole.msgs) != 1500 || whole.lines != 1500 || !whole.clean {
		t.Fatalf("whole read: %d messages, %d lines, whole %v", len(whole.msgs), whole.lines, whole.whole)
	}
	tail := s.readTail(fileName(key), 2*limit, 1000, limit, nil)
	if tail.whole || tail.read > 2*limit+1 || len(tail.msgs) == 0 || tail.msgs[len(tail.msgs)-1].ID != 1500 {
		t.Fatalf("tail read %d of %d bytes, %d messages, whole %v", tail.read, size, len(tail.msgs), tail.whole)
	}
	// The line the window starts in is skipped, not half-parsed.
	if want := tail.msgs[0].ID; tail.lines != int(1500-want+1) {
		t.Fatalf("%d lines read for messages %d..1500", tail.lines, want)
	}

	c, err := New(Config{Dir: dir, HistoryBytes: limit})
	if err != nil {
		t.Fatal(err)
	}
	got := c.Messages(key)
	// What memory keeps of the whole file.
	want := whole.msgs
	sz := 0
	for i := len(want) - 1; i >= 0; i-- {
		if sz += len(want[i].Raw)*2 + 64; sz > limit {
			want = want[i+1:]
			break
		}
	}
	if ids(got) != ids(want) {
		t.Fatalf("loaded %s, want %s", ids(got), ids(want))
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if after := fileSize(t, dir, key); after > 2*limit {
		t.Fatalf("the %d-byte file is still %d bytes after loading and closing", size, after)
	}
}

// Lines far longer on disk than in memory (long notes) make the first
// window too small; reading goes further back until memory has its fill.
func TestHistoryLoadReadsFurtherWhenLinesAreLong(t *testing.T) {
	dir := t.TempDir()
	key := UDPKey(historyPeer)
	var msgs []Message
	for i := range 20 {
		msgs = append(msgs, Message{ID: int64(i + 1), Dir: Outgoing, Time: time.Now(), Text: fmt.Sprint("m", i), Raw: []byte(fmt.Sprint("m", i)),
			Status: StatusFailed, Note: strings.Repeat("n", 40<<10)})
	}
	writeHistory(t, dir, key, msgs)
	c, err := New(Config{Dir: dir, HistoryLimit: 5, HistoryBytes: 8 << 10})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got := c.Messages(key); ids(got) != "16,17,18,19,20," {
		t.Fatalf("loaded %s", ids(got))
	}
}

// A file whose last line was cut short (a crash mid-append) is compacted
// on load, so the next message does not join the broken line.
func TestHistoryCutLastLineDoesNotSwallowTheNext(t *testing.T) {
	dir := t.TempDir()
	key := UDPKey(historyPeer)
	writeHistory(t, dir, key, []Message{{ID: 1, Dir: Incoming, Time: time.Now(), Raw: []byte("one"), Status: StatusReceived}})
	f, err := os.OpenFile(filepath.Join(dir, fileName(key)), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"id":2,"dir":"in","t":"20`)
	f.Close()
	c, err := New(Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	c.received(UDP, historyPeer, []byte("three"), time.Now())
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	c, err = New(Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var texts []string
	for _, m := range c.Messages(key) {
		texts = append(texts, m.Text)
	}
	if strings.Join(texts, ",") != "one,three" {
		t.Fatalf("after restart: %q", texts)
	}
	data, _ := os.ReadFile(filepath.Join(dir, fileName(key)))
	if !bytes.HasSuffix(data, []byte("\n")) || bytes.Count(data, []byte("\n")) != 2 {
		t.Fatalf("file:\n%s", data)
	}
}
