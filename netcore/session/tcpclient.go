package session

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/netdebug/netdebug/netcore/framing"
)

// State is where a TCP client is in its life.
type State int32

// The client states.
const (
	Disconnected State = iota
	Connecting
	Online
	Reconnecting
)

func (s State) String() string {
	return [...]string{"disconnected", "connecting", "connected", "reconnecting"}[s]
}

// TCPClientConfig says where and how to connect.
type TCPClientConfig struct {
	// Address is "host:port"; the host may be a name, IPv4 or IPv6.
	Address string
	// LocalAddress optionally binds the local side: "ip" or "ip:port".
	LocalAddress string
	// ConnectTimeout bounds each connect attempt (default 10 s).
	ConnectTimeout time.Duration
	// Reconnect makes the client connect again after the connection is
	// lost, every ReconnectDelay (default 2 s), until Close.
	Reconnect      bool
	ReconnectDelay time.Duration
	// Framing splits received bytes into messages (default: one per read).
	Framing framing.Config
	// ReadBuffer is the starting read size (default 64 KiB; it grows
	// under load).
	ReadBuffer int
	// WriteTimeout bounds each write (default 10 s, as for the TCP
	// server's clients), so a peer that stops reading fails a send with
	// ErrTimeout instead of blocking it for ever.
	WriteTimeout time.Duration
}

// defaultWriteTimeout is how long a write may wait for a peer that does not
// read, unless the configuration says otherwise.
const defaultWriteTimeout = 10 * time.Second

// TCPClient is one outgoing TCP connection.
type TCPClient struct {
	cfg       TCPClientConfig
	handler   Handler
	counters  counters
	state     atomic.Int32
	reconnect atomic.Bool
	// reconnectOff wakes a reconnect wait when SetReconnect turns it off.
	reconnectOff chan struct{}

	mu      sync.Mutex
	conn    net.Conn
	reader  *streamReader
	framing framing.Config
	capture *Capture
	cancel  context.CancelFunc
	wg      sync.WaitGroup

	writeMu sync.Mutex
}

// NewTCPClient checks the configuration. Nothing connects until Connect.
func NewTCPClient(cfg TCPClientConfig, h Handler) (*TCPClient, error) {
	addr, err := NormalizeTarget(cfg.Address, 0, false)
	if err != nil {
		return nil, err
	}
	cfg.Address = addr
	if cfg.LocalAddress != "" {
		if _, err := localTCPAddr(cfg.LocalAddress); err != nil {
			return nil, err
		}
	}
	if err := cfg.Framing.Validate(); err != nil {
		return nil, err
	}
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = 10 * time.Second
	}
	if cfg.ReconnectDelay <= 0 {
		cfg.ReconnectDelay = 2 * time.Second
	}
	if cfg.ReadBuffer <= 0 {
		cfg.ReadBuffer = 64 << 10
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = defaultWriteTimeout
	}
	if h == nil {
		h = func(Event) {}
	}
	c := &TCPClient{cfg: cfg, handler: h, framing: cfg.Framing, reconnectOff: make(chan struct{}, 1)}
	c.reconnect.Store(cfg.Reconnect)
	return c, nil
}

func localTCPAddr(s string) (*net.TCPAddr, error) {
	s = strings.TrimSpace(s)
	if _, _, err := net.SplitHostPort(s); err != nil {
		s = net.JoinHostPort(strings.Trim(s, "[]"), "0")
	}
	h, p, err := SplitTarget(s, 0, true)
	if err != nil {
		return nil, fmt.Errorf("local address: %w", err)
	}
	ip := net.ParseIP(h)
	if ip == nil {
		return nil, fmt.Errorf("%w: local address %q must be an IP address of this computer", ErrInvalidAddress, h)
	}
	return &net.TCPAddr{IP: ip, Port: p}, nil
}

// Address is the normalised remote address.
func (c *TCPClient) Address() string { return c.cfg.Address }

// State reports the connection state.
func (c *TCPClient) State() State { return State(c.state.Load()) }

// Stats returns the traffic counters.
func (c *TCPClient) Stats() Stats { return c.counters.snapshot() }

