package netinfo

import (
	"errors"
	"math/big"
	"net/netip"
	"strings"
	"testing"
)

func TestParseSubnetIPv4(t *testing.T) {
	cases := []struct {
		in                                      string
		network, mask, wild, bcast, first, last string
		hosts, addrs                            string
		class                                   string
	}{
		{"192.168.1.10/24", "192.168.1.0/24", "255.255.255.0", "0.0.0.255", "192.168.1.255", "192.168.1.1", "192.168.1.254", "254", "256", "C"},
		{"192.168.1.10 255.255.255.0", "192.168.1.0/24", "255.255.255.0", "0.0.0.255", "192.168.1.255", "192.168.1.1", "192.168.1.254", "254", "256", "C"},
		{"192.168.1.10/255.255.255.0", "192.168.1.0/24", "255.255.255.0", "0.0.0.255", "192.168.1.255", "192.168.1.1", "192.168.1.254", "254", "256", "C"},
		{"192.168.1.10   24", "192.168.1.0/24", "255.255.255.0", "0.0.0.255", "192.168.1.255", "192.168.1.1", "192.168.1.254", "254", "256", "C"},
		{"10.1.2.3/0xff000000", "10.0.0.0/8", "255.0.0.0", "0.255.255.255", "10.255.255.255", "10.0.0.1", "10.255.255.254", "16777214", "16777216", "A"},
		{"172.20.5.1/20", "172.20.0.0/20", "255.255.240.0", "0.0.15.255", "172.20.15.255", "172.20.0.1", "172.20.15.254", "4094", "4096", "B"},
		{"0.0.0.0/0", "0.0.0.0/0", "0.0.0.0", "255.255.255.255", "255.255.255.255", "0.0.0.1", "255.255.255.254", "4294967294", "4294967296", "A"},
		{"10.0.0.4/30", "10.0.0.4/30", "255.255.255.252", "0.0.0.3", "10.0.0.7", "10.0.0.5", "10.0.0.6", "2", "4", "A"},
		{"10.0.0.5/31", "10.0.0.4/31", "255.255.255.254", "0.0.0.1", "", "10.0.0.4", "10.0.0.5", "2", "2", "A"},
		{"10.0.0.5/32", "10.0.0.5/32", "255.255.255.255", "0.0.0.0", "", "10.0.0.5", "10.0.0.5", "1", "1", "A"},
		{"224.0.0.251/24", "224.0.0.0/24", "255.255.255.0", "0.0.0.255", "224.0.0.255", "224.0.0.1", "224.0.0.254", "254", "256", "D"},
		{"250.1.1.1/8", "250.0.0.0/8", "255.0.0.0", "0.255.255.255", "250.255.255.255", "250.0.0.1", "250.255.255.254", "16777214", "16777216", "E"},
	}
	for _, c := range cases {
		s, err := ParseSubnet(c.in)
		if err != nil {
			t.Errorf("ParseSubnet(%q): %v", c.in, err)
			continue
		}
		bcast := ""
		if s.Broadcast.IsValid() {
			bcast = s.Broadcast.String()
		}
		got := []string{s.Prefix.String(), s.Netmask.String(), s.Wildcard.String(), bcast, s.First.String(), s.Last.String(), s.Hosts.String(), s.Addresses.String(), s.Class}
		want := []string{c.network, c.mask, c.wild, c.bcast, c.first, c.last, c.hosts, c.addrs, c.class}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("ParseSubnet(%q)\n got %v\nwant %v", c.in, got, want)
		}
	}
}

