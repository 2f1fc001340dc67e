package session

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/netdebug/netdebug/netcore/framing"
)

// MaxUDPPayload is the largest datagram payload over IPv4 (65535 minus the
// IP and UDP headers); IPv6 allows MaxUDP6Payload.
const (
	MaxUDPPayload  = 65507
	MaxUDP6Payload = 65527
)

// UDPConfig says where to bind and whom to talk to.
type UDPConfig struct {
	// Bind is the local "address:port"; port 0 lets the system pick and
	// an empty address binds every interface.
	Bind string
	// Remote is the default target for Send ("host:port", optional).
	Remote string
	// Framing splits each sender's bytes into messages (default: one per
	// datagram).
	Framing framing.Config
	// ReadBuffer sets SO_RCVBUF (default 4 MiB) so bursts are not lost
	// in the kernel while the app counts them.
	ReadBuffer int
}

// Sender is someone who sent us datagrams.
type Sender struct {
	Addr     string
	First    time.Time
	Last     time.Time
	Packets  uint64
	Bytes    uint64
	addrPort netip.AddrPort
}

// maxSenders bounds the sender list; the least recently heard go first.
const maxSenders = 256

// UDPSession is a bound UDP socket that receives from anyone and sends to a
// target, a chosen sender, a broadcast address or a multicast group.
type UDPSession struct {
	cfg      UDPConfig
	handler  Handler
	counters counters
	conn     *net.UDPConn
	remote   atomic.Pointer[net.UDPAddr]
	framing  atomic.Pointer[framing.Config]
	capture  atomic.Pointer[Capture]

	mu      sync.Mutex
	senders map[netip.AddrPort]*Sender
	framers map[netip.AddrPort]*senderFramer
	// idleDue is when the first idle-gap frame ends (zero: none pending).
	idleDue time.Time
	last    netip.AddrPort
	groups  map[string]*membership

	done chan struct{}
	once sync.Once
}

// OpenUDP binds the socket and starts receiving.
func OpenUDP(cfg UDPConfig, h Handler) (*UDPSession, error) {
	host, port, err := SplitTarget(cfg.Bind, 0, true)
	if err != nil {
		return nil, fmt.Errorf("bind: %w", err)
	}
	bind := net.JoinHostPort(host, fmt.Sprint(port))
	if err := cfg.Framing.Validate(); err != nil {
		return nil, err
	}
	if h == nil {
		h = func(Event) {}
	}
	s := &UDPSession{cfg: cfg, handler: h, senders: map[netip.AddrPort]*Sender{}, framers: map[netip.AddrPort]*senderFramer{},
		groups: map[string]*membership{}, done: make(chan struct{})}
	fc := cfg.Framing
	s.framing.Store(&fc)
	if cfg.Remote != "" {
		if err := s.SetRemote(cfg.Remote); err != nil {
			return nil, err
		}
	}
	network := "udp"
	if ip := net.ParseIP(host); ip != nil && ip.To4() != nil {
		network = "udp4"
	}
	lc := net.ListenConfig{Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		// Broadcast needs SO_BROADCAST; it is harmless otherwise.
		_ = rc.Control(func(fd uintptr) { serr = setBroadcast(fd) })
		return serr
	}}
	pc, err := lc.ListenPacket(context.Background(), network, bind)
	if err != nil {
		return nil, Explain(err, bind)
	}
	s.conn = pc.(*net.UDPConn)
	rb := cfg.ReadBuffer
	if rb <= 0 {
		rb = 4 << 20
	}
	growReadBuffer(s.conn, rb)
	_ = s.conn.SetWriteBuffer(1 << 20)
	h(Event{Kind: Listening, Time: time.Now(), Msg: s.conn.LocalAddr().String()})
	go s.readLoop()
	return s, nil
}

// LocalAddr is the bound address.
func (s *UDPSession) LocalAddr() string { return s.conn.LocalAddr().String() }

