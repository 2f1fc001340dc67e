// Package widgets holds NetDebug's reusable Fyne widgets: the traffic log,
// the send box, transfer progress and chat bubbles. They know nothing about
// sockets; the app wires them to netcore sessions.
package widgets

import (
	"sync"
	"time"
)

// Direction says which way a log record went, or that it is a note.
type Direction uint8

// The directions.
const (
	RX Direction = iota
	TX
	Note
	Fault
)

func (d Direction) String() string {
	return [...]string{"RX", "TX", "--", "!!"}[d]
}

// Record is one entry of the traffic log. Data keeps the bytes exactly as
// they came, so the log can re-render them in another encoding or as hex.
// For Note and Fault records Data holds the message as UTF-8.
type Record struct {
	Time time.Time
	Dir  Direction
	Peer string
	Data []byte

	// prev and next link the records of one stream (same peer and
	// direction, RX or TX) as sequence number + 1; 0 means none. The store
	// sets them, so a view can carry a character split between reads from
	// one record to the next in any framing.
	prev, next uint64
}

// streamKey names one byte stream in the log.
type streamKey struct {
	dir  Direction
	peer string
}

func isStream(d Direction) bool { return d == RX || d == TX }

// recordOverhead is what a record costs besides its data, counted against
// the byte cap so that a flood of tiny records stays bounded too.
const recordOverhead = 96

// LogLimits caps the log. When a cap is reached the oldest records go, and
// the store counts what it dropped.
type LogLimits struct {
	MaxRecords int
	MaxBytes   int64
}

// DefaultLogLimits keeps 100,000 records or 64 MiB, whichever is hit first.
var DefaultLogLimits = LogLimits{MaxRecords: 100_000, MaxBytes: 64 << 20}

// Counters are the log's traffic totals; packets are records.
type Counters struct {
	RxBytes, RxPackets, TxBytes, TxPackets uint64
}

// slot is a record as stored: its data lives in the arena (off >= 0) or,
// for the rare record too large for it, in ext.
type slot struct {
	time time.Time
	dir  Direction
	peer string
	off  int
	n    int
	ext  []byte
	// prev and next are Record.prev and Record.next.
	prev, next uint64
}

// minArena is the arena's starting size; it doubles up to MaxBytes.
const minArena = 64 << 10

// LogStore is a bounded ring of records, safe for concurrent use: sessions
// append from their goroutines, the view reads on the UI goroutine.
//
// Record data is copied into one ring-shaped byte arena no larger than
// MaxBytes, so the store's memory is bounded exactly and a flood creates no
// garbage: appending overwrites the space of the records it drops. Readers
// therefore get copies (At, BySeq, Snapshot) or a look under the lock
// (With, Range).
type LogStore struct {
	mu       sync.Mutex
	ring     []slot
	start, n int
	arena    []byte
	head     int // where the next arena record goes
	bytes    int64
	limits   LogLimits
	// first is the sequence number of the oldest record held; sequence
	// numbers never repeat, so views can tell new records from old.
	first        uint64
	dropped      uint64
	droppedBytes uint64
	counters     Counters
	version      uint64
	// last is the newest record of each stream (sequence number + 1).
	last map[streamKey]uint64
}

// NewLogStore returns an empty store with the given caps (zero fields take
// the defaults).
func NewLogStore(l LogLimits) *LogStore {
	s := &LogStore{}
	s.SetLimits(l)
	return s
}

// SetLimits changes the caps, dropping old records at once if needed.
func (s *LogStore) SetLimits(l LogLimits) {
	if l.MaxRecords <= 0 {
		l.MaxRecords = DefaultLogLimits.MaxRecords
	}
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultLogLimits.MaxBytes
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits = l
	for s.n > 0 && (s.n > l.MaxRecords || s.bytes > l.MaxBytes) {
		s.dropOldestLocked()
	}
	// Re-pack into a ring and an arena that fit the new caps.
	s.repackLocked(max(s.n, min(1024, l.MaxRecords)), s.arenaSize(s.liveArenaBytesLocked()))
	s.version++
}

// arenaSize is the arena size for need bytes: a power of two from minArena
// while that is under a sixteenth of MaxBytes, then MaxBytes itself. Going
// straight to the cap avoids holding the old and new arenas at once while
// copying the big ones; pages of the new arena only become resident as
// records fill them.
func (s *LogStore) arenaSize(need int) int {
	limit := max(s.limits.MaxBytes, minArena)
	size := int64(minArena)
	for size < int64(need) {
		size *= 2
	}
	if size > limit/16 {
		return int(limit)
	}
	return int(size)
}

// Limits returns the caps in force.
func (s *LogStore) Limits() LogLimits {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.limits
}