func TestParseSubnetIPv6(t *testing.T) {
	cases := []struct {
		in, network, mask, first, last, addrs string
	}{
		{"2001:db8::1/64", "2001:db8::/64", "ffff:ffff:ffff:ffff::", "2001:db8::", "2001:db8::ffff:ffff:ffff:ffff", "18446744073709551616"},
		{"2001:db8::1/128", "2001:db8::1/128", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db8::1", "2001:db8::1", "1"},
		{"fe80::1 ffff:ffff:ffff:ffff::", "fe80::/64", "ffff:ffff:ffff:ffff::", "fe80::", "fe80::ffff:ffff:ffff:ffff", "18446744073709551616"},
		{"::/0", "::/0", "::", "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "340282366920938463463374607431768211456"},
		{"2001:db8:abcd:12::/56", "2001:db8:abcd::/56", "ffff:ffff:ffff:ff00::", "2001:db8:abcd::", "2001:db8:abcd:ff:ffff:ffff:ffff:ffff", new(big.Int).Lsh(big.NewInt(1), 72).String()},
	}
	for _, c := range cases {
		s, err := ParseSubnet(c.in)
		if err != nil {
			t.Errorf("ParseSubnet(%q): %v", c.in, err)
			continue
		}
		got := []string{s.Prefix.String(), s.Netmask.String(), s.First.String(), s.Last.String(), s.Addresses.String()}
		want := []string{c.network, c.mask, c.first, c.last, c.addrs}
		if strings.Join(got, " ") != strings.Join(want, " ") || s.Broadcast.IsValid() || s.Class != "" || s.Hosts.Cmp(s.Addresses) != 0 {
			t.Errorf("ParseSubnet(%q)\n got %v bcast=%v class=%q\nwant %v", c.in, got, s.Broadcast, s.Class, want)
		}
	}
}

func TestParseSubnetErrors(t *testing.T) {
	cases := []struct {
		in   string
		is   error
		want string
	}{
		{"", ErrInvalidSubnet, "empty"},
		{"192.168.1.10", ErrInvalidSubnet, "no prefix length or mask"},
		{"1.2.3.4 255.255.255.0 extra", ErrInvalidSubnet, "got 3 parts"},
		{"1.2.3.4/255.0.255.0", ErrInvalidMask, "not contiguous: bit 9 is 0 but bit 17 is 1"},
		{"1.2.3.4 255.255.255.1", ErrInvalidMask, "nearest: 255.255.255.0, /24"},
		{"1.2.3.4/0.255.255.255", ErrInvalidMask, "not contiguous: bit 1 is 0 but bit 9 is 1"},
		{"1.2.3.4/33", ErrInvalidMask, "prefix length 33 is more than 32"},
		{"::1/129", ErrInvalidMask, "prefix length 129 is more than 128"},
		{"1.2.3.4/-1", ErrInvalidMask, "negative"},
		{"1.2.3.4/", ErrInvalidMask, "the mask is empty"},
		{"1.2.3.4/255.255.256.0", ErrInvalidMask, "octet 3 is 256, more than 255"},
		{"1.2.3.4/abc", ErrInvalidMask, "not a prefix length or a netmask"},
		{"1.2.3.4/ffff::", ErrInvalidMask, "the mask is IPv6 but the address is IPv4"},
		{"::1/255.255.255.0", ErrInvalidMask, "the mask is IPv4 but the address is IPv6"},
		{"::1/0xffffff00", ErrInvalidMask, "hex netmask is for IPv4"},
		{"1.2.3.4/0xfffffffff", ErrInvalidMask, "0x and up to 8 hex digits"},
		{"1.2.3.4/0xff00ff00", ErrInvalidMask, "not contiguous"},
		{"::1/ffff:0:ffff::", ErrInvalidMask, "not contiguous"},
		{"1.2.3.256/24", ErrInvalidAddress, "octet 4 is 256, more than 255"},
		{"1::2::3/64", ErrInvalidAddress, "two '::'"},
		{"fe80::1%eth0/64", ErrInvalidSubnet, "has a zone"},
		{"/24", ErrInvalidSubnet, "the address is empty"},
	}
	for _, c := range cases {
		_, err := ParseSubnet(c.in)
		if err == nil || !errors.Is(err, c.is) || !errors.Is(err, ErrInvalidSubnet) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseSubnet(%q) error = %v; want %v containing %q", c.in, err, c.is, c.want)
		}
	}
}

func TestSubnetFromMask(t *testing.T) {
	for _, mask := range []string{"24", "/24", "255.255.255.0", "0xffffff00", " 24 "} {
		s, err := SubnetFromMask("192.168.7.9", mask)
		if err != nil || s.Prefix.String() != "192.168.7.0/24" {
			t.Errorf("SubnetFromMask(192.168.7.9, %q) = %v, %v", mask, s.Prefix, err)
		}
	}
	if s, _ := SubnetFromMask("192.168.7.9", "/24"); s.Input != "192.168.7.9/24" {
		t.Errorf("Input = %q", s.Input)
	}
	if _, err := SubnetFromMask("192.168.7.9", "255.0.255.0"); !errors.Is(err, ErrInvalidMask) {
		t.Errorf("non-contiguous mask: %v", err)
	}
}

func TestSubnetFlags(t *testing.T) {
	cases := []struct {
		addr  string
		flags []string
	}{
		{"10.1.2.3", []string{FlagPrivate}},
		{"172.31.255.255", []string{FlagPrivate}},
		{"172.32.0.1", []string{FlagPublic}},
		{"192.168.0.1", []string{FlagPrivate}},
		{"127.0.0.1", []string{FlagLoopback}},
		{"169.254.1.1", []string{FlagLinkLocal}},
		{"224.0.0.1", []string{FlagMulticast}},
		{"0.0.0.0", []string{FlagUnspecified, FlagThisNetwork}},
		{"100.64.0.1", []string{FlagCGNAT}},
		{"192.0.2.7", []string{FlagDocumentation}},
		{"198.51.100.7", []string{FlagDocumentation}},
		{"203.0.113.7", []string{FlagDocumentation}},
		{"198.18.0.1", []string{FlagBenchmark}},
		{"255.255.255.255", []string{FlagBroadcast, FlagReserved}},
		{"8.8.8.8", []string{FlagPublic}},
		{"::", []string{FlagUnspecified}},
		{"::1", []string{FlagLoopback}},
		{"fe80::1", []string{FlagLinkLocal}},
		{"ff02::1", []string{FlagMulticast}},
		{"fd00::2", []string{FlagUniqueLocal}},
		{"2001:db8::1", []string{FlagDocumentation}},
		{"2001:0:4136::1", []string{FlagTeredo}},
		{"2606:4700::1", []string{FlagPublic}},
		{"::ffff:10.0.0.1", []string{FlagIPv4Mapped}},
	}
	for _, c := range cases {
		got := AddressFlags(netip.MustParseAddr(c.addr))
		var names []string
		for _, f := range got {
			names = append(names, f.Name)
		}
		if strings.Join(names, ",") != strings.Join(c.flags, ",") {
			t.Errorf("AddressFlags(%s) = %v, want %v", c.addr, names, c.flags)
		}
	}
	s, _ := ParseSubnet("127.0.0.1/8")
	if !HasFlag(s.Flags, FlagLoopback) || HasFlag(s.Flags, FlagPrivate) {
		t.Errorf("127.0.0.1/8 flags = %v", s.Flags)
	}
}

func TestSubnetText(t *testing.T) {
	cases := map[string][]string{
		"192.168.1.10/24": {"Network       192.168.1.0/24", "Netmask       255.255.255.0  /24, 0xFFFFFF00", "Broadcast     192.168.1.255",
			"Hosts         254", "Class         C              classful default mask 255.255.255.0 (/24)", "private (192.168.0.0/16, RFC 1918)",
			"Address bits  11000000.10101000.00000001.00001010"},
		"10.0.0.1/31":        {"Broadcast     none", "RFC 3021", "Hosts         2"},
		"10.0.0.1/32":        {"/32 is a single host", "Hosts         1"},
		"2001:db8::/64":      {"Addresses      18446744073709551616", "2^64", "Last address   2001:db8::ffff:ffff:ffff:ffff"},
		"224.1.2.3/8":        {"Class         D", "no default mask"},
		"0.0.0.0/0":          {"Hosts         4294967294", "unspecified"},
		"::ffff:1.2.3.4/120": {"IPv4-mapped"},
	}
	for in, wants := range cases {
		s, err := ParseSubnet(in)
		if err != nil {
			t.Errorf("ParseSubnet(%q): %v", in, err)
			continue
		}
		text := s.Text()
		for _, w := range wants {
			if !strings.Contains(text, w) {
				t.Errorf("Text of %s lacks %q:\n%s", in, w, text)
			}
		}
	}
}

func FuzzParseSubnet(f *testing.F) {
	for _, s := range []string{"192.168.1.10/24", "10.0.0.1 255.0.0.0", "1.2.3.4/255.0.255.0", "0.0.0.0/0", "10.0.0.1/31",
		"2001:db8::1/64", "::/0", "::1/128", "1.2.3.4/0xffffff00", "fe80::1 ffff:ffff::"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s, err := ParseSubnet(in)
		if err != nil {
			if !errors.Is(err, ErrInvalidSubnet) {
				t.Fatalf("error %v does not wrap ErrInvalidSubnet", err)
			}
			return
		}
		bits, width := s.Prefix.Bits(), s.Addr.BitLen()
		if !s.Prefix.IsValid() || s.Prefix != s.Prefix.Masked() || !s.Prefix.Contains(s.Addr) {
			t.Fatalf("%q: prefix %v does not hold %v", in, s.Prefix, s.Addr)
		}
		// The CIDR form of the answer must give the same answer back.
		back, err := ParseSubnet(s.Prefix.String())
		if err != nil || back.Prefix != s.Prefix || back.Last != s.Last || back.First != s.First {
			t.Fatalf("%q -> %v -> %v, %v", in, s.Prefix, back.Prefix, err)
		}
		// So must the address with the netmask written out.
		if m, err := ParseSubnet(s.Addr.String() + " " + s.Netmask.String()); err != nil || m.Prefix != s.Prefix {
			t.Fatalf("%q: netmask form %s %s gives %v, %v", in, s.Addr, s.Netmask, m.Prefix, err)
		}
		if !s.Prefix.Contains(s.First) || !s.Prefix.Contains(s.Last) || s.Last.Less(s.First) {
			t.Fatalf("%q: first %v last %v outside %v", in, s.First, s.Last, s.Prefix)
		}
		want := new(big.Int).Lsh(big.NewInt(1), uint(width-bits))
		if s.Addresses.Cmp(want) != 0 {
			t.Fatalf("%q: %v addresses, want %v", in, s.Addresses, want)
		}
		switch {
		case s.Addr.Is4() && bits <= 30:
			if s.Broadcast.Prev() != s.Last || s.Prefix.Addr().Next() != s.First || !s.Prefix.Contains(s.Broadcast) {
				t.Fatalf("%q: network %v, hosts %v-%v, broadcast %v do not fit", in, s.Prefix, s.First, s.Last, s.Broadcast)
			}
		case s.Broadcast.IsValid():
			t.Fatalf("%q: /%d has broadcast %v", in, bits, s.Broadcast)
		}
		_ = s.Text()
	})
}
