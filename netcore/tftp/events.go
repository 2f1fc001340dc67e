package tftp

import (
	"encoding/hex"
	"fmt"
	"hash"
	"net/netip"
	"time"
)

// Direction of a transfer, always from the client's point of view: in server
// events Download means a client reads a file from us (RRQ).
type Direction uint8

// Directions.
const (
	Download Direction = 1 // RRQ
	Upload   Direction = 2 // WRQ
)

func (d Direction) String() string {
	switch d {
	case Download:
		return "download"
	case Upload:
		return "upload"
	}
	return "?"
}

// EventKind says which fields of an Event are set.
type EventKind uint8

// Event kinds, in the order a transfer emits them.
const (
	EventStart      EventKind = iota + 1 // Transfer
	EventOptions                         // Options: what the transfer runs with
	EventProgress                        // Progress, at most every ProgressInterval plus a final one
	EventRetransmit                      // Progress: a timeout fired and packets were sent again
	EventPacket                          // Packet: one of the first TraceLimit packets (opt-in)
	EventDone                            // Result and Err (nil on success)
)

func (k EventKind) String() string {
	return [...]string{"?", "start", "options", "progress", "retransmit", "packet", "done"}[min(int(k), 6)]
}

// TransferInfo names a transfer.
type TransferInfo struct {
	ID        uint64         // unique per Client or Server
	Peer      netip.AddrPort // the other side; for a client, the server's transfer port once known
	File      string         // remote file name as requested
	Direction Direction
	Mode      Mode
	Size      int64 // bytes expected, -1 if unknown
}

// Progress of a running transfer. Bytes count payload on the wire, so with
// tsize they run up to Total.
type Progress struct {
	Bytes       int64
	Total       int64         // -1 when the size is unknown
	Rate        float64       // bytes per second over the last interval (average in the final event)
	ETA         time.Duration // -1 when unknown
	Elapsed     time.Duration
	Retransmits int
}

// Stats count what happened on the wire.
type Stats struct {
	PacketsSent     int
	PacketsReceived int
	Retransmits     int // DATA re-sent by a sender, ACKs repeated by a receiver after a timeout
	Timeouts        int
	Duplicates      int // DATA or ACK received again (ignored, never answered with data)
	OutOfOrder      int // DATA received after a gap (answered with one ACK of the last in-order block)
	UnknownTID      int // packets from another port, answered with ERROR 5
	SRTT            time.Duration
	RTO             time.Duration // retransmit timeout at the end
}

// TraceDir is the direction of a traced packet.
type TraceDir uint8

// Trace directions.
const (
	Sent     TraceDir = 1
	Received TraceDir = 2
)

func (d TraceDir) String() string {
	if d == Sent {
		return "→"
	}
	return "←"
}

// PacketRecord is one line of the packet trace.
type PacketRecord struct {
	At     time.Duration // since the transfer started
	Dir    TraceDir
	Op     Opcode
	Block  uint16 // DATA, ACK
	Size   int    // datagram bytes
	Detail string // file, mode and options of requests and OACKs; code and message of ERRORs; strangers
}

func (r PacketRecord) String() string {
	s := fmt.Sprintf("%9.3fms %s %-5s", float64(r.At)/float64(time.Millisecond), r.Dir, r.Op)
	if r.Op == OpDATA || r.Op == OpACK {
		s += fmt.Sprintf(" #%d", r.Block)
	}
	s += fmt.Sprintf(" %dB", r.Size)
	if r.Detail != "" {
		s += " " + r.Detail
	}
	return s
}

// Event is what OnEvent receives. Callbacks run on the transfer's goroutine
// and must return quickly: copy what you need and batch UI updates.
type Event struct {
	Kind     EventKind
	Transfer TransferInfo
	Progress Progress     // EventProgress, EventRetransmit, EventDone
	Options  Negotiated   // EventOptions, EventDone
	Packet   PacketRecord // EventPacket
	Result   *Result      // EventDone (also on failure: what happened so far)
	Err      error        // EventDone
}

// Result describes a finished (or failed) transfer.
type Result struct {
	Transfer TransferInfo
	Bytes    int64 // bytes of the local file written or read
	Duration time.Duration
	Rate     float64 // average, bytes per second
	// SHA256 of the local bytes (after netascii translation on download),
	// when Hashed: always for the client and for uploads to the server; for
	// files the server sends only with Server.HashDownloads.
	SHA256  [32]byte
	Hashed  bool
	Options Negotiated
	Stats   Stats
	// Trace holds the first and last TraceLimit packets; TraceOmitted counts
	// the packets between them that were not kept.
	Trace        []PacketRecord
	TraceOmitted int
}

// SHA256Hex is the digest as lowercase hex, or "" when not computed.
func (r *Result) SHA256Hex() string {
	if !r.Hashed {
		return ""
	}
	return hex.EncodeToString(r.SHA256[:])
}

// DefaultProgressInterval is how often progress events are emitted at most.
const DefaultProgressInterval = 100 * time.Millisecond

// tracker keeps the counters, progress throttle and packet trace of one
// transfer and emits its events.
type tracker struct {
	info     TransferInfo
	on       func(Event)
	start    time.Time
	interval time.Duration
	nextEmit time.Time
	lastT    time.Time
	lastB    int64
	rate     float64
	bytes    int64 // payload bytes on the wire
	opts     Negotiated
	stats    Stats
	trace    *traceRing
}