// Append adds a copy of r, counting RX and TX traffic. r.Data is not
// retained.
func (s *LogStore) Append(r Record) {
	s.mu.Lock()
	switch r.Dir {
	case RX:
		s.counters.RxBytes += uint64(len(r.Data))
		s.counters.RxPackets++
	case TX:
		s.counters.TxBytes += uint64(len(r.Data))
		s.counters.TxPackets++
	}
	s.placeLocked(r)
	s.version++
	s.mu.Unlock()
}

func (s *LogStore) placeLocked(r Record) {
	size := int64(len(r.Data)) + recordOverhead
	for s.n > 0 && (s.n >= s.limits.MaxRecords || s.bytes+size > s.limits.MaxBytes) {
		s.dropOldestLocked()
	}
	if s.n == len(s.ring) {
		s.growRingLocked(min(max(1024, len(s.ring)*2), s.limits.MaxRecords))
	}
	sl := slot{time: r.Time, dir: r.Dir, peer: r.Peer, n: len(r.Data), off: -1}
	if isStream(r.Dir) {
		s.linkLocked(&sl)
	}
	if len(r.Data) > int(s.limits.MaxBytes/4) {
		// A record this large would churn the whole arena; keep it apart
		// (the byte cap still counts it).
		sl.ext = append([]byte(nil), r.Data...)
	} else {
		sl.off = s.allocLocked(len(r.Data))
		copy(s.arena[sl.off:], r.Data)
	}
	s.ring[(s.start+s.n)%len(s.ring)] = sl
	s.n++
	s.bytes += size
}

// linkLocked joins the new record sl (not yet placed) to the newest held
// record of its stream.
func (s *LogStore) linkLocked(sl *slot) {
	if s.last == nil {
		s.last = map[streamKey]uint64{}
	}
	seq := s.first + uint64(s.n)
	key := streamKey{sl.dir, sl.peer}
	if p := s.last[key]; p > s.first {
		sl.prev = p
		s.ring[(s.start+int(p-1-s.first))%len(s.ring)].next = seq + 1
	}
	s.last[key] = seq + 1
	// Forget streams whose records are all gone (UDP senders come and go).
	if len(s.last) > 64 && len(s.last) > 2*s.n {
		for k, p := range s.last {
			if p <= s.first {
				delete(s.last, k)
			}
		}
	}
}

// allocLocked finds n bytes in the arena, growing it (up to MaxBytes)
// before it drops the oldest records whose space it needs.
func (s *LogStore) allocLocked(n int) int {
	for {
		tail, any := s.tailLocked()
		if !any {
			s.head = 0
		}
		p := s.head
		if p+n > len(s.arena) {
			if s.growLocked(n) {
				continue
			}
			p = 0 // wrap around
		}
		if !any {
			s.head = p + n
			return p
		}
		// The live data runs from tail to head, around the end when
		// tail is not before head.
		var overlaps bool
		if tail >= s.head {
			overlaps = p+n > tail || p < s.head
		} else {
			overlaps = p < s.head && p+n > tail
		}
		if !overlaps {
			s.head = p + n
			return p
		}
		if s.growLocked(n) {
			continue
		}
		s.dropOldestLocked()
	}
}

// growLocked doubles the arena (compacting it) when it is below MaxBytes.
func (s *LogStore) growLocked(n int) bool {
	size := s.arenaSize(max(len(s.arena)*2, s.liveArenaBytesLocked()+n+1))
	if size <= len(s.arena) {
		return false
	}
	s.repackLocked(len(s.ring), size)
	return true
}

// tailLocked is the arena offset of the oldest record kept in the arena.
func (s *LogStore) tailLocked() (int, bool) {
	for i := 0; i < s.n; i++ {
		if sl := &s.ring[(s.start+i)%len(s.ring)]; sl.off >= 0 {
			return sl.off, true
		}
	}
	return 0, false
}

func (s *LogStore) liveArenaBytesLocked() int {
	total := 0
	for i := 0; i < s.n; i++ {
		if sl := &s.ring[(s.start+i)%len(s.ring)]; sl.off >= 0 {
			total += sl.n
		}
	}
	return total
}

// growRingLocked moves the slots into a bigger ring; the data stays where
// it is in the arena.
func (s *LogStore) growRingLocked(size int) {
	ring := make([]slot, max(size, s.n, 1))
	for i := 0; i < s.n; i++ {
		ring[i] = s.ring[(s.start+i)%len(s.ring)]
	}
	s.ring, s.start = ring, 0
}

// repackLocked moves the records into a ring of ringSize slots and an arena
// of arenaSize bytes, oldest first and contiguous.
func (s *LogStore) repackLocked(ringSize, arenaSize int) {
	ring := make([]slot, max(ringSize, s.n, 1))
	arena := make([]byte, arenaSize)
	head := 0
	for i := 0; i < s.n; i++ {
		sl := s.ring[(s.start+i)%len(s.ring)]
		if sl.off >= 0 {
			copy(arena[head:], s.arena[sl.off:sl.off+sl.n])
			sl.off = head
			head += sl.n
		}
		ring[i] = sl
	}
	s.ring, s.start, s.arena, s.head = ring, 0, arena, head
}

