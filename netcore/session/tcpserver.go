package session

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/netdebug/netdebug/netcore/framing"
)

// TCPServerConfig says where to listen and how to treat clients.
type TCPServerConfig struct {
	// Address is "host:port"; an empty host or 0.0.0.0 listens on every
	// IPv4 interface, [::] on every interface, port 0 lets the system pick.
	Address string
	// MaxClients refuses clients beyond this many (0 = no limit).
	MaxClients int
	// Echo sends every received byte back to its sender.
	Echo bool
	// Framing splits each client's bytes into messages.
	Framing framing.Config
	// WriteTimeout bounds each write to a client (default 10 s), so one
	// stuck client cannot stall a send to all.
	WriteTimeout time.Duration
}

// ClientInfo describes a connected client.
type ClientInfo struct {
	ID    uint64
	Addr  string
	Since time.Time
	Stats Stats
}

// TCPServer accepts many clients and talks to one or all of them.
type TCPServer struct {
	cfg     TCPServerConfig
	handler Handler
	echo    atomic.Bool
	max     atomic.Int64

	ln       net.Listener
	mu       sync.Mutex
	clients  map[uint64]*serverClient
	nextID   uint64
	framing  framing.Config
	capture  *Capture
	perCap   func(ClientInfo) *Capture
	closed   bool
	wg       sync.WaitGroup
	total    counters // traffic of clients that have left
	accepted atomic.Uint64
	refused  atomic.Uint64
}

type serverClient struct {
	id       uint64
	conn     net.Conn
	addr     string
	since    time.Time
	counters counters
	reader   *streamReader
	writeMu  sync.Mutex
	capture  *Capture // per-client capture, closed when the client leaves
}

// NewTCPServer checks the configuration; Start listens.
func NewTCPServer(cfg TCPServerConfig, h Handler) (*TCPServer, error) {
	host, port, err := SplitTarget(cfg.Address, 0, true)
	if err != nil {
		return nil, err
	}
	cfg.Address = net.JoinHostPort(host, fmt.Sprint(port))
	if err := cfg.Framing.Validate(); err != nil {
		return nil, err
	}
	if cfg.MaxClients < 0 {
		return nil, fmt.Errorf("%w: max clients must be 0 (no limit) or more", ErrInvalidAddress)
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = 10 * time.Second
	}
	if h == nil {
		h = func(Event) {}
	}
	s := &TCPServer{cfg: cfg, handler: h, clients: map[uint64]*serverClient{}, framing: cfg.Framing}
	s.echo.Store(cfg.Echo)
	s.max.Store(int64(cfg.MaxClients))
	return s, nil
}

// Start listens and accepts clients in the background.
func (s *TCPServer) Start() error {
	// An IPv4 literal (0.0.0.0 included) listens on IPv4 only, so the
	// address shown is the one asked for rather than a dual-stack [::].
	network := "tcp"
	if host, _, err := net.SplitHostPort(s.cfg.Address); err == nil {
		if ip := net.ParseIP(host); ip != nil && ip.To4() != nil {
			network = "tcp4"
		} else if ip != nil {
			network = "tcp6"
		}
	}
	ln, err := net.Listen(network, s.cfg.Address)
	if err != nil {
		return Explain(err, s.cfg.Address)
	}
	return s.Serve(ln)
}

// Serve accepts clients from ln in the background (for callers that made
// their own listener).
func (s *TCPServer) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.ln != nil || s.closed {
		s.mu.Unlock()
		ln.Close()
		return fmt.Errorf("%s: server already started", s.cfg.Address)
	}
	s.ln = ln
	s.mu.Unlock()
	s.handler(Event{Kind: Listening, Time: time.Now(), Msg: ln.Addr().String()})
	s.wg.Add(1)
	go s.acceptLoop(ln)
	return nil
}

// Addr is the listening address (useful with port 0).
func (s *TCPServer) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

func (s *TCPServer) acceptLoop(ln net.Listener) {
	defer s.wg.Done()
	backoff := 5 * time.Millisecond
	for {
		conn, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of file descriptors and the like: report, wait, go on.
			s.handler(Event{Kind: Error, Time: time.Now(), Err: Explain(err, s.cfg.Address)})
			time.Sleep(backoff)
			backoff = min(backoff*2, time.Second)
			continue
		}
		backoff = 5 * time.Millisecond
		s.admit(conn)
	}
}

