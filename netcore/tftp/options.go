package tftp

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Mode is the transfer mode of a request.
type Mode string

// Transfer modes. Netascii translates line ends: LF locally is CR LF on the
// wire and a bare CR is CR NUL (RFC 764), in both directions.
const (
	ModeOctet    Mode = "octet"
	ModeNetASCII Mode = "netascii"
)

// ParseMode accepts a mode as users and requests spell it ("octet", "binary",
// "netascii", "ascii"), in any case.
func ParseMode(s string) (Mode, error) {
	switch strings.ToLower(s) {
	case "octet", "binary", "":
		return ModeOctet, nil
	case "netascii", "ascii":
		return ModeNetASCII, nil
	}
	return "", fmt.Errorf("%w: unsupported mode %q", ErrIllegalOp, s)
}

// Option names.
const (
	optBlksize    = "blksize"
	optTimeout    = "timeout"
	optTsize      = "tsize"
	optWindowsize = "windowsize"
	optUTimeout   = "utimeout"
)

// The range tftpd-hpa accepts for utimeout, its retransmit timeout in
// microseconds.
const (
	MinUTimeout = 10 * time.Millisecond
	MaxUTimeout = 255 * time.Second
)

// Options are the TFTP options a client asks for. A zero field is not asked
// for, so Options{} sends a plain RFC 1350 request.
type Options struct {
	BlockSize  int           // blksize, 8..65464; 0 = not asked (512)
	WindowSize int           // windowsize, 1..65535; 0 = not asked (1)
	Timeout    time.Duration // timeout, whole seconds 1..255; 0 = not asked (adaptive)
	TSize      bool          // tsize: ask the size on download, announce it on upload
	// UTimeout asks for the server's retransmit timeout in microseconds
	// (tftpd-hpa's utimeout option, MinUTimeout..MaxUTimeout); 0 = not
	// asked. Servers that do not know it leave it out of the OACK.
	UTimeout time.Duration
}

// maxWindowBytes bounds one window; a sender keeps two in memory.
const maxWindowBytes = 32 << 20

// Validate reports options outside the ranges the RFCs allow.
func (o Options) Validate() error {
	if o.BlockSize != 0 && (o.BlockSize < MinBlockSize || o.BlockSize > MaxBlockSize) {
		return fmt.Errorf("tftp: blksize %d outside %d..%d", o.BlockSize, MinBlockSize, MaxBlockSize)
	}
	if o.WindowSize < 0 || o.WindowSize > MaxWindowSize {
		return fmt.Errorf("tftp: windowsize %d outside 1..%d", o.WindowSize, MaxWindowSize)
	}
	if o.Timeout != 0 && (o.Timeout < time.Second || o.Timeout > 255*time.Second || o.Timeout%time.Second != 0) {
		return fmt.Errorf("tftp: timeout %v is not a whole number of seconds in 1..255", o.Timeout)
	}
	if o.UTimeout != 0 && (o.UTimeout < MinUTimeout || o.UTimeout > MaxUTimeout || o.UTimeout%time.Microsecond != 0) {
		return fmt.Errorf("tftp: utimeout %v outside %v..%v", o.UTimeout, MinUTimeout, MaxUTimeout)
	}
	blk := max(o.BlockSize, DefaultBlockSize)
	if int64(max(o.WindowSize, 1))*int64(blk) > maxWindowBytes {
		return fmt.Errorf("tftp: windowsize %d × blksize %d needs more than %d MiB", o.WindowSize, blk, maxWindowBytes>>20)
	}
	return nil
}

func (o Options) empty() bool {
	return o.BlockSize == 0 && o.WindowSize == 0 && o.Timeout == 0 && !o.TSize && o.UTimeout == 0
}

