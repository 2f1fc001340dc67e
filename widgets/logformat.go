package widgets

import (
	"fmt"
	"strings"
	"time"
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

// lookaround is how many records back (and forward) the log looks for the
// same stream when a character is split between records.
const lookaround = 16

// sameStream reports whether two records are consecutive pieces of one
// byte stream, so a character split between them can be joined.
func sameStream(a, b *Record) bool {
	return a.Dir == b.Dir && a.Peer == b.Peer && (a.Dir == RX || a.Dir == TX)
}

// textView decodes records for display, joining characters split across
// records of the same stream.
type textView struct {
	store *LogStore
	enc   codec.Encoding
}

// joinWindow is how close in time two reads must be for a character split
// between them to be joined: pieces of one burst, not a reply that came
// later (whose first bytes would wrongly complete a binary tail).
const joinWindow = 100 * time.Millisecond

// joins reports whether tail (an incomplete character ending one record)
// is completed by head (the start of the next): the character they make
// must decode as a real one.
func (t textView) joins(tail, head []byte) bool {
	if len(tail) == 0 || len(head) == 0 {
		return false
	}
	b := append(append([]byte(nil), tail...), head[:min(len(head), 4)]...)
	d := codec.NewDecoder(t.enc)
	s := d.Decode(b) + d.Flush()
	r, _ := utf8.DecodeRuneInString(s)
	return r != utf8.RuneError
}

// carryIn returns the bytes at the end of the previous record of r's stream
// that begin a character r finishes.
func (t textView) carryIn(seq uint64, r *Record) []byte {
	for back := uint64(1); back <= lookaround && back <= seq; back++ {
		var carry []byte
		found := false
		ok := t.store.With(seq-back, func(prev *Record) {
			if sameStream(prev, r) {
				found = true
				if r.Time.Sub(prev.Time) > joinWindow {
					return
				}
				n := codec.IncompleteTail(t.enc, prev.Data)
				if tail := prev.Data[len(prev.Data)-n:]; t.joins(tail, r.Data) {
					carry = append(carry, tail...)
				}
			}
		})
		if !ok || found {
			return carry
		}
	}
	return nil
}

// continued reports whether the next record of the same stream will show
// this record's incomplete last character (tail).
func (t textView) continued(seq uint64, r *Record, tail []byte) bool {
	for fwd := uint64(1); fwd <= lookaround; fwd++ {
		same, joined := false, false
		if !t.store.With(seq+fwd, func(next *Record) {
			same = sameStream(next, r)
			joined = same && next.Time.Sub(r.Time) <= joinWindow && t.joins(tail, next.Data)
		}) {
			return false
		}
		if same {
			return joined
		}
	}
	return false
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
	carry := t.carryIn(seq, r)
	var sb strings.Builder
	if len(carry) > 0 {
		sb.WriteString(d.Decode(carry))
	}
	sb.WriteString(d.Decode(data))
	if truncated == 0 && d.Pending() > 0 && !t.continued(seq, r, data[max(0, len(data)-d.Pending()):]) {
		sb.WriteString(d.Flush())
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
		sb.WriteString(codec.EscapeText(s))
		if more > 0 && mode == ShowText {
			fmt.Fprintf(&sb, " … (+%d B)", more)
		}
	}
	if mode == ShowHex || mode == ShowBoth {
		if mode == ShowBoth {
			sb.WriteString("  │  ")
		}
		n := min(len(r.Data), rowLimit/2)
		sb.WriteString(codec.FormatHex(r.Data[:n]))
		if n < full {
			fmt.Fprintf(&sb, " … (+%d B)", full-n)
		}
	}
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
	if mode == ShowHex || mode == ShowBoth {
		sb.WriteString(codec.Dump(r.Data))
	}
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
