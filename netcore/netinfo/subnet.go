package netinfo

import (
	"fmt"
	"math/big"
	"net/netip"
	"strconv"
	"strings"
)

// Subnet is everything the calculator tells about an address and its mask.
type Subnet struct {
	Input     string       // what was typed, trimmed
	Addr      netip.Addr   // the address typed; host bits may be set
	Prefix    netip.Prefix // the network: Addr with the host bits cleared
	Netmask   netip.Addr   // 255.255.255.0, or ffff:ffff:ffff:ffff:: for IPv6
	Wildcard  netip.Addr   // the inverse of Netmask: 0.0.0.255
	Broadcast netip.Addr   // IPv4 /0 to /30 only; invalid (zero) otherwise
	First     netip.Addr   // first usable host (IPv4) or first address (IPv6)
	Last      netip.Addr   // last usable host (IPv4) or last address (IPv6)
	// Hosts counts usable host addresses: 2^(32-n)-2 for IPv4 up to /30, 2
	// for /31 (RFC 3021 point-to-point), 1 for /32; all 2^(128-n) for IPv6,
	// which has no broadcast address.
	Hosts     *big.Int
	Addresses *big.Int // every address in the prefix: 2^(bits-n)
	Class     string   // classful class "A".."E" for IPv4, "" for IPv6
	Flags     []Flag   // special ranges Addr lies in
}

// ParseSubnet reads a subnet written as CIDR (192.168.1.10/24, 2001:db8::/64)
// or as an address and a mask separated by '/' or spaces
// (192.168.1.10 255.255.255.0, 10.0.0.1/0xff000000).
func ParseSubnet(s string) (Subnet, error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return Subnet{}, fmt.Errorf("%w: the input is empty", ErrInvalidSubnet)
	}
	var addr, mask string
	if i := strings.IndexByte(in, '/'); i >= 0 {
		addr, mask = strings.TrimSpace(in[:i]), strings.TrimSpace(in[i+1:])
	} else {
		f := strings.Fields(in)
		switch len(f) {
		case 1:
			return Subnet{}, fmt.Errorf("%w %q: no prefix length or mask; write 192.168.1.10/24 or 192.168.1.10 255.255.255.0", ErrInvalidSubnet, in)
		case 2:
			addr, mask = f[0], f[1]
		default:
			return Subnet{}, fmt.Errorf("%w %q: expected an address and a mask, got %d parts", ErrInvalidSubnet, in, len(f))
		}
	}
	sn, err := SubnetFromMask(addr, mask)
	if err != nil {
		return Subnet{}, err
	}
	sn.Input = in
	return sn, nil
}

// SubnetFromMask is ParseSubnet for the two fields of the tab: an address and
// a mask, the mask as a prefix length (24 or /24), dotted (255.255.255.0), hex
// (0xffffff00, as BSD ifconfig prints it) or IPv6 text (ffff:ffff::).
func SubnetFromMask(addr, mask string) (Subnet, error) {
	addr, mask = strings.TrimSpace(addr), strings.TrimSpace(mask)
	if addr == "" {
		return Subnet{}, fmt.Errorf("%w: the address is empty", ErrInvalidSubnet)
	}
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		why := diagnoseIPv4(addr)
		if strings.Contains(addr, ":") {
			why = diagnoseIPv6(addr)
		}
		return Subnet{}, fmt.Errorf("%w: %w %q: %s", ErrInvalidSubnet, ErrInvalidAddress, addr, why)
	}
	if ip.Zone() != "" {
		return Subnet{}, fmt.Errorf("%w: address %q has a zone (%%%s); a subnet has none", ErrInvalidSubnet, addr, ip.Zone())
	}
	bits, err := parseMask(mask, ip.Is4())
	if err != nil {
		return Subnet{}, fmt.Errorf("%w: %w", ErrInvalidSubnet, err)
	}
	sn := subnetOf(ip, bits)
	if m := strings.TrimPrefix(mask, "/"); allDigits(m) {
		sn.Input = addr + "/" + m
	} else {
		sn.Input = addr + " " + mask
	}
	return sn, nil
}

