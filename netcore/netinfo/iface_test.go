package netinfo

import (
	"net"
	"net/netip"
	"os"
	"strings"
	"testing"
)

func TestInterfaceFrom(t *testing.T) {
	mac, _ := net.ParseMAC("02:42:ac:11:00:02")
	ni := net.Interface{Index: 2, Name: "eth0", MTU: 1500, HardwareAddr: mac, Flags: net.FlagUp | net.FlagBroadcast | net.FlagMulticast | net.FlagRunning}
	cidr := func(s string) net.Addr {
		ip, n, err := net.ParseCIDR(s)
		if err != nil {
			t.Fatal(err)
		}
		n.IP = ip
		return n
	}
	addrs := []net.Addr{
		cidr("192.168.1.10/24"),
		cidr("10.0.0.1/31"),
		cidr("10.9.9.9/32"),
		cidr("2001:db8::10/64"),
		&net.IPAddr{IP: net.ParseIP("198.51.100.1")},
		&net.IPNet{IP: net.ParseIP("172.16.0.5"), Mask: net.CIDRMask(112, 128)}, // IPv4 in 16-byte form
		&net.UnixAddr{Name: "/tmp/x", Net: "unix"},                              // not an IP: skipped
	}
	it := interfaceFrom(ni, addrs)
	if it.Name != "eth0" || it.Index != 2 || it.MAC != "02:42:ac:11:00:02" || !it.Up || it.MTU != 1500 || it.State() != "up" {
		t.Errorf("interface = %+v", it)
	}
	if strings.Join(it.Flags, ",") != "up,broadcast,multicast,running" {
		t.Errorf("flags = %v", it.Flags)
	}
	want := []string{
		"192.168.1.10/24 192.168.1.255 IPv4",
		"10.0.0.1/31 - IPv4",
		"10.9.9.9/32 - IPv4",
		"2001:db8::10/64 - IPv6",
		"198.51.100.1/32 - IPv4",
		"172.16.0.5/16 172.16.255.255 IPv4",
	}
	var got []string
	for _, a := range it.Addrs {
		got = append(got, a.Prefix.String()+" "+a.BroadcastText()+" "+a.Family())
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("addresses:\n got %q\nwant %q", got, want)
	}
	for _, w := range []string{"Interface  eth0", "MAC        02:42:ac:11:00:02", "IPv4       192.168.1.10/24  broadcast 192.168.1.255", "IPv6       2001:db8::10/64\n"} {
		if !strings.Contains(it.Text(), w) {
			t.Errorf("Interface.Text lacks %q:\n%s", w, it.Text())
		}
	}
	down := interfaceFrom(net.Interface{Name: "ifb0", MTU: 1500}, nil)
	if down.Up || down.State() != "down" || down.MAC != "" || len(down.Flags) != 0 {
		t.Errorf("down interface = %+v", down)
	}
}

func TestLocalMachine(t *testing.T) {
	m, err := LocalMachine()
	if err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	if m.Hostname != host || host == "" {
		t.Errorf("hostname %q, os says %q", m.Hostname, host)
	}
	var lo *Interface
	for i, it := range m.Interfaces {
		for _, a := range it.Addrs {
			if a.Prefix.Addr() == netip.MustParseAddr("127.0.0.1") {
				lo = &m.Interfaces[i]
				if a.Prefix.Bits() == 8 && a.BroadcastText() != "127.255.255.255" {
					t.Errorf("127.0.0.1/8 broadcast = %s", a.BroadcastText())
				}
			}
		}
	}
	if lo == nil {
		t.Fatalf("no interface has 127.0.0.1:\n%s", m.Text())
	}
	if !lo.Up || !strings.Contains(strings.Join(lo.Flags, ","), "loopback") {
		t.Errorf("loopback interface = %+v", *lo)
	}
	text := m.Text()
	for _, w := range []string{"Hostname  " + host, "INTERFACE  STATE  MTU", "INTERFACE  FAMILY  ADDRESS/PREFIX", lo.Name, "127.0.0.1/"} {
		if !strings.Contains(text, w) {
			t.Errorf("Text lacks %q:\n%s", w, text)
		}
	}
}
