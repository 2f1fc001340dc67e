package netinfo

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// AddressForm names the form an address was typed in.
type AddressForm int

const (
	FormDotted  AddressForm = iota // IPv4 dotted decimal: 192.168.1.2
	FormDecimal                    // 32-bit integer: 3232235778
	FormHex                        // 0xC0A80102, or 0x and 32 digits for IPv6
	FormBytes                      // network-order bytes: C0 A8 01 02, c0:a8:01:02, b'\xc0\xa8\x01\x02'
	FormIPv6                       // IPv6 text, compressed or expanded: 2001:db8::1
)

func (f AddressForm) String() string {
	switch f {
	case FormDotted:
		return "IPv4 dotted decimal"
	case FormDecimal:
		return "32-bit integer"
	case FormHex:
		return "hex integer"
	case FormBytes:
		return "network-order bytes"
	case FormIPv6:
		return "IPv6 text"
	}
	return "unknown form"
}

// Address is an IP address with every form it can be written in. Parse one
// with ParseAddress; the zero value is not useful.
type Address struct {
	Input string      // what was typed, trimmed
	Form  AddressForm // which form Input was recognised as
	IP    netip.Addr  // the address; an IPv6 zone (%eth0) is kept
}

// ParseAddress accepts an address in any one form and recognises which:
//
//	192.168.1.2                 dotted decimal (inet_aton)
//	3232235778                  32-bit integer, decimal
//	0xC0A80102                  hex: up to 8 digits for IPv4, exactly 32 for IPv6
//	C0 A8 01 02                 bytes in network order, 4 or 16 of them, separated
//	c0:a8:01:02  0xc0,0xa8,...  by spaces, commas, hyphens or colons
//	b'\xc0\xa8\x01\x02'         a Python bytes literal, as socket.inet_aton prints it
//	2001:db8::1                 IPv6, compressed or expanded, with an optional %zone
//	[2001:db8::1]               IPv6 in brackets, as URLs write it
//
// The short forms inet_aton also takes (127.1, octal 0177.0.0.1) are refused
// with a message saying so: they surprise more people than they help.
func ParseAddress(s string) (Address, error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return Address{}, fmt.Errorf("%w: the input is empty", ErrInvalidAddress)
	}
	fail := func(why string) (Address, error) {
		return Address{}, fmt.Errorf("%w %q: %s", ErrInvalidAddress, in, why)
	}
	if isPythonBytes(in) {
		b, why := parsePythonBytes(in)
		if why != "" {
			return fail(why)
		}
		return addressFromBytes(in, b)
	}
	if len(in) > 2 && in[0] == '[' && in[len(in)-1] == ']' {
		if ip, err := netip.ParseAddr(in[1 : len(in)-1]); err == nil && ip.Is6() {
			return Address{Input: in, Form: FormIPv6, IP: ip}, nil // as URLs write IPv6: [::1]
		}
	}
	if ip, err := netip.ParseAddr(in); err == nil {
		form := FormIPv6
		if ip.Is4() {
			form = FormDotted
		}
		return Address{Input: in, Form: form, IP: ip}, nil
	}
	if toks, ok := byteTokens(in); ok {
		b, why := parseByteTokens(toks)
		if why != "" {
			return fail(why)
		}
		return addressFromBytes(in, b)
	}
	if allDigits(in) {
		v, err := strconv.ParseUint(in, 10, 32)
		if err != nil {
			return fail(fmt.Sprintf("decimal %s is more than 4294967295, the largest 32-bit value (write IPv6 as hex: 0x and 32 digits)", in))
		}
		return Address{Input: in, Form: FormDecimal, IP: uint32Addr(uint32(v))}, nil
	}
	if hexPrefixed(in) && !strings.ContainsAny(in, ".:") {
		ip, why := parseHexAddress(in[2:])
		if why != "" {
			return fail(why)
		}
		return Address{Input: in, Form: FormHex, IP: ip}, nil
	}
	if strings.Contains(in, ":") {
		return fail(diagnoseIPv6(in))
	}
	if strings.Contains(in, ".") {
		return fail(diagnoseIPv4(in))
	}
	if allHex(in) {
		return fail(fmt.Sprintf("looks like hex: write it as 0x%s", in))
	}
	return fail("not an address: write it dotted (192.168.1.2), as an integer (3232235778), in hex (0xC0A80102), as bytes (C0 A8 01 02) or as IPv6 (2001:db8::1)")
}

