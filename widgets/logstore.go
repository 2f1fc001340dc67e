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
}

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

// LogStore is a bounded ring of records, safe for concurrent use: sessions
// append from their goroutines, the view reads on the UI goroutine.
type LogStore struct {
	mu       sync.Mutex
	ring     []Record
	start, n int
	bytes    int64
	limits   LogLimits
	// first is the sequence number of the oldest record held; sequence
	// numbers never repeat, so views can tell new records from old.
	first        uint64
	dropped      uint64
	droppedBytes uint64
	counters     Counters
	version      uint64
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
	if s.n > 0 && l.MaxRecords != s.limits.MaxRecords {
		// Re-pack into a ring of the new size.
		old := make([]Record, s.n)
		for i := range old {
			old[i] = s.ring[(s.start+i)%len(s.ring)]
		}
		s.ring, s.start, s.n, s.bytes = nil, 0, 0, 0
		s.limits = l
		for _, r := range old {
			s.placeLocked(r)
		}
	}
	s.limits = l
	s.trimLocked()
	s.version++
}

// Limits returns the caps in force.
func (s *LogStore) Limits() LogLimits {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.limits
}

// Append adds a record, counting RX and TX traffic.
func (s *LogStore) Append(r Record) {
	s.mu.Lock()
	s.appendLocked(r)
	s.version++
	s.mu.Unlock()
}

func (s *LogStore) appendLocked(r Record) {
	switch r.Dir {
	case RX:
		s.counters.RxBytes += uint64(len(r.Data))
		s.counters.RxPackets++
	case TX:
		s.counters.TxBytes += uint64(len(r.Data))
		s.counters.TxPackets++
	}
	s.placeLocked(r)
}

// placeLocked stores r at the end of the ring, dropping old records to stay
// under the caps.
func (s *LogStore) placeLocked(r Record) {
	if s.n == len(s.ring) {
		if s.n >= s.limits.MaxRecords {
			s.dropOldestLocked()
		} else {
			s.growLocked()
		}
	}
	s.ring[(s.start+s.n)%len(s.ring)] = r
	s.n++
	s.bytes += int64(len(r.Data)) + recordOverhead
	s.trimLocked()
}

func (s *LogStore) growLocked() {
	size := min(max(1024, len(s.ring)*2), s.limits.MaxRecords)
	ring := make([]Record, size)
	for i := 0; i < s.n; i++ {
		ring[i] = s.ring[(s.start+i)%len(s.ring)]
	}
	s.ring, s.start = ring, 0
}

func (s *LogStore) trimLocked() {
	for s.n > 0 && (s.bytes > s.limits.MaxBytes || s.n > s.limits.MaxRecords) {
		s.dropOldestLocked()
	}
}

func (s *LogStore) dropOldestLocked() {
	r := &s.ring[s.start]
	s.bytes -= int64(len(r.Data)) + recordOverhead
	s.dropped++
	s.droppedBytes += uint64(len(r.Data))
	*r = Record{}
	s.start = (s.start + 1) % len(s.ring)
	s.n--
	s.first++
}

// Len is the number of records held.
func (s *LogStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// At returns the i-th record held, oldest first. ok is false when i is out
// of range (the record may have just been dropped).
func (s *LogStore) At(i int) (Record, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i < 0 || i >= s.n {
		return Record{}, false
	}
	return s.ring[(s.start+i)%len(s.ring)], true
}

// BySeq returns the record with sequence number seq, if still held.
func (s *LogStore) BySeq(seq uint64) (Record, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if seq < s.first || seq >= s.first+uint64(s.n) {
		return Record{}, false
	}
	return s.ring[(s.start+int(seq-s.first))%len(s.ring)], true
}

// Window returns the sequence number of the oldest record and the count.
func (s *LogStore) Window() (first uint64, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.first, s.n
}

// Range calls fn for records with sequence numbers from seq on, oldest
// first, until fn returns false. It holds the store's lock: fn must be quick
// and must not call the store.
func (s *LogStore) Range(seq uint64, fn func(seq uint64, r *Record) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if seq < s.first {
		seq = s.first
	}
	for q := seq; q < s.first+uint64(s.n); q++ {
		if !fn(q, &s.ring[(s.start+int(q-s.first))%len(s.ring)]) {
			return
		}
	}
}

// Snapshot copies the records held (the data slices are shared; records are
// never modified once appended).
func (s *LogStore) Snapshot() []Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Record, s.n)
	for i := range out {
		out[i] = s.ring[(s.start+i)%len(s.ring)]
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

// Usage reports records and bytes held.
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
