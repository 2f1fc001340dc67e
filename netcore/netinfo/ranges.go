package netinfo

import (
	"net/netip"
	"slices"
)

// Flag names one special-purpose range an address lies in.
type Flag struct {
	Name  string       // "private", "loopback", ... (the Flag* constants)
	Range netip.Prefix // the range that matched
	Note  string       // where it is defined: "RFC 1918"
}

// Flag names. Several may apply at once (0.0.0.0 is both unspecified and in
// "this network").
const (
	FlagUnspecified   = "unspecified"
	FlagThisNetwork   = "this network"
	FlagPrivate       = "private"
	FlagCGNAT         = "shared address space (CGNAT)"
	FlagLoopback      = "loopback"
	FlagLinkLocal     = "link-local"
	FlagProtocol      = "IETF protocol assignments"
	FlagDocumentation = "documentation"
	FlagBenchmark     = "benchmarking"
	FlagMulticast     = "multicast"
	FlagReserved      = "reserved"
	FlagBroadcast     = "limited broadcast"
	FlagIPv4Mapped    = "IPv4-mapped"
	FlagNAT64         = "NAT64"
	FlagTeredo        = "Teredo"
	Flag6to4          = "6to4"
	FlagUniqueLocal   = "unique local (private)"
	FlagPublic        = "public (global unicast)"
)

var specialRanges = []Flag{
	{FlagUnspecified, netip.MustParsePrefix("0.0.0.0/32"), "RFC 1122"},
	{FlagThisNetwork, netip.MustParsePrefix("0.0.0.0/8"), "RFC 791"},
	{FlagPrivate, netip.MustParsePrefix("10.0.0.0/8"), "RFC 1918"},
	{FlagCGNAT, netip.MustParsePrefix("100.64.0.0/10"), "RFC 6598"},
	{FlagLoopback, netip.MustParsePrefix("127.0.0.0/8"), "RFC 1122"},
	{FlagLinkLocal, netip.MustParsePrefix("169.254.0.0/16"), "RFC 3927"},
	{FlagPrivate, netip.MustParsePrefix("172.16.0.0/12"), "RFC 1918"},
	{FlagProtocol, netip.MustParsePrefix("192.0.0.0/24"), "RFC 6890"},
	{FlagDocumentation, netip.MustParsePrefix("192.0.2.0/24"), "TEST-NET-1, RFC 5737"},
	{FlagPrivate, netip.MustParsePrefix("192.168.0.0/16"), "RFC 1918"},
	{FlagBenchmark, netip.MustParsePrefix("198.18.0.0/15"), "RFC 2544"},
	{FlagDocumentation, netip.MustParsePrefix("198.51.100.0/24"), "TEST-NET-2, RFC 5737"},
	{FlagDocumentation, netip.MustParsePrefix("203.0.113.0/24"), "TEST-NET-3, RFC 5737"},
	{FlagMulticast, netip.MustParsePrefix("224.0.0.0/4"), "class D, RFC 5771"},
	{FlagReserved, netip.MustParsePrefix("240.0.0.0/4"), "class E, RFC 1112"},
	{FlagBroadcast, netip.MustParsePrefix("255.255.255.255/32"), "RFC 919"},

	{FlagUnspecified, netip.MustParsePrefix("::/128"), "RFC 4291"},
	{FlagLoopback, netip.MustParsePrefix("::1/128"), "RFC 4291"},
	{FlagIPv4Mapped, netip.MustParsePrefix("::ffff:0:0/96"), "RFC 4291"},
	{FlagNAT64, netip.MustParsePrefix("64:ff9b::/96"), "RFC 6052"},
	{FlagTeredo, netip.MustParsePrefix("2001::/32"), "RFC 4380"},
	{FlagDocumentation, netip.MustParsePrefix("2001:db8::/32"), "RFC 3849"},
	{Flag6to4, netip.MustParsePrefix("2002::/16"), "RFC 3056"},
	{FlagUniqueLocal, netip.MustParsePrefix("fc00::/7"), "RFC 4193"},
	{FlagLinkLocal, netip.MustParsePrefix("fe80::/10"), "RFC 4291"},
	{FlagMulticast, netip.MustParsePrefix("ff00::/8"), "RFC 4291"},
}

// AddressFlags lists the special ranges ip lies in, narrowest range first,
// and "public" when it lies in none and is global unicast.
func AddressFlags(ip netip.Addr) []Flag {
	ip = ip.WithZone("")
	var out []Flag
	for _, f := range specialRanges {
		if f.Range.Contains(ip) {
			out = append(out, f)
		}
	}
	slices.SortStableFunc(out, func(a, b Flag) int { return b.Range.Bits() - a.Range.Bits() })
	if len(out) == 0 && ip.IsGlobalUnicast() {
		out = append(out, Flag{Name: FlagPublic})
	}
	return out
}

// HasFlag reports whether flags holds one with the given name.
func HasFlag(flags []Flag, name string) bool {
	for _, f := range flags {
		if f.Name == name {
			return true
		}
	}
	return false
}

func flagsText(flags []Flag) string {
	if len(flags) == 0 {
		return "none"
	}
	s := ""
	for i, f := range flags {
		if i > 0 {
			s += "; "
		}
		s += f.Name
		if f.Range.IsValid() {
			s += " (" + f.Range.String() + ", " + f.Note + ")"
		}
	}
	return s
}
