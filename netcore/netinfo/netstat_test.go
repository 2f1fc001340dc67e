package netinfo

import (
	"net/netip"
	"strconv"
	"strings"
	"testing"
)

func TestSocketFromConn(t *testing.T) {
	cases := []struct {
		ipv6, stream bool
		laddr        string
		lport        uint32
		raddr        string
		rport        uint32
		status       string
		pid          int32
		want         string // proto local remote state pid, or "" for refused
	}{
		{false, true, "0.0.0.0", 22, "0.0.0.0", 0, "LISTEN", 812, "tcp 0.0.0.0:22 0.0.0.0:0 LISTEN 812"},
		{false, true, "192.0.2.2", 50000, "203.0.113.9", 443, "ESTABLISHED", 9, "tcp 192.0.2.2:50000 203.0.113.9:443 ESTABLISHED 9"},
		{true, true, "::", 80, "", 0, "LISTEN", 0, "tcp6 [::]:80 [::]:0 LISTEN 0"},
		{true, true, "[::1]", 8080, "::1", 5000, "FIN_WAIT_1", 1, "tcp6 [::1]:8080 [::1]:5000 FIN_WAIT1 1"},
		{false, true, "127.0.0.1", 1, "127.0.0.1", 2, "SYN_RECEIVED", 1, "tcp 127.0.0.1:1 127.0.0.1:2 SYN_RECV 1"},
		{false, true, "127.0.0.1", 1, "127.0.0.1", 2, "", -5, "tcp 127.0.0.1:1 127.0.0.1:2 UNKNOWN 0"},
		{false, false, "0.0.0.0", 53, "", 0, "NONE", 3, "udp 0.0.0.0:53 0.0.0.0:0 UNCONN 3"},
		{false, false, "*", 68, "*", 0, "", 3, "udp 0.0.0.0:68 0.0.0.0:0 UNCONN 3"},
		{true, false, "fe80::1", 546, "fe80::2", 547, "", 3, "udp6 [fe80::1]:546 [fe80::2]:547 ESTABLISHED 3"},
		{false, true, "not-an-ip", 1, "", 0, "LISTEN", 1, ""},
		{false, true, "1.2.3.4", 70000, "", 0, "LISTEN", 1, ""},
	}
	for _, c := range cases {
		s, ok := socketFromConn(c.ipv6, c.stream, c.laddr, c.lport, c.raddr, c.rport, c.status, c.pid)
		got := ""
		if ok {
			got = strings.Join([]string{s.Proto, s.Local.String(), s.Remote.String(), s.State, strconv.Itoa(s.PID)}, " ")
		}
		if got != c.want {
			t.Errorf("socketFromConn(%+v)\n got %q\nwant %q", c, got, c.want)
		}
	}
}

func TestSocketTableTextAndOrder(t *testing.T) {
	ap := netip.MustParseAddrPort
	ss := []Socket{
		{Proto: "udp", Local: ap("0.0.0.0:68"), Remote: ap("0.0.0.0:0"), State: "UNCONN"},
		{Proto: "tcp", Local: ap("127.0.0.1:5000"), Remote: ap("127.0.0.1:80"), State: "ESTABLISHED", PID: 42, Process: "curl"},
		{Proto: "tcp6", Local: ap("[::]:443"), Remote: ap("[::]:0"), State: "LISTEN", PID: 7, Process: "nginx"},
		{Proto: "tcp", Local: ap("0.0.0.0:80"), Remote: ap("0.0.0.0:0"), State: "LISTEN", PID: 7, Process: "nginx"},
	}
	sortSockets(ss)
	order := []string{}
	for _, s := range ss {
		order = append(order, s.Proto+" "+s.Local.String())
	}
	if strings.Join(order, ", ") != "tcp 0.0.0.0:80, tcp 127.0.0.1:5000, tcp6 [::]:443, udp 0.0.0.0:68" {
		t.Errorf("order = %v; want by protocol, listening first, then port", order)
	}
	text := SocketTable{Sockets: ss, Note: "3 processes could not be inspected"}.Text()
	want := `PROTO  LOCAL ADDRESS   REMOTE ADDRESS  STATE        PID  PROCESS
tcp    0.0.0.0:80      0.0.0.0:*       LISTEN       7    nginx
tcp    127.0.0.1:5000  127.0.0.1:80    ESTABLISHED  42   curl
tcp6   [::]:443        [::]:*          LISTEN       7    nginx
udp    0.0.0.0:68      0.0.0.0:*       UNCONN       -    -
note: 3 processes could not be inspected
`
	if text != want {
		t.Errorf("Text:\n%s\nwant:\n%s", text, want)
	}
	if !(Socket{State: "UNCONN"}).Listening() || (Socket{State: "ESTABLISHED"}).Listening() || !(Socket{State: "LISTEN"}).Listening() {
		t.Error("Listening is wrong")
	}
}
