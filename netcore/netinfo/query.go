package netinfo

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
)

// LookupKind says what a free-form lookup was taken to be.
type LookupKind int

const (
	KindName    LookupKind = iota // a host name: looked up to addresses
	KindAddress                   // an IP address: looked up to names
	KindService                   // a service or port: "mysql", "3306/tcp"
)

func (k LookupKind) String() string {
	switch k {
	case KindAddress:
		return "address"
	case KindService:
		return "service"
	}
	return "name"
}

// LookupResult answers one free-form query, as `netdebug lookup` prints it.
type LookupResult struct {
	Query   string
	Kind    LookupKind
	Name    *NameResult    // KindName
	Reverse *ReverseResult // KindAddress
	// Service is set for KindService, and also for a name that is a service
	// name too ("mysql" may be a host on the LAN and is a service).
	Service *ServiceResult
	// NameErr says why a word that answered as a service did not resolve as
	// a host name; nil otherwise.
	NameErr error
}

// Lookup takes a query as a person types it and answers it the way it reads:
// an IP address is looked up to its names; "3306", "3306/tcp" and
// "mysql/tcp" are services; anything else is a host name, looked up to its
// addresses and, if it is also a service name, to its ports. A word that is
// only a service name (no such host) answers as a service with no error.
func (r *Resolver) Lookup(ctx context.Context, q string) (LookupResult, error) {
	in := strings.TrimSpace(q)
	if in == "" {
		return LookupResult{}, fmt.Errorf("%w: the query is empty; type a host name, an address or a service", ErrInvalidName)
	}
	res := LookupResult{Query: in}
	if looksLikeAddress(in) {
		res.Kind = KindAddress
		rev, err := r.LookupAddr(ctx, in)
		if err != nil {
			return res, err
		}
		res.Reverse = &rev
		return res, nil
	}
	if strings.Contains(in, "/") || allDigits(in) {
		res.Kind = KindService
		svc, err := r.LookupService(in)
		if err != nil {
			return res, err
		}
		res.Service = &svc
		return res, nil
	}
	res.Kind = KindName
	name, nameErr := r.LookupName(ctx, in)
	var svc *ServiceResult
	if isServiceWord(in) {
		if s, err := r.LookupService(in); err == nil {
			svc = &s
		}
	}
	switch {
	case nameErr == nil:
		res.Name, res.Service = &name, svc
		return res, nil
	case svc != nil && ctx.Err() == nil:
		res.Kind, res.Service, res.NameErr = KindService, svc, nameErr
		return res, nil
	}
	return res, nameErr
}

// looksLikeAddress: IPv6 has colons, and a name of only digits and dots is a
// mistyped IPv4 address rather than a host (no top-level domain is numeric).
func looksLikeAddress(s string) bool {
	if _, err := netip.ParseAddr(s); err == nil || strings.Contains(s, ":") {
		return true
	}
	return strings.Contains(s, ".") && allDigits(strings.ReplaceAll(s, ".", ""))
}

// Text prints the answer; a query that is both a host and a service shows both.
func (r LookupResult) Text() string {
	var parts []string
	if r.Name != nil {
		parts = append(parts, r.Name.Text())
	}
	if r.Reverse != nil {
		parts = append(parts, r.Reverse.Text())
	}
	if r.Service != nil {
		parts = append(parts, r.Service.Text())
	}
	if r.NameErr != nil {
		parts = append(parts, fmt.Sprintf("note: %q is a service name but not a host name here (%v)\n", r.Query, r.NameErr))
	}
	return strings.Join(parts, "\n")
}