// Stats returns the traffic counters.
func (s *UDPSession) Stats() Stats { return s.counters.snapshot() }

// ResetStats zeroes the counters.
func (s *UDPSession) ResetStats() { s.counters.reset() }

// SetRemote sets the default target ("host:port"); the name is resolved now.
func (s *UDPSession) SetRemote(target string) error {
	addr, err := resolveUDP(target)
	if err != nil {
		return err
	}
	s.remote.Store(addr)
	return nil
}

// Remote is the default target, or "".
func (s *UDPSession) Remote() string {
	if r := s.remote.Load(); r != nil {
		return r.String()
	}
	return ""
}

func resolveUDP(target string) (*net.UDPAddr, error) {
	host, port, err := SplitTarget(target, 0, false)
	if err != nil {
		return nil, err
	}
	addr := net.JoinHostPort(host, fmt.Sprint(port))
	ua, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		return nil, Explain(err, addr)
	}
	return ua, nil
}

// SetFraming changes how each sender's bytes are split, for new data.
func (s *UDPSession) SetFraming(f framing.Config) error {
	if err := f.Validate(); err != nil {
		return err
	}
	s.framing.Store(&f)
	return nil
}

// SetCapture streams every received byte to cap (nil stops).
func (s *UDPSession) SetCapture(cap *Capture) { s.capture.Store(cap) }

// udpFrame is one message for the handler.
type udpFrame struct {
	peer string
	data []byte
}

// senderFramer frames one sender's datagrams.
type senderFramer struct {
	f    *framing.Framer
	peer string
	// due is when an idle-gap frame in f ends (last datagram + gap).
	due time.Time
}

func (s *UDPSession) readLoop() {
	defer close(s.done)
	buf := make([]byte, 65536)
	var fc *framing.Config
	var out []udpFrame
	var due, deadline time.Time // first idle-gap frame due; the read deadline set
	for {
		// Idle-gap framing: wake when the first pending frame is due.
		if !due.Equal(deadline) {
			_ = s.conn.SetReadDeadline(due)
			deadline = due
		}
		n, from, err := s.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				s.flushAll()
				return
			}
			if errors.Is(err, os.ErrDeadlineExceeded) {
				out, due = s.expire(time.Now(), out[:0])
				s.emit(out)
				clear(out)
				continue
			}
			// ICMP errors from an earlier send (port unreachable) arrive
			// here on some systems; report and keep receiving.
			s.handler(Event{Kind: Error, Time: time.Now(), Err: Explain(err, s.Remote())})
			continue
		}
		from = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
		s.counters.rx(n)
		if c := s.capture.Load(); c != nil {
			if werr := c.Write(buf[:n]); werr != nil {
				s.capture.CompareAndSwap(c, nil)
				s.handler(Event{Kind: Error, Time: time.Now(), Err: werr})
			}
		}
		out, due = s.note(from, buf[:n], &fc, out[:0])
		s.emit(out)
		clear(out) // drop references to the frames
	}
}

func (s *UDPSession) emit(frames []udpFrame) {
	for _, f := range frames {
		s.counters.rxFrames.Add(1)
		s.handler(Event{Kind: Received, Time: time.Now(), Peer: f.peer, Data: f.data})
	}
}

