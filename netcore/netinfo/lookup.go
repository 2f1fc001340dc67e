package netinfo

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"time"

	"golang.org/x/net/idna"
)

// DefaultLookupTimeout bounds a lookup when Resolver.Timeout is zero.
const DefaultLookupTimeout = 5 * time.Second

// Resolver answers name, address and service lookups: the gethostbyname,
// gethostbyaddr and getservbyname analogues. The zero value uses the system
// resolver, DefaultLookupTimeout and DefaultServices.
type Resolver struct {
	Resolver *net.Resolver // nil: net.DefaultResolver (hosts file, then DNS)
	Timeout  time.Duration // per lookup; 0: DefaultLookupTimeout
	Services *Services     // nil: DefaultServices()
}

func (r *Resolver) net() *net.Resolver {
	if r == nil || r.Resolver == nil {
		return net.DefaultResolver
	}
	return r.Resolver
}

func (r *Resolver) services() *Services {
	if r == nil || r.Services == nil {
		return DefaultServices()
	}
	return r.Services
}

func (r *Resolver) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	d := DefaultLookupTimeout
	if r != nil && r.Timeout > 0 {
		d = r.Timeout
	}
	return context.WithTimeout(ctx, d)
}

// NameResult is a name looked up to its addresses.
type NameResult struct {
	Name    string       // as typed
	ASCII   string       // the name sent to the resolver (punycode for IDNs)
	Addrs   []netip.Addr // IPv4 first, then IPv6, each in the order the resolver gave
	Elapsed time.Duration
}

// Text lists the addresses, one a line.
func (r NameResult) Text() string {
	rows := [][]string{{"Name", r.Name}}
	if r.ASCII != r.Name {
		rows = append(rows, []string{"Looked up as", r.ASCII})
	}
	for _, a := range r.Addrs {
		fam := "IPv6"
		if a.Is4() {
			fam = "IPv4"
		}
		rows = append(rows, []string{fam, a.String()})
	}
	rows = append(rows, []string{"Time", roundDuration(r.Elapsed).String()})
	return table(nil, rows)
}

// ReverseResult is an address looked up to its names.
type ReverseResult struct {
	Addr    netip.Addr
	Names   []string // without the trailing dot
	Elapsed time.Duration
}

// Text lists the names, one a line.
func (r ReverseResult) Text() string {
	rows := [][]string{{"Address", r.Addr.String()}}
	for _, n := range r.Names {
		rows = append(rows, []string{"Name", n})
	}
	rows = append(rows, []string{"Time", roundDuration(r.Elapsed).String()})
	return table(nil, rows)
}

// LookupName is gethostbyname for both families: every A and AAAA address
// of name. Syntax errors come back at once as ErrInvalidName; an unknown name
// as ErrNotFound; no answer in time as ErrTimeout.
func (r *Resolver) LookupName(ctx context.Context, name string) (NameResult, error) {
	in := strings.TrimSpace(name)
	ascii, err := CheckHostName(in)
	if err != nil {
		return NameResult{}, err
	}
	lctx, cancel := r.withTimeout(ctx)
	defer cancel()
	start := time.Now()
	addrs, err := r.net().LookupNetIP(lctx, "ip", ascii)
	res := NameResult{Name: in, ASCII: ascii, Elapsed: time.Since(start)}
	if err != nil {
		return res, lookupError(ctx, lctx, fmt.Sprintf("looking up %s", in), err)
	}
	for i, a := range addrs {
		addrs[i] = a.Unmap()
	}
	slices.SortStableFunc(addrs, func(a, b netip.Addr) int {
		return boolInt(b.Is4()) - boolInt(a.Is4())
	})
	res.Addrs = slices.Compact(addrs)
	return res, nil
}

// LookupAddr is gethostbyaddr: the names of an address, from the hosts file
// or a PTR query.
func (r *Resolver) LookupAddr(ctx context.Context, addr string) (ReverseResult, error) {
	in := strings.TrimSpace(addr)
	ip, err := netip.ParseAddr(in)
	if err != nil {
		why := diagnoseIPv4(in)
		if strings.Contains(in, ":") {
			why = diagnoseIPv6(in)
		}
		return ReverseResult{}, fmt.Errorf("%w %q: %s", ErrInvalidAddress, in, why)
	}
	lctx, cancel := r.withTimeout(ctx)
	defer cancel()
	start := time.Now()
	names, err := r.net().LookupAddr(lctx, ip.String())
	res := ReverseResult{Addr: ip, Elapsed: time.Since(start)}
	if err == nil && len(names) == 0 {
		err = &net.DNSError{Err: "no names", Name: ip.String(), IsNotFound: true}
	}
	if err != nil {
		return res, lookupError(ctx, lctx, fmt.Sprintf("reverse lookup of %s", ip), err)
	}
	for _, n := range names {
		n = strings.TrimSuffix(n, ".")
		if !slices.Contains(res.Names, n) {
			res.Names = append(res.Names, n)
		}
	}
	return res, nil
}

// LookupService is getservbyname and getservbyport: "mysql", "mysql/tcp",
// "3306" or "3306/tcp". It reads files only, so it takes no context.
func (r *Resolver) LookupService(q string) (ServiceResult, error) {
	return r.services().LookupService(q)
}

// lookupError maps a resolver error to the package's sentinels, keeping the
// resolver's own error in the chain.
func lookupError(parent, lctx context.Context, what string, err error) error {
	if perr := parent.Err(); perr != nil {
		return fmt.Errorf("%s: %w", what, perr)
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		switch {
		case dnsErr.IsNotFound:
			return fmt.Errorf("%s: %w: %w", what, ErrNotFound, err)
		case dnsErr.IsTimeout:
			return fmt.Errorf("%s: %w: %w", what, ErrTimeout, err)
		}
	}
	if lctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w: %w", what, ErrTimeout, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// CheckHostName says whether name can be looked up, and gives the ASCII form
// to send (internationalised names become punycode, xn--...).
func CheckHostName(name string) (string, error) {
	fail := func(why string) (string, error) {
		return "", fmt.Errorf("%w %q: %s", ErrInvalidName, name, why)
	}
	if name == "" {
		return "", fmt.Errorf("%w: the name is empty", ErrInvalidName)
	}
	if i := strings.IndexFunc(name, func(r rune) bool { return r == ' ' || r == '\t' }); i >= 0 {
		return fail("it contains a space")
	}
	ascii := name
	for _, r := range name {
		if r >= 0x80 {
			a, err := idna.Lookup.ToASCII(name)
			if err != nil {
				return fail("not a valid internationalised name: " + err.Error())
			}
			ascii = a
			break
		}
	}
	trimmed := strings.TrimSuffix(ascii, ".")
	if len(trimmed) > 253 {
		return fail(fmt.Sprintf("it is %d characters long; a host name has at most 253", len(trimmed)))
	}
	for i, label := range strings.Split(trimmed, ".") {
		n := i + 1
		switch {
		case label == "":
			return fail(fmt.Sprintf("label %d is empty (two dots in a row, or a leading dot)", n))
		case len(label) > 63:
			return fail(fmt.Sprintf("label %d is %d characters long; a label has at most 63", n, len(label)))
		case label[0] == '-' || label[len(label)-1] == '-':
			return fail(fmt.Sprintf("label %d %q starts or ends with '-'", n, label))
		}
		for _, c := range []byte(label) {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return fail(fmt.Sprintf("label %d %q has %q; a host name has only letters, digits, '-' and '_'", n, label, string(c)))
			}
		}
	}
	return ascii, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func roundDuration(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}