func (s *TCPServer) admit(conn net.Conn) {
	addr := conn.RemoteAddr().String()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		conn.Close()
		return
	}
	if max := int(s.max.Load()); max > 0 && len(s.clients) >= max {
		s.mu.Unlock()
		conn.Close()
		s.refused.Add(1)
		s.handler(Event{Kind: Refused, Time: time.Now(), Peer: addr, Msg: fmt.Sprintf("refused: %d clients is the limit", max)})
		return
	}
	s.nextID++
	c := &serverClient{id: s.nextID, conn: conn, addr: addr, since: time.Now()}
	c.reader = newStreamReader(conn, &c.counters, s.framing, minReadBuffer, func(b []byte) { s.received(c, b) })
	c.reader.capture.Store(s.capture)
	if s.perCap != nil {
		c.capture = s.perCap(ClientInfo{ID: c.id, Addr: addr, Since: c.since})
	}
	c.reader.onCaptureErr = func(err error) {
		s.handler(Event{Kind: Error, Time: time.Now(), Peer: addr, Client: c.id, Err: err})
	}
	s.clients[c.id] = c
	s.wg.Add(1)
	s.mu.Unlock()
	s.accepted.Add(1)
	s.handler(Event{Kind: Connected, Time: time.Now(), Peer: addr, Client: c.id, Msg: conn.LocalAddr().String()})
	go s.serveClient(c)
}

func (s *TCPServer) received(c *serverClient, b []byte) {
	if c.capture != nil {
		if err := c.capture.Write(b); err != nil {
			// Stop writing this client's file, but close it: the handle
			// is released and what the buffer still holds is flushed if
			// it can be.
			if cerr := c.capture.Close(); cerr != nil && cerr != err {
				err = errors.Join(err, cerr)
			}
			c.capture = nil
			s.handler(Event{Kind: Error, Time: time.Now(), Peer: c.addr, Client: c.id, Err: fmt.Errorf("%w (file closed; this client is no longer saved)", err)})
		}
	}
	s.handler(Event{Kind: Received, Time: time.Now(), Peer: c.addr, Client: c.id, Data: b})
	if s.echo.Load() {
		if err := s.write(c, b); err == nil {
			s.handler(Event{Kind: Sent, Time: time.Now(), Peer: c.addr, Client: c.id, Data: b})
		}
	}
}

func (s *TCPServer) serveClient(c *serverClient) {
	defer s.wg.Done()
	err := c.reader.run()
	c.conn.Close()
	s.mu.Lock()
	delete(s.clients, c.id)
	closing := s.closed
	st := c.counters.snapshot()
	s.total.rxBytes.Add(st.RxBytes)
	s.total.rxPackets.Add(st.RxPackets)
	s.total.rxFrames.Add(st.RxFrames)
	s.total.txBytes.Add(st.TxBytes)
	s.total.txPackets.Add(st.TxPackets)
	s.mu.Unlock()
	if c.capture != nil {
		c.capture.Close()
	}
	ev := Event{Kind: Closed, Time: time.Now(), Peer: c.addr, Client: c.id}
	switch {
	case closing:
		ev.Msg = "server stopped"
	case isPeerClose(err):
		ev.Msg = "closed by peer"
	case errors.Is(err, net.ErrClosed):
		ev.Msg = "disconnected by you"
	default:
		ev.Err = Explain(err, c.addr)
		ev.Msg = ev.Err.Error()
	}
	s.handler(ev)
}

// write sends b to one client, failing when the client takes no data for
// the write timeout (a slow but steady reader can take a large send).
func (s *TCPServer) write(c *serverClient, b []byte) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	n, err := writeChunked(c.conn, b, func() { _ = c.conn.SetWriteDeadline(time.Now().Add(s.cfg.WriteTimeout)) })
	if n > 0 {
		c.counters.tx(n)
	}
	if err != nil {
		return Explain(err, c.addr)
	}
	return nil
}

func (s *TCPServer) client(id uint64) (*serverClient, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.clients[id]
	if !ok {
		return nil, fmt.Errorf("%w: client %d has left", ErrUnknownClient, id)
	}
	return c, nil
}

// Send writes b to one client and reports it as Sent.
func (s *TCPServer) Send(id uint64, b []byte) error {
	c, err := s.client(id)
	if err != nil {
		return err
	}
	if err := s.write(c, b); err != nil {
		return err
	}
	s.handler(Event{Kind: Sent, Time: time.Now(), Peer: c.addr, Client: id, Data: b})
	return nil
}

