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
	fr, _ := framing.New(framing.Config{Mode: framing.Delimiter, Delimiter: []byte{'\n'}, MaxFrame: maxLine})
	buf := make([]byte, 32<<10)
	for {
		n, err := conn.Read(buf)
		for _, f := range fr.Push(buf[:n]) {
			c.received(TCP, p.addr, f, time.Now())
		}
		if err != nil {
			if rest := fr.Flush(); len(rest) > 0 {
				c.received(TCP, p.addr, rest, time.Now())
			}
			return
		}
	}
}

// acceptLoop takes TCP connections; each peer address is a conversation.
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
		if c.convs[key] == nil {
			if len(c.convs) >= c.cfg.MaxConversations {
				c.dropped++
				c.mu.Unlock()
				conn.Close()
				continue
			}
			c.newConv(TCP, ap, "")
		}
		c.mu.Unlock()
		r.peer(c, key, ap, false).attach(c, conn)
	}
}

// parseEnc reads an announced encoding; "" is no preference.
func parseEnc(s string) (codec.Encoding, error) {
	if s == "" {
		return "", errors.New("no encoding")
	}
	return codec.ParseEncoding(s)
}
