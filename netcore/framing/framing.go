// Package framing splits a byte stream into messages for display and message
// counts: the fixes for TCP's sticky packets (粘包) that the seed notes teach,
// length prefixes and header-plus-body among them.
//
// A Framer never loses or changes a byte: the frames it returns, followed by
// whatever Flush returns, are exactly the input, in order. Saved data and
// "receive to file" therefore never depend on the framing mode.
//
// The package is small and written here because framing is tied to our
// definitions (frames include their delimiter or header so nothing is lost),
// and no maintained library offers these modes behind one interface.
package framing

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/netdebug/netdebug/netcore/codec"
)

// Mode chooses how a stream is cut into frames.
type Mode string

// The framing modes.
const (
	// Raw makes one frame per read (per datagram for UDP).
	Raw Mode = "raw"
	// Delimiter ends a frame after each delimiter (the delimiter stays in it).
	Delimiter Mode = "delimiter"
	// Fixed cuts frames of FixedLen bytes.
	Fixed Mode = "fixed"
	// LengthPrefix reads a 1, 2 or 4 byte length header before each body;
	// the frame is header plus body.
	LengthPrefix Mode = "length"
	// IdleGap ends a frame when the line has been quiet for Gap. On UDP
	// the datagrams one sender sends within Gap of each other are joined
	// into one frame (a reply that arrives in bursts).
	IdleGap Mode = "idle"
)

// Modes lists the modes in menu order.
func Modes() []Mode { return []Mode{Raw, Delimiter, Fixed, LengthPrefix, IdleGap} }

// DefaultMaxFrame bounds a frame that never ends (no delimiter, a huge
// length field, a line that never goes idle): the buffered bytes are then
// returned as a frame of their own, so memory stays bounded.
const DefaultMaxFrame = 1 << 20

// ErrBadConfig is wrapped by every configuration error.
var ErrBadConfig = errors.New("invalid framing")

// Config describes a framing mode and its parameters. The zero value is Raw.
type Config struct {
	Mode Mode `json:"mode"`
	// Delimiter for Delimiter mode, e.g. "\n" or "\r\n".
	Delimiter []byte `json:"delimiter,omitempty"`
	// FixedLen for Fixed mode.
	FixedLen int `json:"fixedLen,omitempty"`
	// PrefixLen is 1, 2 or 4 for LengthPrefix mode.
	PrefixLen int `json:"prefixLen,omitempty"`
	// LittleEndian selects the byte order of the length field (default big).
	LittleEndian bool `json:"littleEndian,omitempty"`
	// IncludesHeader means the length counts the header bytes too.
	IncludesHeader bool `json:"includesHeader,omitempty"`
	// Gap for IdleGap mode.
	Gap time.Duration `json:"gap,omitempty"`
	// MaxFrame overrides DefaultMaxFrame.
	MaxFrame int `json:"maxFrame,omitempty"`
}

// ParseDelimiter accepts the forms a user types: `\n`, `\r\n`, `\r`, or hex
// such as "0D 0A" or "0x7E". The error names the bad position.
func ParseDelimiter(s string) ([]byte, error) {
	switch strings.TrimSpace(s) {
	case `\n`, "LF", "lf":
		return []byte{'\n'}, nil
	case `\r\n`, "CRLF", "crlf":
		return []byte{'\r', '\n'}, nil
	case `\r`, "CR", "cr":
		return []byte{'\r'}, nil
	}
	b, err := codec.ParseHex(s)
	if err != nil {
		return nil, fmt.Errorf("%w: delimiter: %w", ErrBadConfig, err)
	}
	if len(b) == 0 {
		return nil, fmt.Errorf("%w: the delimiter is empty", ErrBadConfig)
	}
	return b, nil
}