// SendAll writes b to every client, several at a time, and returns how many
// got it. Each client that got it is reported as Sent to that client, so
// the counters and a per-client view see every copy; failures are reported
// as Error events and joined in the error.
func (s *TCPServer) SendAll(b []byte) (int, error) {
	s.mu.Lock()
	targets := make([]*serverClient, 0, len(s.clients))
	for _, c := range s.clients {
		targets = append(targets, c)
	}
	s.mu.Unlock()
	if len(targets) == 0 {
		return 0, fmt.Errorf("%w: no clients are connected", ErrNotConnected)
	}
	var ok atomic.Int64
	var errMu sync.Mutex
	var errs []error
	work := make(chan *serverClient)
	var wg sync.WaitGroup
	for range min(len(targets), 64) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range work {
				if err := s.write(c, b); err != nil {
					errMu.Lock()
					errs = append(errs, err)
					errMu.Unlock()
					s.handler(Event{Kind: Error, Time: time.Now(), Peer: c.addr, Client: c.id, Err: err})
					continue
				}
				ok.Add(1)
				s.handler(Event{Kind: Sent, Time: time.Now(), Peer: c.addr, Client: c.id, Data: b})
			}
		}()
	}
	for _, c := range targets {
		work <- c
	}
	close(work)
	wg.Wait()
	return int(ok.Load()), errors.Join(errs...)
}

// Disconnect closes one client's connection.
func (s *TCPServer) Disconnect(id uint64) error {
	c, err := s.client(id)
	if err != nil {
		return err
	}
	return c.conn.Close()
}

// Clients lists the connected clients, oldest first.
func (s *TCPServer) Clients() []ClientInfo {
	s.mu.Lock()
	out := make([]ClientInfo, 0, len(s.clients))
	for _, c := range s.clients {
		out = append(out, ClientInfo{ID: c.id, Addr: c.addr, Since: c.since, Stats: c.counters.snapshot()})
	}
	s.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// ClientCount is the number of connected clients.
func (s *TCPServer) ClientCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.clients)
}

// Stats sums the traffic of every client, past and present.
func (s *TCPServer) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.total.snapshot()
	for _, c := range s.clients {
		st = st.Add(c.counters.snapshot())
	}
	return st
}

// Accepted and Refused count clients since Start.
func (s *TCPServer) Accepted() uint64 { return s.accepted.Load() }
func (s *TCPServer) Refused() uint64  { return s.refused.Load() }

// SetEcho turns echoing on or off.
func (s *TCPServer) SetEcho(on bool) { s.echo.Store(on) }

// SetMaxClients changes the limit for new clients (0 = none).
func (s *TCPServer) SetMaxClients(n int) { s.max.Store(int64(max(n, 0))) }

// SetFraming changes framing for every client, from their next read.
func (s *TCPServer) SetFraming(f framing.Config) error {
	if err := f.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.framing = f
	for _, c := range s.clients {
		c.reader.setFraming(f)
	}
	return nil
}

// SetCapture streams every client's received bytes into one file (nil
// stops). The caller closes it.
func (s *TCPServer) SetCapture(cap *Capture) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.capture = cap
	for _, c := range s.clients {
		c.reader.capture.Store(cap)
	}
}

// SetCapturePerClient makes open create a capture for each new client;
// the server closes it when the client leaves. nil stops for new clients.
func (s *TCPServer) SetCapturePerClient(open func(ClientInfo) *Capture) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.perCap = open
}

// Shutdown stops accepting, disconnects every client and waits for their
// goroutines, or until ctx ends.
func (s *TCPServer) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	ln := s.ln
	for _, c := range s.clients {
		c.conn.Close()
	}
	s.mu.Unlock()
	if ln != nil {
		ln.Close()
	}
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		return ctx.Err()
	}
	if ln != nil {
		s.handler(Event{Kind: Stopped, Time: time.Now(), Msg: ln.Addr().String()})
	}
	return nil
}