// note records the sender and frames the datagram, appending to out the
// frames to report, oldest first: bytes other framers held when the
// framing changed, an evicted sender's, idle-gap frames now due, then the
// datagram's own. It returns when the first idle-gap frame is due.
func (s *UDPSession) note(from netip.AddrPort, data []byte, fc **framing.Config, out []udpFrame) ([]udpFrame, time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	cur := s.framing.Load()
	if cur != *fc {
		// Framing changed: report what each sender's framer holds, as
		// the TCP reader does, then start every sender afresh.
		*fc = cur
		out = s.flushLocked(out)
		clear(s.framers)
		s.idleDue = time.Time{}
	}
	// A frame whose gap has passed ends before this datagram: during a
	// flood the read never times out, so the check is made here too.
	out = s.expireLocked(now, out)
	snd := s.senders[from]
	if snd == nil {
		if len(s.senders) >= maxSenders {
			out = s.evictOldestLocked(out)
		}
		snd = &Sender{Addr: from.String(), First: now, addrPort: from}
		s.senders[from] = snd
	}
	snd.Last = now
	snd.Packets++
	snd.Bytes += uint64(len(data))
	s.last = from
	if cur.Mode == "" || cur.Mode == framing.Raw {
		// Lent to the handler, like TCP reads: valid until the next read.
		return append(out, udpFrame{snd.Addr, data}), s.idleDue
	}
	sf := s.framers[from]
	if sf == nil {
		f, _ := framing.New(*cur)
		sf = &senderFramer{f: f, peer: snd.Addr}
		s.framers[from] = sf
	}
	for _, f := range sf.f.Push(data) {
		out = append(out, udpFrame{snd.Addr, f})
	}
	if gap := sf.f.IdleGap(); gap > 0 && sf.f.Pending() > 0 {
		// Datagrams from one sender that follow each other within the
		// gap are one message (a device that sends a reply in bursts);
		// it ends when the sender has been quiet for the gap.
		sf.due = now.Add(gap)
		if s.idleDue.IsZero() || sf.due.Before(s.idleDue) {
			s.idleDue = sf.due
		}
	}
	return out, s.idleDue
}

// expire reports the idle-gap frames due by now, and when the next is due.
func (s *UDPSession) expire(now time.Time, out []udpFrame) ([]udpFrame, time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.expireLocked(now, out), s.idleDue
}

// expireLocked ends the idle-gap frames due by now and sets idleDue to the
// next one. idleDue may be early (a sender's due only moves later), never
// late.
func (s *UDPSession) expireLocked(now time.Time, out []udpFrame) []udpFrame {
	if s.idleDue.IsZero() || now.Before(s.idleDue) {
		return out
	}
	var next time.Time
	var ended []*senderFramer
	for _, sf := range s.framers {
		if sf.f.Pending() == 0 || sf.f.IdleGap() == 0 {
			continue
		}
		if !now.Before(sf.due) {
			ended = append(ended, sf)
			continue
		}
		if next.IsZero() || sf.due.Before(next) {
			next = sf.due
		}
	}
	sort.Slice(ended, func(i, j int) bool { return ended[i].due.Before(ended[j].due) })
	for _, sf := range ended {
		out = append(out, udpFrame{sf.peer, sf.f.Flush()})
	}
	s.idleDue = next
	return out
}

// evictOldestLocked forgets the least recently heard sender, reporting
// what its framer held first.
func (s *UDPSession) evictOldestLocked(out []udpFrame) []udpFrame {
	var oldest *Sender
	for _, snd := range s.senders {
		if oldest == nil || snd.Last.Before(oldest.Last) {
			oldest = snd
		}
	}
	if oldest != nil {
		if sf := s.framers[oldest.addrPort]; sf != nil {
			if b := sf.f.Flush(); b != nil {
				out = append(out, udpFrame{sf.peer, b})
			}
		}
		delete(s.senders, oldest.addrPort)
		delete(s.framers, oldest.addrPort)
	}
	return out
}

// flushLocked appends every sender's pending bytes, the least recently
// heard first.
func (s *UDPSession) flushLocked(out []udpFrame) []udpFrame {
	start := len(out)
	last := map[string]time.Time{}
	for ap, sf := range s.framers {
		if b := sf.f.Flush(); b != nil {
			out = append(out, udpFrame{sf.peer, b})
			if snd := s.senders[ap]; snd != nil {
				last[sf.peer] = snd.Last
			}
		}
	}
	rest := out[start:]
	sort.SliceStable(rest, func(i, j int) bool { return last[rest[i].peer].Before(last[rest[j].peer]) })
	return out
}

