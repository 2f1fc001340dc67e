package session

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// ParsePort checks a port typed by a user: a number from 1 to 65535, or from
// 0 when allowZero is set (0 lets the system pick a port when binding).
func ParsePort(s string, allowZero bool) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("%w: the port is empty", ErrInvalidAddress)
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%w: port %q is not a number", ErrInvalidAddress, s)
	}
	lo := 1
	if allowZero {
		lo = 0
	}
	if n < lo || n > 65535 {
		return 0, fmt.Errorf("%w: port %d is out of range (%d–65535)", ErrInvalidAddress, n, lo)
	}
	return n, nil
}

// CheckHost checks a host typed by a user: an IPv4 or IPv6 address (an IPv6
// zone such as %eth0 is allowed), or a host name made of letters, digits,
// '-', '_' and dots. It does not resolve the name.
func CheckHost(host string) error {
	host = strings.TrimSpace(host)
	if host == "" {
		return fmt.Errorf("%w: the host is empty", ErrInvalidAddress)
	}
	h := strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if _, err := netip.ParseAddr(h); err == nil {
		return nil
	}
	if strings.Contains(h, ":") {
		return fmt.Errorf("%w: %q is not a valid IPv6 address", ErrInvalidAddress, host)
	}
	if len(h) > 253 {
		return fmt.Errorf("%w: host name is longer than 253 characters", ErrInvalidAddress)
	}
	allDigits := true
	for _, label := range strings.Split(strings.TrimSuffix(h, "."), ".") {
		if label == "" {
			return fmt.Errorf("%w: %q has an empty part between dots", ErrInvalidAddress, host)
		}
		if len(label) > 63 {
			return fmt.Errorf("%w: %q has a part longer than 63 characters", ErrInvalidAddress, host)
		}
		for i, r := range label {
			ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || (r == '-' && i > 0 && i < len(label)-1)
			if !ok {
				return fmt.Errorf("%w: %q is not allowed in host name %q", ErrInvalidAddress, r, host)
			}
			if r < '0' || r > '9' {
				allDigits = false
			}
		}
	}
	if allDigits {
		return fmt.Errorf("%w: %q is not a valid IPv4 address", ErrInvalidAddress, host)
	}
	return nil
}

// JoinHostPort validates a host and a port as typed and joins them, adding
// brackets for IPv6.
func JoinHostPort(host, port string, allowZero bool) (string, error) {
	if err := CheckHost(host); err != nil {
		return "", err
	}
	p, err := ParsePort(port, allowZero)
	if err != nil {
		return "", err
	}
	h := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(host), "["), "]")
	return net.JoinHostPort(h, strconv.Itoa(p)), nil
}

// SplitTarget validates "HOST:PORT" (IPv6 in brackets). With defaultPort
// > 0 a bare host is accepted and gets that port.
func SplitTarget(target string, defaultPort int, allowZero bool) (host string, port int, err error) {
	target = strings.TrimSpace(target)
	if target == "" {
		return "", 0, fmt.Errorf("%w: the address is empty", ErrInvalidAddress)
	}
	h, p, splitErr := net.SplitHostPort(target)
	if splitErr != nil {
		if defaultPort <= 0 {
			return "", 0, fmt.Errorf("%w: %q must look like HOST:PORT (IPv6 as [::1]:PORT)", ErrInvalidAddress, target)
		}
		h, p = target, strconv.Itoa(defaultPort)
	}
	if h == "" {
		// ":5000" means every interface when binding.
		h = "0.0.0.0"
	}
	if err := CheckHost(h); err != nil {
		return "", 0, err
	}
	n, err := ParsePort(p, allowZero)
	if err != nil {
		return "", 0, err
	}
	return strings.TrimSuffix(strings.TrimPrefix(h, "["), "]"), n, nil
}

// NormalizeTarget is SplitTarget joined back into "host:port".
func NormalizeTarget(target string, defaultPort int, allowZero bool) (string, error) {
	h, p, err := SplitTarget(target, defaultPort, allowZero)
	if err != nil {
		return "", err
	}
	return net.JoinHostPort(h, strconv.Itoa(p)), nil
}