func newTracker(info TransferInfo, on func(Event), interval time.Duration, traceLimit int) *tracker {
	if interval <= 0 {
		interval = DefaultProgressInterval
	}
	now := time.Now()
	t := &tracker{info: info, on: on, start: now, interval: interval, lastT: now, nextEmit: now.Add(interval)}
	if traceLimit > 0 {
		t.trace = &traceRing{limit: traceLimit}
	}
	return t
}

func (t *tracker) emit(e Event) {
	if t.on != nil {
		e.Transfer = t.info
		t.on(e)
	}
}

// add counts payload bytes and emits progress when the interval has passed.
func (t *tracker) add(n int, now time.Time) {
	t.bytes += int64(n)
	if t.on != nil && !now.Before(t.nextEmit) {
		t.emitProgress(EventProgress, now)
	}
}

func (t *tracker) snapshot(now time.Time) Progress {
	p := Progress{Bytes: t.bytes, Total: t.info.Size, ETA: -1, Elapsed: now.Sub(t.start), Retransmits: t.stats.Retransmits}
	if dt := now.Sub(t.lastT); dt > 0 {
		inst := float64(t.bytes-t.lastB) / dt.Seconds()
		if t.rate == 0 {
			t.rate = inst
		} else {
			t.rate = 0.6*inst + 0.4*t.rate
		}
		t.lastT, t.lastB = now, t.bytes
	}
	p.Rate = t.rate
	if p.Total >= 0 && p.Rate > 0 {
		p.ETA = time.Duration(float64(max(p.Total-p.Bytes, 0)) / p.Rate * float64(time.Second))
	}
	return p
}

func (t *tracker) emitProgress(kind EventKind, now time.Time) {
	t.nextEmit = now.Add(t.interval)
	t.emit(Event{Kind: kind, Progress: t.snapshot(now)})
}

func (t *tracker) setOptions(n Negotiated) {
	t.opts = n
	// In netascii the bytes on the wire differ from the file's size, which
	// is what tsize gives, so the total stays unknown rather than wrong.
	if n.TSize >= 0 && t.info.Size < 0 && t.info.Mode != ModeNetASCII {
		t.info.Size = n.TSize
	}
	t.emit(Event{Kind: EventOptions, Options: n})
}

// record adds a packet to the trace. Only called when tracing is on.
func (t *tracker) record(dir TraceDir, b []byte, detail string) {
	op, block, _ := opAndBlock(b)
	rec := PacketRecord{At: time.Since(t.start), Dir: dir, Op: op, Block: block, Size: len(b), Detail: detail}
	if rec.Detail == "" && op != OpDATA && op != OpACK {
		rec.Detail = describe(b)
	}
	if t.trace.add(rec) {
		t.emit(Event{Kind: EventPacket, Packet: rec})
	}
}

// describe renders the interesting part of a control packet.
func describe(b []byte) string {
	p, err := ParsePacket(b)
	if err != nil {
		return "malformed: " + err.Error()
	}
	switch p.Op {
	case OpRRQ, OpWRQ:
		s := fmt.Sprintf("%q %s", p.Filename, p.Mode)
		if len(p.Options) > 0 {
			s += " " + formatOptions(p.Options)
		}
		return s
	case OpOACK:
		return formatOptions(p.Options)
	case OpERROR:
		return fmt.Sprintf("%d %s: %q", p.Code, p.Code, p.Message)
	}
	return ""
}

// finish builds the Result and emits the final progress and done events.
// h, if not nil, is the hash of the local bytes.
func (t *tracker) finish(local int64, h hash.Hash, err error) *Result {
	now := time.Now()
	d := now.Sub(t.start)
	r := &Result{Transfer: t.info, Bytes: local, Duration: d, Options: t.opts, Stats: t.stats}
	if h != nil {
		h.Sum(r.SHA256[:0])
		r.Hashed = true
	}
	if d > 0 {
		r.Rate = float64(local) / d.Seconds()
	}
	if t.trace != nil {
		r.Trace, r.TraceOmitted = t.trace.records()
	}
	if t.on != nil {
		p := t.snapshot(now)
		p.Rate = r.Rate
		if err == nil {
			p.ETA = 0
		}
		t.emit(Event{Kind: EventProgress, Progress: p})
		t.emit(Event{Kind: EventDone, Progress: p, Options: t.opts, Result: r, Err: err})
	}
	return r
}

// traceRing keeps the first limit packets and a ring of the last limit.
type traceRing struct {
	limit   int
	head    []PacketRecord
	tail    []PacketRecord
	next    int // write index in tail once it is full
	omitted int
}

// add stores rec and reports whether it is one of the first packets, which
// are also emitted live.
func (r *traceRing) add(rec PacketRecord) bool {
	if len(r.head) < r.limit {
		r.head = append(r.head, rec)
		return true
	}
	if len(r.tail) < r.limit {
		r.tail = append(r.tail, rec)
		return false
	}
	r.tail[r.next] = rec
	r.next = (r.next + 1) % r.limit
	r.omitted++
	return false
}

func (r *traceRing) records() ([]PacketRecord, int) {
	out := make([]PacketRecord, 0, len(r.head)+len(r.tail))
	out = append(out, r.head...)
	out = append(out, r.tail[r.next:]...)
	out = append(out, r.tail[:r.next]...)
	return out, r.omitted
}