func (s *LogStore) dropOldestLocked() {
	sl := &s.ring[s.start]
	s.bytes -= int64(sl.n) + recordOverhead
	s.dropped++
	s.droppedBytes += uint64(sl.n)
	*sl = slot{}
	s.start = (s.start + 1) % len(s.ring)
	s.n--
	s.first++
	if s.n == 0 {
		s.head = 0
	}
}

func (s *LogStore) dataLocked(sl *slot) []byte {
	if sl.off < 0 {
		return sl.ext
	}
	return s.arena[sl.off : sl.off+sl.n : sl.off+sl.n]
}

func (s *LogStore) recordLocked(i int, copyData bool) Record {
	sl := &s.ring[(s.start+i)%len(s.ring)]
	data := s.dataLocked(sl)
	if copyData {
		data = append([]byte(nil), data...)
	}
	return Record{Time: sl.time, Dir: sl.dir, Peer: sl.peer, Data: data, prev: sl.prev, next: sl.next}
}

// Len is the number of records held.
func (s *LogStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// At returns a copy of the i-th record held, oldest first. ok is false when
// i is out of range (the record may have just been dropped).
func (s *LogStore) At(i int) (Record, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i < 0 || i >= s.n {
		return Record{}, false
	}
	return s.recordLocked(i, true), true
}

// BySeq returns a copy of the record with sequence number seq, if still
// held.
func (s *LogStore) BySeq(seq uint64) (Record, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if seq < s.first || seq >= s.first+uint64(s.n) {
		return Record{}, false
	}
	return s.recordLocked(int(seq-s.first), true), true
}

// Peek returns the record seq with a copy of at most limit bytes of its
// data, and the data's full length: what a view needs to draw one row.
func (s *LogStore) Peek(seq uint64, limit int) (r Record, full int, ok bool) {
	return s.peek(seq, func(d []byte) []byte { return d[:min(len(d), limit)] })
}

// PeekTail returns the record seq with a copy of at most the last limit
// bytes of its data, and the data's full length.
func (s *LogStore) PeekTail(seq uint64, limit int) (r Record, full int, ok bool) {
	return s.peek(seq, func(d []byte) []byte { return d[max(0, len(d)-limit):] })
}

// peek copies the part of record seq's data that part picks.
func (s *LogStore) peek(seq uint64, part func([]byte) []byte) (r Record, full int, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if seq < s.first || seq >= s.first+uint64(s.n) {
		return Record{}, 0, false
	}
	r = s.recordLocked(int(seq-s.first), false)
	full = len(r.Data)
	r.Data = append([]byte(nil), part(r.Data)...)
	return r, full, true
}

// With calls fn with the record seq while holding the store's lock, without
// copying its data: fn must be quick, must not keep r.Data and must not call
// the store. It reports whether the record is still held.
func (s *LogStore) With(seq uint64, fn func(r *Record)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if seq < s.first || seq >= s.first+uint64(s.n) {
		return false
	}
	r := s.recordLocked(int(seq-s.first), false)
	fn(&r)
	return true
}

// Window returns the sequence number of the oldest record and the count.
func (s *LogStore) Window() (first uint64, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.first, s.n
}

// Range calls fn for records with sequence numbers from seq on, oldest
// first, until fn returns false. Like With it holds the lock and lends the
// data: fn must be quick, must not keep r.Data and must not call the store.
func (s *LogStore) Range(seq uint64, fn func(seq uint64, r *Record) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if seq < s.first {
		seq = s.first
	}
	for q := seq; q < s.first+uint64(s.n); q++ {
		r := s.recordLocked(int(q-s.first), false)
		if !fn(q, &r) {
			return
		}
	}
}

// Snapshot copies every record held, data included.
func (s *LogStore) Snapshot() []Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Record, s.n)
	for i := range out {
		out[i] = s.recordLocked(i, true)
	}
	return out
}

// Clear removes every record. Counters and drop counts stay; reset them
// with ResetCounters.
func (s *LogStore) Clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.first += uint64(s.n)
	s.ring, s.start, s.n, s.bytes = nil, 0, 0, 0
	s.arena, s.head = nil, 0
	s.last = nil
	s.version++
}

// Counters returns the traffic totals since the last reset, including
// records dropped since.
func (s *LogStore) Counters() Counters {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counters
}

// ResetCounters zeroes the traffic totals and the drop counts.
func (s *LogStore) ResetCounters() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counters = Counters{}
	s.dropped, s.droppedBytes = 0, 0
	s.version++
}

// Usage reports records and bytes held (data plus per-record overhead).
func (s *LogStore) Usage() (records int, bytes int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n, s.bytes
}

// Dropped reports how many records (and data bytes) the caps removed.
func (s *LogStore) Dropped() (records, bytes uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dropped, s.droppedBytes
}

// Version changes whenever the store changes.
func (s *LogStore) Version() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.version
}
