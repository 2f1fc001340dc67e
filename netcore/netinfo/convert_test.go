package netinfo

import (
	"bytes"
	"errors"
	"net/netip"
	"strings"
	"testing"
)

func TestParseAddressForms(t *testing.T) {
	cases := []struct {
		in   string
		form AddressForm
		want string // netip text of the address
	}{
		{"192.168.1.2", FormDotted, "192.168.1.2"},
		{"  192.168.1.2\t", FormDotted, "192.168.1.2"},
		{"0.0.0.0", FormDotted, "0.0.0.0"},
		{"255.255.255.255", FormDotted, "255.255.255.255"},
		{"3232235778", FormDecimal, "192.168.1.2"},
		{"0", FormDecimal, "0.0.0.0"},
		{"4294967295", FormDecimal, "255.255.255.255"},
		{"2130706433", FormDecimal, "127.0.0.1"},
		{"0xC0A80102", FormHex, "192.168.1.2"},
		{"0xc0a80102", FormHex, "192.168.1.2"},
		{"0X7F000001", FormHex, "127.0.0.1"},
		{"0x1", FormHex, "0.0.0.1"},
		{"0x20010DB8000000000000000000000001", FormHex, "2001:db8::1"},
		{"C0 A8 01 02", FormBytes, "192.168.1.2"},
		{"c0:a8:01:02", FormBytes, "192.168.1.2"},
		{"c0-a8-1-2", FormBytes, "192.168.1.2"},
		{"0xc0, 0xa8, 0x01, 0x02", FormBytes, "192.168.1.2"},
		{"{0xc0,0xa8,0x01,0x02}", FormBytes, "192.168.1.2"},
		{"[7f 00 00 01]", FormBytes, "127.0.0.1"},
		{`b'\xc0\xa8\x01\x02'`, FormBytes, "192.168.1.2"},
		{`b"\x7f\x00\x00\x01"`, FormBytes, "127.0.0.1"},
		{`\xc0\xa8\x01\x02`, FormBytes, "192.168.1.2"},
		{`b'AB\x01\x02'`, FormBytes, "65.66.1.2"},
		{`b'\t\n\r\\'`, FormBytes, "9.10.13.92"},
		{"20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01", FormBytes, "2001:db8::1"},
		{"2001:db8::1", FormIPv6, "2001:db8::1"},
		{"2001:0db8:0000:0000:0000:0000:0000:0001", FormIPv6, "2001:db8::1"},
		{"::", FormIPv6, "::"},
		{"::1", FormIPv6, "::1"},
		{"fe80::1%eth0", FormIPv6, "fe80::1%eth0"},
		{"::ffff:192.0.2.1", FormIPv6, "::ffff:192.0.2.1"},
		{"1:2:3:4:5:6::7", FormIPv6, "1:2:3:4:5:6:0:7"},
		{"[2001:db8::1]", FormIPv6, "2001:db8::1"},
	}
	for _, c := range cases {
		a, err := ParseAddress(c.in)
		if err != nil {
			t.Errorf("ParseAddress(%q): %v", c.in, err)
			continue
		}
		if a.Form != c.form || a.IP.String() != c.want {
			t.Errorf("ParseAddress(%q) = %v %s; want %v %s", c.in, a.Form, a.IP, c.form, c.want)
		}
	}
}

