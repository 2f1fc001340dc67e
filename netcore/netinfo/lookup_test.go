package netinfo

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"
)

// fakeDNS is a DNS server on 127.0.0.1 that knows a few names, so lookups
// that go past the hosts file can be tested without any network.
type fakeDNS struct {
	pc      net.PacketConn
	records map[string][]netip.Addr // "device.test." -> addresses
	ptr     map[string]string       // "10.2.0.192.in-addr.arpa." -> "device.test."
}

func startFakeDNS(t *testing.T) *fakeDNS {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	d := &fakeDNS{
		pc: pc,
		records: map[string][]netip.Addr{
			"device.test.": {netip.MustParseAddr("192.0.2.10"), netip.MustParseAddr("2001:db8::10")},
			"mysql.":       nil, // exists in no form: NXDOMAIN like any unknown name
		},
		ptr: map[string]string{"10.2.0.192.in-addr.arpa.": "device.test."},
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if resp := d.answer(buf[:n]); resp != nil {
				pc.WriteTo(resp, from)
			}
		}
	}()
	t.Cleanup(func() { pc.Close(); <-done })
	return d
}

func (d *fakeDNS) answer(req []byte) []byte {
	var p dnsmessage.Parser
	h, err := p.Start(req)
	if err != nil {
		return nil
	}
	q, err := p.Question()
	if err != nil {
		return nil
	}
	name := strings.ToLower(q.Name.String())
	rh := dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true, RecursionDesired: h.RecursionDesired}
	addrs, known := d.records[name]
	ptr, hasPTR := d.ptr[name]
	if (!known || addrs == nil) && !hasPTR {
		rh.RCode = dnsmessage.RCodeNameError
	}
	b := dnsmessage.NewBuilder(nil, rh)
	b.EnableCompression()
	b.StartQuestions()
	b.Question(q)
	b.StartAnswers()
	rr := dnsmessage.ResourceHeader{Name: q.Name, Class: dnsmessage.ClassINET, TTL: 60}
	for _, a := range addrs {
		switch {
		case q.Type == dnsmessage.TypeA && a.Is4():
			b.AResource(rr, dnsmessage.AResource{A: a.As4()})
		case q.Type == dnsmessage.TypeAAAA && a.Is6():
			b.AAAAResource(rr, dnsmessage.AAAAResource{AAAA: a.As16()})
		}
	}
	if hasPTR && q.Type == dnsmessage.TypePTR {
		b.PTRResource(rr, dnsmessage.PTRResource{PTR: dnsmessage.MustNewName(ptr)})
	}
	out, err := b.Finish()
	if err != nil {
		return nil
	}
	return out
}

// resolver sends every DNS query to the fake server (the hosts file is
// still read first, as the system resolver does).
func (d *fakeDNS) resolver() *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var dl net.Dialer
		return dl.DialContext(ctx, "udp", d.pc.LocalAddr().String())
	}}
}

// stuckResolver never answers: its DNS connection waits until the context ends.
func stuckResolver() *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}}
}

func TestLookupLocalhost(t *testing.T) {
	var r Resolver
	res, err := r.LookupName(context.Background(), "localhost")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Addrs) == 0 || !slices.ContainsFunc(res.Addrs, netip.Addr.IsLoopback) {
		t.Errorf("localhost = %v; want a loopback address", res.Addrs)
	}
	if !strings.Contains(res.Text(), "localhost") || !strings.Contains(res.Text(), res.Addrs[0].String()) {
		t.Errorf("Text:\n%s", res.Text())
	}
}

func TestReverseLookupLoopback(t *testing.T) {
	var r Resolver
	res, err := r.LookupAddr(context.Background(), "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(res.Names, "localhost") {
		t.Errorf("names of 127.0.0.1 = %v; want localhost among them", res.Names)
	}
	for _, n := range res.Names {
		if strings.HasSuffix(n, ".") {
			t.Errorf("name %q keeps its trailing dot", n)
		}
	}
}

func TestLookupThroughDNS(t *testing.T) {
	d := startFakeDNS(t)
	r := Resolver{Resolver: d.resolver(), Timeout: 5 * time.Second}
	res, err := r.LookupName(context.Background(), "device.test")
	if err != nil {
		t.Fatal(err)
	}
	if got := addrsText(res.Addrs); got != "192.0.2.10 2001:db8::10" {
		t.Errorf("device.test = %s; want IPv4 then IPv6", got)
	}
	rev, err := r.LookupAddr(context.Background(), "192.0.2.10")
	if err != nil || !slices.Equal(rev.Names, []string{"device.test"}) {
		t.Errorf("reverse of 192.0.2.10 = %v, %v", rev.Names, err)
	}
	_, err = r.LookupName(context.Background(), "nosuch.test")
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "nosuch.test") {
		t.Errorf("unknown name: %v; want ErrNotFound naming it", err)
	}
	var dnsErr *net.DNSError
	if !errors.As(err, &dnsErr) {
		t.Errorf("the resolver's own error is not kept: %v", err)
	}
	if _, err = r.LookupAddr(context.Background(), "192.0.2.99"); !errors.Is(err, ErrNotFound) {
		t.Errorf("reverse of an unknown address: %v; want ErrNotFound", err)
	}
}

