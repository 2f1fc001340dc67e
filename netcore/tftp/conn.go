package tftp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"runtime"
	"sync/atomic"
	"time"

	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// errWait is returned by conn.recv when the deadline passes without a packet
// from the peer. It never leaves the package.
var errWait = errors.New("tftp: wait expired")

// errRepeat is returned by conn.recv during a server handshake when the
// client repeated its request on the server port: the client missed our
// first answer, so it should be sent again at once.
var errRepeat = errors.New("tftp: request repeated")

// conn is one transfer's UDP socket, shared by the client and the server and
// by both directions. It filters packets by transfer ID, keeps the retransmit
// timer and records the trace.
type conn struct {
	uc      udpSocket
	peer    netip.AddrPort
	locked  bool // the peer's port (its TID) is known
	rbuf    []byte
	wbuf    []byte
	rto     rtoEstimator
	retries int
	tr      *tracker

	armed     time.Time // read deadline set on the socket, zero when expired
	cancelled atomic.Bool
	cause     error // written before cancelled is set
	stop      func() bool

	// hello is true while a server transfer waits for the client's first
	// answer; repeated is set when the client repeats its request then.
	hello    atomic.Bool
	repeated atomic.Bool

	// batch sends a window with one sendmmsg(2) where the OS has it.
	batch    batchWriter
	msgs     []ipv4.Message
	peerAddr *net.UDPAddr
}

type batchWriter interface {
	WriteBatch(ms []ipv4.Message, flags int) (int, error)
}

type connConfig struct {
	retries                    int
	initialRTO, minRTO, maxRTO time.Duration
}

func newConn(ctx context.Context, uc udpSocket, peer netip.AddrPort, locked bool, rbufSize int, tr *tracker, cfg connConfig) *conn {
	c := &conn{uc: uc, peer: peer, locked: locked, rbuf: make([]byte, rbufSize), wbuf: make([]byte, 0, 512), tr: tr, retries: cfg.retries}
	if c.retries <= 0 {
		c.retries = DefaultRetries
	}
	c.rto.reset(cfg.initialRTO, cfg.minRTO, cfg.maxRTO)
	if u, ok := uc.(*net.UDPConn); ok && runtime.GOOS == "linux" {
		if peer.Addr().Is4() {
			c.batch = ipv4.NewPacketConn(u)
		} else {
			c.batch = ipv6.NewPacketConn(u)
		}
	}
	c.stop = context.AfterFunc(ctx, func() {
		c.cause = context.Cause(ctx)
		c.cancelled.Store(true)
		// Wake a blocked read; recv sees the flag and stops.
		if w, ok := uc.(interrupter); ok {
			w.interrupt()
		} else {
			_ = uc.SetReadDeadline(time.Unix(1, 0))
		}
	})
	return c
}

// release detaches the cancellation hook. The socket belongs to the caller.
func (c *conn) release() {
	c.stop()
	c.snapshot()
}

// snapshot copies the timer state into the transfer's stats.
func (c *conn) snapshot() {
	c.tr.stats.SRTT, c.tr.stats.RTO = c.rto.srtt, c.rto.timeout()
}

// repeat is called by the server loop, on another goroutine, when the
// client repeats its request. It wakes a blocked recv.
func (c *conn) repeat() {
	c.repeated.Store(true)
	_ = c.uc.SetReadDeadline(time.Unix(1, 0))
}

func (c *conn) cancelErr() error {
	cause := c.cause
	if errors.Is(cause, ErrServerClosed) {
		return fmt.Errorf("%w: %w", ErrCancelled, ErrServerClosed)
	}
	return fmt.Errorf("%w: %w", ErrCancelled, cause)
}

// lock fixes the peer's transfer ID: from now on packets from any other
// address are strangers.
func (c *conn) lock(from netip.AddrPort) {
	c.peer, c.locked = from, true
	c.tr.info.Peer = from
	c.peerAddr = nil
}

// sendBatch writes several datagrams to the peer, with one system call
// per batch where possible.
func (c *conn) sendBatch(pkts [][]byte) error {
	if c.batch == nil || len(pkts) < 2 {
		for _, p := range pkts {
			if err := c.send(p); err != nil {
				return err
			}
		}
		return nil
	}
	if c.peerAddr == nil {
		c.peerAddr = net.UDPAddrFromAddrPort(c.peer)
	}
	for len(c.msgs) < len(pkts) {
		c.msgs = append(c.msgs, ipv4.Message{Buffers: make([][]byte, 1)})
	}
	ms := c.msgs[:len(pkts)]
	for i, p := range pkts {
		ms[i].Buffers[0] = p
		ms[i].Addr = c.peerAddr
	}
	for len(ms) > 0 {
		n, err := c.batch.WriteBatch(ms, 0)
		if err != nil {
			// sendmmsg may be filtered (seccomp) or unsupported: go on
			// one datagram at a time.
			c.batch = nil
			rest := make([][]byte, len(ms))
			for i, m := range ms {
				rest[i] = m.Buffers[0]
			}
			return c.sendBatch(rest)
		}
		for _, m := range ms[:n] {
			c.tr.stats.PacketsSent++
			if c.tr.trace != nil {
				c.tr.record(Sent, m.Buffers[0], "")
			}
		}
		ms = ms[n:]
	}
	return nil
}