func TestAddressOutputsIPv4(t *testing.T) {
	a, err := ParseAddress("192.168.1.2")
	if err != nil {
		t.Fatal(err)
	}
	v, ok := a.Uint32()
	checks := []struct{ name, got, want string }{
		{"Dotted", a.Dotted(), "192.168.1.2"},
		{"Decimal", a.Decimal(), "3232235778"},
		{"Hex", a.Hex(), "0xC0A80102"},
		{"BytesText", a.BytesText(), "C0 A8 01 02"},
		{"PythonBytes", a.PythonBytes(), `b'\xc0\xa8\x01\x02'`},
		{"Compressed", a.Compressed(), ""},
		{"Expanded", a.Expanded(), ""},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if !ok || v != 0xC0A80102 {
		t.Errorf("Uint32 = %#x, %v", v, ok)
	}
	if !bytes.Equal(a.Bytes(), []byte{0xc0, 0xa8, 1, 2}) {
		t.Errorf("Bytes = % x", a.Bytes())
	}
	text := a.Text()
	for _, want := range []string{"Hex               0xC0A80102", "Bytes             C0 A8 01 02", "IPv4-mapped IPv6  ::ffff:192.168.1.2", "11000000.10101000.00000001.00000010"} {
		if !strings.Contains(text, want) {
			t.Errorf("Text lacks %q:\n%s", want, text)
		}
	}
}

func TestAddressOutputsIPv6(t *testing.T) {
	a, err := ParseAddress("2001:0DB8::0001")
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct{ name, got, want string }{
		{"Compressed", a.Compressed(), "2001:db8::1"},
		{"Expanded", a.Expanded(), "2001:0db8:0000:0000:0000:0000:0000:0001"},
		{"Hex", a.Hex(), "0x20010DB8000000000000000000000001"},
		{"BytesText", a.BytesText(), "20 01 0D B8 00 00 00 00 00 00 00 00 00 00 00 01"},
		{"PythonBytes", a.PythonBytes(), `b' \x01\r\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01'`},
		{"Dotted", a.Dotted(), ""},
		{"Decimal", a.Decimal(), ""},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if _, ok := a.Uint32(); ok {
		t.Error("Uint32 ok for IPv6")
	}
	z, _ := ParseAddress("fe80::1%eth0")
	if !strings.Contains(z.Text(), "Zone") || z.Expanded() != "fe80:0000:0000:0000:0000:0000:0000:0001%eth0" {
		t.Errorf("zone lost:\n%s", z.Text())
	}
	m, _ := ParseAddress("::ffff:10.1.2.3")
	if !strings.Contains(m.Text(), "IPv4 inside   10.1.2.3") {
		t.Errorf("mapped address not explained:\n%s", m.Text())
	}
}

func TestParseAddressErrors(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", "empty"},
		{"192.168.1.256", "octet 4 is 256, more than 255"},
		{"300.1.1.1", "octet 1 is 300, more than 255"},
		{"1.2.3.99999999999999999999", "octet 4 is 99999999999999999999, more than 255"},
		{"1.2..4", "octet 3 is empty"},
		{"1.2.3.4.5", "has 5 octets; IPv4 needs 4"},
		{"127.1", "short forms inet_aton accepts"},
		{"01.2.3.4", `octet 1 "01" has a leading zero`},
		{"1.2.3.x", `octet 4 "x" is not a decimal number`},
		{"0x7f.0.0.1", `octet 1 "0x7f" is hex`},
		{"1::2::3", "IPv6 has two '::'"},
		{"1:::2", "IPv6 has ':::'"},
		{":1:2:3:4:5:6:7", "starts with a single ':'"},
		{"1:2:3:4:5:6:7:", "ends with a single ':'"},
		{"1:2:3:4:5:6:7", "IPv6 has 7 groups and no '::'; it needs 8"},
		{"1:2:3:4:5:6:7:8:9", "IPv6 has 9 groups, at most 8"},
		{"1:2:3:4:5:6:7:8::", "at most 7 when '::' is used"},
		{"12345::1", `group 1 "12345" has more than 4 hex digits`},
		{"2001:db8::g1", `group 3 "g1" has "g"`},
		{"fe80::1%", "zone after '%' is empty"},
		{"::ffff:1.2.3.256", "embedded IPv4 part: octet 4 is 256"},
		{"1.2.3.4::", "only the last part may be an embedded IPv4"},
		{"4294967296", "more than 4294967295"},
		{"0x", "0x needs hex digits"},
		{"0x123456789", "hex value has 9 digits"},
		{"0xC0A8010G", `"G" is not a hex digit`},
		{"C0A80102", "looks like hex: write it as 0xC0A80102"},
		{"C0 A8 01", "got 3 bytes"},
		{"00:11:22:33:44:55", "looks like a MAC address"},
		{"C0 A8 01 XY", `byte 4 "XY" is not hex`},
		{"192 168 1 2", "for dotted decimal write 192.168.1.2"},
		{`b'\xc0\xa8\x01'`, "got 3 bytes"},
		{`b'\xc0\xa8\x01\x02`, "does not end with '"},
		{`\xc0\xa8\x01\x2`, "needs two hex digits"},
		{`b'\q\x00\x00\x00'`, `unknown escape \q`},
		{`b'\xc0\xa8\x01\xzz'`, `needs two hex digits, got "zz"`},
		{"b'é\x00\x00\x00'", "not ASCII"},
		{"localhost", "not an address"},
	}
	for _, c := range cases {
		_, err := ParseAddress(c.in)
		if err == nil {
			t.Errorf("ParseAddress(%q) succeeded; want error %q", c.in, c.want)
			continue
		}
		if !errors.Is(err, ErrInvalidAddress) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseAddress(%q) error = %q; want ErrInvalidAddress containing %q", c.in, err, c.want)
		}
	}
}