// ResetStats zeroes the counters.
func (c *TCPClient) ResetStats() { c.counters.reset() }

// SetReconnect turns automatic reconnect on or off, also while connected.
// Turning it off while reconnecting stops at once (an attempt already
// dialling finishes first): the client reports a Closed event with Msg
// "reconnecting stopped" and is Disconnected.
func (c *TCPClient) SetReconnect(on bool) {
	c.reconnect.Store(on)
	if !on {
		select {
		case c.reconnectOff <- struct{}{}:
		default:
		}
	}
}

// SetFraming changes how received bytes are split, from the next read on.
func (c *TCPClient) SetFraming(f framing.Config) error {
	if err := f.Validate(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.framing = f
	if c.reader != nil {
		c.reader.setFraming(f)
	}
	return nil
}

// SetCapture streams every received byte to cap (nil stops). The caller
// closes the Capture.
func (c *TCPClient) SetCapture(cap *Capture) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.capture = cap
	if c.reader != nil {
		c.reader.capture.Store(cap)
	}
}

// LocalAddr is the local end of the current connection, or "".
func (c *TCPClient) LocalAddr() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn == nil {
		return ""
	}
	return c.conn.LocalAddr().String()
}

// Connect dials the server. It returns when connected, when the attempt
// fails, or when ctx or Close cancels it. Received data then arrives as
// events until the connection ends.
func (c *TCPClient) Connect(ctx context.Context) error {
	c.mu.Lock()
	if c.State() != Disconnected {
		c.mu.Unlock()
		return fmt.Errorf("%s: already %s", c.cfg.Address, c.State())
	}
	life, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	c.state.Store(int32(Connecting))
	// Counted before dialling so that a Close during the dial waits for
	// everything this call starts.
	c.wg.Add(1)
	c.mu.Unlock()

	conn, err := c.dial(ctx, life)
	if err != nil {
		cancel()
		c.state.Store(int32(Disconnected))
		c.wg.Done()
		return err
	}
	reader := c.attach(conn)
	go c.serve(life, conn, reader)
	return nil
}

func (c *TCPClient) dial(ctx, life context.Context) (net.Conn, error) {
	d := net.Dialer{Timeout: c.cfg.ConnectTimeout}
	var local string
	if c.cfg.LocalAddress != "" {
		la, err := localTCPAddr(c.cfg.LocalAddress)
		if err != nil {
			return nil, err
		}
		d.LocalAddr = la
		local = la.IP.String()
		if la.Port != 0 {
			local = la.String()
		}
	}
	dctx, stop := context.WithCancel(ctx)
	defer stop()
	unhook := context.AfterFunc(life, stop)
	defer unhook()
	conn, err := d.DialContext(dctx, "tcp", c.cfg.Address)
	if err != nil {
		if life.Err() != nil || ctx.Err() != nil {
			return nil, Explain(context.Canceled, c.cfg.Address)
		}
		// Binding the local address failed (not an address of this
		// computer, port in use): the error is about that address.
		var se *os.SyscallError
		if local != "" && errors.As(err, &se) && se.Syscall == "bind" {
			return nil, Explain(err, local)
		}
		return nil, Explain(err, c.cfg.Address)
	}
	return conn, nil
}

// serve owns one connection at a time: it reads until the connection ends,
// then reconnects if asked to, until Close.
//
// The state changes before the Closed event that announces it, so a handler
// (or a UI reading State after the event) sees Disconnected exactly when the
// client has given up: after Close, after a loss with reconnect off, and
// after reconnecting was turned off (Msg "reconnecting stopped").
func (c *TCPClient) serve(life context.Context, conn net.Conn, reader *streamReader) {
	defer c.wg.Done()
	for {
		// Close cancels life; that must unblock the read below.
		stopClose := context.AfterFunc(life, func() { conn.Close() })
		err := reader.run()
		stopClose()
		c.detach()
		conn.Close()

		ev := Event{Kind: Closed, Time: time.Now(), Peer: conn.RemoteAddr().String()}
		switch {
		case life.Err() != nil:
			ev.Msg = "closed"
			c.state.Store(int32(Disconnected))
			c.handler(ev)
			return
		case isPeerClose(err):
			ev.Msg = "closed by peer"
		default:
			ev.Err = Explain(err, c.cfg.Address)
			ev.Msg = ev.Err.Error()
		}
		again := c.reconnect.Load()
		if again {
			c.state.Store(int32(Reconnecting))
		} else {
			c.state.Store(int32(Disconnected))
		}
		c.handler(ev)
		if !again {
			return
		}
		var ok bool
		conn, ok = c.redial(life)
		if !ok {
			c.state.Store(int32(Disconnected))
			if life.Err() == nil {
				// Reconnect was turned off: say so, or whoever shows the
				// state would wait for a reconnect that never comes.
				c.handler(Event{Kind: Closed, Time: time.Now(), Peer: c.cfg.Address, Msg: "reconnecting stopped"})
			}
			return
		}
		reader = c.attach(conn)
	}
}

