package tftp

import (
	"errors"
	"hash"
	"io"
)

// sink is the local end of a download: it counts and buffers what is
// written, and hashes (when h is set) and stores it in drain, which the receiver calls
// right after sending an ACK. The sender is busy with its next window then,
// so the SHA-256 (a third of a client's CPU on a fast link) and the file
// writes happen in time the receiver would otherwise spend waiting, on the
// same goroutine, with no hand-off to wake another thread.
type sink struct {
	w      io.Writer
	h      hash.Hash
	n      int64
	buf    []byte // buf[:hashed] is hashed, all of buf is still to be written
	hashed int
	err    error
	closed bool
}

const sinkBuffer = 256 << 10

// flushAt is the least that drain writes at a time. Writing after every
// window (a window of 8 blocks of 1468 bytes is 11 KiB) keeps each write short
// enough to finish before the sender's next window does; writing 128 KiB at
// once took longer than a window and so delayed the next ACK. Against atftpd
// (50 MB, blksize 1468, 40 interleaved runs) the median fell from 156 to 145 ms
// at windowsize 8 and from 128 to 122 ms at windowsize 16. The floor keeps
// small windows from making a system call per block.
const flushAt = 8 << 10

var errSinkClosed = errors.New("tftp: write after close")

func newSink(w io.Writer, h hash.Hash) *sink {
	return &sink{w: w, h: h, buf: make([]byte, 0, sinkBuffer)}
}

func (s *sink) Write(p []byte) (int, error) {
	if s.closed {
		return 0, errSinkClosed
	}
	if s.err != nil {
		return 0, s.err
	}
	n := len(p)
	s.n += int64(n)
	for len(p) > 0 {
		if len(s.buf) == cap(s.buf) {
			if err := s.flush(); err != nil {
				return 0, err
			}
		}
		k := copy(s.buf[len(s.buf):cap(s.buf)], p)
		s.buf = s.buf[:len(s.buf)+k]
		p = p[k:]
	}
	return n, nil
}

// drain hashes what arrived since the last call and writes the buffer out
// once flushAt bytes are waiting.
func (s *sink) drain() error {
	if s.err != nil {
		return s.err
	}
	if s.h != nil {
		s.h.Write(s.buf[s.hashed:])
	}
	s.hashed = len(s.buf)
	if len(s.buf) >= flushAt {
		return s.flush()
	}
	return nil
}

func (s *sink) flush() error {
	if s.h != nil {
		s.h.Write(s.buf[s.hashed:])
	}
	_, err := s.w.Write(s.buf)
	s.buf, s.hashed = s.buf[:0], 0
	if err != nil {
		s.err = err
	}
	return err
}

// Close writes what is buffered and returns the first write error. It may
// be called more than once.
func (s *sink) Close() error {
	if !s.closed {
		s.closed = true
		if s.err == nil && len(s.buf) > 0 {
			_ = s.flush()
		}
	}
	return s.err
}
