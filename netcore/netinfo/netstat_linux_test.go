//go:build linux

package netinfo

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

const procHeader = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"

func TestParseProcNet(t *testing.T) {
	cases := []struct {
		name, proto, text string
		order             binary.ByteOrder
		want              []string // local remote state inode
	}{
		{"tcp little-endian", "tcp", procHeader +
			"   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1603 1 00000000ca860a02 100 0 0 10 0\n" +
			"   1: 0100007F:C0E7 0100007F:0050 01 00000000:00000000 02:000002B4 00000000  1000        0 28274 2 000000002a3cc7ee 20 0 0 10 -1\n" +
			"   2: 020200C0:DCE6 507100CB:01BB 06 00000000:00000000 03:00000DC8 00000000     0        0 0 3 00000000bd1d86b4\n",
			binary.LittleEndian, []string{
				"0.0.0.0:22 0.0.0.0:0 LISTEN 1603",
				"127.0.0.1:49383 127.0.0.1:80 ESTABLISHED 28274",
				"192.0.2.2:56550 203.0.113.80:443 TIME_WAIT 0",
			}},
		{"tcp big-endian", "tcp", procHeader +
			"   0: 7F000001:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 77 1 0\n",
			binary.BigEndian, []string{"127.0.0.1:8080 0.0.0.0:0 LISTEN 77"}},
		{"tcp6 little-endian", "tcp6", procHeader +
			"   0: 00000000000000000000000001000000:0035 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 501 1 0\n" +
			"   1: 0000000000000000FFFF00000100007F:1F90 B80D0120000000000000000001000000:D431 01 00000000:00000000 00:00000000 00000000     0        0 502 1 0\n",
			binary.LittleEndian, []string{
				"[::1]:53 [::]:0 LISTEN 501",
				"[::ffff:127.0.0.1]:8080 [2001:db8::1]:54321 ESTABLISHED 502",
			}},
		{"tcp6 big-endian", "tcp6", procHeader +
			"   0: 20010DB8000000000000000000000001:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 9 1 0\n",
			binary.BigEndian, []string{"[2001:db8::1]:80 [::]:0 LISTEN 9"}},
		{"udp", "udp", procHeader +
			" 4971: 0100007F:4249 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 18517 2 000000006508eeb7 0\n" +
			"16062: 0100007F:ED9C 0100007F:0035 01 00000000:00000000 00:00000000 00000000     0        0 28275 2 000000003dae298f 0\n",
			binary.LittleEndian, []string{
				"127.0.0.1:16969 0.0.0.0:0 UNCONN 18517",
				"127.0.0.1:60828 127.0.0.1:53 ESTABLISHED 28275",
			}},
		{"header only", "udp6", procHeader, binary.LittleEndian, nil},
	}
	for _, c := range cases {
		ss, err := parseProcNet(strings.NewReader(c.text), c.proto, c.order)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		var got []string
		for _, s := range ss {
			if s.Proto != c.proto {
				t.Errorf("%s: proto %q", c.name, s.Proto)
			}
			got = append(got, s.Local.String()+" "+s.Remote.String()+" "+s.State+" "+strconv.FormatUint(s.inode, 10))
		}
		if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}
}

