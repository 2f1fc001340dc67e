package widgets

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/netdebug/netdebug/netcore/codec"
)

// DisplayMode chooses how the log shows record data.
type DisplayMode string

// The display modes.
const (
	ShowText DisplayMode = "text"
	ShowHex  DisplayMode = "hex"
	ShowBoth DisplayMode = "both"
)

// DisplayModes lists the modes in menu order.
func DisplayModes() []DisplayMode { return []DisplayMode{ShowText, ShowHex, ShowBoth} }

// ParseDisplayMode accepts "text", "hex" or "both"; anything else is text.
func ParseDisplayMode(s string) DisplayMode {
	switch DisplayMode(strings.ToLower(s)) {
	case ShowHex:
		return ShowHex
	case ShowBoth:
		return ShowBoth
	}
	return ShowText
}

// rowLimit bounds how much of a record one log row shows; the detail pane
// and saved files show everything.
const rowLimit = 512

// textView decodes records for display, carrying a character split between
// records of one stream (peer and direction) from one to the next, the way a
// stream decoder would, in any framing and however far apart the pieces are.
type textView struct {
	store *LogStore
	enc   codec.Encoding
	// tails remembers pendingTail's answers (nil: no memory); only the
	// UI goroutine uses the view's.
	tails *tailCache
}

// tailCache holds the unfinished tails of recent records for one encoding,
// so redrawing the rows on screen does not decode their neighbours again.
type tailCache struct {
	enc codec.Encoding
	m   map[uint64][]byte
}

// maxCachedTails bounds the cache; a full one starts again.
const maxCachedTails = 4096

func (c *tailCache) get(enc codec.Encoding, seq uint64) ([]byte, bool) {
	if c == nil || c.enc != enc {
		return nil, false
	}
	t, ok := c.m[seq]
	return t, ok
}

func (c *tailCache) put(enc codec.Encoding, seq uint64, tail []byte) {
	if c == nil {
		return
	}
	if c.enc != enc || c.m == nil || len(c.m) >= maxCachedTails {
		c.enc, c.m = enc, make(map[uint64][]byte, 64)
	}
	c.m[seq] = tail
}

// chainDepth bounds how many records back a carried character is followed:
// enough for a four-byte character that came one byte per read.
const chainDepth = 4

// tailWindow is how much of a record's end tail reads; codec.StreamTail
// finds a sure character boundary within it in any real text. Without one
// the whole record is decoded, up to fullDecodeLimit bytes from its end
// (past that the decoder's own resynchronisation is trusted), so a huge
// record of bytes that never form a boundary costs the UI little.
const (
	tailWindow      = 4096
	fullDecodeLimit = 64 << 10
)

// joins reports whether tail (an incomplete character ending one record)
// is continued by next, the following record of the stream: the bytes make
// a real character, or next is still part of one that is not done yet.
// A tail that next does not continue (a binary reply ending in a lead byte,
// then a new reply) is shown as U+FFFD in its own record.
func (t textView) joins(tail, next []byte) bool {
	if len(tail) == 0 || len(next) == 0 {
		return false
	}
	head := next[:min(len(next), 4)]
	b := append(append([]byte(nil), tail...), head...)
	d := codec.NewDecoder(t.enc)
	s := d.Decode(b)
	if d.Pending() == len(b) {
		// Still one unfinished character: joined if it used all of next.
		return len(head) == len(next)
	}
	r, _ := utf8.DecodeRuneInString(s)
	return r != utf8.RuneError
}

// pendingTail is what the stream has left unfinished at the end of record
// seq: the bytes of a character it began (or carried in) and did not end.
func (t textView) pendingTail(seq uint64, depth int) []byte {
	if tail, ok := t.tails.get(t.enc, seq); ok {
		return tail
	}
	tail := t.findTail(seq, depth)
	t.tails.put(t.enc, seq, tail)
	return tail
}

func (t textView) findTail(seq uint64, depth int) []byte {
	r, full, ok := t.store.PeekTail(seq, tailWindow)
	if !ok {
		return nil
	}
	n, sure := codec.StreamTail(t.enc, nil, r.Data)
	if sure {
		return r.Data[len(r.Data)-n:]
	}
	if full > len(r.Data) {
		// No boundary near the end (a long run of double-byte text):
		// decode the whole record, as a stream decoder would.
		if r, _, ok = t.store.PeekTail(seq, fullDecodeLimit); !ok {
			return nil
		}
	}
	var carry []byte
	if depth > 0 && full <= len(r.Data) {
		carry = t.carryIn(seq, &r, depth-1)
	}
	n, _ = codec.StreamTail(t.enc, carry, r.Data)
	all := append(carry, r.Data...)
	return all[len(all)-n:]
}

// carryIn returns the bytes the previous record of r's stream hands to r:
// its unfinished character, when r continues it.
func (t textView) carryIn(seq uint64, r *Record, depth int) []byte {
	if r.prev == 0 || !isStream(r.Dir) {
		return nil
	}
	tail := t.pendingTail(r.prev-1, depth)
	if !t.joins(tail, r.Data) {
		return nil
	}
	return tail
}

// continued reports whether the next record of r's stream takes r's
// unfinished last character (tail) and shows it.
func (t textView) continued(r *Record, tail []byte) bool {
	if r.next == 0 {
		return false
	}
	next, _, ok := t.store.Peek(r.next-1, 4)
	return ok && t.joins(tail, next.Data)
}

