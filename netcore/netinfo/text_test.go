package netinfo

import (
	"fmt"
	"testing"
)

func TestTableAligns(t *testing.T) {
	got := table([]string{"A", "BB", "C"}, [][]string{{"long cell", "x"}, {"y", "", "z"}, {"tab\there", "new\nline", ""}})
	want := "A          BB        C\n" +
		"long cell  x\n" +
		"y                    z\n" +
		"tab here   new line\n"
	if got != want {
		t.Errorf("table:\n%q\nwant\n%q", got, want)
	}
}

func TestFieldsTextNotesLineUp(t *testing.T) {
	got := fieldsText([]Field{
		{"Short", "1", "note one"},
		{"Longer label", "a long value without a note", ""},
		{"L", "12345", "note two"},
	})
	want := "Short         1      note one\n" +
		"Longer label  a long value without a note\n" +
		"L             12345  note two\n"
	if got != want {
		t.Errorf("fieldsText:\n%s\nwant\n%s", got, want)
	}
}

func ExampleParseSubnet() {
	s, err := ParseSubnet("192.168.1.10 255.255.255.0")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(s.Text())
	// Output:
	// Input         192.168.1.10 255.255.255.0
	// Address       192.168.1.10
	// Network       192.168.1.0/24
	// Netmask       255.255.255.0  /24, 0xFFFFFF00
	// Wildcard      0.0.0.255      inverse of the netmask, as ACLs write it
	// Broadcast     192.168.1.255
	// First host    192.168.1.1
	// Last host     192.168.1.254
	// Hosts         254            2^8 - 2: network and broadcast addresses excluded
	// Addresses     256            2^8
	// Class         C              classful default mask 255.255.255.0 (/24); classes are history since CIDR
	// Flags         private (192.168.0.0/16, RFC 1918)
	// Address bits  11000000.10101000.00000001.00001010
	// Netmask bits  11111111.11111111.11111111.00000000
}

func ExampleParseSubnet_error() {
	_, err := ParseSubnet("10.0.0.1/255.0.255.0")
	fmt.Println(err)
	// Output:
	// invalid subnet: invalid netmask 255.0.255.0: not contiguous: bit 9 is 0 but bit 17 is 1; a netmask is all 1s then all 0s (nearest: 255.0.0.0, /8)
}

func ExampleParseAddress() {
	a, err := ParseAddress(`b'\xc0\xa8\x01\x02'`)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(a.Text())
	// Output:
	// Input             b'\xc0\xa8\x01\x02'  read as network-order bytes
	// Dotted decimal    192.168.1.2          inet_ntoa / inet_ntop(AF_INET)
	// Integer           3232235778           unsigned 32-bit, host value
	// Hex               0xC0A80102
	// Bytes             C0 A8 01 02          inet_aton / inet_pton(AF_INET), network order
	// Python bytes      b'\xc0\xa8\x01\x02'
	// Binary            11000000.10101000.00000001.00000010
	// IPv4-mapped IPv6  ::ffff:192.168.1.2
}

func ExampleParseAddress_error() {
	_, err := ParseAddress("192.168.1.256")
	fmt.Println(err)
	_, err = ParseAddress("2001:db8::1::2")
	fmt.Println(err)
	// Output:
	// invalid address "192.168.1.256": octet 4 is 256, more than 255
	// invalid address "2001:db8::1::2": IPv6 has two '::'; it may appear only once
}

func ExampleServices_LookupService() {
	builtin := &Services{DBs: []*ServiceDB{BuiltinServices()}}
	r, err := builtin.LookupService("53")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(r.Text())
	// Output:
	// SERVICE  PORT  PROTO  ALIASES  RANGE                SOURCE          COMMENT
	// domain   53    tcp    dns      well-known (0-1023)  built-in table
	// domain   53    udp    dns      well-known (0-1023)  built-in table
}