func TestParseProcNetErrors(t *testing.T) {
	cases := map[string]string{
		"   0: 0100007F:0050 00000000:0000 0A\n":                                                         "expected at least 10",
		"   0: 0100007F0050 00000000:0000 0A 0:0 0:0 0 0 0 1\n":                                          "not HEXADDR:PORT",
		"   0: 0100007Z:0050 00000000:0000 0A 0:0 0:0 0 0 0 1\n":                                         "address in",
		"   0: 0100007F:0050 00000000:0000 ZZ 0:0 0:0 0 0 0 1\n":                                         "state",
		"   0: 0100007F:0050 00000000:0000 0A 0:0 0:0 0 0 0 x\n":                                         "inode",
		"   0: 0100007F:005 00000000:0000 0A 0:0 0:0 0 0 0 1\n":                                          "not HEXADDR:PORT",
		"   0: 00000000000000000000000001000000:0035 00000000:0000 0A 00000000:00000000 0:0 0 0 0 5 1\n": "",
	}
	for line, want := range cases {
		_, err := parseProcNet(strings.NewReader(procHeader+line), "tcp", binary.LittleEndian)
		if want == "" {
			if err != nil {
				t.Errorf("%q: %v", line, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "line 2") {
			t.Errorf("%q: error %v; want one naming line 2 and %q", line, err, want)
		}
	}
	if s := procState("tcp", 0x42); s != "UNKNOWN(42)" {
		t.Errorf("procState(0x42) = %q", s)
	}
}

func TestListSocketsFindsOurOwn(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	udp, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer udp.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			accepted <- c
		}
		close(accepted)
	}()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	if c := <-accepted; c != nil {
		defer c.Close()
	}
	var ln6 net.Listener
	if l, err := net.Listen("tcp6", "[::1]:0"); err == nil {
		ln6 = l
		defer l.Close()
	}

	pid := os.Getpid()
	name := processName(pid)
	if name == "" {
		t.Fatal("cannot read our own process name")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	all, err := ListSockets(ctx, SocketOptions{})
	if err != nil {
		t.Fatal(err)
	}
	listening, err := ListSockets(ctx, SocketOptions{ListeningOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	find := func(tab SocketTable, proto string, local net.Addr, state string) *Socket {
		want := netip.MustParseAddrPort(local.String())
		for i, s := range tab.Sockets {
			if s.Proto == proto && s.Local == want && s.State == state {
				return &tab.Sockets[i]
			}
		}
		return nil
	}
	checks := []struct {
		tab    SocketTable
		proto  string
		local  net.Addr
		state  string
		inList bool
	}{
		{listening, "tcp", ln.Addr(), "LISTEN", true},
		{listening, "udp", udp.LocalAddr(), "UNCONN", true},
		{all, "tcp", ln.Addr(), "LISTEN", true},
		{all, "tcp", client.LocalAddr(), "ESTABLISHED", true},
		{listening, "tcp", client.LocalAddr(), "ESTABLISHED", false},
	}
	if ln6 != nil {
		checks = append(checks, struct {
			tab    SocketTable
			proto  string
			local  net.Addr
			state  string
			inList bool
		}{listening, "tcp6", ln6.Addr(), "LISTEN", true})
	}
	for _, c := range checks {
		s := find(c.tab, c.proto, c.local, c.state)
		switch {
		case c.inList && s == nil:
			t.Errorf("%s %s %s not in the list:\n%s", c.proto, c.local, c.state, c.tab.Text())
		case !c.inList && s != nil:
			t.Errorf("%s %s %s listed with ListeningOnly", c.proto, c.local, c.state)
		case s != nil && (s.PID != pid || s.Process != name):
			t.Errorf("%s %s owned by %d %q; want %d %q", c.proto, c.local, s.PID, s.Process, pid, name)
		}
	}
	for _, s := range listening.Sockets {
		if !s.Listening() {
			t.Errorf("ListeningOnly kept %+v", s)
		}
	}
	text := listening.Text()
	line := ""
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, ln.Addr().String()) {
			line = l
		}
	}
	if !strings.HasPrefix(text, "PROTO  LOCAL ADDRESS") || !strings.Contains(line, "0.0.0.0:*") ||
		!strings.Contains(line, strconv.Itoa(pid)) || !strings.Contains(line, name) {
		t.Errorf("Text line for our listener = %q in:\n%s", line, text)
	}
	if all.Source != "/proc/net" {
		t.Errorf("Source = %q", all.Source)
	}
}

func TestListSocketsCancelled(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ListSockets(ctx, SocketOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled listing: %v", err)
	}
}