// parseMask returns the prefix length a mask stands for.
func parseMask(mask string, is4 bool) (int, error) {
	width, fam := 128, "IPv6"
	if is4 {
		width, fam = 32, "IPv4"
	}
	m := strings.TrimPrefix(mask, "/")
	switch {
	case m == "":
		return 0, fmt.Errorf("%w: the mask is empty; give a prefix length (24) or a netmask (255.255.255.0)", ErrInvalidMask)
	case allDigits(m):
		n, err := strconv.Atoi(m)
		if err != nil || n > width {
			return 0, fmt.Errorf("%w: prefix length %s is more than %d, the most for %s", ErrInvalidMask, m, width, fam)
		}
		return n, nil
	case strings.HasPrefix(m, "-"):
		return 0, fmt.Errorf("%w: prefix length %s is negative", ErrInvalidMask, m)
	case hexPrefixed(m):
		if !is4 {
			return 0, fmt.Errorf("%w %q: a hex netmask is for IPv4; give IPv6 a prefix length", ErrInvalidMask, m)
		}
		if len(m) > 10 || !allHex(m[2:]) || len(m) == 2 {
			return 0, fmt.Errorf("%w %q: a hex netmask is 0x and up to 8 hex digits", ErrInvalidMask, m)
		}
		v, _ := strconv.ParseUint(m[2:], 16, 32)
		return contiguousBits(uint32Addr(uint32(v)))
	}
	ip, err := netip.ParseAddr(m)
	if err != nil {
		why := "not a prefix length or a netmask"
		if strings.Contains(m, ":") {
			why = diagnoseIPv6(m)
		} else if strings.Contains(m, ".") {
			why = diagnoseIPv4(m)
		}
		return 0, fmt.Errorf("%w %q: %s", ErrInvalidMask, m, why)
	}
	if ip.Is4() != is4 {
		got := "IPv6"
		if ip.Is4() {
			got = "IPv4"
		}
		return 0, fmt.Errorf("%w %q: the mask is %s but the address is %s", ErrInvalidMask, m, got, fam)
	}
	return contiguousBits(ip)
}

// contiguousBits checks that a netmask is ones then zeros and counts the ones.
func contiguousBits(mask netip.Addr) (int, error) {
	b := mask.AsSlice()
	firstZero := -1
	for i := 0; i < len(b)*8; i++ {
		one := b[i/8]&(0x80>>(i%8)) != 0
		if !one && firstZero < 0 {
			firstZero = i
		}
		if one && firstZero >= 0 {
			near := netip.PrefixFrom(mask, firstZero)
			return 0, fmt.Errorf("%w %s: not contiguous: bit %d is 0 but bit %d is 1; a netmask is all 1s then all 0s (nearest: %s, /%d)",
				ErrInvalidMask, mask, firstZero+1, i+1, maskAddr(firstZero, len(b)*8), near.Bits())
		}
	}
	if firstZero < 0 {
		return len(b) * 8, nil
	}
	return firstZero, nil
}

// maskAddr is the netmask of n leading ones in a width-bit address.
func maskAddr(n, width int) netip.Addr {
	b := make([]byte, width/8)
	for i := 0; i < n; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	ip, _ := netip.AddrFromSlice(b)
	return ip
}

func subnetOf(ip netip.Addr, bits int) Subnet {
	width := ip.BitLen()
	mask := maskAddr(bits, width)
	mb := mask.AsSlice()
	wild := make([]byte, len(mb))
	for i, c := range mb {
		wild[i] = ^c
	}
	ab := ip.AsSlice()
	last := make([]byte, len(ab))
	for i := range ab {
		last[i] = ab[i] | wild[i]
	}
	wa, _ := netip.AddrFromSlice(wild)
	la, _ := netip.AddrFromSlice(last)
	prefix := netip.PrefixFrom(ip, bits).Masked()
	sn := Subnet{
		Addr:      ip,
		Prefix:    prefix,
		Netmask:   mask,
		Wildcard:  wa,
		Addresses: new(big.Int).Lsh(big.NewInt(1), uint(width-bits)),
		Flags:     AddressFlags(ip),
	}
	network := prefix.Addr()
	switch {
	case !ip.Is4():
		sn.First, sn.Last = network, la
		sn.Hosts = new(big.Int).Set(sn.Addresses)
	case bits == 32:
		sn.First, sn.Last = network, network
		sn.Hosts = big.NewInt(1)
	case bits == 31:
		sn.First, sn.Last = network, la
		sn.Hosts = big.NewInt(2)
	default:
		sn.Broadcast = la
		sn.First, sn.Last = network.Next(), la.Prev()
		sn.Hosts = new(big.Int).Sub(sn.Addresses, big.NewInt(2))
	}
	if ip.Is4() {
		sn.Class = classOf(ip)
	}
	return sn
}

