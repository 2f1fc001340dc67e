package session

import (
	"errors"
	"io"
	"net"
	"os"
	"sync/atomic"
	"time"

	"github.com/netdebug/netdebug/netcore/framing"
)

const (
	minReadBuffer = 2 << 10
	maxReadBuffer = 256 << 10
)

// streamReader is the read loop shared by the TCP client and every TCP
// server client: it counts, captures to file, frames, and reports.
type streamReader struct {
	conn     net.Conn
	counters *counters
	// emit reports one framed message.
	emit func(data []byte)
	// nextFraming, when set, replaces the framer before the next read.
	nextFraming  atomic.Pointer[framing.Config]
	capture      atomic.Pointer[Capture]
	onCaptureErr func(error)
	framer       *framing.Framer
	bufSize      int
}

func newStreamReader(conn net.Conn, c *counters, fc framing.Config, bufSize int, emit func([]byte)) *streamReader {
	f, err := framing.New(fc)
	if err != nil {
		f, _ = framing.New(framing.Config{})
	}
	if bufSize <= 0 {
		bufSize = minReadBuffer
	}
	return &streamReader{conn: conn, counters: c, emit: emit, framer: f, bufSize: bufSize}
}

// setFraming takes effect before the next read; bytes already held by the
// old framer are reported first so none are lost.
func (r *streamReader) setFraming(c framing.Config) { r.nextFraming.Store(&c) }

func (r *streamReader) applyFraming() {
	c := r.nextFraming.Swap(nil)
	if c == nil {
		return
	}
	f, err := framing.New(*c)
	if err != nil {
		return
	}
	r.flush()
	r.framer = f
}

func (r *streamReader) emitFrame(f []byte) {
	r.counters.rxFrames.Add(1)
	r.emit(f)
}

func (r *streamReader) flush() {
	if rest := r.framer.Flush(); rest != nil {
		r.counters.rxFrames.Add(1)
		r.emit(rest)
	}
}

// run reads until the connection fails or is closed and returns that error
// (io.EOF when the peer closed).
func (r *streamReader) run() error {
	buf := make([]byte, r.bufSize)
	deadlineSet := false
	for {
		r.applyFraming()
		if gap := r.framer.IdleGap(); gap > 0 && r.framer.Pending() > 0 {
			_ = r.conn.SetReadDeadline(time.Now().Add(gap))
			deadlineSet = true
		} else if deadlineSet {
			_ = r.conn.SetReadDeadline(time.Time{})
			deadlineSet = false
		}
		n, err := r.conn.Read(buf)
		if n > 0 {
			r.counters.rx(n)
			if c := r.capture.Load(); c != nil {
				if werr := c.Write(buf[:n]); werr != nil {
					r.capture.CompareAndSwap(c, nil)
					if r.onCaptureErr != nil {
						r.onCaptureErr(werr)
					}
				}
			}
			r.framer.Each(buf[:n], r.emitFrame)
			// A read that fills the buffer means more is waiting: grow it
			// so a flood costs fewer reads; idle clients stay small.
			if n == len(buf) && len(buf) < maxReadBuffer {
				buf = make([]byte, min(len(buf)*4, maxReadBuffer))
			}
		}
		if err != nil {
			if deadlineSet && errors.Is(err, os.ErrDeadlineExceeded) {
				r.flush()
				continue
			}
			r.flush()
			return err
		}
	}
}

// isPeerClose tells an orderly close by the peer from a failure.
func isPeerClose(err error) bool {
	return errors.Is(err, io.EOF)
}
