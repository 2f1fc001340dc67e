package chat

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/netdebug/netdebug/netcore/codec"
	"github.com/netdebug/netdebug/netcore/framing"
	"github.com/netdebug/netdebug/netcore/session"
)

// TCP mode: one line per message. A conversation we opened by hand dials
// when it has something to send and no connection; one the peer opened
// (accepted) can only answer while that connection lasts.

const (
	tcpDialTimeout  = 10 * time.Second
	tcpWriteTimeout = 10 * time.Second
	tcpQueue        = 256
	maxLine         = 64 << 10
)

// tcpPeer is the TCP side of one conversation while the chat is online.
type tcpPeer struct {
	key     string
	addr    netip.AddrPort
	canDial bool
	r       *runState
	queue   chan outgoing

	mu   sync.Mutex
	conn net.Conn
}

type outgoing struct {
	id  int64
	raw []byte
}

// peer returns the conversation's TCP side, making it (and its writer)
// the first time.
func (r *runState) peer(c *Chat, key string, ap netip.AddrPort, canDial bool) *tcpPeer {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p := r.peers[key]; p != nil {
		if canDial {
			p.canDial = true
		}
		return p
	}
	p := &tcpPeer{key: key, addr: ap, canDial: canDial, r: r, queue: make(chan outgoing, tcpQueue)}
	r.peers[key] = p
	select {
	case <-r.stop:
		// Stopping: no writer; enqueue fails the message.
	default:
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			p.writeLoop(c)
		}()
	}
	return p
}

func (r *runState) snapshotPeers(c *Chat) []*tcpPeer {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]*tcpPeer, 0, len(r.peers))
	for _, p := range r.peers {
		out = append(out, p)
	}
	return out
}