func addrsText(as []netip.Addr) string {
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = a.String()
	}
	return strings.Join(s, " ")
}

func TestLookupBadNames(t *testing.T) {
	// These never reach a resolver: the stuck one would hang the test.
	r := Resolver{Resolver: stuckResolver()}
	cases := map[string]string{
		"":                                "empty",
		"bad..name":                       "label 2 is empty",
		".leading":                        "label 1 is empty",
		"has space.com":                   "contains a space",
		"-dash.com":                       `label 1 "-dash" starts or ends with '-'`,
		"under$core.com":                  `has "$"`,
		strings.Repeat("a", 64) + ".com":  "label 1 is 64 characters long",
		strings.Repeat("abc.", 64) + "io": "at most 253",
	}
	for name, want := range cases {
		_, err := r.LookupName(context.Background(), name)
		if !errors.Is(err, ErrInvalidName) || !strings.Contains(err.Error(), want) {
			t.Errorf("LookupName(%q) = %v; want ErrInvalidName with %q", name, err, want)
		}
	}
	if _, err := r.LookupAddr(context.Background(), "1.2.3.256"); !errors.Is(err, ErrInvalidAddress) || !strings.Contains(err.Error(), "octet 4 is 256") {
		t.Errorf("LookupAddr(bad) = %v", err)
	}
}

func TestCheckHostNameIDN(t *testing.T) {
	ascii, err := CheckHostName("bücher.example")
	if err != nil || ascii != "xn--bcher-kva.example" {
		t.Errorf("CheckHostName(bücher.example) = %q, %v", ascii, err)
	}
	if a, err := CheckHostName("host.example."); err != nil || a != "host.example." {
		t.Errorf("a trailing dot is allowed: %q, %v", a, err)
	}
}

func TestLookupCancel(t *testing.T) {
	settled := baseline(t)
	defer settled()
	r := Resolver{Resolver: stuckResolver(), Timeout: time.Minute}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := r.LookupName(ctx, "never.answers.test")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled lookup: %v; want context.Canceled", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("cancel took %v", d)
	}
}

func TestLookupTimeout(t *testing.T) {
	r := Resolver{Resolver: stuckResolver(), Timeout: 100 * time.Millisecond}
	start := time.Now()
	_, err := r.LookupName(context.Background(), "never.answers.test")
	if !errors.Is(err, ErrTimeout) {
		t.Errorf("lookup past its timeout: %v; want ErrTimeout", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("timeout took %v", d)
	}
	_, err = r.LookupAddr(context.Background(), "192.0.2.55")
	if !errors.Is(err, ErrTimeout) {
		t.Errorf("reverse lookup past its timeout: %v; want ErrTimeout", err)
	}
}

func TestLookupQueryKinds(t *testing.T) {
	d := startFakeDNS(t)
	r := Resolver{Resolver: d.resolver(), Services: servicesFrom(writeServices(t, sampleServices))}
	ctx := context.Background()
	cases := []struct {
		q    string
		kind LookupKind
		text []string
	}{
		{"127.0.0.1", KindAddress, []string{"Address  127.0.0.1", "localhost"}},
		{"device.test", KindName, []string{"IPv4  192.0.2.10", "IPv6  2001:db8::10"}},
		{"3306/tcp", KindService, []string{"mysql    3306  tcp"}},
		{"53", KindService, []string{"domain   53    tcp", "domain   53    udp"}},
		{"mysql", KindService, []string{"mysql    3306", `"mysql" is a service name but not a host name here`}},
		{"localhost", KindName, []string{"Name  localhost"}},
	}
	for _, c := range cases {
		res, err := r.Lookup(ctx, c.q)
		if err != nil {
			t.Errorf("Lookup(%q): %v", c.q, err)
			continue
		}
		if res.Kind != c.kind {
			t.Errorf("Lookup(%q) kind = %v, want %v", c.q, res.Kind, c.kind)
		}
		for _, w := range c.text {
			if !strings.Contains(res.Text(), w) {
				t.Errorf("Lookup(%q) text lacks %q:\n%s", c.q, w, res.Text())
			}
		}
	}
	errs := map[string]error{"": ErrInvalidName, "1.2.3.256": ErrInvalidAddress, "1::2::3": ErrInvalidAddress,
		"nosuch.test": ErrNotFound, "70000": ErrInvalidPort, "bad..name": ErrInvalidName}
	for q, want := range errs {
		if _, err := r.Lookup(ctx, q); !errors.Is(err, want) {
			t.Errorf("Lookup(%q) = %v; want %v", q, err, want)
		}
	}
}