// text decodes r's data (0 = all of it, else at most limit bytes); full is
// the record's real length when r holds only its first bytes. truncated
// reports bytes left out.
func (t textView) text(seq uint64, r *Record, full, limit int) (s string, truncated int) {
	if r.Dir == Note || r.Dir == Fault {
		return string(r.Data), 0
	}
	data := r.Data
	if limit > 0 && len(data) > limit {
		data = data[:limit]
	}
	truncated = full - len(data)
	d := codec.NewDecoder(t.enc)
	carry := t.carryIn(seq, r, chainDepth)
	var sb strings.Builder
	if len(carry) > 0 {
		sb.WriteString(d.Decode(carry))
	}
	sb.WriteString(d.Decode(data))
	if truncated == 0 && d.Pending() > 0 {
		all := append(carry, data...)
		if !t.continued(r, all[len(all)-d.Pending():]) {
			sb.WriteString(d.Flush())
		}
	}
	return sb.String(), truncated
}

// rowBody is the one-line form of a record in the given mode; r may hold
// only the first bytes of a record of full bytes.
func (t textView) rowBody(seq uint64, r *Record, full int, mode DisplayMode) string {
	if r.Dir == Note || r.Dir == Fault {
		return codec.EscapeText(string(r.Data))
	}
	var sb strings.Builder
	if mode == ShowText || mode == ShowBoth {
		s, more := t.text(seq, r, full, rowLimit)
		s = codec.EscapeText(s)
		if mode == ShowBoth {
			// A fixed text column, so the hex starts at the same place on
			// every row however wide the characters are.
			s = fitCells(s, bothTextCells)
		}
		sb.WriteString(s)
		if more > 0 && mode == ShowText {
			fmt.Fprintf(&sb, " … (+%d B)", more)
		}
	}
	if mode == ShowHex || mode == ShowBoth {
		if mode == ShowBoth {
			sb.WriteString(" │ ")
		}
		n := min(len(r.Data), rowLimit/2)
		sb.WriteString(codec.FormatHex(r.Data[:n]))
		if n < full {
			fmt.Fprintf(&sb, " … (+%d B)", full-n)
		}
	}
	return sb.String()
}

// bothTextCells is how many cells the text takes in Text + Hex rows.
const bothTextCells = 32

// fitCells cuts s to n cells (a wide character takes two), ending in "…"
// when cut, and pads it with spaces to exactly n.
func fitCells(s string, n int) string {
	total := 0
	for _, r := range s {
		total += cellsOf(r)
	}
	if total <= n {
		return s + strings.Repeat(" ", n-total)
	}
	var sb strings.Builder
	used := 0
	for _, r := range s {
		w := cellsOf(r)
		if used+w > n-1 {
			break
		}
		sb.WriteRune(r)
		used += w
	}
	sb.WriteString("…")
	sb.WriteString(strings.Repeat(" ", n-used-1))
	return sb.String()
}

// header is "12:00:01.123 RX 192.168.1.10:5000 (5 B)".
func header(r *Record, full int, showTime bool) (timeText, tag, peer string) {
	if showTime {
		timeText = r.Time.Format("15:04:05.000")
	}
	tag = r.Dir.String()
	switch r.Dir {
	case RX, TX:
		peer = fmt.Sprintf("%s (%d B)", r.Peer, full)
	default:
		peer = r.Peer
	}
	return timeText, tag, peer
}

// fullText is the complete form of a record for the detail pane and saved
// logs: a header line, then text and/or a hex dump.
func (t textView) fullText(seq uint64, r *Record, full int, mode DisplayMode) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "[%s] %s", r.Time.Format("2006-01-02 15:04:05.000"), r.Dir)
	if r.Peer != "" {
		fmt.Fprintf(&sb, " %s", r.Peer)
	}
	if r.Dir == Note || r.Dir == Fault {
		fmt.Fprintf(&sb, " %s\n", r.Data)
		return sb.String()
	}
	fmt.Fprintf(&sb, " (%d bytes, %s)\n", full, t.enc)
	if mode == ShowText || mode == ShowBoth {
		s, _ := t.text(seq, r, len(r.Data), 0)
		sb.WriteString(s)
		if !strings.HasSuffix(s, "\n") {
			sb.WriteByte('\n')
		}
	}
	// The detail always has the hex dump: it is where the exact bytes are.
	sb.WriteString(codec.Dump(r.Data))
	return sb.String()
}

// matches reports whether the row form of r contains q (lower-cased).
func (t textView) matches(seq uint64, r *Record, mode DisplayMode, q string) bool {
	if r.Dir == Note || r.Dir == Fault {
		return strings.Contains(strings.ToLower(string(r.Data)), q)
	}
	if mode != ShowHex {
		s, _ := t.text(seq, r, len(r.Data), 0)
		if strings.Contains(strings.ToLower(s), q) || strings.Contains(strings.ToLower(codec.EscapeText(s)), q) {
			return true
		}
	}
	if mode != ShowText {
		hq := strings.ToUpper(strings.Join(strings.Fields(q), " "))
		return strings.Contains(codec.FormatHex(r.Data), hq)
	}
	return false
}

// humanBytes is "1.5 MB" style, for status lines.
func humanBytes(n uint64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := uint64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
