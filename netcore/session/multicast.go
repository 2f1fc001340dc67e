package session

import (
	"errors"
	"fmt"
	"net"
	"sort"
	"strings"

	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// ErrBadGroup is returned for an address that is not a multicast group.
var ErrBadGroup = errors.New("invalid multicast group")

type membership struct {
	leave func()
}

func lookupInterface(name string) (*net.Interface, error) {
	if strings.TrimSpace(name) == "" {
		return nil, nil // the system's choice
	}
	ifi, err := net.InterfaceByName(strings.TrimSpace(name))
	if err != nil {
		return nil, fmt.Errorf("%w: no network interface named %q", ErrInvalidAddress, name)
	}
	return ifi, nil
}

func parseGroup(group string) (net.IP, error) {
	ip := net.ParseIP(strings.Trim(strings.TrimSpace(group), "[]"))
	if ip == nil {
		return nil, fmt.Errorf("%w: %q is not an IP address", ErrBadGroup, group)
	}
	if !ip.IsMulticast() {
		return nil, fmt.Errorf("%w: %s is not a multicast address (IPv4 224.0.0.0/4, IPv6 ff00::/8)", ErrBadGroup, ip)
	}
	return ip, nil
}

// JoinGroup joins an IPv4 or IPv6 multicast group on the named interface
// ("" lets the system choose). Datagrams sent to the group and our port
// then arrive like any other.
func (s *UDPSession) JoinGroup(group, ifname string) error {
	ip, err := parseGroup(group)
	if err != nil {
		return err
	}
	ifi, err := lookupInterface(ifname)
	if err != nil {
		return err
	}
	key := ip.String() + "%" + ifname
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.groups[key]; ok {
		return fmt.Errorf("%w: already a member of %s", ErrBadGroup, ip)
	}
	addr := &net.UDPAddr{IP: ip}
	if ip.To4() != nil {
		p := ipv4.NewPacketConn(s.conn)
		if err := p.JoinGroup(ifi, addr); err != nil {
			return fmt.Errorf("join %s: %w", ip, Explain(err, ip.String()))
		}
		s.groups[key] = &membership{leave: func() { _ = p.LeaveGroup(ifi, addr) }}
		return nil
	}
	p := ipv6.NewPacketConn(s.conn)
	if err := p.JoinGroup(ifi, addr); err != nil {
		if strings.HasPrefix(s.LocalAddr(), "0.0.0.0") {
			return fmt.Errorf("join %s: bind to [::] to join IPv6 groups: %w", ip, err)
		}
		return fmt.Errorf("join %s: %w", ip, Explain(err, ip.String()))
	}
	s.groups[key] = &membership{leave: func() { _ = p.LeaveGroup(ifi, addr) }}
	return nil
}

// LeaveGroup leaves a group joined on the named interface.
func (s *UDPSession) LeaveGroup(group, ifname string) error {
	ip, err := parseGroup(group)
	if err != nil {
		return err
	}
	key := ip.String() + "%" + ifname
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.groups[key]
	if !ok {
		return fmt.Errorf("%w: not a member of %s", ErrBadGroup, ip)
	}
	m.leave()
	delete(s.groups, key)
	return nil
}

// Groups lists the joined groups as "group%interface".
func (s *UDPSession) Groups() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.groups))
	for g := range s.groups {
		out = append(out, strings.TrimSuffix(g, "%"))
	}
	sort.Strings(out)
	return out
}

// SetMulticastTTL sets the IPv4 multicast TTL and the IPv6 hop limit for
// datagrams we send to groups (1 keeps them on the local network).
func (s *UDPSession) SetMulticastTTL(ttl int) error {
	if ttl < 0 || ttl > 255 {
		return fmt.Errorf("%w: TTL must be 0–255 (got %d)", ErrInvalidAddress, ttl)
	}
	err4 := ipv4.NewPacketConn(s.conn).SetMulticastTTL(ttl)
	err6 := ipv6.NewPacketConn(s.conn).SetMulticastHopLimit(ttl)
	if err4 != nil && err6 != nil {
		return fmt.Errorf("set multicast TTL: %w", err4)
	}
	return nil
}

// SetMulticastInterface chooses the interface our group datagrams leave by.
func (s *UDPSession) SetMulticastInterface(ifname string) error {
	ifi, err := lookupInterface(ifname)
	if err != nil || ifi == nil {
		return err
	}
	err4 := ipv4.NewPacketConn(s.conn).SetMulticastInterface(ifi)
	err6 := ipv6.NewPacketConn(s.conn).SetMulticastInterface(ifi)
	if err4 != nil && err6 != nil {
		return fmt.Errorf("set multicast interface: %w", err4)
	}
	return nil
}
