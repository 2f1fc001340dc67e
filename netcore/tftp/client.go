package tftp

import (
	"bufio"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"net"
	"net/netip"
	"strconv"
	"sync/atomic"
	"time"
)

// Client defaults: options that work against real LAN devices, as the
// TFTP issue asks. blksize 1468 fills a 1500-byte Ethernet frame without IP
// fragmentation. Measured against atftpd (TestCompareClients, 50 MB on
// loopback, two runs): windowsize 1, 4, 8, 16, 32, 64 took about
// 0.40-0.44, 0.19-0.20, 0.15-0.17, 0.12-0.15, 0.12-0.14, 0.11-0.12 s, so 8
// is within a fifth of the plateau that starts at 16; at 5% loss each way
// (TestCompareClientsLossy, 2 MB) 4, 8, 16 and 32 all took 1.1-1.3 s. Bigger
// windows mean bigger bursts into the small receive rings of embedded
// stacks for a gain that only shows on loopback, so the default stays 8;
// users can raise it.
const (
	DefaultClientBlockSize  = 1468
	DefaultClientWindowSize = 8
)

// Client downloads and uploads files. Set the fields before the first
// transfer; a Client may then run any number of transfers concurrently.
type Client struct {
	// Addr is the server, "host" or "host:port" (port 69 when omitted).
	Addr string
	// Mode is octet (the default) or netascii.
	Mode Mode
	// Options to ask for. NewClient asks for blksize 1468, windowsize 8 and
	// tsize; Options{} sends plain RFC 1350 requests. A server that ignores
	// them or refuses them with ERROR 8 is handled automatically.
	Options
	// Retries is how many timeouts in a row end a transfer (DefaultRetries
	// when 0). The timeout itself adapts to the measured round-trip time
	// between MinRTO and MaxRTO, starting at InitialRTO.
	Retries                    int
	InitialRTO, MinRTO, MaxRTO time.Duration
	// OnEvent, if set, receives the transfer's events on its goroutine.
	OnEvent func(Event)
	// ProgressInterval spaces progress events (DefaultProgressInterval when 0).
	ProgressInterval time.Duration
	// TraceLimit > 0 keeps the first and last TraceLimit packets in the
	// Result and emits the first ones as EventPacket. 0 turns tracing off.
	TraceLimit int
	// NoHash skips the SHA-256 of the data (Result.Hashed is false). The
	// hash costs about 40 ms of CPU per 50 MB; that is hidden on a LAN but
	// is a fifth of a loopback transfer when both ends share two cores.
	NoHash bool
	// ShortServerTimeout (set by NewClient) shortens the retransmit timer of
	// a server that answers a windowsize > 1 with lock-step, on downloads;
	// see utimeout.go. It applies only when Options asks for a window and
	// leaves UTimeout at 0.
	ShortServerTimeout bool

	ids atomic.Uint64
}

// NewClient returns a client for addr with the default options.
func NewClient(addr string) *Client {
	return &Client{
		Addr:    addr,
		Mode:    ModeOctet,
		Options: Options{BlockSize: DefaultClientBlockSize, WindowSize: DefaultClientWindowSize, TSize: true},

		ShortServerTimeout: true,
	}
}

// Download reads the remote file into w (RRQ). The Result is returned even
// on failure and says how far the transfer got.
func (c *Client) Download(ctx context.Context, remote string, w io.Writer) (*Result, error) {
	return c.transfer(ctx, Download, remote, w, nil, -1)
}

// Upload writes r to the remote file (WRQ). size is announced with tsize
// when known; pass -1 if not.
func (c *Client) Upload(ctx context.Context, remote string, r io.Reader, size int64) (*Result, error) {
	return c.transfer(ctx, Upload, remote, nil, r, size)
}

