package chat

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/netdebug/netdebug/netcore/codec"
)

// History on disk, in Config.Dir:
//
//	conversations.json  {"version":1,"conversations":[Conversation, ...]}
//	<transport>_<address>_<hash>.jsonl  one Message per line, oldest first
//
// Messages are appended as they come; a file is rewritten (to a temporary
// file, synced, then renamed over it, so a crash leaves the old file or the
// new one) when a saved message changes, after a clear, and when it has
// grown to twice either limit: twice HistoryLimit lines, or twice
// HistoryBytes bytes (or twice its size after the last rewrite, when what
// memory keeps takes more room on disk than that). Loading reads from the
// end of a file only as much as memory keeps. Received messages are stored
// as bytes only and decoded on load, so changing a conversation's encoding
// later re-decodes its past too. Writes happen at most every saveEvery, off
// the callers' goroutines.

const (
	indexFile     = "conversations.json"
	indexVersion  = 1
	saveEvery     = 300 * time.Millisecond
	maxLineOnDisk = 1 << 20
)

type store struct{ dir string }

type indexDoc struct {
	Version       int            `json:"version"`
	Conversations []Conversation `json:"conversations"`
}

// fileName is a conversation's history file: readable, and unique thanks
// to the hash of the key.
func fileName(key string) string {
	tr, ap, err := ParseKey(key)
	safe := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '.' || r == '-' {
			return r
		}
		return '_'
	}, ap.String())
	if err != nil {
		tr, safe = "x", "conversation"
	}
	h := fnv.New32a()
	h.Write([]byte(key))
	return fmt.Sprintf("%s_%s_%08x.jsonl", tr, safe, h.Sum32())
}

// load reads the index and every conversation's messages.
func (c *Chat) load() error {
	if err := os.MkdirAll(c.store.dir, 0o755); err != nil {
		return fmt.Errorf("history folder: %w", err)
	}
	data, err := os.ReadFile(filepath.Join(c.store.dir, indexFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading the chat history: %w", err)
	}
	var doc indexDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		// A damaged index must not stop the chat; start afresh and keep the
		// old file for whoever wants to look at it.
		_ = os.Rename(filepath.Join(c.store.dir, indexFile), filepath.Join(c.store.dir, indexFile+".damaged"))
		return nil
	}
	for _, meta := range doc.Conversations {
		if _, _, err := ParseKey(meta.Key); err != nil || c.convs[meta.Key] != nil {
			continue
		}
		if meta.Encoding == "" {
			meta.Encoding = codec.UTF8
		}
		if meta.LineEnding == "" {
			meta.LineEnding = codec.LineNone
		}
		cv := &conv{Conversation: meta, file: fileName(meta.Key)}
		cv.Count, cv.LastTime, cv.LastText, cv.Connected = 0, time.Time{}, "", false
		tail := c.store.readTail(cv.file, 2*int64(c.cfg.HistoryBytes), c.cfg.HistoryLimit, c.cfg.HistoryBytes, func(m *Message) {
			switch {
			case m.Dir == Incoming:
				if m.Enc == "" {
					m.Enc = cv.Encoding
				}
				m.Text, m.Undecodable = decode(m.Enc, trimLineEnd(m.Raw))
			case m.Status == StatusSending:
				m.Status, m.Note = StatusFailed, "not sent: NetDebug was closed first"
			}
		})
		for _, m := range tail.msgs {
			if m.ID >= c.nextID {
				c.nextID = m.ID + 1
			}
			cv.msgs = append(cv.msgs, m)
			cv.size += msgSize(m)
		}
		for len(cv.msgs) > 1 && (len(cv.msgs) > c.cfg.HistoryLimit || cv.size > c.cfg.HistoryBytes) {
			cv.size -= msgSize(cv.msgs[0])
			cv.msgs = cv.msgs[1:]
			cv.rewrite = true
		}
		cv.fileLines, cv.fileBytes = tail.lines, tail.size
		if !tail.whole || !tail.clean {
			// Older lines were skipped, or the last line was cut short (an
			// append after it would spoil the next message): compact.
			cv.rewrite = true
		}
		if len(cv.msgs) > 0 {
			cv.created = cv.msgs[0].Time
		}
		c.convs[meta.Key] = cv
	}
	return nil
}

