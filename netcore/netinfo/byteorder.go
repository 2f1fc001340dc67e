package netinfo

import (
	"encoding/binary"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"unsafe"
)

// Endian names a byte order.
type Endian int

const (
	LittleEndian Endian = iota // lowest byte at the lowest address (x86, most ARM)
	BigEndian                  // highest byte first; network byte order
)

func (e Endian) String() string {
	if e == BigEndian {
		return "big-endian"
	}
	return "little-endian"
}

// byteOrder is what both binary.BigEndian and binary.LittleEndian are.
type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

func (e Endian) order() byteOrder {
	if e == BigEndian {
		return binary.BigEndian
	}
	return binary.LittleEndian
}

// HostEndian is the byte order of this machine, found by looking at how a
// 16-bit 1 lies in memory.
func HostEndian() Endian {
	x := uint16(1)
	if *(*byte)(unsafe.Pointer(&x)) == 1 {
		return LittleEndian
	}
	return BigEndian
}

// ByteOrderResult shows one 16- or 32-bit value in host and network order.
type ByteOrderResult struct {
	Value        uint32 // the value typed
	Bits         int    // 16 or 32
	Host         Endian // this machine's order (or the one asked for in tests)
	HostBytes    []byte // the value in memory on this machine, lowest address first
	NetworkBytes []byte // the value as sent on the wire: big-endian
	// Swapped is what htons/htonl return here: the network-order bytes read
	// back as a host integer. Equal to Value on a big-endian machine.
	Swapped uint32
}

// ParseByteOrder reads a value (decimal, or hex with 0x) and shows it in both
// orders for this machine. bits is 16 or 32; 0 picks 16 when the value fits
// and 32 otherwise.
func ParseByteOrder(value string, bits int) (ByteOrderResult, error) {
	in := strings.TrimSpace(value)
	fail := func(why string) (ByteOrderResult, error) {
		return ByteOrderResult{}, fmt.Errorf("%w %q: %s", ErrInvalidValue, in, why)
	}
	if in == "" {
		return ByteOrderResult{}, fmt.Errorf("%w: the input is empty", ErrInvalidValue)
	}
	if bits != 0 && bits != 16 && bits != 32 {
		return ByteOrderResult{}, fmt.Errorf("%w: width %d bits; use 16 or 32", ErrInvalidValue, bits)
	}
	digits, base := strings.ReplaceAll(in, "_", ""), 10
	if hexPrefixed(digits) {
		digits, base = digits[2:], 16
	}
	switch {
	case strings.HasPrefix(digits, "-"):
		return fail("negative values have no byte order here; give 0 to 4294967295")
	case digits == "":
		return fail("0x needs hex digits after it")
	case base == 10 && !allDigits(digits):
		if allHex(digits) {
			return fail("not a decimal number; for hex write 0x" + digits)
		}
		return fail("not a number; write it in decimal (4660) or hex (0x1234)")
	case base == 16 && !allHex(digits):
		return fail("not a hex number")
	}
	v, err := strconv.ParseUint(digits, base, 32)
	if err != nil {
		return fail("more than 32 bits (largest is 4294967295 = 0xFFFFFFFF)")
	}
	if bits == 0 {
		bits = 32
		if v <= 0xFFFF {
			bits = 16
		}
	}
	return byteOrderFor(uint32(v), bits, HostEndian())
}

// ByteOrderOf shows v as a bits-wide value (16 or 32) on this machine.
func ByteOrderOf(v uint32, bits int) (ByteOrderResult, error) {
	return byteOrderFor(v, bits, HostEndian())
}

func byteOrderFor(v uint32, bits int, host Endian) (ByteOrderResult, error) {
	r := ByteOrderResult{Value: v, Bits: bits, Host: host}
	switch bits {
	case 16:
		if v > 0xFFFF {
			return ByteOrderResult{}, fmt.Errorf("%w: %d does not fit in 16 bits (largest is 65535 = 0xFFFF)", ErrInvalidValue, v)
		}
		r.HostBytes = host.order().AppendUint16(nil, uint16(v))
		r.NetworkBytes = binary.BigEndian.AppendUint16(nil, uint16(v))
		r.Swapped = uint32(host.order().Uint16(r.NetworkBytes))
	case 32:
		r.HostBytes = host.order().AppendUint32(nil, v)
		r.NetworkBytes = binary.BigEndian.AppendUint32(nil, v)
		r.Swapped = host.order().Uint32(r.NetworkBytes)
	default:
		return ByteOrderResult{}, fmt.Errorf("%w: width %d bits; use 16 or 32", ErrInvalidValue, bits)
	}
	return r, nil
}

func (r ByteOrderResult) hexValue(v uint32) string {
	return fmt.Sprintf("0x%0*X", r.Bits/4, v)
}

// Fields lists the value, the machine's order and both byte layouts.
func (r ByteOrderResult) Fields() []Field {
	fn := "htons"
	if r.Bits == 32 {
		fn = "htonl"
	}
	machine := r.Host.String()
	if r.Host == HostEndian() {
		machine += " (" + runtime.GOARCH + ")"
	}
	return []Field{
		{"Value", fmt.Sprintf("%s = %d", r.hexValue(r.Value), r.Value), fmt.Sprintf("%d-bit", r.Bits)},
		{"This machine", machine, ""},
		{"Host order", hexBytes(r.HostBytes), "bytes in memory, lowest address first"},
		{"Network order", hexBytes(r.NetworkBytes), "big-endian, as sent on the wire"},
		{fmt.Sprintf("%s(%s)", fn, r.hexValue(r.Value)), fmt.Sprintf("%s = %d", r.hexValue(r.Swapped), r.Swapped),
			"network-order bytes read as a host integer"},
	}
}

// Text is the aligned plain-text form of Fields.
func (r ByteOrderResult) Text() string { return fieldsText(r.Fields()) }