func addressFromBytes(in string, b []byte) (Address, error) {
	ip, ok := netip.AddrFromSlice(b)
	if !ok {
		return Address{}, fmt.Errorf("%w %q: got %d bytes; an address is 4 bytes (IPv4) or 16 bytes (IPv6)", ErrInvalidAddress, in, len(b))
	}
	return Address{Input: in, Form: FormBytes, IP: ip}, nil
}

func uint32Addr(v uint32) netip.Addr {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], v)
	return netip.AddrFrom4(b)
}

func parseHexAddress(digits string) (netip.Addr, string) {
	if digits == "" {
		return netip.Addr{}, "0x needs hex digits after it"
	}
	if i := strings.IndexFunc(digits, func(r rune) bool { return !isHexDigit(r) }); i >= 0 {
		return netip.Addr{}, fmt.Sprintf("%q is not a hex digit", digits[i:i+1])
	}
	switch n := len(digits); {
	case n <= 8:
		v, _ := strconv.ParseUint(digits, 16, 32)
		return uint32Addr(uint32(v)), ""
	case n == 32:
		var b [16]byte
		for i := range b {
			v, _ := strconv.ParseUint(digits[2*i:2*i+2], 16, 8)
			b[i] = byte(v)
		}
		return netip.AddrFrom16(b), ""
	default:
		return netip.Addr{}, fmt.Sprintf("hex value has %d digits: use up to 8 for IPv4 or exactly 32 for IPv6", n)
	}
}

// Is4 reports whether the address is IPv4.
func (a Address) Is4() bool { return a.IP.Is4() }

// Uint32 is the IPv4 address as a host integer; ok is false for IPv6.
func (a Address) Uint32() (v uint32, ok bool) {
	if !a.IP.Is4() {
		return 0, false
	}
	b := a.IP.As4()
	return binary.BigEndian.Uint32(b[:]), true
}

// Dotted is the inet_ntoa form; "" for IPv6 (see Compressed).
func (a Address) Dotted() string {
	if !a.IP.Is4() {
		return ""
	}
	return a.IP.String()
}

// Decimal is the IPv4 address as an unsigned 32-bit integer; "" for IPv6.
func (a Address) Decimal() string {
	v, ok := a.Uint32()
	if !ok {
		return ""
	}
	return strconv.FormatUint(uint64(v), 10)
}

// Hex is 0x and 8 (IPv4) or 32 (IPv6) upper-case digits, network order.
func (a Address) Hex() string {
	return fmt.Sprintf("0x%X", a.Bytes())
}

// Bytes is the address in network order: 4 or 16 bytes (inet_aton, inet_pton).
func (a Address) Bytes() []byte { return a.IP.AsSlice() }

// BytesText is Bytes as upper-case hex pairs separated by spaces.
func (a Address) BytesText() string { return hexBytes(a.Bytes()) }

// PythonBytes is Bytes as Python prints a bytes object: b'\xc0\xa8\x01\x02'.
func (a Address) PythonBytes() string { return pythonBytes(a.Bytes()) }

// Compressed is the RFC 5952 text of an IPv6 address (inet_ntop); "" for IPv4.
func (a Address) Compressed() string {
	if a.IP.Is4() {
		return ""
	}
	return a.IP.String()
}

// Expanded is an IPv6 address with all 8 groups of 4 digits; "" for IPv4.
func (a Address) Expanded() string {
	if a.IP.Is4() {
		return ""
	}
	return a.IP.StringExpanded()
}

