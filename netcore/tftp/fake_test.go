package tftp

import (
	"net"
	"net/netip"
	"runtime"
	"sync"
	"testing"
	"time"
)

// fakeServer is a scripted TFTP peer for the cases real servers cannot be
// made to produce on demand: refused or ignored options, duplicated and
// reordered packets, strangers. Tests drive it packet by packet.
type fakeServer struct {
	t      testing.TB
	listen *net.UDPConn
	buf    []byte
	mu     sync.Mutex
	tids   []*net.UDPConn
}

func newFakeServer(t testing.TB) *fakeServer {
	t.Helper()
	l, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeServer{t: t, listen: l, buf: make([]byte, 70000)}
	// Registered first, so it runs after the test's own cleanups have
	// stopped any goroutine still talking on these sockets.
	t.Cleanup(func() {
		l.Close()
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, c := range f.tids {
			c.Close()
		}
	})
	return f
}

func (f *fakeServer) addr() string { return f.listen.LocalAddr().String() }

// request waits for a request on the server port.
func (f *fakeServer) request() (Packet, netip.AddrPort) {
	f.t.Helper()
	p, from, err := readPacket(f.listen, f.buf, 5*time.Second)
	if err != nil {
		f.t.Errorf("fake server: no request: %v", err)
		return Packet{}, netip.AddrPort{}
	}
	return p, from
}

// transferPort opens a new socket, the fake server's TID for one transfer.
func (f *fakeServer) transferPort() *fakeTID {
	f.t.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		f.t.Fatal(err)
	}
	f.mu.Lock()
	f.tids = append(f.tids, c)
	f.mu.Unlock()
	return &fakeTID{t: f.t, c: c, buf: make([]byte, 70000)}
}

type fakeTID struct {
	t    testing.TB
	c    *net.UDPConn
	peer netip.AddrPort
	buf  []byte
}

func (x *fakeTID) send(pkt []byte) {
	x.t.Helper()
	if _, err := x.c.WriteToUDPAddrPort(pkt, x.peer); err != nil {
		x.t.Errorf("fake send: %v", err)
	}
}

func (x *fakeTID) data(block uint16, payload []byte) {
	pkt := make([]byte, 4, 4+len(payload))
	putDataHeader(pkt, block)
	x.send(append(pkt, payload...))
}

func (x *fakeTID) ack(block uint16) { x.send(putACK(make([]byte, 4), block)) }

// recv returns the next packet from the client, or an error after d.
func (x *fakeTID) recv(d time.Duration) (Packet, error) {
	p, _, err := readPacket(x.c, x.buf, d)
	return p, err
}

// expect fails the test unless the next packet is op (and block for DATA/ACK).
func (x *fakeTID) expect(op Opcode, block uint16, within time.Duration) Packet {
	x.t.Helper()
	p, err := x.recv(within)
	if err != nil {
		x.fail("waiting for %s %d: %v", op, block, err)
	}
	if p.Op != op || ((op == OpDATA || op == OpACK) && p.Block != block) {
		x.fail("got %s %d (%q), want %s %d", p.Op, p.Block, p.Message, op, block)
	}
	return p
}

// quiet fails the test if the client sends anything within d.
func (x *fakeTID) quiet(d time.Duration) {
	x.t.Helper()
	if p, err := x.recv(d); err == nil {
		x.fail("unexpected %s %d", p.Op, p.Block)
	}
}

// fail reports an error and ends the calling goroutine, which may be a
// fake server's rather than the test's (so not t.Fatal).
func (x *fakeTID) fail(format string, args ...any) {
	x.t.Helper()
	x.t.Errorf(format, args...)
	runtime.Goexit()
}

func readPacket(c *net.UDPConn, buf []byte, d time.Duration) (Packet, netip.AddrPort, error) {
	_ = c.SetReadDeadline(time.Now().Add(d))
	n, from, err := c.ReadFromUDPAddrPort(buf)
	if err != nil {
		return Packet{}, from, err
	}
	p, err := ParsePacket(buf[:n])
	if p.Data != nil {
		p.Data = append([]byte(nil), p.Data...)
	}
	return p, from, err
}

// serveLockstep answers one read request from x with data in blksize blocks,
// one block per ACK, as a minimal RFC 1350 server.
func (x *fakeTID) serveLockstep(data []byte, blksize int, firstAcked bool) {
	x.t.Helper()
	block := uint16(1)
	for off := 0; ; block++ {
		end := min(off+blksize, len(data))
		for try := 0; ; try++ {
			x.data(block, data[off:end])
			p, err := x.recv(2 * time.Second)
			if err == nil && p.Op == OpACK && p.Block == block {
				break
			}
			if try == 5 {
				x.t.Errorf("fake: no ACK %d", block)
				return
			}
		}
		if end-off < blksize {
			return
		}
		off = end
	}
}