func TestInetFunctions(t *testing.T) {
	b, err := InetAton("192.168.1.2")
	if err != nil || b != [4]byte{0xc0, 0xa8, 1, 2} {
		t.Errorf("InetAton = % x, %v", b, err)
	}
	if s := InetNtoa([4]byte{0xc0, 0xa8, 1, 2}); s != "192.168.1.2" {
		t.Errorf("InetNtoa = %q", s)
	}
	if _, err := InetAton("192.168.1.256"); !errors.Is(err, ErrInvalidAddress) || !strings.Contains(err.Error(), "octet 4 is 256") {
		t.Errorf("InetAton(bad) = %v", err)
	}
	if _, err := InetAton("::1"); !errors.Is(err, ErrInvalidAddress) {
		t.Errorf("InetAton(IPv6) = %v", err)
	}
	p, err := InetPton("2001:db8::1")
	if err != nil || len(p) != 16 || p[0] != 0x20 || p[15] != 1 {
		t.Errorf("InetPton = % x, %v", p, err)
	}
	if p, _ := InetPton("10.0.0.1"); len(p) != 4 {
		t.Errorf("InetPton(IPv4) gave %d bytes", len(p))
	}
	if _, err := InetPton("1::2::3"); err == nil || !strings.Contains(err.Error(), "two '::'") {
		t.Errorf("InetPton(bad) = %v", err)
	}
	if s, err := InetNtop(p); err != nil || s != "2001:db8::1" {
		t.Errorf("InetNtop = %q, %v", s, err)
	}
	if _, err := InetNtop([]byte{1, 2, 3}); !errors.Is(err, ErrInvalidAddress) {
		t.Errorf("InetNtop(3 bytes) = %v", err)
	}
}

func TestPythonBytesQuoting(t *testing.T) {
	cases := map[string]string{
		"\x27\x41\x00\x01": `b"'A\x00\x01"`,  // a single quote and no double: Python switches quotes
		"\x27\x22\x00\x01": `b'\'"\x00\x01'`, // both: single quotes, the single one escaped
		"\\\x7f\x20\x7e":   `b'\\\x7f ~'`,
	}
	for in, want := range cases {
		got := pythonBytes([]byte(in))
		if got != want {
			t.Errorf("pythonBytes(% x) = %s, want %s", in, got, want)
		}
		back, why := parsePythonBytes(got)
		if why != "" || string(back) != in {
			t.Errorf("parsePythonBytes(%s) = % x, %q", got, back, why)
		}
	}
}

// addressForms is every output of a that ParseAddress must read back.
func addressForms(a Address) []string {
	f := []string{a.Hex(), a.BytesText(), a.PythonBytes(), a.IP.String()}
	if a.Is4() {
		return append(f, a.Dotted(), a.Decimal())
	}
	return append(f, a.Compressed(), a.Expanded())
}

func FuzzParseAddress(f *testing.F) {
	for _, s := range []string{"192.168.1.2", "3232235778", "0xC0A80102", "C0 A8 01 02", "c0:a8:01:02", `b'\xc0\xa8\x01\x02'`,
		"2001:db8::1", "[2001:db8::1]", "fe80::1%eth0", "::ffff:1.2.3.4", "1::2::3", "127.1", "0x20010DB8000000000000000000000001", "00:11:22:33:44:55"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAddress(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidAddress) {
				t.Fatalf("error %v does not wrap ErrInvalidAddress", err)
			}
			return
		}
		if !a.IP.IsValid() || (len(a.Bytes()) != 4 && len(a.Bytes()) != 16) {
			t.Fatalf("ParseAddress(%q) gave %v", s, a.IP)
		}
		// netip must agree with what we accept as text.
		if a.Form == FormDotted || a.Form == FormIPv6 {
			txt := strings.TrimSpace(s)
			if strings.HasPrefix(txt, "[") {
				txt = strings.TrimSuffix(txt[1:], "]")
			}
			if ip, err := netip.ParseAddr(txt); err != nil || ip != a.IP {
				t.Fatalf("ParseAddress(%q) = %v but netip says %v, %v", s, a.IP, ip, err)
			}
		}
		for _, form := range addressForms(a) {
			b, err := ParseAddress(form)
			if err != nil {
				t.Fatalf("ParseAddress(%q) -> %q does not parse back: %v", s, form, err)
			}
			want := a.IP
			if b.Form != FormIPv6 {
				want = want.WithZone("") // only the text forms carry a zone
			}
			if b.IP != want {
				t.Fatalf("ParseAddress(%q) -> %q -> %v, want %v", s, form, b.IP, want)
			}
		}
		_ = a.Text()
	})
}
