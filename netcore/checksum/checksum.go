// Package checksum computes the checksums that device protocols append to
// their frames: Sum8, XOR8, CRC-8/SMBUS, CRC-16/MODBUS, CRC-16/CCITT-FALSE,
// CRC-16/XMODEM and CRC-32/ISO-HDLC, each also reachable by a short name for
// the template language ("crc16modbus").
//
// The CRCs are one small table-driven implementation of the Rocksoft model
// (width, poly, init, refin, refout, xorout) plus hash/crc32 for CRC-32. We
// looked for a library first: the module proxy serves github.com/sigurn/crc16
// and github.com/howeyc/crc16 only as untagged snapshots last changed in 2021
// and 2017, covering 16-bit CRCs alone, and serves neither sigurn/crc8 nor
// snksoft/crc. A dependency that still leaves CRC-8 to us buys little, so
// every algorithm here is checked against the CRC catalogue's check value for
// "123456789" and, in the tests, against a bit-by-bit reference.
//
// The package only computes; it knows nothing of templates or sockets.
package checksum

import (
	"errors"
	"fmt"
	"strings"
)

// Order is the byte order in which a multi-byte checksum is appended.
type Order int

const (
	// Natural is the order the protocol family conventionally uses:
	// little-endian (low byte first) for CRC-16/MODBUS, big-endian for the rest.
	Natural Order = iota
	// BigEndian puts the most significant byte first.
	BigEndian
	// LittleEndian puts the least significant byte first.
	LittleEndian
)

func (o Order) String() string {
	switch o {
	case BigEndian:
		return "big-endian"
	case LittleEndian:
		return "little-endian"
	}
	return "natural"
}

// ErrUnknownAlgorithm is returned by Lookup for a name it does not know.
var ErrUnknownAlgorithm = errors.New("unknown checksum algorithm")

// Algorithm is one checksum with the facts a UI or a template needs.
type Algorithm struct {
	Name      string // short registry name used in templates: "crc16modbus"
	Catalogue string // name in the CRC catalogue: "CRC-16/MODBUS"
	Size      int    // bytes the checksum occupies: 1, 2 or 4
	Order     Order  // the order Natural resolves to for this algorithm
	Check     uint32 // the catalogue check value: the checksum of "123456789"
	sum       func([]byte) uint32
}

// Sum returns the checksum of p in the low Size bytes of the result.
func (a *Algorithm) Sum(p []byte) uint32 { return a.sum(p) }

// Append appends v, Size bytes long, to dst in order o (Natural means a.Order).
func (a *Algorithm) Append(dst []byte, v uint32, o Order) []byte {
	if o == Natural {
		o = a.Order
	}
	for i := range a.Size {
		shift := 8 * (a.Size - 1 - i)
		if o == LittleEndian {
			shift = 8 * i
		}
		dst = append(dst, byte(v>>shift))
	}
	return dst
}

// AppendSum appends the checksum of p to dst in order o.
func (a *Algorithm) AppendSum(dst, p []byte, o Order) []byte {
	return a.Append(dst, a.Sum(p), o)
}

// Sum8 is the sum of all bytes modulo 256.
func Sum8(p []byte) uint8 {
	var s uint8
	for _, b := range p {
		s += b
	}
	return s
}

// XOR8 is the exclusive-or of all bytes (the "BCC" of many serial protocols).
func XOR8(p []byte) uint8 {
	var s uint8
	for _, b := range p {
		s ^= b
	}
	return s
}

var registry = []*Algorithm{
	{Name: "sum8", Catalogue: "Sum8 (sum of bytes mod 256)", Size: 1, Order: BigEndian, Check: 0xDD,
		sum: func(p []byte) uint32 { return uint32(Sum8(p)) }},
	{Name: "xor8", Catalogue: "XOR8 (BCC)", Size: 1, Order: BigEndian, Check: 0x31,
		sum: func(p []byte) uint32 { return uint32(XOR8(p)) }},
	{Name: "crc8", Catalogue: "CRC-8/SMBUS", Size: 1, Order: BigEndian, Check: 0xF4,
		sum: func(p []byte) uint32 { return uint32(CRC8(p)) }},
	{Name: "crc16modbus", Catalogue: "CRC-16/MODBUS", Size: 2, Order: LittleEndian, Check: 0x4B37,
		sum: func(p []byte) uint32 { return uint32(CRC16Modbus(p)) }},
	{Name: "crc16ccitt", Catalogue: "CRC-16/CCITT-FALSE (CRC-16/IBM-3740)", Size: 2, Order: BigEndian, Check: 0x29B1,
		sum: func(p []byte) uint32 { return uint32(CRC16CCITTFalse(p)) }},
	{Name: "crc16xmodem", Catalogue: "CRC-16/XMODEM", Size: 2, Order: BigEndian, Check: 0x31C3,
		sum: func(p []byte) uint32 { return uint32(CRC16XModem(p)) }},
	{Name: "crc32", Catalogue: "CRC-32/ISO-HDLC", Size: 4, Order: BigEndian, Check: 0xCBF43926,
		sum: CRC32},
}

// aliases map normalised catalogue spellings to registry names.
var aliases = map[string]string{
	"crc8smbus":       "crc8",
	"crc16ccittfalse": "crc16ccitt",
	"crc16ibm3740":    "crc16ccitt",
	"crc16autosar":    "crc16ccitt",
	"crc32isohdlc":    "crc32",
	"crc32ieee":       "crc32",
	"bcc":             "xor8",
}

// Algorithms lists every algorithm in menu order. The slice is a copy; the
// algorithms are shared and must not be modified.
func Algorithms() []*Algorithm {
	return append([]*Algorithm(nil), registry...)
}

// Names lists the registry names in menu order.
func Names() []string {
	out := make([]string, len(registry))
	for i, a := range registry {
		out[i] = a.Name
	}
	return out
}

// Lookup finds an algorithm by registry name or by catalogue name, ignoring
// case, spaces, '-', '_' and '/': "crc16modbus", "CRC-16/MODBUS" and
// "crc16-ccitt-false" all work.
func Lookup(name string) (*Algorithm, error) {
	key := normalise(name)
	if to, ok := aliases[key]; ok {
		key = to
	}
	for _, a := range registry {
		if a.Name == key {
			return a, nil
		}
	}
	return nil, fmt.Errorf("%w %q (known: %s)", ErrUnknownAlgorithm, name, strings.Join(Names(), ", "))
}

func normalise(s string) string {
	var sb strings.Builder
	for _, r := range strings.ToLower(s) {
		switch r {
		case ' ', '-', '_', '/':
			continue
		}
		sb.WriteRune(r)
	}
	return sb.String()
}
