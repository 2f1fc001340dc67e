package tftp

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	pintftp "github.com/pin/tftp/v3"
)

// stranger sends pkt to addr from a new port and returns what comes back.
func stranger(t *testing.T, addr netip.AddrPort, pkt []byte) (Packet, error) {
	t.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.WriteToUDPAddrPort(pkt, addr); err != nil {
		t.Fatal(err)
	}
	p, _, err := readPacket(c, make([]byte, 2048), 2*time.Second)
	return p, err
}

// TestUnknownTIDClient: during a download from pin/tftp a stranger sends DATA
// to the client's port. It gets ERROR 5 and the download is unharmed.
func TestUnknownTIDClient(t *testing.T) {
	data := testData(100 << 10)
	reply := make(chan Packet, 1)
	// The stranger speaks once the client has fixed the server's TID. A
	// packet from the server's host that comes before the server's first
	// one is taken for it, as RFC 1350 has it, which is not this test.
	locked := make(chan struct{})
	var once sync.Once
	read := func(name string, rf io.ReaderFrom) error {
		client := rf.(pintftp.OutgoingTransfer).RemoteAddr()
		gate := make(chan struct{})
		go func() {
			defer close(gate)
			select {
			case <-locked:
			case <-time.After(5 * time.Second):
				t.Errorf("the client did not settle on the server's TID within 5 s")
				reply <- Packet{}
				return
			}
			p, err := stranger(t, client.AddrPort(), append(putACK(make([]byte, 4), 1)[:2:2], 0, 1, 'x'))
			if err != nil {
				t.Errorf("stranger got no answer: %v", err)
			}
			reply <- p
		}()
		_, err := rf.ReadFrom(&gatedReader{r: bytes.NewReader(data), gate: gate, after: 4096})
		return err
	}
	s := pintftp.NewServer(read, nil)
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = s.Serve(c) }()
	t.Cleanup(s.Shutdown)

	cl := testClient(c.LocalAddr().String())
	// pin is lock-step: one request, not a declined one and a second with
	// utimeout (which pin ignores), keeps the stranger's timing simple.
	cl.ShortServerTimeout = false
	cl.OnEvent = func(e Event) {
		if e.Kind == EventOptions {
			once.Do(func() { close(locked) })
		}
	}
	res := download(t, cl, "f", data)
	p := <-reply
	if p.Op != OpERROR || p.Code != CodeUnknownTID {
		t.Fatalf("stranger got %v %d, want ERROR 5", p.Op, p.Code)
	}
	if res.Stats.UnknownTID != 1 {
		t.Fatalf("stats count %d strangers, want 1", res.Stats.UnknownTID)
	}
}

// gatedReader blocks after the first bytes until gate closes.
type gatedReader struct {
	r     io.Reader
	gate  chan struct{}
	after int
	n     int
}

func (g *gatedReader) Read(p []byte) (int, error) {
	if g.n >= g.after {
		<-g.gate
	}
	if g.n < g.after && len(p) > g.after-g.n {
		p = p[:g.after-g.n]
	}
	n, err := g.r.Read(p)
	g.n += n
	return n, err
}

// TestUnknownTIDServer: a stranger writing to a transfer port of our server
// gets ERROR 5 and the transfer goes on.
func TestUnknownTIDServer(t *testing.T) {
	root := servedDir(t, false)
	data := testData(300 << 10)
	writeFile(t, root, "f.bin", data)
	addr := startServer(t, &Server{Root: root})
	c := testClient(addr)
	c.Options = Options{BlockSize: 512}
	tid := make(chan netip.AddrPort, 1)
	c.OnEvent = func(e Event) {
		if e.Kind == EventOptions {
			tid <- e.Transfer.Peer
		}
	}
	gate := make(chan struct{})
	var reply Packet
	go func() {
		defer close(gate)
		var err error
		reply, err = stranger(t, <-tid, putACK(make([]byte, 4), 1))
		if err != nil {
			t.Errorf("stranger got no answer: %v", err)
		}
	}()
	var buf bytes.Buffer
	if _, err := c.Download(context.Background(), "f.bin", &gatedWriter{w: &buf, gate: gate}); err != nil {
		t.Fatal(err)
	}
	checkBytes(t, buf.Bytes(), data)
	if reply.Op != OpERROR || reply.Code != CodeUnknownTID {
		t.Fatalf("stranger got %v %d, want ERROR 5", reply.Op, reply.Code)
	}
}

type gatedWriter struct {
	w    io.Writer
	gate chan struct{}
}

func (g *gatedWriter) Write(p []byte) (int, error) {
	<-g.gate
	return g.w.Write(p)
}

// TestNoSorcerersApprentice: a receiver that ACKs every block twice must not
// make the client send any block twice.
func TestNoSorcerersApprentice(t *testing.T) {
	data := testData(20*512 + 100)
	f := newFakeServer(t)
	sent := map[uint16]int{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, from := f.request()
		x := f.transferPort()
		x.peer = from
		x.ack(0)
		x.ack(0)
		for {
			p, err := x.recv(500 * time.Millisecond)
			if err != nil {
				return
			}
			if p.Op != OpDATA {
				continue
			}
			sent[p.Block]++
			x.ack(p.Block)
			x.ack(p.Block)
		}
	}()
	c := testClient(f.addr())
	c.Options = Options{}
	c.InitialRTO, c.MinRTO = time.Second, time.Second // no timeouts in this test
	if _, err := c.Upload(context.Background(), "f", bytes.NewReader(data), -1); err != nil {
		t.Fatal(err)
	}
	<-done
	if len(sent) != 21 {
		t.Fatalf("server saw %d distinct blocks, want 21", len(sent))
	}
	for b, n := range sent {
		if n != 1 {
			t.Errorf("block %d sent %d times", b, n)
		}
	}
}