// redial connects again every ReconnectDelay until it succeeds, life ends,
// or reconnect is turned off.
func (c *TCPClient) redial(life context.Context) (net.Conn, bool) {
	for attempt := 1; ; attempt++ {
		if !c.waitReconnect(life) {
			return nil, false
		}
		c.handler(Event{Kind: Info, Time: time.Now(), Peer: c.cfg.Address, Msg: fmt.Sprintf("reconnecting (attempt %d)", attempt)})
		conn, err := c.dial(life, life)
		if err == nil {
			return conn, true
		}
		if life.Err() != nil {
			return nil, false
		}
		c.handler(Event{Kind: Error, Time: time.Now(), Peer: c.cfg.Address, Err: err})
	}
}

// waitReconnect waits ReconnectDelay; false when life ends or reconnect is
// (or gets) turned off first.
func (c *TCPClient) waitReconnect(life context.Context) bool {
	timer := time.NewTimer(c.cfg.ReconnectDelay)
	defer timer.Stop()
	for c.reconnect.Load() {
		select {
		case <-life.Done():
			return false
		case <-c.reconnectOff:
			// Loop: a stale wake-up from an earlier "off" while reconnect
			// is on again changes nothing.
		case <-timer.C:
			return c.reconnect.Load()
		}
	}
	return false
}

// attach makes conn the current connection, so Send works as soon as
// Connect returns, and reports Connected.
func (c *TCPClient) attach(conn net.Conn) *streamReader {
	defer c.handler(Event{Kind: Connected, Time: time.Now(), Peer: conn.RemoteAddr().String(), Msg: conn.LocalAddr().String()})
	defer c.state.Store(int32(Online))
	c.mu.Lock()
	defer c.mu.Unlock()
	c.conn = conn
	peer := conn.RemoteAddr().String()
	c.reader = newStreamReader(conn, &c.counters, c.framing, c.cfg.ReadBuffer, func(b []byte) {
		c.handler(Event{Kind: Received, Time: time.Now(), Peer: peer, Data: b})
	})
	c.reader.capture.Store(c.capture)
	c.reader.onCaptureErr = func(err error) {
		c.handler(Event{Kind: Error, Time: time.Now(), Peer: peer, Err: err})
	}
	return c.reader
}

func (c *TCPClient) detach() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.conn = nil
	c.reader = nil
}

// Send writes b and reports it as a Sent event. The event keeps b, so the
// caller must not change it afterwards.
//
// A peer that does not read makes Send fail with ErrTimeout after
// WriteTimeout; part of b may have been sent by then.
func (c *TCPClient) Send(b []byte) error {
	if err := c.write(context.Background(), b); err != nil {
		return err
	}
	c.handler(Event{Kind: Sent, Time: time.Now(), Peer: c.cfg.Address, Data: b})
	return nil
}

// writeChunk is how much one write hands the socket before its deadline
// is renewed.
const writeChunk = 64 << 10

// writeChunked writes b in writeChunk pieces and calls renew before each,
// so that a write deadline bounds a stall (no data taken) rather than how
// long a large write may take. It returns the bytes written.
func writeChunked(conn net.Conn, b []byte, renew func()) (int, error) {
	n := 0
	for len(b) > 0 {
		renew()
		m, err := conn.Write(b[:min(len(b), writeChunk)])
		n += m
		if err != nil {
			return n, err
		}
		b = b[m:]
	}
	return n, nil
}