// classOf is the classful class (RFC 791) by the leading bits of the address.
func classOf(ip netip.Addr) string {
	switch b := ip.As4()[0]; {
	case b < 128:
		return "A"
	case b < 192:
		return "B"
	case b < 224:
		return "C"
	case b < 240:
		return "D"
	}
	return "E"
}

// ClassDefaultMask is the default mask of a classful class: 8, 16 or 24
// bits for A, B and C; ok is false for D (multicast) and E (reserved).
func ClassDefaultMask(class string) (bits int, ok bool) {
	switch class {
	case "A":
		return 8, true
	case "B":
		return 16, true
	case "C":
		return 24, true
	}
	return 0, false
}

// Fields lists every answer, one row each, for the tab and for Text.
func (s Subnet) Fields() []Field {
	bits, width := s.Prefix.Bits(), s.Addr.BitLen()
	count := func(n *big.Int, note string) Field { return Field{Value: n.String(), Note: note} }
	if !s.Addr.Is4() {
		f := []Field{
			{"Input", s.Input, ""},
			{"Address", s.Addr.String(), ""},
			{"Network", s.Prefix.String(), s.Prefix.Addr().StringExpanded()},
			{"Prefix length", strconv.Itoa(bits), fmt.Sprintf("%d network bits, %d interface bits", bits, width-bits)},
			{"Netmask", s.Netmask.String(), ""},
			{"First address", s.First.String(), ""},
			{"Last address", s.Last.String(), ""},
		}
		c := count(s.Addresses, fmt.Sprintf("2^%d; IPv6 has no broadcast address", width-bits))
		c.Label = "Addresses"
		return append(f, c, Field{"Flags", flagsText(s.Flags), ""})
	}
	bcast, bnote := s.Broadcast.String(), ""
	switch bits {
	case 31:
		bcast, bnote = "none", "/31 is a point-to-point link: both addresses are hosts (RFC 3021)"
	case 32:
		bcast, bnote = "none", "/32 is a single host"
	}
	hostNote := fmt.Sprintf("2^%d - 2: network and broadcast addresses excluded", width-bits)
	switch bits {
	case 31:
		hostNote = "RFC 3021"
	case 32:
		hostNote = "the address itself"
	}
	mask4 := s.Netmask.As4()
	class := s.Class
	classNote := "multicast; no default mask"
	if s.Class == "E" {
		classNote = "reserved; no default mask"
	}
	if n, ok := ClassDefaultMask(s.Class); ok {
		classNote = fmt.Sprintf("classful default mask %s (/%d); classes are history since CIDR", maskAddr(n, 32), n)
	}
	hosts := count(s.Hosts, hostNote)
	hosts.Label = "Hosts"
	addrs := count(s.Addresses, fmt.Sprintf("2^%d", width-bits))
	addrs.Label = "Addresses"
	return []Field{
		{"Input", s.Input, ""},
		{"Address", s.Addr.String(), ""},
		{"Network", s.Prefix.String(), ""},
		{"Netmask", s.Netmask.String(), fmt.Sprintf("/%d, 0x%X", bits, mask4[:])},
		{"Wildcard", s.Wildcard.String(), "inverse of the netmask, as ACLs write it"},
		{"Broadcast", bcast, bnote},
		{"First host", s.First.String(), ""},
		{"Last host", s.Last.String(), ""},
		hosts,
		addrs,
		{"Class", class, classNote},
		{"Flags", flagsText(s.Flags), ""},
		{"Address bits", binaryDotted(s.Addr.AsSlice()), ""},
		{"Netmask bits", binaryDotted(mask4[:]), ""},
	}
}

// Text is the aligned plain-text form of Fields.
func (s Subnet) Text() string { return fieldsText(s.Fields()) }
