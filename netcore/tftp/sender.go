package tftp

import (
	"bufio"
	"fmt"
	"hash"
	"io"
	"time"
)

// source is the local end of an upload: it hashes (when h is set) and
// counts what is read.
type source struct {
	br *bufio.Reader
	h  hash.Hash
	n  int64
}

func (s *source) Read(p []byte) (int, error) {
	n, err := s.br.Read(p)
	if s.h != nil {
		s.h.Write(p[:n])
	}
	s.n += int64(n)
	return n, err
}

// sender runs the data-sending half of a transfer: a client upload or a
// server RRQ. It sends a window of blocks, then waits for an ACK. An ACK
// that moves forward restarts the window right after the acknowledged block
// (which retransmits whatever the receiver is missing); a duplicate ACK is
// ignored, so data is only ever re-sent after a timeout or a new ACK.
type sender struct {
	c       *conn
	blksize int
	window  int
	src     io.Reader

	// slots is a ring of two windows: slot k%len(slots) holds block k with
	// its 4-byte header. The second window is read (and hashed) ahead while
	// the receiver works through the first, so an ACK is answered at once.
	slots  [][]byte
	lens   []int
	base   uint64 // oldest unacknowledged block (absolute; the wire number wraps)
	loaded uint64 // highest block read from src
	sent   uint64 // highest block sent at least once
	eof    uint64 // the final (short) block, 0 until read
	batch  [][]byte
}

func newSender(c *conn, blksize, window int, src io.Reader) *sender {
	s := &sender{c: c, blksize: blksize, window: window, src: src}
	n := 2 * window
	buf := make([]byte, n*(headerLen+blksize))
	s.slots = make([][]byte, n)
	for i := range s.slots {
		s.slots[i] = buf[i*(headerLen+blksize) : (i+1)*(headerLen+blksize)]
	}
	s.lens = make([]int, n)
	return s
}

func (s *sender) slot(k uint64) int { return int(k % uint64(len(s.slots))) }

// fill reads blocks up to block end (or the final block) and returns the
// last block of the current window.
func (s *sender) fill(end uint64) (uint64, error) {
	for s.eof == 0 && s.loaded < end {
		k := s.loaded + 1
		i := s.slot(k)
		n, err := io.ReadFull(s.src, s.slots[i][headerLen:])
		switch {
		case err == io.EOF || err == io.ErrUnexpectedEOF:
			s.eof = k
		case err != nil:
			return 0, &localError{code: CodeNotDefined, msg: "read error", err: fmt.Errorf("tftp: reading local data: %w", err)}
		}
		putDataHeader(s.slots[i], uint16(k))
		s.lens[i] = n
		s.loaded = k
	}
	hi := s.base + uint64(s.window) - 1
	if s.eof != 0 && s.eof < hi {
		hi = s.eof
	}
	return hi, nil
}

func (s *sender) sendRange(from, to uint64) error {
	s.batch = s.batch[:0]
	for k := from; k <= to; k++ {
		i := s.slot(k)
		if k <= s.sent {
			s.c.tr.stats.Retransmits++
		}
		s.batch = append(s.batch, s.slots[i][:headerLen+s.lens[i]])
	}
	if err := s.c.sendBatch(s.batch); err != nil {
		return err
	}
	s.sent = max(s.sent, to)
	return nil
}

// run sends from block 1 until the final block is acknowledged.
func (s *sender) run() error {
	c := s.c
	s.base = 1
	timeouts := 0
	for {
		hi, err := s.fill(s.base + uint64(s.window) - 1)
		if err != nil {
			return c.fail(err)
		}
		fresh := s.base > s.sent // Karn: only time windows never sent before
		if err := s.sendRange(s.base, hi); err != nil {
			return c.fail(err)
		}
		sentAt := time.Now()
		if _, err := s.fill(s.base + uint64(len(s.slots)) - 1); err != nil {
			return c.fail(err)
		}
		due := sentAt.Add(c.rto.timeout())
	wait:
		for {
			pkt, err := c.recv(due)
			if err == errRepeat {
				// The client repeated its RRQ: it missed DATA 1.
				if err := s.sendRange(s.base, hi); err != nil {
					return c.fail(err)
				}
				fresh = false
				continue
			}
			if err == errWait {
				timeouts++
				if err := c.timedOut(timeouts); err != nil {
					return c.fail(err)
				}
				fresh = false
				c.tr.emitProgress(EventRetransmit, time.Now())
				if err := s.sendRange(s.base, hi); err != nil {
					return c.fail(err)
				}
				due = time.Now().Add(c.rto.timeout())
				continue
			}
			if err != nil {
				return c.fail(err)
			}
			op, block, ok := opAndBlock(pkt)
			switch {
			case op == OpACK && ok:
				d := uint64(block - uint16(s.base-1))
				if d == 0 {
					c.tr.stats.Duplicates++
					continue
				}
				if d > hi-s.base+1 {
					continue // stale, or not something we sent
				}
				now := time.Now()
				if fresh {
					c.rto.sample(now.Sub(sentAt))
				}
				acked := 0
				for k := s.base; k < s.base+d; k++ {
					acked += s.lens[s.slot(k)]
				}
				s.base += d
				c.hello.Store(false)
				if timeouts > 0 {
					c.rto.progress()
					timeouts = 0
				}
				c.tr.add(acked, now)
				if s.eof != 0 && s.base > s.eof {
					return nil
				}
				break wait
			case op == OpERROR:
				return remoteError(pkt)
			}
		}
	}
}