// wire lists the options for a request. size is announced as tsize when
// known (uploads); downloads ask with tsize 0.
func (o Options) wire(size int64) []Option {
	var opts []Option
	if o.BlockSize != 0 {
		opts = append(opts, Option{optBlksize, strconv.Itoa(o.BlockSize)})
	}
	if o.Timeout != 0 {
		opts = append(opts, Option{optTimeout, strconv.Itoa(int(o.Timeout / time.Second))})
	}
	if o.TSize && size >= 0 {
		opts = append(opts, Option{optTsize, strconv.FormatInt(size, 10)})
	}
	if o.WindowSize != 0 {
		opts = append(opts, Option{optWindowsize, strconv.Itoa(o.WindowSize)})
	}
	if o.UTimeout != 0 {
		opts = append(opts, Option{optUTimeout, strconv.FormatInt(o.UTimeout.Microseconds(), 10)})
	}
	return opts
}

// Negotiated is what a transfer runs with after option negotiation.
type Negotiated struct {
	BlockSize  int           // 512 unless negotiated
	WindowSize int           // 1 unless negotiated
	Timeout    time.Duration // 0 = adaptive retransmit timeout
	TSize      int64         // transfer size if known, else -1
	// UTimeout is the server's retransmit timeout the server agreed to
	// (utimeout); 0 when not negotiated.
	UTimeout time.Duration
	OACK     bool // the peer acknowledged options with an OACK
	// Fallback says how options were dropped: "" (they were not),
	// "ignored" (the server answered without an OACK) or "refused" (the
	// server sent ERROR 8 and the request was repeated without options),
	// or "utimeout refused" (ERROR 8 to a request with utimeout, repeated
	// with the other options).
	Fallback string
}

func defaultNegotiated() Negotiated {
	return Negotiated{BlockSize: DefaultBlockSize, WindowSize: 1, TSize: -1}
}

func (n Negotiated) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "blksize=%d windowsize=%d", n.BlockSize, n.WindowSize)
	if n.Timeout > 0 {
		fmt.Fprintf(&b, " timeout=%d", int(n.Timeout/time.Second))
	}
	if n.TSize >= 0 {
		fmt.Fprintf(&b, " tsize=%d", n.TSize)
	}
	if n.UTimeout > 0 {
		fmt.Fprintf(&b, " utimeout=%dus", n.UTimeout.Microseconds())
	}
	if n.Fallback != "" {
		fmt.Fprintf(&b, " (options %s)", n.Fallback)
	}
	return b.String()
}

// parseUint parses a decimal option value strictly: digits only, no sign.
func parseUint(s string, limit int64) (int64, bool) {
	if s == "" || len(s) > 19 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v > limit {
		return 0, false
	}
	return v, true
}

// acceptOACK checks a server's OACK against what the client asked for and
// returns the options in effect. A server may lower blksize and windowsize
// but not raise them, must echo timeout, and may only answer options that were
// asked; unknown option names are ignored.
func acceptOACK(req Options, opts []Option, download bool) (Negotiated, error) {
	n := defaultNegotiated()
	n.OACK = true
	seen := 0
	for _, o := range opts {
		var bit int
		switch strings.ToLower(o.Name) {
		case optBlksize:
			v, ok := parseUint(o.Value, MaxBlockSize)
			if req.BlockSize == 0 || !ok || v < MinBlockSize || int(v) > req.BlockSize {
				return n, fmt.Errorf("%w: OACK blksize %q (asked %d)", ErrProtocol, o.Value, req.BlockSize)
			}
			n.BlockSize, bit = int(v), 1
		case optWindowsize:
			v, ok := parseUint(o.Value, MaxWindowSize)
			if req.WindowSize == 0 || !ok || v < 1 || int(v) > req.WindowSize {
				return n, fmt.Errorf("%w: OACK windowsize %q (asked %d)", ErrProtocol, o.Value, req.WindowSize)
			}
			n.WindowSize, bit = int(v), 2
		case optTimeout:
			v, ok := parseUint(o.Value, 255)
			if req.Timeout == 0 || !ok || time.Duration(v)*time.Second != req.Timeout {
				return n, fmt.Errorf("%w: OACK timeout %q (asked %v)", ErrProtocol, o.Value, req.Timeout)
			}
			n.Timeout, bit = req.Timeout, 4
		case optTsize:
			v, ok := parseUint(o.Value, 1<<62)
			if !req.TSize || !ok {
				return n, fmt.Errorf("%w: OACK tsize %q", ErrProtocol, o.Value)
			}
			if download {
				n.TSize = v
			}
			bit = 8
		case optUTimeout:
			v, ok := parseUint(o.Value, MaxUTimeout.Microseconds())
			if req.UTimeout == 0 || !ok || time.Duration(v)*time.Microsecond != req.UTimeout {
				return n, fmt.Errorf("%w: OACK utimeout %q (asked %v)", ErrProtocol, o.Value, req.UTimeout)
			}
			n.UTimeout, bit = req.UTimeout, 16
		default:
			continue
		}
		if seen&bit != 0 {
			return n, fmt.Errorf("%w: OACK repeats %s", ErrProtocol, o.Name)
		}
		seen |= bit
	}
	return n, nil
}