func (c *Client) transfer(ctx context.Context, dir Direction, remote string, w io.Writer, r io.Reader, size int64) (*Result, error) {
	if err := c.Options.Validate(); err != nil {
		return nil, err
	}
	mode, err := ParseMode(string(c.Mode))
	if err != nil {
		return nil, err
	}
	if remote == "" {
		return nil, fmt.Errorf("%w: empty remote name", ErrInvalidName)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCancelled, err)
	}
	raddr, err := resolve(ctx, c.Addr)
	if err != nil {
		return nil, err
	}
	if mode == ModeNetASCII {
		size = -1 // the wire size differs from the file size
	}
	info := TransferInfo{ID: c.ids.Add(1), Peer: raddr, File: remote, Direction: dir, Mode: mode, Size: size}
	tr := newTracker(info, c.OnEvent, c.ProgressInterval, c.TraceLimit)
	tr.emit(Event{Kind: EventStart})

	var h hash.Hash
	if !c.NoHash {
		h = sha256.New()
	}
	t := &clientTransfer{c: c, ctx: ctx, tr: tr, raddr: raddr, remote: remote, mode: mode, size: size}
	if dir == Download {
		t.sink = newSink(w, h)
	} else {
		t.src = &source{br: bufio.NewReaderSize(r, 64<<10), h: h}
	}
	opts := c.Options
	t.autoUTimeout = c.ShortServerTimeout && dir == Download && !opts.empty() && opts.UTimeout == 0
	if t.autoUTimeout {
		if u, ok := lockStepServers.get(raddr); ok {
			opts.UTimeout = u
		}
	}
	err = t.attempt(opts, "")
	var again askUTimeout
	if errors.As(err, &again) {
		opts.UTimeout = time.Duration(again)
		err = t.attempt(opts, "")
	}
	var re *RemoteError
	// Only a refusal of the request itself is retried: ERROR 8 once data
	// has moved would replay the stream from the middle. A refused
	// utimeout is dropped first, keeping the other options.
	refused := func() bool { return errors.As(err, &re) && re.Code == CodeOptionRefused && !t.answered }
	if refused() {
		t.autoUTimeout = false
	}
	if refused() && opts.UTimeout != 0 {
		lockStepServers.forget(raddr)
		opts.UTimeout = 0
		err = t.attempt(opts, "utimeout refused")
	}
	if refused() && !opts.empty() {
		err = t.attempt(Options{}, "refused")
	}
	var local int64
	if t.sink != nil {
		// Stops the writer goroutine on every path; after a successful
		// transfer the receiver has already closed it.
		if cerr := t.sink.Close(); err == nil && cerr != nil {
			err = writeError(cerr)
		}
		local = t.sink.n
	} else {
		local = t.src.n
	}
	return tr.finish(local, h, err), err
}

type clientTransfer struct {
	c      *Client
	ctx    context.Context
	tr     *tracker
	raddr  netip.AddrPort
	remote string
	mode   Mode
	size   int64
	sink   *sink
	src    *source
	// answered: the server accepted the request (OACK, DATA 1 or ACK 0)
	// and the transfer proper began.
	answered bool
	// autoUTimeout: ask a lock-step server for a short utimeout.
	autoUTimeout bool
}

// askUTimeout ends a first attempt whose OACK showed a lock-step server
// with a round trip short enough for a short utimeout: the client declined
// the OACK and asks again with this utimeout.
type askUTimeout time.Duration

func (a askUTimeout) Error() string {
	return fmt.Sprintf("tftp: asking again with utimeout %v", time.Duration(a))
}