// historyTail is what readTail found at the end of a history file.
type historyTail struct {
	msgs  []Message
	lines int   // lines read (damaged ones too)
	size  int64 // the file's size
	read  int64 // bytes read
	whole bool  // read from the start of the file
	clean bool  // the file is empty or ends with a newline
}

// readTail returns the last messages of a history file, enough for memory
// to keep limit messages of limitBytes (as msgSize counts them): it reads
// the last window bytes, skipping the line they start in the middle of,
// and twice as many again while that holds fewer. prep readies each
// message (decoding) before it is measured. Damaged lines are skipped.
func (s *store) readTail(name string, window int64, limit, limitBytes int, prep func(*Message)) historyTail {
	f, err := os.Open(filepath.Join(s.dir, name))
	if err != nil {
		return historyTail{whole: true, clean: true}
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return historyTail{whole: true, clean: true}
	}
	t := historyTail{size: st.Size(), clean: true}
	if t.size > 0 {
		last := make([]byte, 1)
		if _, err := f.ReadAt(last, t.size-1); err == nil && last[0] != '\n' {
			t.clean = false
		}
	}
	window = max(window, 64<<10)
	for {
		start := max(t.size-window, 0)
		msgs, lines, n := readFrom(f, start, prep)
		t.msgs, t.lines, t.read, t.whole = msgs, lines, t.read+n, start == 0
		if t.whole || len(msgs) > limit {
			return t
		}
		size := 0
		for _, m := range msgs {
			size += msgSize(m)
		}
		if size > limitBytes {
			return t
		}
		window *= 2
	}
}

// readFrom reads the messages in f from the first line that starts at or
// after offset start, and reports how many lines and bytes it read.
func readFrom(f *os.File, start int64, prep func(*Message)) ([]Message, int, int64) {
	from := max(start-1, 0)
	cr := &countingReader{r: io.NewSectionReader(f, from, 1<<62)}
	br := bufio.NewReaderSize(cr, 64<<10)
	if start > 0 {
		// The byte before start says whether a line starts at start; skip
		// through the first newline from there.
		for {
			_, err := br.ReadSlice('\n')
			if err != bufio.ErrBufferFull {
				break
			}
		}
	}
	var out []Message
	lines := 0
	sc := bufio.NewScanner(br)
	sc.Buffer(make([]byte, 64<<10), maxLineOnDisk)
	for sc.Scan() {
		lines++
		var m Message
		if json.Unmarshal(sc.Bytes(), &m) != nil || m.ID <= 0 || (m.Dir != Incoming && m.Dir != Outgoing) {
			continue
		}
		if prep != nil {
			prep(&m)
		}
		out = append(out, m)
	}
	return out, lines, cr.n
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func encodeLines(msgs []Message) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for _, m := range msgs {
		if m.Dir == Incoming {
			m.Text, m.Undecodable = "", false // decoded again on load
		}
		if err := enc.Encode(m); err != nil {
			return nil, err
		}
	}
	return buf.Bytes(), nil
}

// append adds msgs to a history file and returns how many bytes it wrote.
func (s *store) append(name string, msgs []Message) (int, error) {
	b, err := encodeLines(msgs)
	if err != nil {
		return 0, err
	}
	f, err := os.OpenFile(filepath.Join(s.dir, name), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return 0, err
	}
	n, err := f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return n, err
}

// rewrite replaces a history file with msgs and returns its new size.
func (s *store) rewrite(name string, msgs []Message) (int, error) {
	b, err := encodeLines(msgs)
	if err != nil {
		return 0, err
	}
	return len(b), writeAtomic(filepath.Join(s.dir, name), b)
}

func (s *store) remove(name string) {
	_ = os.Remove(filepath.Join(s.dir, name))
}

func (s *store) saveIndex(convs []Conversation) error {
	b, err := json.MarshalIndent(indexDoc{Version: indexVersion, Conversations: convs}, "", "  ")
	if err != nil {
		return err
	}
	return writeAtomic(filepath.Join(s.dir, indexFile), b)
}

func writeAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(b)
	if err == nil {
		// On disk before the rename, or a crash could leave an empty file
		// where the old one was.
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// indexDirty marks the index for saving; the caller holds mu.
func (c *Chat) indexChanged() {
	if c.store == nil {
		return
	}
	c.indexDirty = true
	c.kickSave()
}

func (c *Chat) kickSave() {
	if c.saveKick == nil {
		return
	}
	select {
	case c.saveKick <- struct{}{}:
	default:
	}
}

func (c *Chat) saveLoop() {
	defer close(c.saveDone)
	for {
		select {
		case <-c.saveStop:
			c.save()
			return
		case <-c.saveKick:
			c.save()
			select {
			case <-c.saveStop:
				c.save()
				return
			case <-time.After(saveEvery):
			}
		}
	}
}

// fileWork is one file to write.
type fileWork struct {
	cv      *conv
	file    string
	msgs    []Message
	rewrite bool
	written int
}

// tooBig reports whether a history file has grown enough to compact: past
// twice the line limit, or twice the byte limit (or twice its size after
// the last compaction, so that messages taking more room on disk than in
// memory do not make every save a rewrite). The caller holds mu.
func (c *Chat) tooBig(cv *conv) bool {
	return cv.fileLines+cv.pending > 2*c.cfg.HistoryLimit ||
		cv.fileBytes > 2*max(int64(c.cfg.HistoryBytes), cv.compactBytes)
}

// save writes what changed since the last save.
func (c *Chat) save() {
	c.mu.Lock()
	var work []fileWork
	for _, cv := range c.convs {
		if c.tooBig(cv) {
			cv.rewrite = true
		}
		switch {
		case cv.rewrite:
			work = append(work, fileWork{cv: cv, file: cv.file, msgs: append([]Message(nil), cv.msgs...), rewrite: true})
			cv.rewrite, cv.pending, cv.fileLines = false, 0, len(cv.msgs)
		case cv.pending > 0:
			work = append(work, fileWork{cv: cv, file: cv.file, msgs: append([]Message(nil), cv.msgs[len(cv.msgs)-cv.pending:]...)})
			cv.fileLines += cv.pending
			cv.pending = 0
		}
	}
	var index []Conversation
	if c.indexDirty {
		c.indexDirty = false
		for _, cv := range c.convs {
			index = append(index, cv.Conversation)
		}
		if index == nil {
			index = []Conversation{}
		}
	}
	c.mu.Unlock()

	var firstErr error
	failed := map[*conv]bool{}
	for i := range work {
		w := &work[i]
		c.mu.Lock()
		gone := c.convs[w.cv.Key] != w.cv
		c.mu.Unlock()
		if gone {
			continue
		}
		var err error
		if w.rewrite {
			w.written, err = c.store.rewrite(w.file, w.msgs)
		} else {
			w.written, err = c.store.append(w.file, w.msgs)
		}
		if err != nil {
			failed[w.cv] = true
			if firstErr == nil {
				firstErr = fmt.Errorf("saving the chat history: %w", err)
			}
		}
	}
	if index != nil {
		sortConvs(index)
		if err := c.store.saveIndex(index); err != nil && firstErr == nil {
			firstErr = fmt.Errorf("saving the chat history: %w", err)
		}
	}
	c.mu.Lock()
	for _, w := range work {
		switch {
		case failed[w.cv]:
			w.cv.rewrite = true
		case w.rewrite:
			w.cv.fileBytes, w.cv.compactBytes = int64(w.written), int64(w.written)
		default:
			w.cv.fileBytes += int64(w.written)
		}
	}
	if index != nil && firstErr != nil {
		c.indexDirty = true
	}
	changed := (c.saveErr == nil) != (firstErr == nil)
	c.saveErr = firstErr
	c.mu.Unlock()
	if changed {
		c.notify(Change{Kind: StateChanged})
	}
}

func sortConvs(cs []Conversation) {
	sort.Slice(cs, func(i, j int) bool { return cs[i].Key < cs[j].Key })
}