// Fields lists every form, one row each, for the tab and for Text.
func (a Address) Fields() []Field {
	f := []Field{{Label: "Input", Value: a.Input, Note: "read as " + a.Form.String()}}
	if a.IP.Is4() {
		f = append(f,
			Field{"Dotted decimal", a.Dotted(), "inet_ntoa / inet_ntop(AF_INET)"},
			Field{"Integer", a.Decimal(), "unsigned 32-bit, host value"},
			Field{"Hex", a.Hex(), ""},
			Field{"Bytes", a.BytesText(), "inet_aton / inet_pton(AF_INET), network order"},
			Field{"Python bytes", a.PythonBytes(), ""},
			Field{"Binary", binaryDotted(a.Bytes()), ""},
			Field{"IPv4-mapped IPv6", netip.AddrFrom16(a.IP.As16()).String(), ""},
		)
		return f
	}
	f = append(f,
		Field{"Compressed", a.Compressed(), "inet_ntop(AF_INET6), RFC 5952"},
		Field{"Expanded", a.Expanded(), ""},
		Field{"Hex", a.Hex(), ""},
		Field{"Bytes", a.BytesText(), "inet_pton(AF_INET6), network order"},
		Field{"Python bytes", a.PythonBytes(), ""},
	)
	if z := a.IP.Zone(); z != "" {
		f = append(f, Field{"Zone", z, "scope of a link-local address; not part of the bytes"})
	}
	if a.IP.Is4In6() {
		f = append(f, Field{"IPv4 inside", a.IP.Unmap().String(), "IPv4-mapped IPv6 address"})
	}
	return f
}

// Text is the aligned plain-text form of Fields.
func (a Address) Text() string { return fieldsText(a.Fields()) }

// InetAton converts dotted decimal IPv4 text to its 4 network-order bytes,
// like socket.inet_aton but without the legacy short forms.
func InetAton(s string) ([4]byte, error) {
	ip, err := netip.ParseAddr(strings.TrimSpace(s))
	if err != nil || !ip.Is4() {
		return [4]byte{}, fmt.Errorf("%w %q: %s", ErrInvalidAddress, s, diagnoseIPv4(strings.TrimSpace(s)))
	}
	return ip.As4(), nil
}

// InetNtoa converts 4 network-order bytes to dotted decimal text.
func InetNtoa(b [4]byte) string { return netip.AddrFrom4(b).String() }

// InetPton converts IPv4 or IPv6 text to 4 or 16 network-order bytes.
func InetPton(s string) ([]byte, error) {
	in := strings.TrimSpace(s)
	ip, err := netip.ParseAddr(in)
	if err != nil {
		why := diagnoseIPv4(in)
		if strings.Contains(in, ":") {
			why = diagnoseIPv6(in)
		}
		return nil, fmt.Errorf("%w %q: %s", ErrInvalidAddress, s, why)
	}
	return ip.AsSlice(), nil
}

// InetNtop converts 4 or 16 network-order bytes to text (RFC 5952 for IPv6).
func InetNtop(b []byte) (string, error) {
	ip, ok := netip.AddrFromSlice(b)
	if !ok {
		return "", fmt.Errorf("%w: got %d bytes; an address is 4 bytes (IPv4) or 16 bytes (IPv6)", ErrInvalidAddress, len(b))
	}
	return ip.String(), nil
}

func hexBytes(b []byte) string {
	var sb strings.Builder
	for i, c := range b {
		if i > 0 {
			sb.WriteByte(' ')
		}
		fmt.Fprintf(&sb, "%02X", c)
	}
	return sb.String()
}

func binaryDotted(b []byte) string {
	parts := make([]string, len(b))
	for i, c := range b {
		parts[i] = fmt.Sprintf("%08b", c)
	}
	return strings.Join(parts, ".")
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func allHex(s string) bool {
	for _, r := range s {
		if !isHexDigit(r) {
			return false
		}
	}
	return s != ""
}

func isHexDigit(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F'
}

func hexPrefixed(s string) bool {
	return len(s) >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')
}
