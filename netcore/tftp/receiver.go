package tftp

import (
	"fmt"
	"io"
	"time"
)

// receiver runs the data-receiving half of a transfer: a client download or
// a server WRQ. It ACKs every window of in-order blocks, ACKs the last
// in-order block at once when it sees a gap or a retransmitted pass (fast
// recovery, RFC 7440 §4), and repeats its last ACK when the sender goes quiet.
type receiver struct {
	c       *conn
	blksize int
	window  int
	out     io.Writer // sink, or a netascii decoder in front of it
	dec     *netasciiDecoder
	sink    *sink

	// last acknowledges everything received so far: ACK n, or the server's
	// OACK before block 1 of a WRQ arrives.
	last   []byte
	ackbuf [4]byte
	next   uint64 // absolute number of the expected block; wire numbers wrap
	count  int    // in-order blocks since the last ACK
	// ooo is the offset of the last out-of-order block seen since progress,
	// valid when oooSet; a block at or below it starts a new pass.
	ooo    int16
	oooSet bool

	ackAt    time.Time
	sampleOK bool

	// beforeFinalAck runs once the last block is written and flushed; an
	// error is sent to the peer instead of the final ACK.
	beforeFinalAck func() error
	// helloWait, if set, is the least time to wait for block 1 before
	// repeating last (a server's OACK to a WRQ; see serverHelloWait).
	helloWait time.Duration
}

// wait is how long to wait for the sender before repeating ourselves.
func (r *receiver) wait() time.Duration {
	if r.next == 1 && r.helloWait > 0 {
		return max(r.c.rto.timeout(), r.helloWait)
	}
	return r.c.rto.timeout()
}

func (r *receiver) ack(block uint16, now time.Time) error {
	r.last = putACK(r.ackbuf[:], block)
	r.count = 0
	r.ackAt, r.sampleOK = now, true
	return r.c.send(r.last)
}

// run receives until the last block. first, if not nil, is DATA 1 already
// received during the handshake.
func (r *receiver) run(first []byte) error {
	c := r.c
	r.next = 1
	now := time.Now()
	due := now.Add(r.wait())
	timeouts := 0
	pkt := first
	for {
		if pkt == nil {
			var err error
			pkt, err = c.recv(due)
			if err == errRepeat {
				// The client repeated its WRQ: our OACK or ACK 0 was lost.
				if err := c.send(r.last); err != nil {
					return err
				}
				continue
			}
			if err == errWait {
				timeouts++
				limit := c.retries
				if r.next == 1 && r.helloWait > 0 {
					limit = min(limit, helloRetries)
				}
				if err := c.timedOutLimit(timeouts, limit); err != nil {
					return c.fail(err)
				}
				c.tr.stats.Retransmits++
				now = time.Now()
				c.tr.emitProgress(EventRetransmit, now)
				r.count, r.oooSet, r.sampleOK = 0, false, false
				if err := c.send(r.last); err != nil {
					return err
				}
				due = now.Add(r.wait())
				continue
			}
			if err != nil {
				return c.fail(err)
			}
		}
		now = time.Now()
		op, block, ok := opAndBlock(pkt)
		switch {
		case op == OpDATA && ok:
			payload := pkt[headerLen:]
			if len(payload) > r.blksize {
				return c.fail(fmt.Errorf("%w: DATA %d carries %d bytes, blksize is %d", ErrProtocol, block, len(payload), r.blksize))
			}
			d := int16(block - uint16(r.next))
			if d != 0 {
				r.outOfOrder(d, now)
				break
			}
			if r.sampleOK {
				c.rto.sample(now.Sub(r.ackAt))
				r.sampleOK = false
			}
			r.next++
			r.count++
			r.oooSet = false
			c.hello.Store(false)
			if timeouts > 0 {
				c.rto.progress()
				timeouts = 0
			}
			final := len(payload) < r.blksize
			if _, err := r.out.Write(payload); err != nil {
				return c.fail(writeError(err))
			}
			// At the end of a window: ACK first, then hash and store
			// while the sender works on the next window.
			if !final && r.count >= r.window {
				if err := r.ack(block, now); err != nil {
					return err
				}
				if err := r.sink.drain(); err != nil {
					return c.fail(writeError(err))
				}
			}
			c.tr.add(len(payload), now)
			due = now.Add(c.rto.timeout())
			if final {
				return r.finish(block)
			}
		case op == OpOACK && r.next == 1:
			// Our ACK 0 was lost and the server repeats its OACK.
			c.tr.stats.Duplicates++
			if err := c.send(r.last); err != nil {
				return err
			}
		case op == OpERROR:
			return remoteError(pkt)
		}
		pkt = nil
	}
}

// outOfOrder handles a block that is not the next one: d > 0 is a gap, d < 0
// a block we already have. Either way the sender needs to hear where we are,
// but only once per pass over the window, so that a gap or a repeated window
// costs one ACK and never sets off a cascade of retransmissions.
func (r *receiver) outOfOrder(d int16, now time.Time) {
	if d > 0 {
		r.c.tr.stats.OutOfOrder++
	} else {
		r.c.tr.stats.Duplicates++
	}
	newPass := !r.oooSet || d <= r.ooo
	r.ooo, r.oooSet = d, true
	if newPass {
		if r.next == 1 {
			_ = r.c.send(r.last) // the ACK 0 or OACK
			return
		}
		_ = r.ack(uint16(r.next-1), now)
	}
}

// finish flushes the data, runs the completion hook and sends the final ACK.
func (r *receiver) finish(block uint16) error {
	c := r.c
	if r.dec != nil {
		if err := r.dec.Flush(); err != nil {
			return c.fail(writeError(err))
		}
	}
	if err := r.sink.Close(); err != nil {
		return c.fail(writeError(err))
	}
	if r.beforeFinalAck != nil {
		if err := r.beforeFinalAck(); err != nil {
			return c.fail(err)
		}
	}
	return r.ack(block, time.Now())
}

// linger keeps answering a repeated last block with the final ACK for d, in
// case that ACK was lost. Callers run it after reporting the transfer done.
func (r *receiver) linger(d time.Duration) {
	if d <= 0 || r.last == nil {
		return
	}
	final := uint16(r.next - 1)
	end := time.Now().Add(d)
	for {
		pkt, err := r.c.recv(end)
		if err != nil {
			return // quiet, cancelled or closed: the transfer is complete either way
		}
		if op, b, ok := opAndBlock(pkt); op == OpDATA && ok && b == final {
			r.c.tr.stats.Duplicates++
			_ = r.c.send(r.last)
		}
	}
}

func writeError(err error) error {
	return &localError{code: CodeDiskFull, msg: "write error: disk full?", err: fmt.Errorf("tftp: writing local data: %w", err)}
}
