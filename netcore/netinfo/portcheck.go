package netinfo

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// PortState is what a TCP connect told about a port.
type PortState int

const (
	PortOpen     PortState = iota // the connect succeeded
	PortClosed                    // the host answered with a reset (connection refused)
	PortFiltered                  // no answer before the timeout: a firewall drops it, or the host is away
	PortError                     // another failure: unreachable network, no route, ...
)

func (s PortState) String() string {
	switch s {
	case PortOpen:
		return "open"
	case PortClosed:
		return "closed"
	case PortFiltered:
		return "filtered"
	}
	return "error"
}

// PortResult is the answer for one port.
type PortResult struct {
	Port    int
	State   PortState
	Latency time.Duration // time to the answer (connect, reset or timeout)
	Err     error         // the dial error for PortError (and PortClosed/PortFiltered)
}

// Ports is a list of ports to check, in order, without repeats.
type Ports []int

// ParsePorts reads "80", "1-1024" or a comma-separated mix ("22,80,8000-8010").
// Port 0 cannot be connected to and is refused.
func ParsePorts(s string) (Ports, error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return nil, fmt.Errorf("%w: no port given", ErrInvalidPort)
	}
	var out Ports
	seen := map[int]bool{}
	for _, part := range strings.Split(in, ",") {
		part = strings.TrimSpace(part)
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := checkPort(lo, part)
		if err != nil {
			return nil, err
		}
		b := a
		if isRange {
			if b, err = checkPort(hi, part); err != nil {
				return nil, err
			}
			if b < a {
				return nil, fmt.Errorf("%w %q: the range runs backwards; write %d-%d", ErrInvalidPort, part, b, a)
			}
		}
		for p := a; p <= b; p++ {
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	return out, nil
}

func checkPort(s, part string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("%w %q: a port number is missing", ErrInvalidPort, part)
	}
	p, err := ParsePort(s)
	switch {
	case err != nil && allDigits(s):
		return 0, fmt.Errorf("%w: %s is out of range; ports to check are 1 to 65535", ErrInvalidPort, s)
	case err != nil:
		return 0, err
	case p == 0:
		return 0, fmt.Errorf("%w: port 0 cannot be connected to; ports to check are 1 to 65535", ErrInvalidPort)
	}
	return p, nil
}

// String writes the ports back compactly: "22,80,8000-8010".
func (ps Ports) String() string {
	var parts []string
	for i := 0; i < len(ps); {
		j := i
		for j+1 < len(ps) && ps[j+1] == ps[j]+1 {
			j++
		}
		if j > i {
			parts = append(parts, fmt.Sprintf("%d-%d", ps[i], ps[j]))
		} else {
			parts = append(parts, strconv.Itoa(ps[i]))
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}

// Defaults for PortChecker.
const (
	DefaultPortTimeout     = 2 * time.Second
	DefaultPortConcurrency = 64
)

// PortChecker checks TCP ports on one host at a time. The zero value works.
type PortChecker struct {
	Timeout     time.Duration // per port; 0: DefaultPortTimeout
	Concurrency int           // connects in flight; 0: DefaultPortConcurrency
	Resolver    *net.Resolver // nil: net.DefaultResolver
	// Progress, if set, is called after each port with how many are done
	// and how many there are, from the checker's goroutines but never two at
	// once, with done counting up. It must return quickly (the checkers wait
	// for it); a UI should hand it on in batches.
	Progress func(done, total int)

	dial func(ctx context.Context, network, address string) (net.Conn, error) // tests only; nil: net.Dialer
}

// PortCheck is the answer for a host and its ports.
type PortCheck struct {
	Host    string     // as typed
	Addr    netip.Addr // the one address checked
	Ports   Ports      // what was asked for
	Results []PortResult
	Elapsed time.Duration
	// Cancelled is set when the context ended first: Results then holds
	// only the ports that were done.
	Cancelled bool
}

// Check resolves host once and checks every port on that one address. On
// cancellation it returns what was done with the context's error.
func (c *PortChecker) Check(ctx context.Context, host string, ports Ports) (PortCheck, error) {
	start := time.Now()
	pc := PortCheck{Host: strings.TrimSpace(host), Ports: ports}
	if len(ports) == 0 {
		return pc, fmt.Errorf("%w: no port given", ErrInvalidPort)
	}
	for _, p := range ports {
		if p < 1 || p > 65535 {
			return pc, fmt.Errorf("%w: %d is out of range; ports are 1 to 65535", ErrInvalidPort, p)
		}
	}
	addr, err := c.resolve(ctx, pc.Host)
	if err != nil {
		return pc, err
	}
	pc.Addr = addr
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultPortTimeout
	}
	workers := c.Concurrency
	if workers <= 0 {
		workers = DefaultPortConcurrency
	}
	workers = min(workers, len(ports))

	results := make([]PortResult, len(ports))
	finished := make([]bool, len(ports))
	next := make(chan int)
	var mu sync.Mutex
	done := 0
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range next {
				r := c.checkOne(ctx, addr, ports[i], timeout)
				if ctx.Err() != nil {
					continue // a connect cut short by cancellation tells nothing
				}
				mu.Lock()
				results[i], finished[i] = r, true
				done++
				if c.Progress != nil {
					c.Progress(done, len(ports))
				}
				mu.Unlock()
			}
		})
	}
feed:
	for i := range ports {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	for i, ok := range finished {
		if ok {
			pc.Results = append(pc.Results, results[i])
		}
	}
	pc.Elapsed = time.Since(start)
	if err := ctx.Err(); err != nil {
		pc.Cancelled = true
		return pc, fmt.Errorf("port check of %s stopped after %d of %d ports: %w", pc.Host, len(pc.Results), len(ports), err)
	}
	return pc, nil
}

// resolve turns the host into the one address to check: the first IPv4
// address if it has one, else the first address.
func (c *PortChecker) resolve(ctx context.Context, host string) (netip.Addr, error) {
	h := strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if ip, err := netip.ParseAddr(h); err == nil {
		return ip, nil
	}
	if looksLikeAddress(h) {
		_, err := ParseAddress(h)
		return netip.Addr{}, err
	}
	r := &Resolver{Resolver: c.Resolver}
	res, err := r.LookupName(ctx, h)
	if err != nil {
		return netip.Addr{}, err
	}
	return res.Addrs[0], nil
}

func (c *PortChecker) checkOne(ctx context.Context, addr netip.Addr, port int, timeout time.Duration) PortResult {
	dctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	dial := c.dial
	if dial == nil {
		var d net.Dialer
		dial = d.DialContext
	}
	start := time.Now()
	conn, err := dial(dctx, "tcp", netip.AddrPortFrom(addr, uint16(port)).String())
	r := PortResult{Port: port, Latency: time.Since(start), Err: err}
	switch {
	case err == nil:
		conn.Close()
		r.State = PortOpen
	case isRefused(err):
		r.State = PortClosed
	case dctx.Err() != nil || errors.Is(err, os.ErrDeadlineExceeded):
		r.State = PortFiltered
	default:
		r.State = PortError
	}
	return r
}

// Count is how many results are in state s.
func (pc PortCheck) Count(s PortState) int {
	n := 0
	for _, r := range pc.Results {
		if r.State == s {
			n++
		}
	}
	return n
}
