package tftp

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// Opcode is the first field of every TFTP packet.
type Opcode uint16

// TFTP opcodes (RFC 1350, RFC 2347).
const (
	OpRRQ   Opcode = 1
	OpWRQ   Opcode = 2
	OpDATA  Opcode = 3
	OpACK   Opcode = 4
	OpERROR Opcode = 5
	OpOACK  Opcode = 6
)

func (o Opcode) String() string {
	switch o {
	case OpRRQ:
		return "RRQ"
	case OpWRQ:
		return "WRQ"
	case OpDATA:
		return "DATA"
	case OpACK:
		return "ACK"
	case OpERROR:
		return "ERROR"
	case OpOACK:
		return "OACK"
	}
	return fmt.Sprintf("op%d", uint16(o))
}

// Size limits.
const (
	DefaultBlockSize = 512   // RFC 1350
	MinBlockSize     = 8     // RFC 2348
	MaxBlockSize     = 65464 // RFC 2348
	MaxWindowSize    = 65535 // RFC 7440
	headerLen        = 4     // opcode + block number
)

var errMalformed = errors.New("tftp: malformed packet")

// Option is one name/value pair of a request or OACK, as it appears on the wire.
type Option struct {
	Name  string
	Value string
}

// Packet is a decoded TFTP packet. Data aliases the buffer it was parsed from.
type Packet struct {
	Op       Opcode
	Block    uint16    // DATA, ACK
	Data     []byte    // DATA payload
	Code     ErrorCode // ERROR
	Message  string    // ERROR
	Filename string    // RRQ, WRQ
	Mode     string    // RRQ, WRQ, as sent (case preserved)
	Options  []Option  // RRQ, WRQ, OACK
}

// ParsePacket decodes one datagram. DATA and ACK parse without allocating.
// Requests may carry trailing NUL padding, as some boot ROMs send; an ERROR
// message without its terminating NUL is accepted as is.
func ParsePacket(b []byte) (Packet, error) {
	if len(b) < 2 {
		return Packet{}, fmt.Errorf("%w: %d bytes", errMalformed, len(b))
	}
	p := Packet{Op: Opcode(binary.BigEndian.Uint16(b))}
	body := b[2:]
	switch p.Op {
	case OpDATA, OpACK:
		if len(body) < 2 {
			return Packet{}, fmt.Errorf("%w: short %s", errMalformed, p.Op)
		}
		p.Block = binary.BigEndian.Uint16(body)
		if p.Op == OpDATA {
			p.Data = body[2:]
		}
	case OpERROR:
		if len(body) < 2 {
			return Packet{}, fmt.Errorf("%w: short ERROR", errMalformed)
		}
		p.Code = ErrorCode(binary.BigEndian.Uint16(body))
		msg := body[2:]
		if i := bytes.IndexByte(msg, 0); i >= 0 {
			msg = msg[:i]
		}
		p.Message = string(msg)
	case OpRRQ, OpWRQ:
		name, rest, ok := cutString(body)
		if !ok {
			return Packet{}, fmt.Errorf("%w: unterminated file name", errMalformed)
		}
		mode, rest, ok := cutString(rest)
		if !ok || mode == "" {
			return Packet{}, fmt.Errorf("%w: missing mode", errMalformed)
		}
		opts, err := ParseOptions(rest)
		if err != nil {
			return Packet{}, err
		}
		p.Filename, p.Mode, p.Options = name, mode, opts
	case OpOACK:
		opts, err := ParseOptions(body)
		if err != nil {
			return Packet{}, err
		}
		p.Options = opts
	default:
		return Packet{}, fmt.Errorf("%w: unknown opcode %d", errMalformed, uint16(p.Op))
	}
	return p, nil
}

// ParseOptions decodes the NUL-terminated name/value pairs that follow the
// mode of a request or make up an OACK. Trailing NUL padding is ignored.
func ParseOptions(b []byte) ([]Option, error) {
	var opts []Option
	for len(b) > 0 {
		name, rest, ok := cutString(b)
		if !ok {
			return nil, fmt.Errorf("%w: unterminated option name", errMalformed)
		}
		if name == "" {
			// Padding: everything left must be NULs.
			if bytes.IndexFunc(rest, func(r rune) bool { return r != 0 }) >= 0 {
				return nil, fmt.Errorf("%w: empty option name", errMalformed)
			}
			break
		}
		value, rest2, ok := cutString(rest)
		if !ok {
			return nil, fmt.Errorf("%w: option %q has no value", errMalformed, name)
		}
		opts = append(opts, Option{Name: name, Value: value})
		b = rest2
	}
	return opts, nil
}

func cutString(b []byte) (s string, rest []byte, ok bool) {
	i := bytes.IndexByte(b, 0)
	if i < 0 {
		return "", nil, false
	}
	return string(b[:i]), b[i+1:], true
}

// Packet builders append to dst so callers can reuse one buffer.

func appendRequest(dst []byte, op Opcode, filename string, mode Mode, opts []Option) []byte {
	dst = binary.BigEndian.AppendUint16(dst, uint16(op))
	dst = append(append(dst, filename...), 0)
	dst = append(append(dst, mode...), 0)
	return appendOptions(dst, opts)
}

func appendOACK(dst []byte, opts []Option) []byte {
	dst = binary.BigEndian.AppendUint16(dst, uint16(OpOACK))
	return appendOptions(dst, opts)
}

func appendOptions(dst []byte, opts []Option) []byte {
	for _, o := range opts {
		dst = append(append(dst, o.Name...), 0)
		dst = append(append(dst, o.Value...), 0)
	}
	return dst
}

func appendError(dst []byte, code ErrorCode, msg string) []byte {
	dst = binary.BigEndian.AppendUint16(dst, uint16(OpERROR))
	dst = binary.BigEndian.AppendUint16(dst, uint16(code))
	return append(append(dst, msg...), 0)
}

// putACK writes an ACK into b[:4] and returns it.
func putACK(b []byte, block uint16) []byte {
	binary.BigEndian.PutUint16(b, uint16(OpACK))
	binary.BigEndian.PutUint16(b[2:], block)
	return b[:4]
}

// putDataHeader writes a DATA header into b[:4].
func putDataHeader(b []byte, block uint16) {
	binary.BigEndian.PutUint16(b, uint16(OpDATA))
	binary.BigEndian.PutUint16(b[2:], block)
}

// opAndBlock reads the opcode and, for DATA and ACK, the block number without
// decoding the rest; ok is false for datagrams too short to be DATA or ACK.
func opAndBlock(b []byte) (op Opcode, block uint16, ok bool) {
	if len(b) < 4 {
		if len(b) >= 2 {
			return Opcode(binary.BigEndian.Uint16(b)), 0, false
		}
		return 0, 0, false
	}
	return Opcode(binary.BigEndian.Uint16(b)), binary.BigEndian.Uint16(b[2:]), true
}
