package tftp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// Server defaults.
const (
	DefaultMaxTransfers     = 64
	DefaultServerMaxWindow  = 64
	DefaultServerDally      = time.Second
	serverRequestBufferSize = 64 << 10

	// serverHelloWait is the least time the server waits for the answer
	// to its OACK before repeating it. atftp aborts a transfer when it
	// receives an OACK twice ("unexpected OACK"), which happens if its ACK
	// is lost and the server repeats the OACK before atftp (5 s by
	// default) repeats the ACK. Clients repeat their request or their ACK
	// on their own timer, and a repeated request makes the server answer
	// at once, so the long wait only matters when the client stays silent.
	serverHelloWait = 6 * time.Second
	// helloRetries bounds the waits for a client's first answer.
	helloRetries = 3
)

// Server serves the files of one folder. Set the fields, then call Serve or
// ListenAndServe; a Server cannot be restarted after Shutdown.
type Server struct {
	// Root is the folder served. Every request resolves inside it.
	Root string
	// AllowUpload accepts write requests (off by default).
	AllowUpload bool
	// Overwrite lets uploads replace existing files.
	Overwrite bool
	// HashDownloads computes the SHA-256 of files the server sends (uploads
	// are always hashed). Off by default: it costs CPU on fast links.
	HashDownloads bool
	// MaxTransfers caps concurrent transfers (DefaultMaxTransfers when 0);
	// requests beyond it get ERROR 0 "server busy".
	MaxTransfers int
	// MaxBlockSize and MaxWindowSize cap what clients may negotiate
	// (65464 and DefaultServerMaxWindow when 0).
	MaxBlockSize, MaxWindowSize int
	// Retries, InitialRTO, MinRTO and MaxRTO work as in Client.
	Retries                    int
	InitialRTO, MinRTO, MaxRTO time.Duration
	// Dally is how long the server keeps a finished upload's socket to
	// repeat the final ACK if the client repeats its last block
	// (DefaultServerDally when 0, negative for none).
	Dally time.Duration
	// OnEvent receives every transfer's events. Transfers run concurrently,
	// so it must be safe for concurrent use; Event.Transfer.ID tells them apart.
	OnEvent func(Event)
	// ProgressInterval and TraceLimit work as in Client, per transfer.
	ProgressInterval time.Duration
	TraceLimit       int

	mu        sync.Mutex
	ctx       context.Context
	cancel    context.CancelCauseFunc
	listeners map[net.PacketConn]struct{}
	active    map[netip.AddrPort]*activeTransfer
	closed    bool
	wg        sync.WaitGroup
	ids       atomic.Uint64
}

// Listen opens a UDP socket for Serve. If the OS refuses a port below 1024
// for lack of privileges the error wraps both ErrPrivilegedPort and the OS
// error, so the UI can offer port 6969 or SetcapCommand.
func Listen(addr string) (*net.UDPConn, error) {
	ua, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		return nil, fmt.Errorf("tftp: listen address %q: %w", addr, err)
	}
	// An IPv4 literal (0.0.0.0 included) listens on IPv4 only, as the TCP
	// server does, so the address shown is the one asked for rather than a
	// dual-stack [::].
	network := "udp"
	if ua.IP != nil && ua.IP.To4() != nil {
		network = "udp4"
	}
	uc, err := net.ListenUDP(network, ua)
	if err != nil {
		return nil, listenError(addr, ua.Port, err)
	}
	return uc, nil
}

func listenError(addr string, port int, err error) error {
	if port > 0 && port < 1024 && errors.Is(err, os.ErrPermission) {
		return fmt.Errorf("%w: %w", ErrPrivilegedPort, err)
	}
	return fmt.Errorf("tftp: listen on %s: %w", addr, err)
}

// SetcapCommand is the command that lets this program bind ports below 1024
// on Linux without running as root, or "" where that does not apply.
func SetcapCommand() string {
	if runtime.GOOS != "linux" {
		return ""
	}
	exe, err := os.Executable()
	if err != nil {
		exe = "/path/to/netdebug"
	}
	return "sudo setcap 'cap_net_bind_service=+ep' " + exe
}

// ListenAndServe listens on addr and serves until ctx ends, then shuts down
// gracefully. It returns ErrServerClosed after a shutdown.
func (s *Server) ListenAndServe(ctx context.Context, addr string) error {
	uc, err := Listen(addr)
	if err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, func() { _ = s.Shutdown(context.Background()) })
	defer stop()
	return s.Serve(uc)
}

func (s *Server) init() {
	if s.ctx == nil {
		s.ctx, s.cancel = context.WithCancelCause(context.Background())
		s.listeners = make(map[net.PacketConn]struct{})
		s.active = make(map[netip.AddrPort]*activeTransfer)
	}
}

// Serve answers requests arriving on pc until Shutdown, then returns
// ErrServerClosed. Each transfer gets its own socket (a new TID) bound to
// the address the request was sent to.
func (s *Server) Serve(pc net.PacketConn) error {
	if s.Root == "" {
		return errors.New("tftp: server has no root folder")
	}
	if fi, err := os.Stat(s.Root); err != nil || !fi.IsDir() {
		return fmt.Errorf("tftp: root folder %q: not a readable folder", s.Root)
	}
	s.mu.Lock()
	s.init()
	if s.closed {
		s.mu.Unlock()
		return ErrServerClosed
	}
	s.listeners[pc] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.listeners, pc)
		s.mu.Unlock()
	}()

	rd := newRequestReader(pc)
	buf := make([]byte, serverRequestBufferSize)
	for {
		n, from, local, err := rd.read(buf)
		if err != nil {
			s.mu.Lock()
			closed := s.closed
			s.mu.Unlock()
			if closed {
				return ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return fmt.Errorf("tftp: serve: %w", err)
		}
		p, err := ParsePacket(buf[:n])
		if err != nil || (p.Op != OpRRQ && p.Op != OpWRQ) {
			if err == nil && p.Op == OpERROR {
				continue
			}
			_, _ = pc.WriteTo(appendError(nil, CodeIllegalOp, "expected a read or write request"), net.UDPAddrFromAddrPort(from))
			continue
		}
		s.start(pc, p, from, local)
	}
}