func (c *conn) arm(due time.Time) {
	_ = c.uc.SetReadDeadline(due)
	c.armed = due
}

// recv returns the next datagram from the peer, or errWait once due has
// passed. The socket deadline is moved only when it must fire earlier or has
// fired, so a busy transfer makes a deadline syscall about once per RTO rather
// than once per packet. The returned slice is valid until the next recv.
func (c *conn) recv(due time.Time) ([]byte, error) {
	for {
		if c.armed.IsZero() || c.armed.After(due) {
			c.arm(due)
			// Checked after arming: a wake-up that came in between was
			// overwritten by our deadline.
			if c.cancelled.Load() {
				return nil, c.cancelErr()
			}
			if c.repeated.Load() && c.hello.Load() {
				c.repeated.Store(false)
				return nil, errRepeat
			}
		}
		n, from, err := c.uc.ReadFromUDPAddrPort(c.rbuf)
		if err != nil {
			if c.cancelled.Load() {
				return nil, c.cancelErr()
			}
			if errors.Is(err, os.ErrDeadlineExceeded) {
				c.armed = time.Time{}
				if c.repeated.Swap(false) && c.hello.Load() {
					return nil, errRepeat
				}
				if time.Now().Before(due) {
					continue
				}
				return nil, errWait
			}
			return nil, fmt.Errorf("tftp: receive: %w", err)
		}
		from = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
		if pkt := c.accept(n, from); pkt != nil {
			return pkt, nil
		}
	}
}

// accept checks the source of a datagram: the peer's packets are counted,
// traced and returned; strangers get ERROR 5 and nil is returned.
func (c *conn) accept(n int, from netip.AddrPort) []byte {
	pkt := c.rbuf[:n]
	if from != c.peer && (c.locked || from.Addr() != c.peer.Addr()) {
		c.stranger(pkt, from)
		return nil
	}
	c.tr.stats.PacketsReceived++
	if c.tr.trace != nil {
		c.tr.record(Received, pkt, "")
	}
	if !c.locked {
		c.lock(from)
	}
	return pkt
}

// stranger answers a packet from an unknown transfer ID with ERROR 5 and
// otherwise ignores it (RFC 1350 §4).
func (c *conn) stranger(pkt []byte, from netip.AddrPort) {
	c.tr.stats.UnknownTID++
	if c.tr.trace != nil {
		c.tr.record(Received, pkt, "from "+from.String()+" (unknown transfer ID)")
	}
	if op, _, _ := opAndBlock(pkt); op == OpERROR {
		return // never answer an error with an error
	}
	c.wbuf = appendError(c.wbuf[:0], CodeUnknownTID, "unknown transfer ID")
	if _, err := c.uc.WriteToUDPAddrPort(c.wbuf, from); err == nil {
		c.tr.stats.PacketsSent++
		if c.tr.trace != nil {
			c.tr.record(Sent, c.wbuf, "to "+from.String()+": 5 unknown transfer ID")
		}
	}
}

// send writes one datagram to the peer.
func (c *conn) send(pkt []byte) error {
	if _, err := c.uc.WriteToUDPAddrPort(pkt, c.peer); err != nil {
		return fmt.Errorf("tftp: send: %w", err)
	}
	c.tr.stats.PacketsSent++
	if c.tr.trace != nil {
		c.tr.record(Sent, pkt, "")
	}
	return nil
}

// fail tells the peer why this side stops (unless the peer stopped first)
// and returns err.
func (c *conn) fail(err error) error {
	var re *RemoteError
	if errors.As(err, &re) || !c.locked {
		return err
	}
	code, msg := codeFor(err)
	c.wbuf = appendError(c.wbuf[:0], code, msg)
	_ = c.send(c.wbuf)
	return err
}

// timedOut counts one expired wait and reports whether the retries are spent.
func (c *conn) timedOut(timeouts int) error {
	return c.timedOutLimit(timeouts, c.retries)
}

func (c *conn) timedOutLimit(timeouts, retries int) error {
	c.tr.stats.Timeouts++
	if timeouts > retries {
		return fmt.Errorf("%w: no answer from %s after %d retries", ErrTimeout, c.peer, retries)
	}
	c.rto.backoff()
	return nil
}

// remoteError decodes an ERROR packet from the peer.
func remoteError(pkt []byte) error {
	p, err := ParsePacket(pkt)
	if err != nil {
		return &RemoteError{Code: CodeNotDefined, Message: "malformed ERROR packet"}
	}
	return &RemoteError{Code: p.Code, Message: p.Message}
}