func (s *UDPSession) flushAll() {
	s.mu.Lock()
	out := s.flushLocked(nil)
	s.idleDue = time.Time{}
	s.mu.Unlock()
	s.emit(out)
}

// Senders lists who sent us datagrams, most recent first.
func (s *UDPSession) Senders() []Sender {
	s.mu.Lock()
	out := make([]Sender, 0, len(s.senders))
	for _, snd := range s.senders {
		out = append(out, *snd)
	}
	s.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Last.After(out[j].Last) })
	return out
}

// LastSender is the address of the most recent sender, or "".
func (s *UDPSession) LastSender() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.last.IsValid() {
		return ""
	}
	return s.last.String()
}

// Send sends b to the default target.
func (s *UDPSession) Send(b []byte) error {
	r := s.remote.Load()
	if r == nil {
		return fmt.Errorf("%w: set a remote host and port first", ErrInvalidAddress)
	}
	return s.sendTo(r, b)
}

// SendTo sends b to target ("host:port").
func (s *UDPSession) SendTo(target string, b []byte) error {
	addr, err := resolveUDP(target)
	if err != nil {
		return err
	}
	return s.sendTo(addr, b)
}

func (s *UDPSession) sendTo(addr *net.UDPAddr, b []byte) error {
	limit := MaxUDPPayload
	if addr.IP.To4() == nil {
		limit = MaxUDP6Payload
	}
	if len(b) > limit {
		return fmt.Errorf("%w: %d bytes, but one UDP datagram holds at most %d; split it or use TCP", ErrTooLarge, len(b), limit)
	}
	n, err := s.conn.WriteToUDP(b, addr)
	if err != nil {
		return Explain(err, addr.String())
	}
	s.counters.tx(n)
	s.handler(Event{Kind: Sent, Time: time.Now(), Peer: addr.String(), Data: b})
	return nil
}

// SendFile sends r to target as datagrams of size bytes (default 1024),
// pacing them by gap so a slow device can keep up.
func (s *UDPSession) SendFile(ctx context.Context, target, name string, r io.Reader, total int64, size int, gap time.Duration, progress Progress) (int64, error) {
	addr, err := resolveUDP(target)
	if err != nil {
		return 0, err
	}
	if size <= 0 {
		size = 1024
	}
	if size > MaxUDPPayload {
		return 0, fmt.Errorf("%w: datagram size %d is over %d", ErrTooLarge, size, MaxUDPPayload)
	}
	s.handler(Event{Kind: Info, Time: time.Now(), Peer: addr.String(), Msg: fmt.Sprintf("sending file %s (%s) in %d-byte datagrams", name, sizeText(total), size)})
	n, err := SendStream(ctx, r, total, size, gap, func(b []byte) error {
		n, err := s.conn.WriteToUDP(b, addr)
		if err != nil {
			return Explain(err, addr.String())
		}
		s.counters.tx(n)
		return nil
	}, progress)
	msg := fmt.Sprintf("sent file %s: %d bytes", name, n)
	kind := Info
	if err != nil {
		msg = fmt.Sprintf("file %s stopped after %d bytes: %v", name, n, err)
		if !errors.Is(err, context.Canceled) {
			kind = Error
		}
	}
	s.handler(Event{Kind: kind, Time: time.Now(), Peer: addr.String(), Msg: msg, Err: errIf(kind == Error, err)})
	return n, err
}

func errIf(cond bool, err error) error {
	if cond {
		return err
	}
	return nil
}

// Close stops receiving, leaves any groups and releases the socket.
func (s *UDPSession) Close() error {
	var err error
	s.once.Do(func() {
		s.mu.Lock()
		for g, m := range s.groups {
			m.leave()
			delete(s.groups, g)
		}
		s.mu.Unlock()
		err = s.conn.Close()
		<-s.done
		s.handler(Event{Kind: Stopped, Time: time.Now(), Msg: s.conn.LocalAddr().String()})
	})
	return err
}