// serverLimits bound what the server agrees to.
type serverLimits struct {
	maxBlockSize  int
	maxWindowSize int
}

// negotiate is the server side: it answers the options a client asked for
// (and only those), clamping blksize and windowsize to the server's limits.
// Values it cannot use are left out of the OACK, which RFC 2347 allows.
// size is the file size for a read request, or -1 for a write request, whose
// tsize is echoed and returned as the expected size. A nil OACK means the
// transfer runs without options.
func negotiate(opts []Option, size int64, lim serverLimits) (Negotiated, []Option) {
	n := defaultNegotiated()
	var oack []Option
	seen := 0
	for _, o := range opts {
		name := strings.ToLower(o.Name)
		var bit int
		switch name {
		case optBlksize:
			bit = 1
		case optWindowsize:
			bit = 2
		case optTimeout:
			bit = 4
		case optTsize:
			bit = 8
		default:
			continue
		}
		if seen&bit != 0 {
			continue // the first occurrence counts
		}
		seen |= bit
		switch name {
		case optBlksize:
			v, ok := parseUint(o.Value, 1<<31)
			if !ok || v < MinBlockSize {
				continue
			}
			n.BlockSize = int(min(v, int64(lim.maxBlockSize)))
			oack = append(oack, Option{optBlksize, strconv.Itoa(n.BlockSize)})
		case optWindowsize:
			v, ok := parseUint(o.Value, 1<<31)
			if !ok || v < 1 {
				continue
			}
			n.WindowSize = int(min(v, int64(lim.maxWindowSize)))
			oack = append(oack, Option{optWindowsize, strconv.Itoa(n.WindowSize)})
		case optTimeout:
			v, ok := parseUint(o.Value, 255)
			if !ok || v < 1 {
				continue
			}
			n.Timeout = time.Duration(v) * time.Second
			oack = append(oack, Option{optTimeout, o.Value})
		case optTsize:
			v, ok := parseUint(o.Value, 1<<62)
			if !ok {
				continue
			}
			if size == 0 {
				// curl rejects "tsize 0" in an OACK ("invalid tsize"), so an
				// empty file is served without it; RFC 2347 lets a server
				// leave any option out.
				continue
			}
			if size > 0 {
				n.TSize = size
			} else {
				n.TSize = v
			}
			oack = append(oack, Option{optTsize, strconv.FormatInt(n.TSize, 10)})
		}
	}
	n.OACK = len(oack) > 0
	return n, oack
}

// formatOptions renders options for traces: "blksize=1468 tsize=0".
func formatOptions(opts []Option) string {
	var b strings.Builder
	for i, o := range opts {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(o.Name)
		b.WriteByte('=')
		b.WriteString(o.Value)
	}
	return b.String()
}