// SendFile streams r to one client (id > 0) or to every client connected
// when it starts (id 0), with progress, until EOF or ctx is cancelled. Like
// the client's SendFile it reports Info events, not the file's bytes.
//
// Sending to all, a client whose write fails gets an Error event and is
// dropped from the send at once (a stuck client costs one write timeout, not
// one per chunk); the others get the rest of the file. The bytes returned
// are those read from r and sent to the clients still receiving. If any
// client failed the error is a *SendFileError naming them; when every
// client failed the send stops there.
func (s *TCPServer) SendFile(ctx context.Context, id uint64, name string, r io.Reader, total int64, progress Progress) (int64, error) {
	var targets []*serverClient
	if id > 0 {
		c, err := s.client(id)
		if err != nil {
			return 0, err
		}
		targets = []*serverClient{c}
	} else {
		s.mu.Lock()
		for _, c := range s.clients {
			targets = append(targets, c)
		}
		s.mu.Unlock()
		if len(targets) == 0 {
			return 0, fmt.Errorf("%w: no clients are connected", ErrNotConnected)
		}
		sort.Slice(targets, func(i, j int) bool { return targets[i].id < targets[j].id })
	}
	who := fmt.Sprintf("%d clients", len(targets))
	if id > 0 {
		who = targets[0].addr
	}
	s.handler(Event{Kind: Info, Time: time.Now(), Peer: who, Msg: fmt.Sprintf("sending file %s (%s)", name, sizeText(total))})
	live := targets
	failed := &SendFileError{Clients: len(targets)}
	n, err := SendStream(ctx, r, total, 64<<10, 0, func(b []byte) error {
		if id > 0 {
			return s.write(live[0], b)
		}
		kept := live[:0]
		for _, c := range live {
			if err := s.write(c, b); err != nil {
				failed.Failed = append(failed.Failed, ClientFailure{ID: c.id, Addr: c.addr, Err: err})
				s.handler(Event{Kind: Error, Time: time.Now(), Peer: c.addr, Client: c.id, Err: fmt.Errorf("file %s: client dropped from the send: %w", name, err)})
				continue
			}
			kept = append(kept, c)
		}
		live = kept
		if len(live) == 0 {
			return failed
		}
		return nil
	}, progress)
	if err == nil && len(failed.Failed) > 0 {
		err = failed
	} else if err != nil && err != error(failed) && len(failed.Failed) > 0 {
		err = errors.Join(err, failed) // cancelled or a read error, after some clients failed
	}
	switch {
	case err == nil:
		s.handler(Event{Kind: Info, Time: time.Now(), Peer: who, Msg: fmt.Sprintf("sent file %s: %d bytes", name, n)})
	case errors.Is(err, context.Canceled):
		s.handler(Event{Kind: Info, Time: time.Now(), Peer: who, Msg: fmt.Sprintf("file %s cancelled after %d bytes", name, n)})
		if len(failed.Failed) > 0 {
			s.handler(Event{Kind: Error, Time: time.Now(), Peer: who, Err: fmt.Errorf("file %s: %w", name, failed)})
		}
	case len(live) > 0 && err == error(failed):
		s.handler(Event{Kind: Error, Time: time.Now(), Peer: who, Err: fmt.Errorf("file %s: %d bytes sent to %d of %d clients; %w", name, n, len(live), len(targets), failed)})
	default:
		s.handler(Event{Kind: Error, Time: time.Now(), Peer: who, Err: fmt.Errorf("file %s stopped after %d bytes: %w", name, n, err)})
	}
	return n, err
}

// ClientFailure is one client a send to all could not reach.
type ClientFailure struct {
	ID   uint64
	Addr string
	Err  error
}

// SendFileError reports the clients a file sent to all failed on. It
// unwraps to their errors, so errors.Is finds ErrReset and the like.
type SendFileError struct {
	Clients int // clients the send started with
	Failed  []ClientFailure
}

func (e *SendFileError) Error() string {
	var b strings.Builder
	if len(e.Failed) == e.Clients {
		fmt.Fprintf(&b, "all %d clients failed: ", e.Clients)
	} else {
		fmt.Fprintf(&b, "%d of %d clients failed: ", len(e.Failed), e.Clients)
	}
	for i, f := range e.Failed {
		if i > 0 {
			b.WriteString("; ")
		}
		// Explained errors name the address already.
		if msg := f.Err.Error(); strings.Contains(msg, f.Addr) {
			fmt.Fprintf(&b, "client %d: %s", f.ID, msg)
		} else {
			fmt.Fprintf(&b, "client %d %s: %s", f.ID, f.Addr, msg)
		}
	}
	return b.String()
}

func (e *SendFileError) Unwrap() []error {
	out := make([]error, len(e.Failed))
	for i, f := range e.Failed {
		out[i] = f.Err
	}
	return out
}
