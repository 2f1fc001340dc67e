package netinfo

import (
	"cmp"
	"context"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// Socket is one TCP or UDP socket of this machine, a line of netstat -an.
type Socket struct {
	Proto  string         // "tcp", "tcp6", "udp" or "udp6"
	Local  netip.AddrPort // the address and port it is bound to
	Remote netip.AddrPort // the peer; unspecified address and port 0 when none
	// State is the TCP state (LISTEN, ESTABLISHED, TIME_WAIT, ...); for UDP
	// it is UNCONN for a bound socket with no peer and ESTABLISHED for a
	// connected one.
	State   string
	PID     int    // owning process; 0 when the system does not tell us
	Process string // its name; "" when unknown
}

// Listening reports whether the socket waits for others: a TCP socket in
// LISTEN, or a UDP socket with no fixed peer.
func (s Socket) Listening() bool {
	return s.State == "LISTEN" || s.State == "UNCONN"
}

// SocketOptions selects what ListSockets returns.
type SocketOptions struct {
	// ListeningOnly keeps TCP sockets in LISTEN and unconnected UDP
	// sockets: what this machine offers to others.
	ListeningOnly bool
}

// SocketTable is the answer of ListSockets.
type SocketTable struct {
	Sockets []Socket
	Source  string // where the list came from: "/proc/net" or the library used
	// Note says when owners may be missing, e.g. because processes of other
	// users cannot be inspected without root.
	Note string
}

// ListSockets lists this machine's TCP and UDP sockets (IPv4 and IPv6), the
// netstat -an analogue, with the owning process where the system tells. On
// systems we cannot read it returns ErrNotSupported.
func ListSockets(ctx context.Context, opts SocketOptions) (SocketTable, error) {
	t, err := listSockets(ctx)
	if err != nil {
		return SocketTable{}, err
	}
	if opts.ListeningOnly {
		t.Sockets = slices.DeleteFunc(t.Sockets, func(s Socket) bool { return !s.Listening() })
	}
	sortSockets(t.Sockets)
	return t, nil
}

func sortSockets(ss []Socket) {
	slices.SortStableFunc(ss, func(a, b Socket) int {
		return cmp.Or(
			cmp.Compare(a.Proto, b.Proto),
			cmp.Compare(boolInt(b.Listening()), boolInt(a.Listening())),
			cmp.Compare(a.Local.Port(), b.Local.Port()),
			a.Local.Addr().Compare(b.Local.Addr()),
			a.Remote.Compare(b.Remote),
		)
	})
}

// Text prints the sockets as netstat does, with the owner where known.
func (t SocketTable) Text() string {
	rows := make([][]string, 0, len(t.Sockets))
	for _, s := range t.Sockets {
		pid, proc := "-", orDash(s.Process)
		if s.PID > 0 {
			pid = strconv.Itoa(s.PID)
		}
		rows = append(rows, []string{s.Proto, endpointText(s.Local), endpointText(s.Remote), s.State, pid, proc})
	}
	out := table([]string{"PROTO", "LOCAL ADDRESS", "REMOTE ADDRESS", "STATE", "PID", "PROCESS"}, rows)
	if t.Note != "" {
		out += "note: " + t.Note + "\n"
	}
	return out
}

// endpointText writes port 0 as '*', as netstat does for "any".
func endpointText(ap netip.AddrPort) string {
	if !ap.IsValid() {
		return "*:*"
	}
	if ap.Port() != 0 {
		return ap.String()
	}
	if ap.Addr().Is4() {
		return ap.Addr().String() + ":*"
	}
	return "[" + ap.Addr().String() + "]:*"
}

// socketFromConn builds a Socket from what a socket-listing library reports,
// normalising its state names to Linux's.
func socketFromConn(ipv6, stream bool, laddr string, lport uint32, raddr string, rport uint32, status string, pid int32) (Socket, bool) {
	if lport > 65535 || rport > 65535 {
		return Socket{}, false
	}
	unspec := netip.IPv4Unspecified()
	proto := "udp"
	if stream {
		proto = "tcp"
	}
	if ipv6 {
		proto += "6"
		unspec = netip.IPv6Unspecified()
	}
	parse := func(s string) (netip.Addr, bool) {
		s = strings.Trim(s, "[]")
		if s == "" || s == "*" {
			return unspec, true
		}
		a, err := netip.ParseAddr(s)
		return a, err == nil
	}
	la, ok1 := parse(laddr)
	ra, ok2 := parse(raddr)
	if !ok1 || !ok2 {
		return Socket{}, false
	}
	s := Socket{
		Proto:  proto,
		Local:  netip.AddrPortFrom(la, uint16(lport)),
		Remote: netip.AddrPortFrom(ra, uint16(rport)),
		State:  normaliseState(status),
		PID:    max(int(pid), 0),
	}
	if !stream {
		s.State = "UNCONN"
		if rport != 0 {
			s.State = "ESTABLISHED"
		}
	}
	return s, true
}

func normaliseState(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	switch s {
	case "FIN_WAIT_1":
		return "FIN_WAIT1"
	case "FIN_WAIT_2":
		return "FIN_WAIT2"
	case "SYN_RECEIVED":
		return "SYN_RECV"
	case "CLOSED":
		return "CLOSE"
	case "":
		return "UNKNOWN"
	}
	return s
}