// TestFastRecovery: a receiving client that sees a gap in a window ACKs the
// last in-order block at once (not after a timeout), once per pass.
func TestFastRecovery(t *testing.T) {
	const blk = 512
	data := testData(9*blk + 7) // blocks 1..10, 10 is short
	block := func(n uint16) []byte { return data[int(n-1)*blk : min(int(n)*blk, len(data))] }
	f := newFakeServer(t)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, from := f.request()
		x := f.transferPort()
		x.peer = from
		x.send(appendOACK(nil, []Option{{"blksize", "512"}, {"windowsize", "4"}}))
		x.expect(OpACK, 0, time.Second)
		x.data(1, block(1))
		x.data(3, block(3)) // 2 is "lost"
		x.expect(OpACK, 1, 100*time.Millisecond)
		x.data(4, block(4))
		x.quiet(50 * time.Millisecond) // the rest of the pass costs no more ACKs
		for b := uint16(2); b <= 5; b++ {
			x.data(b, block(b))
		}
		x.expect(OpACK, 5, 100*time.Millisecond)
		x.data(2, block(2)) // a stale copy: tell the sender where we are, once
		x.data(3, block(3))
		x.expect(OpACK, 5, 100*time.Millisecond)
		x.quiet(50 * time.Millisecond)
		for b := uint16(6); b <= 9; b++ {
			x.data(b, block(b))
		}
		x.expect(OpACK, 9, 100*time.Millisecond)
		x.data(10, block(10))
		x.expect(OpACK, 10, 100*time.Millisecond)
	}()
	c := testClient(f.addr())
	c.Options = Options{BlockSize: blk, WindowSize: 4}
	c.InitialRTO, c.MinRTO = 2*time.Second, 2*time.Second // only fast recovery can answer in time
	res := download(t, c, "f", data)
	<-done
	if res.Stats.OutOfOrder != 2 || res.Stats.Duplicates != 2 || res.Stats.Timeouts != 0 {
		t.Fatalf("stats %+v", res.Stats)
	}
}

// TestServerWindowRestart: our server restarts its window after the block a
// client ACKs mid-window, and ignores duplicate ACKs.
func TestServerWindowRestart(t *testing.T) {
	root := servedDir(t, false)
	data := testData(12*512 + 10)
	writeFile(t, root, "f.bin", data)
	addr := startServer(t, &Server{Root: root, InitialRTO: 2 * time.Second, MinRTO: 2 * time.Second})
	srv, _ := netip.ParseAddrPort(addr)
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	x := &fakeTID{t: t, c: c, peer: srv, buf: make([]byte, 2048)}
	x.send(appendRequest(nil, OpRRQ, "f.bin", ModeOctet, []Option{{"blksize", "512"}, {"windowsize", "4"}}))
	p, from, err := readPacket(c, x.buf, time.Second)
	if err != nil || p.Op != OpOACK {
		t.Fatalf("want OACK, got %v %v", p.Op, err)
	}
	x.peer = from
	x.ack(0)
	for b := uint16(1); b <= 4; b++ {
		x.expect(OpDATA, b, time.Second)
	}
	x.ack(2) // as if 3 was lost
	for b := uint16(3); b <= 6; b++ {
		x.expect(OpDATA, b, time.Second)
	}
	x.ack(6)
	x.ack(6) // duplicate: must not trigger anything
	x.ack(2) // stale: must not either
	for b := uint16(7); b <= 10; b++ {
		x.expect(OpDATA, b, time.Second)
	}
	x.quiet(100 * time.Millisecond)
	x.ack(10)
	p = x.expect(OpDATA, 11, time.Second)
	x.expect(OpDATA, 12, time.Second)
	last := x.expect(OpDATA, 13, time.Second)
	if len(last.Data) != 10 {
		t.Fatalf("last block has %d bytes", len(last.Data))
	}
	x.ack(13)
}

// TestTimeoutOption: a negotiated timeout (RFC 2349) replaces the adaptive
// retransmit timeout on both sides.
func TestTimeoutOption(t *testing.T) {
	root := servedDir(t, false)
	writeFile(t, root, "f.bin", testData(5000))
	var mu sync.Mutex
	var serverOpts Negotiated
	addr := startServer(t, &Server{Root: root, OnEvent: func(e Event) {
		if e.Kind == EventOptions {
			mu.Lock()
			serverOpts = e.Options
			mu.Unlock()
		}
	}})
	c := testClient(addr)
	c.Timeout = 2 * time.Second
	res := download(t, c, "f.bin", testData(5000))
	if res.Options.Timeout != 2*time.Second || res.Stats.RTO != 2*time.Second {
		t.Fatalf("client: options %v, RTO %v", res.Options, res.Stats.RTO)
	}
	mu.Lock()
	defer mu.Unlock()
	if serverOpts.Timeout != 2*time.Second {
		t.Fatalf("server negotiated %v", serverOpts)
	}
}