// write sends b, failing when the peer takes no data for WriteTimeout.
// When ctx ends first, a blocked write is cut short (its deadline moves to
// the past) and the error wraps ctx.Err(); the next write sets a fresh
// deadline, so the connection stays usable.
func (c *TCPClient) write(ctx context.Context, b []byte) error {
	c.mu.Lock()
	conn := c.conn
	c.mu.Unlock()
	if conn == nil {
		return fmt.Errorf("%w: connect to %s first", ErrNotConnected, c.cfg.Address)
	}
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	if err := ctx.Err(); err != nil {
		return Explain(err, c.cfg.Address)
	}
	// dl guards the deadline between the chunks' renewals and the
	// interrupt, which must win.
	var (
		dl  sync.Mutex
		cut bool
	)
	var interrupted chan struct{}
	stop := func() bool { return true }
	if ctx.Done() != nil {
		interrupted = make(chan struct{})
		stop = context.AfterFunc(ctx, func() {
			defer close(interrupted)
			dl.Lock()
			cut = true
			_ = conn.SetWriteDeadline(time.Unix(1, 0))
			dl.Unlock()
		})
	}
	n, err := writeChunked(conn, b, func() {
		dl.Lock()
		if !cut {
			_ = conn.SetWriteDeadline(time.Now().Add(c.cfg.WriteTimeout))
		}
		dl.Unlock()
	})
	if !stop() {
		// The interrupt started: let it finish before the next write sets
		// its own deadline, which it must not overwrite.
		<-interrupted
	}
	if n > 0 {
		c.counters.tx(n)
	}
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil && errors.Is(err, os.ErrDeadlineExceeded):
		return Explain(ctx.Err(), c.cfg.Address)
	case errors.Is(err, os.ErrDeadlineExceeded):
		return explainedBy(err, ErrTimeout, "%s took no data for %v: the peer is not reading, or the network is stalled", c.cfg.Address, c.cfg.WriteTimeout)
	}
	return Explain(err, c.cfg.Address)
}

// SendFile streams r to the peer with progress, until EOF or ctx is
// cancelled. The file's bytes count as sent traffic but are not reported as
// Sent events (a large file would flood the log); Info events mark the
// start and the end. Cancelling ctx also cuts short a write blocked on a
// peer that does not read; such a write fails on its own after
// WriteTimeout.
func (c *TCPClient) SendFile(ctx context.Context, name string, r io.Reader, total int64, progress Progress) (int64, error) {
	c.handler(Event{Kind: Info, Time: time.Now(), Peer: c.cfg.Address, Msg: fmt.Sprintf("sending file %s (%s)", name, sizeText(total))})
	n, err := SendStream(ctx, r, total, 64<<10, 0, func(b []byte) error { return c.write(ctx, b) }, progress)
	c.reportFileEnd(name, n, err)
	return n, err
}

func (c *TCPClient) reportFileEnd(name string, n int64, err error) {
	switch {
	case err == nil:
		c.handler(Event{Kind: Info, Time: time.Now(), Peer: c.cfg.Address, Msg: fmt.Sprintf("sent file %s: %d bytes", name, n)})
	case errors.Is(err, context.Canceled):
		c.handler(Event{Kind: Info, Time: time.Now(), Peer: c.cfg.Address, Msg: fmt.Sprintf("file %s cancelled after %d bytes", name, n)})
	default:
		c.handler(Event{Kind: Error, Time: time.Now(), Peer: c.cfg.Address, Err: fmt.Errorf("file %s stopped after %d bytes: %w", name, n, err)})
	}
}

// Close ends the connection (or a connect or reconnect in progress) and
// waits for the session goroutine to finish. The client can connect again.
func (c *TCPClient) Close() error {
	c.mu.Lock()
	cancel := c.cancel
	c.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	c.wg.Wait()
	return nil
}

func sizeText(n int64) string {
	if n < 0 {
		return "size unknown"
	}
	return fmt.Sprintf("%d bytes", n)
}