// attempt runs one request on a fresh socket (a fresh TID).
func (t *clientTransfer) attempt(opts Options, fallback string) error {
	network := "udp4"
	if t.raddr.Addr().Is6() {
		network = "udp6"
	}
	// Downloads read a blocking socket where the OS has one; uploads keep
	// the runtime's, whose sendmmsg(2) sends a window in one system call.
	uc, err := openTransferSocket(network, netip.Addr{}, t.sink != nil)
	if err != nil {
		return err
	}
	defer uc.Close()

	rbuf := max(opts.BlockSize, DefaultBlockSize) + headerLen + 1
	cfg := connConfig{retries: t.c.Retries, initialRTO: t.c.InitialRTO, minRTO: t.c.MinRTO, maxRTO: t.c.MaxRTO}
	cn := newConn(t.ctx, uc, t.raddr, false, max(rbuf, 2048), t.tr, cfg)
	defer cn.release()

	download := t.sink != nil
	op := OpWRQ
	if download {
		op = OpRRQ
	}
	announce := t.size
	if download {
		announce = 0 // RFC 2349: a client asks for the size with tsize 0
	}
	req := appendRequest(nil, op, t.remote, t.mode, opts.wire(announce))
	if err := cn.send(req); err != nil {
		return err
	}
	sentAt := time.Now()
	due := sentAt.Add(cn.rto.timeout())
	fresh := true
	timeouts := 0
	for {
		pkt, err := cn.recv(due)
		if err == errWait {
			timeouts++
			if err := cn.timedOut(timeouts); err != nil {
				return err
			}
			fresh = false
			cn.tr.stats.Retransmits++
			cn.tr.emitProgress(EventRetransmit, time.Now())
			if err := cn.send(req); err != nil {
				return err
			}
			due = time.Now().Add(cn.rto.timeout())
			continue
		}
		if err != nil {
			return cn.fail(err)
		}
		// recv locked the TID on the first packet from the server's address.
		op, block, ok := opAndBlock(pkt)
		var n Negotiated
		switch {
		case op == OpOACK:
			p, perr := ParsePacket(pkt)
			if perr == nil {
				n, perr = acceptOACK(opts, p.Options, download)
			} else {
				perr = fmt.Errorf("%w: %w", ErrProtocol, perr)
			}
			if perr != nil {
				return cn.fail(&localError{code: CodeOptionRefused, msg: "bad OACK", err: perr})
			}
		case op == OpDATA && ok && block == 1 && download, op == OpACK && ok && block == 0 && !download:
			n = defaultNegotiated()
			if !opts.empty() {
				fallback = "ignored"
			}
		case op == OpERROR:
			return remoteError(pkt)
		default:
			continue // not an answer to our request
		}
		rtt := time.Since(sentAt)
		if fresh {
			cn.rto.sample(rtt)
		}
		if t.autoUTimeout && op == OpOACK {
			// Lock-step because the server would not take the window
			// asked for, not because the user asked for none.
			lockStep := opts.WindowSize > 1 && n.WindowSize == 1
			if opts.UTimeout == 0 && fresh && lockStep && (n.TSize < 0 || n.TSize >= utimeoutMinBlocks*int64(n.BlockSize)) {
				if u, ok := shortUTimeout(rtt); ok {
					// RFC 2347: a client that does not accept an OACK
					// answers ERROR 8 and may ask again.
					lockStepServers.put(t.raddr, u)
					_ = cn.send(appendError(nil, CodeOptionRefused, "asking again with utimeout"))
					return askUTimeout(u)
				}
			}
			if opts.UTimeout != 0 && n.UTimeout == 0 {
				lockStepServers.forget(t.raddr) // the server ignores it
			}
		}
		n.Fallback = fallback
		if n.Timeout > 0 {
			cn.rto.fix(n.Timeout)
		}
		t.tr.setOptions(n)
		t.answered = true
		if download {
			return t.receive(cn, n, op, pkt)
		}
		return t.send(cn, n)
	}
}

func (t *clientTransfer) receive(cn *conn, n Negotiated, op Opcode, pkt []byte) error {
	r := &receiver{c: cn, blksize: n.BlockSize, window: n.WindowSize, sink: t.sink, out: t.sink}
	if t.mode == ModeNetASCII {
		r.dec = newNetasciiDecoder(t.sink)
		r.out = r.dec
	}
	if op == OpOACK {
		if err := r.ack(0, time.Now()); err != nil {
			return err
		}
		return r.run(nil)
	}
	return r.run(pkt)
}

func (t *clientTransfer) send(cn *conn, n Negotiated) error {
	var src io.Reader = t.src
	if t.mode == ModeNetASCII {
		src = newNetasciiEncoder(src)
	}
	return newSender(cn, n.BlockSize, n.WindowSize, src).run()
}

// resolve turns "host", "host:port", "[v6]:port" or a bare IPv6 address into
// an address, looking names up under ctx.
func resolve(ctx context.Context, addr string) (netip.AddrPort, error) {
	host, port := addr, "69"
	if h, p, err := net.SplitHostPort(addr); err == nil {
		host, port = h, p
	} else if len(addr) > 1 && addr[0] == '[' && addr[len(addr)-1] == ']' {
		host = addr[1 : len(addr)-1]
	}
	pn, err := strconv.ParseUint(port, 10, 16)
	if err != nil || pn == 0 {
		if pn, err = lookupPort(ctx, port); err != nil {
			return netip.AddrPort{}, fmt.Errorf("tftp: bad port in %q", addr)
		}
	}
	if host == "" {
		return netip.AddrPort{}, fmt.Errorf("tftp: no host in %q", addr)
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		return netip.AddrPortFrom(ip.Unmap(), uint16(pn)), nil
	}
	ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("tftp: look up %s: %w", host, err)
	}
	best := ips[0]
	for _, ip := range ips {
		if ip.Unmap().Is4() {
			best = ip
			break
		}
	}
	return netip.AddrPortFrom(best.Unmap(), uint16(pn)), nil
}

func lookupPort(ctx context.Context, name string) (uint64, error) {
	p, err := net.DefaultResolver.LookupPort(ctx, "udp", name)
	if err != nil || p == 0 {
		return 0, errors.New("bad port")
	}
	return uint64(p), nil
}