// start launches a transfer unless one from the same client port is
// running (a retransmitted request) or the server is at its cap.
func (s *Server) start(pc net.PacketConn, p Packet, from netip.AddrPort, local netip.Addr) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	if a, dup := s.active[from]; dup {
		// The client repeated its request: it missed our first answer.
		if a.conn != nil && a.conn.hello.Load() {
			a.conn.repeat()
		}
		s.mu.Unlock()
		return
	}
	limit := s.MaxTransfers
	if limit <= 0 {
		limit = DefaultMaxTransfers
	}
	if len(s.active) >= limit {
		s.mu.Unlock()
		_, _ = pc.WriteTo(appendError(nil, CodeNotDefined, "server busy, try again later"), net.UDPAddrFromAddrPort(from))
		s.refused(p, from, fmt.Errorf("tftp: refused %s: %d transfers running", from, limit))
		return
	}
	a := &activeTransfer{}
	s.active[from] = a
	s.wg.Add(1)
	ctx := s.ctx
	s.mu.Unlock()
	go func() {
		defer func() {
			s.mu.Lock()
			delete(s.active, from)
			s.mu.Unlock()
			s.wg.Done()
		}()
		s.handle(ctx, pc, p, from, local, a)
	}()
}

// activeTransfer is the server loop's handle on a running transfer; conn
// is set under Server.mu once the transfer has its socket.
type activeTransfer struct {
	conn *conn
}

// refused reports a request that never became a transfer.
func (s *Server) refused(p Packet, from netip.AddrPort, err error) {
	if s.OnEvent == nil {
		return
	}
	tr := s.tracker(p, from)
	tr.emit(Event{Kind: EventStart})
	tr.finish(0, nil, err)
}

func (s *Server) tracker(p Packet, from netip.AddrPort) *tracker {
	dir := Download
	if p.Op == OpWRQ {
		dir = Upload
	}
	mode, _ := ParseMode(p.Mode)
	info := TransferInfo{ID: s.ids.Add(1), Peer: from, File: p.Filename, Direction: dir, Mode: mode, Size: -1}
	return newTracker(info, s.OnEvent, s.ProgressInterval, s.TraceLimit)
}

// Shutdown stops accepting requests, ends running transfers with an ERROR
// packet to their clients and waits for them, or for ctx.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.init()
	s.closed = true
	for pc := range s.listeners {
		_ = pc.Close()
	}
	s.cancel(ErrServerClosed)
	s.mu.Unlock()
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// requestReader reads requests and, when the listener is bound to a
// wildcard address, the address each request was sent to, so the reply
// comes from the address the client talked to.
type requestReader struct {
	pc    net.PacketConn
	uc    *net.UDPConn
	p4    *ipv4.PacketConn
	p6    *ipv6.PacketConn
	fixed netip.Addr
}

func newRequestReader(pc net.PacketConn) *requestReader {
	r := &requestReader{pc: pc}
	uc, ok := pc.(*net.UDPConn)
	if !ok {
		return r
	}
	r.uc = uc
	la, _ := uc.LocalAddr().(*net.UDPAddr)
	if la == nil {
		return r
	}
	ip, _ := netip.AddrFromSlice(la.IP)
	ip = ip.Unmap()
	if ip.IsValid() && !ip.IsUnspecified() {
		r.fixed = ip
		return r
	}
	if la.IP.To4() != nil {
		p := ipv4.NewPacketConn(uc)
		if p.SetControlMessage(ipv4.FlagDst, true) == nil {
			r.p4 = p
		}
	} else {
		p := ipv6.NewPacketConn(uc)
		if p.SetControlMessage(ipv6.FlagDst, true) == nil {
			r.p6 = p
		}
	}
	return r
}

func (r *requestReader) read(buf []byte) (int, netip.AddrPort, netip.Addr, error) {
	var (
		n     int
		addr  net.Addr
		local netip.Addr
		err   error
	)
	switch {
	case r.p4 != nil:
		var cm *ipv4.ControlMessage
		n, cm, addr, err = r.p4.ReadFrom(buf)
		if cm != nil {
			local, _ = netip.AddrFromSlice(cm.Dst)
		}
	case r.p6 != nil:
		var cm *ipv6.ControlMessage
		n, cm, addr, err = r.p6.ReadFrom(buf)
		if cm != nil {
			local, _ = netip.AddrFromSlice(cm.Dst)
		}
	case r.uc != nil:
		var ap netip.AddrPort
		n, ap, err = r.uc.ReadFromUDPAddrPort(buf)
		addr = net.UDPAddrFromAddrPort(ap)
		local = r.fixed
	default:
		n, addr, err = r.pc.ReadFrom(buf)
	}
	if err != nil {
		return 0, netip.AddrPort{}, netip.Addr{}, err
	}
	ua, ok := addr.(*net.UDPAddr)
	if !ok {
		return 0, netip.AddrPort{}, netip.Addr{}, fmt.Errorf("tftp: unexpected address %v", addr)
	}
	from := ua.AddrPort()
	from = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
	if !local.IsValid() && r.uc == nil {
		if la, ok := r.pc.LocalAddr().(*net.UDPAddr); ok {
			local, _ = netip.AddrFromSlice(la.IP)
		}
	}
	return n, from, local.Unmap(), nil
}