// Validate reports the first thing wrong with c.
func (c Config) Validate() error {
	switch c.Mode {
	case "", Raw:
	case Delimiter:
		if len(c.Delimiter) == 0 {
			return fmt.Errorf("%w: delimiter mode needs a delimiter", ErrBadConfig)
		}
	case Fixed:
		if c.FixedLen < 1 {
			return fmt.Errorf("%w: fixed length must be at least 1 (got %d)", ErrBadConfig, c.FixedLen)
		}
	case LengthPrefix:
		if c.PrefixLen != 1 && c.PrefixLen != 2 && c.PrefixLen != 4 {
			return fmt.Errorf("%w: length prefix must be 1, 2 or 4 bytes (got %d)", ErrBadConfig, c.PrefixLen)
		}
	case IdleGap:
		if c.Gap < time.Millisecond {
			return fmt.Errorf("%w: idle gap must be at least 1 ms (got %v)", ErrBadConfig, c.Gap)
		}
	default:
		return fmt.Errorf("%w: unknown mode %q", ErrBadConfig, c.Mode)
	}
	if c.MaxFrame < 0 {
		return fmt.Errorf("%w: max frame is negative", ErrBadConfig)
	}
	return nil
}

func (c Config) maxFrame() int {
	if c.MaxFrame > 0 {
		return c.MaxFrame
	}
	return DefaultMaxFrame
}

// Framer cuts one stream into frames. It is not safe for concurrent use; each
// connection or sender has its own.
type Framer struct {
	cfg     Config
	pending []byte
}

// New returns a Framer for c.
func New(c Config) (*Framer, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if c.Mode == "" {
		c.Mode = Raw
	}
	return &Framer{cfg: c}, nil
}

// Config returns the framer's configuration.
func (f *Framer) Config() Config { return f.cfg }

// IdleGap is the quiet time after which the caller should Flush, or 0 when
// frames do not end on silence.
func (f *Framer) IdleGap() time.Duration {
	if f.cfg.Mode == IdleGap {
		return f.cfg.Gap
	}
	return 0
}

// Pending reports how many bytes wait for the rest of a frame.
func (f *Framer) Pending() int { return len(f.pending) }

// Push adds data and returns the frames it completes. The returned slices are
// the caller's to keep; data is not retained.
func (f *Framer) Push(data []byte) [][]byte {
	var frames [][]byte
	f.Each(data, func(frame []byte) { frames = append(frames, clone(frame)) })
	return frames
}

// Each adds data and calls fn with each frame it completes, in order. The
// frame is only valid during the call (it may point into data or into the
// framer's buffer), so a flood costs no allocation per frame; copy it to
// keep it. data is not retained.
func (f *Framer) Each(data []byte, fn func(frame []byte)) {
	if len(data) == 0 {
		return
	}
	if f.cfg.Mode == Raw {
		fn(data)
		return
	}
	// Bytes already searched for a delimiter need not be searched again.
	searchFrom := max(0, len(f.pending)-len(f.cfg.Delimiter)+1)
	var buf []byte
	if len(f.pending) > 0 {
		// Keep the grown array as the pending buffer, so a stream whose
		// frames straddle reads reuses one buffer instead of growing a new
		// one for every read.
		buf = append(f.pending, data...)
		f.pending = buf
	} else {
		buf = data
	}
	used := f.cut(buf, searchFrom, fn)
	// buf may share f.pending's array; append moves the tail with memmove,
	// which is safe for overlapping slices.
	f.pending = append(f.pending[:0], buf[used:]...)
	if max := f.cfg.maxFrame(); len(f.pending) >= max {
		fn(f.pending)
		f.pending = f.pending[:0]
	}
	if cap(f.pending) > 4*f.cfg.maxFrame() && len(f.pending) == 0 {
		f.pending = nil
	}
}

// Flush returns the buffered bytes as a last, incomplete frame (nil when
// nothing is buffered). Call it on idle gaps and when the stream ends.
func (f *Framer) Flush() []byte {
	if len(f.pending) == 0 {
		return nil
	}
	out := clone(f.pending)
	f.pending = f.pending[:0]
	return out
}

