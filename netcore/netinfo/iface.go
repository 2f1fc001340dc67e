package netinfo

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
)

// Machine is what this computer calls itself and the interfaces it has.
type Machine struct {
	Hostname   string
	Interfaces []Interface
	// Errors lists interfaces whose addresses could not be read; the rest
	// are still shown.
	Errors []string
}

// Interface is one network interface.
type Interface struct {
	Index int
	Name  string
	MAC   string // "" when the interface has none (loopback, tunnels)
	Up    bool
	MTU   int
	Flags []string // "up", "broadcast", "loopback", "pointtopoint", "multicast", "running"
	Addrs []InterfaceAddr
}

// InterfaceAddr is one address of an interface with its prefix.
type InterfaceAddr struct {
	Prefix netip.Prefix // 192.168.1.10/24: the address and its prefix length
	// Broadcast is the IPv4 subnet broadcast address; invalid (zero) for
	// IPv6, and for /31 and /32 which have none.
	Broadcast netip.Addr
}

// LocalMachine reads the hostname and the interfaces. It does not block on
// the network; call it again to refresh.
func LocalMachine() (Machine, error) {
	var m Machine
	host, err := os.Hostname()
	if err != nil {
		return m, fmt.Errorf("reading the hostname: %w", err)
	}
	m.Hostname = host
	ifs, err := net.Interfaces()
	if err != nil {
		return m, fmt.Errorf("listing interfaces: %w", err)
	}
	for _, ni := range ifs {
		addrs, err := ni.Addrs()
		if err != nil {
			m.Errors = append(m.Errors, fmt.Sprintf("%s: %v", ni.Name, err))
		}
		m.Interfaces = append(m.Interfaces, interfaceFrom(ni, addrs))
	}
	return m, nil
}

// interfaceFrom turns what package net reports into an Interface.
func interfaceFrom(ni net.Interface, addrs []net.Addr) Interface {
	it := Interface{
		Index: ni.Index,
		Name:  ni.Name,
		MAC:   ni.HardwareAddr.String(),
		Up:    ni.Flags&net.FlagUp != 0,
		MTU:   ni.MTU,
	}
	if ni.Flags != 0 {
		it.Flags = strings.Split(ni.Flags.String(), "|")
	}
	for _, a := range addrs {
		var p netip.Prefix
		switch v := a.(type) {
		case *net.IPNet:
			ip, ok := netip.AddrFromSlice(v.IP)
			ones, bits := v.Mask.Size()
			if !ok || bits == 0 {
				continue
			}
			ip = ip.Unmap()
			if ip.Is4() && bits == 128 {
				ones -= 96
			}
			p = netip.PrefixFrom(ip, ones)
		case *net.IPAddr:
			ip, ok := netip.AddrFromSlice(v.IP)
			if !ok {
				continue
			}
			ip = ip.Unmap()
			p = netip.PrefixFrom(ip, ip.BitLen())
		default:
			continue
		}
		if !p.IsValid() {
			continue
		}
		it.Addrs = append(it.Addrs, InterfaceAddr{Prefix: p, Broadcast: broadcastOf(p)})
	}
	return it
}

// broadcastOf is the IPv4 subnet broadcast address of p, or the zero Addr.
func broadcastOf(p netip.Prefix) netip.Addr {
	if !p.Addr().Is4() || p.Bits() >= 31 {
		return netip.Addr{}
	}
	return subnetOf(p.Addr(), p.Bits()).Broadcast
}

// Text prints the hostname, an interface table and an address table.
func (m Machine) Text() string {
	var b strings.Builder
	b.WriteString(table(nil, [][]string{{"Hostname", m.Hostname}}))
	b.WriteString("\n")
	rows := make([][]string, 0, len(m.Interfaces))
	for _, it := range m.Interfaces {
		rows = append(rows, []string{it.Name, it.State(), strconv.Itoa(it.MTU), orDash(it.MAC), strings.Join(it.Flags, ",")})
	}
	b.WriteString(table([]string{"INTERFACE", "STATE", "MTU", "MAC", "FLAGS"}, rows))
	b.WriteString("\n")
	rows = rows[:0]
	for _, it := range m.Interfaces {
		for _, a := range it.Addrs {
			rows = append(rows, []string{it.Name, a.Family(), a.Prefix.String(), a.BroadcastText()})
		}
	}
	b.WriteString(table([]string{"INTERFACE", "FAMILY", "ADDRESS/PREFIX", "BROADCAST"}, rows))
	for _, e := range m.Errors {
		b.WriteString("note: " + e + "\n")
	}
	return b.String()
}

// Text is one interface on its own, for a copy button beside it.
func (it Interface) Text() string {
	f := []Field{
		{"Interface", it.Name, fmt.Sprintf("index %d", it.Index)},
		{"State", it.State(), ""},
		{"MTU", strconv.Itoa(it.MTU), ""},
		{"MAC", orDash(it.MAC), ""},
		{"Flags", strings.Join(it.Flags, ","), ""},
	}
	for _, a := range it.Addrs {
		note := ""
		if a.Broadcast.IsValid() {
			note = "broadcast " + a.Broadcast.String()
		}
		f = append(f, Field{a.Family(), a.Prefix.String(), note})
	}
	return fieldsText(f)
}

// State is "up" or "down".
func (it Interface) State() string {
	if it.Up {
		return "up"
	}
	return "down"
}

// Family is "IPv4" or "IPv6".
func (a InterfaceAddr) Family() string {
	if a.Prefix.Addr().Is4() {
		return "IPv4"
	}
	return "IPv6"
}

// BroadcastText is the broadcast address, or "-" where there is none.
func (a InterfaceAddr) BroadcastText() string {
	if a.Broadcast.IsValid() {
		return a.Broadcast.String()
	}
	return "-"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