func (r *runState) connected(c *Chat, key string) bool {
	c.mu.Lock()
	p := r.peers[key]
	c.mu.Unlock()
	if p == nil {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.conn != nil
}

func (r *runState) dropPeer(c *Chat, key string) {
	c.mu.Lock()
	p := r.peers[key]
	c.mu.Unlock()
	if p != nil {
		p.closeConn()
	}
}

// enqueue hands a message to the writer; a full queue fails it.
func (p *tcpPeer) enqueue(c *Chat, id int64, raw []byte) {
	select {
	case <-p.r.stop:
		c.setStatus(p.key, id, StatusFailed, ErrOffline.Error())
	case p.queue <- outgoing{id, raw}:
	default:
		c.setStatus(p.key, id, StatusFailed, "too many messages waiting for the connection")
	}
}

func (p *tcpPeer) writeLoop(c *Chat) {
	for {
		select {
		case <-p.r.stop:
			for {
				select {
				case o := <-p.queue:
					c.setStatus(p.key, o.id, StatusFailed, ErrOffline.Error())
				default:
					return
				}
			}
		case o := <-p.queue:
			p.write(c, o)
		}
	}
}

func (p *tcpPeer) write(c *Chat, o outgoing) {
	conn, err := p.connection(p.r.ctx)
	if err != nil {
		c.setStatus(p.key, o.id, StatusFailed, err.Error())
		return
	}
	_ = conn.SetWriteDeadline(time.Now().Add(tcpWriteTimeout))
	if _, err := conn.Write(append(o.raw, '\n')); err != nil {
		p.drop(c, conn)
		c.setStatus(p.key, o.id, StatusFailed, session.Explain(err, p.addr.String()).Error())
		return
	}
	c.setStatus(p.key, o.id, StatusSent, "")
}

// connection returns the open connection, dialling when allowed.
func (p *tcpPeer) connection(ctx context.Context) (net.Conn, error) {
	p.mu.Lock()
	conn, canDial := p.conn, p.canDial
	p.mu.Unlock()
	if conn != nil {
		return conn, nil
	}
	if !canDial {
		return nil, fmt.Errorf("%w: %s closed the connection; it has to connect again", session.ErrNotConnected, p.addr)
	}
	ctx, cancel := context.WithTimeout(ctx, tcpDialTimeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", p.addr.String())
	if err != nil {
		return nil, session.Explain(err, p.addr.String())
	}
	if !p.attach(p.r.chat, conn) {
		return nil, ErrOffline
	}
	return conn, nil
}

// attach makes conn the peer's connection (an accepted one replaces an
// older connection) and starts reading it. It is false when the chat is
// stopping.
func (p *tcpPeer) attach(c *Chat, conn net.Conn) bool {
	p.mu.Lock()
	select {
	case <-p.r.stop:
		p.mu.Unlock()
		conn.Close()
		return false
	default:
	}
	if p.conn != nil {
		p.conn.Close()
	}
	p.conn = conn
	p.r.wg.Add(1)
	p.mu.Unlock()
	go func() {
		defer p.r.wg.Done()
		p.readLoop(c, conn)
	}()
	c.notify(Change{Kind: ConversationsChanged, Key: p.key})
	return true
}

// drop forgets conn if it is still the current connection.
func (p *tcpPeer) drop(c *Chat, conn net.Conn) {
	conn.Close()
	p.mu.Lock()
	was := p.conn == conn
	if was {
		p.conn = nil
	}
	p.mu.Unlock()
	if was {
		c.notify(Change{Kind: ConversationsChanged, Key: p.key})
	}
}

func (p *tcpPeer) closeConn() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.conn != nil {
		p.conn.Close()
		p.conn = nil
	}
}

// readLoop turns lines into messages.
func (p *tcpPeer) readLoop(c *Chat, conn net.Conn) {
	defer p.drop(c, conn)
	// Lines go to the peer's conversation, whichever port this connection
	// comes from (a reconnect keeps the conversation).
	from := p.addr
	if ta, ok := conn.RemoteAddr().(*net.TCPAddr); ok {
		from = unmapped(ta.AddrPort())
	}
	fr, _ := framing.New(framing.Config{Mode: framing.Delimiter, Delimiter: []byte{'\n'}, MaxFrame: maxLine})
	buf := make([]byte, 32<<10)
	for {
		n, err := conn.Read(buf)
		for _, f := range fr.Push(buf[:n]) {
			c.receivedOn(p.key, TCP, from, f, time.Now())
		}
		if err != nil {
			if rest := fr.Flush(); len(rest) > 0 {
				c.receivedOn(p.key, TCP, from, rest, time.Now())
			}
			return
		}
	}
}

// acceptLoop takes TCP connections; each peer address is a conversation,
// and a peer that connects again from another port continues its
// conversation when that has no connection.
func (c *Chat) acceptLoop(r *runState) {
	for {
		conn, err := r.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			select {
			case <-r.stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
			continue
		}
		ap := unmapped(conn.RemoteAddr().(*net.TCPAddr).AddrPort())
		key := TCPKey(ap)
		c.mu.Lock()
		cv := c.convs[key]
		if cv == nil {
			cv = r.reconnecting(c, ap)
		}
		if cv == nil {
			if len(c.convs) >= c.cfg.MaxConversations {
				c.dropped++
				c.mu.Unlock()
				conn.Close()
				continue
			}
			cv = c.newConv(TCP, ap, "")
		}
		key = cv.Key
		peerAddr, canDial := ap, cv.Manual
		if tr, kap, err := ParseKey(key); err == nil && tr == TCP {
			// The peer keeps the conversation's address: a dialled one
			// dials it again once this connection is gone.
			peerAddr = kap
		}
		if !cv.Manual && cv.Addr != UDPKey(ap) {
			// An accepted conversation shows where its peer is now.
			cv.Addr = UDPKey(ap)
			c.indexChanged()
		}
		c.mu.Unlock()
		r.peer(c, key, peerAddr, canDial).attach(c, conn)
	}
}

// reconnecting finds the TCP conversation a connection from ap's IP
// continues: a peer that reconnects comes from another port. Only a
// conversation without a live connection qualifies (two programs on one
// host connected at once are two conversations); the one the user dialled
// is preferred, then the most recent. The caller holds mu; nil is none.
func (r *runState) reconnecting(c *Chat, ap netip.AddrPort) *conv {
	var best *conv
	var bestTime time.Time
	for _, cv := range c.convs {
		if cv.Transport != TCP {
			continue
		}
		tr, kap, err := ParseKey(cv.Key)
		if err != nil || tr != TCP || kap.Addr() != ap.Addr().Unmap() {
			continue
		}
		if p := r.peers[cv.Key]; p != nil && p.live() {
			continue
		}
		at := cv.created
		if n := len(cv.msgs); n > 0 && cv.msgs[n-1].Time.After(at) {
			at = cv.msgs[n-1].Time
		}
		switch {
		case best == nil,
			cv.Manual && !best.Manual,
			cv.Manual == best.Manual && at.After(bestTime),
			cv.Manual == best.Manual && at.Equal(bestTime) && cv.Key < best.Key:
			best, bestTime = cv, at
		}
	}
	return best
}

// live reports whether the peer has a connection.
func (p *tcpPeer) live() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.conn != nil
}

// parseEnc reads an announced encoding; "" is no preference.
func parseEnc(s string) (codec.Encoding, error) {
	if s == "" {
		return "", errors.New("no encoding")
	}
	return codec.ParseEncoding(s)
}