// cut passes the complete frames at the front of buf to fn, as subslices of
// buf, and returns how many bytes they used.
func (f *Framer) cut(buf []byte, searchFrom int, fn func([]byte)) int {
	used := 0
	switch f.cfg.Mode {
	case Delimiter:
		d := f.cfg.Delimiter
		for {
			i := indexFrom(buf, max(used, searchFrom), d)
			if i < 0 {
				break
			}
			end := i + len(d)
			fn(buf[used:end:end])
			used = end
		}
	case Fixed:
		n := f.cfg.FixedLen
		for len(buf)-used >= n {
			fn(buf[used : used+n : used+n])
			used += n
		}
	case LengthPrefix:
		h := f.cfg.PrefixLen
		for len(buf)-used >= h {
			body, ok := f.bodyLen(buf[used : used+h])
			if !ok {
				// A length that cannot be right: show the header on its own
				// and look for the next frame after it.
				fn(buf[used : used+h : used+h])
				used += h
				continue
			}
			if len(buf)-used < h+body {
				break
			}
			end := used + h + body
			fn(buf[used:end:end])
			used = end
		}
	case IdleGap:
		// Everything waits for silence (or MaxFrame).
	}
	return used
}

// bodyLen decodes a length header. It is false when the length is smaller
// than the header it must include or larger than MaxFrame.
func (f *Framer) bodyLen(hdr []byte) (int, bool) {
	var n uint64
	switch len(hdr) {
	case 1:
		n = uint64(hdr[0])
	case 2:
		if f.cfg.LittleEndian {
			n = uint64(binary.LittleEndian.Uint16(hdr))
		} else {
			n = uint64(binary.BigEndian.Uint16(hdr))
		}
	case 4:
		if f.cfg.LittleEndian {
			n = uint64(binary.LittleEndian.Uint32(hdr))
		} else {
			n = uint64(binary.BigEndian.Uint32(hdr))
		}
	}
	if f.cfg.IncludesHeader {
		if n < uint64(len(hdr)) {
			return 0, false
		}
		n -= uint64(len(hdr))
	}
	if n+uint64(len(hdr)) > uint64(f.cfg.maxFrame()) {
		return 0, false
	}
	return int(n), true
}

// ErrTooLong is returned by AddPrefix when a payload does not fit the header.
var ErrTooLong = errors.New("payload too long for the length prefix")

// AddPrefix is the send side of LengthPrefix: it returns header plus payload,
// the fix the seed notes build with struct.pack. Other modes return the
// payload unchanged.
func (c Config) AddPrefix(payload []byte) ([]byte, error) {
	if c.Mode != LengthPrefix {
		return payload, nil
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	n := uint64(len(payload))
	if c.IncludesHeader {
		n += uint64(c.PrefixLen)
	}
	limit := uint64(1)<<(8*c.PrefixLen) - 1
	if n > limit {
		return nil, fmt.Errorf("%w: %d bytes, a %d-byte prefix holds at most %d", ErrTooLong, len(payload), c.PrefixLen, limit)
	}
	out := make([]byte, c.PrefixLen, c.PrefixLen+len(payload))
	switch c.PrefixLen {
	case 1:
		out[0] = byte(n)
	case 2:
		if c.LittleEndian {
			binary.LittleEndian.PutUint16(out, uint16(n))
		} else {
			binary.BigEndian.PutUint16(out, uint16(n))
		}
	case 4:
		if c.LittleEndian {
			binary.LittleEndian.PutUint32(out, uint32(n))
		} else {
			binary.BigEndian.PutUint32(out, uint32(n))
		}
	}
	return append(out, payload...), nil
}

func indexFrom(b []byte, from int, d []byte) int {
	if from >= len(b) {
		return -1
	}
	i := bytes.Index(b[from:], d)
	if i < 0 {
		return -1
	}
	return from + i
}

func clone(b []byte) []byte {
	out := make([]byte, len(b))
	copy(out, b)
	return out
}
