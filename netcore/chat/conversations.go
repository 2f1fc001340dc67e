package chat

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"sort"
	"strings"
	"time"

	"github.com/netdebug/netdebug/netcore/codec"
	"github.com/netdebug/netdebug/netcore/session"
)

func (c *Chat) nextMessageID() int64 {
	id := c.nextID
	c.nextID++
	return id
}

// newConv adds a conversation; the caller holds mu and checks the limit.
func (c *Chat) newConv(tr Transport, ap netip.AddrPort, host string) *conv {
	key := UDPKey(ap)
	if tr == TCP {
		key = TCPKey(ap)
	}
	cv := &conv{Conversation: Conversation{Key: key, Transport: tr, Addr: UDPKey(ap), Host: host, Encoding: c.enc, LineEnding: codec.LineNone}, created: time.Now()}
	cv.file = fileName(key)
	// Someone heard announcing from this address and port is called by the
	// name they gave, over UDP or TCP (the same chat port).
	for _, n := range c.nearby {
		if UDPKey(n.Addr) == UDPKey(ap) {
			cv.Nick = n.Nick
		}
	}
	c.convs[key] = cv
	c.indexChanged()
	return cv
}

// AddPeer opens the conversation with host and port as typed (a host name
// is resolved; ctx bounds the lookup and, for TCP, the connect) and returns
// its key. An existing conversation is returned as it is. For TCP while
// online, the connection is made now and a failure is returned.
func (c *Chat) AddPeer(ctx context.Context, host, port string, tr Transport) (string, error) {
	if tr != TCP {
		tr = UDP
	}
	joined, err := session.JoinHostPort(host, port, false)
	if err != nil {
		return "", err
	}
	h, _, _ := net.SplitHostPort(joined)
	p, _ := session.ParsePort(port, false)
	ip, err := c.resolve(ctx, h)
	if err != nil {
		return "", err
	}
	ap := netip.AddrPortFrom(ip, uint16(p))
	name := ""
	if _, perr := netip.ParseAddr(h); perr != nil {
		name = h
	}
	key := UDPKey(ap)
	if tr == TCP {
		key = TCPKey(ap)
	}
	c.mu.Lock()
	cv, existed := c.convs[key]
	if !existed {
		if len(c.convs) >= c.cfg.MaxConversations {
			c.mu.Unlock()
			return "", fmt.Errorf("%w (%d); remove some first", ErrTooManyConversations, c.cfg.MaxConversations)
		}
		cv = c.newConv(tr, ap, name)
	}
	cv.Manual = true
	if name != "" && cv.Host == "" {
		cv.Host = name
	}
	c.indexChanged()
	r := c.run
	c.mu.Unlock()
	if tr == TCP && r != nil {
		if _, err := r.peer(c, key, ap, true).connection(ctx); err != nil {
			if !existed {
				c.removeConv(key)
			}
			return "", err
		}
	}
	c.notify(Change{Kind: ConversationsChanged, Key: key})
	return key, nil
}

// resolve looks a host up, preferring the family the socket is bound to.
func (c *Chat) resolve(ctx context.Context, host string) (netip.Addr, error) {
	if ip, err := netip.ParseAddr(host); err == nil {
		return ip.Unmap(), nil
	}
	c.mu.Lock()
	v6 := c.run != nil && c.run.udp.v6
	c.mu.Unlock()
	ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return netip.Addr{}, session.Explain(err, host)
	}
	for _, ip := range ips {
		if ip.Unmap().Is4() != v6 {
			return ip.Unmap(), nil
		}
	}
	if len(ips) == 0 {
		return netip.Addr{}, fmt.Errorf("%w: the name %q has no addresses", session.ErrHostNotFound, host)
	}
	return ips[0].Unmap(), nil
}

// Conversations lists the conversations, the most recent first.
func (c *Chat) Conversations() []Conversation {
	c.mu.Lock()
	out := make([]Conversation, 0, len(c.convs))
	created := map[string]time.Time{}
	var r *runState = c.run
	for _, cv := range c.convs {
		v := cv.Conversation
		v.Count = len(cv.msgs)
		if n := len(cv.msgs); n > 0 {
			last := cv.msgs[n-1]
			v.LastTime = last.Time
			v.LastText = preview(last.Text)
		}
		created[v.Key] = cv.created
		out = append(out, v)
	}
	c.mu.Unlock()
	for i := range out {
		if out[i].Transport == TCP && r != nil {
			out[i].Connected = r.connected(c, out[i].Key)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		ti, tj := out[i].LastTime, out[j].LastTime
		if ti.IsZero() {
			ti = created[out[i].Key]
		}
		if tj.IsZero() {
			tj = created[out[j].Key]
		}
		if !ti.Equal(tj) {
			return ti.After(tj)
		}
		return out[i].Key < out[j].Key
	})
	return out
}

// Conversation returns one conversation.
func (c *Chat) Conversation(key string) (Conversation, bool) {
	for _, cv := range c.Conversations() {
		if cv.Key == key {
			return cv, true
		}
	}
	return Conversation{}, false
}

func preview(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 60 {
		s = string(r[:60]) + "…"
	}
	return s
}

// Messages returns a copy of a conversation's messages, oldest first.
func (c *Chat) Messages(key string) []Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	cv := c.convs[key]
	if cv == nil {
		return nil
	}
	return append([]Message(nil), cv.msgs...)
}

// SetEncoding changes a conversation's encoding; received messages are
// decoded again from their bytes.
func (c *Chat) SetEncoding(key string, e codec.Encoding) error {
	if e == "" {
		e = codec.UTF8
	}
	c.mu.Lock()
	cv := c.convs[key]
	if cv == nil {
		c.mu.Unlock()
		return ErrNoConversation
	}
	cv.Encoding = e
	for i := range cv.msgs {
		m := &cv.msgs[i]
		if m.Dir == Incoming && m.Enc != e {
			m.Text, m.Undecodable = decode(e, trimLineEnd(m.Raw))
			m.Enc = e
			m.Rev++
		}
	}
	c.indexChanged()
	c.mu.Unlock()
	c.notify(Change{Kind: MessagesChanged, Key: key}, Change{Kind: ConversationsChanged, Key: key})
	return nil
}

// SetLineEnding sets what is appended to messages sent in a UDP
// conversation (nc shows messages on their own lines with "\n").
func (c *Chat) SetLineEnding(key string, l codec.LineEnding) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	cv := c.convs[key]
	if cv == nil {
		return ErrNoConversation
	}
	cv.LineEnding = l
	c.indexChanged()
	return nil
}

// Clear deletes a conversation's messages and keeps the conversation.
func (c *Chat) Clear(key string) error {
	c.mu.Lock()
	cv := c.convs[key]
	if cv == nil {
		c.mu.Unlock()
		return ErrNoConversation
	}
	cv.msgs, cv.size, cv.pending, cv.Unread, cv.rewrite = nil, 0, 0, 0, true
	c.indexChanged()
	c.mu.Unlock()
	c.notify(Change{Kind: MessagesChanged, Key: key}, Change{Kind: ConversationsChanged, Key: key})
	return nil
}

// Remove deletes a conversation and its history file, and closes its TCP
// connection.
func (c *Chat) Remove(key string) error {
	if !c.removeConv(key) {
		return ErrNoConversation
	}
	c.notify(Change{Kind: ConversationsChanged, Key: key}, Change{Kind: MessagesChanged, Key: key})
	return nil
}

func (c *Chat) removeConv(key string) bool {
	c.mu.Lock()
	cv := c.convs[key]
	if cv == nil {
		c.mu.Unlock()
		return false
	}
	delete(c.convs, key)
	if c.active == key {
		c.active = ""
	}
	c.indexChanged()
	r := c.run
	c.mu.Unlock()
	if r != nil {
		r.dropPeer(c, key)
	}
	if c.store != nil {
		c.store.remove(cv.file)
	}
	return true
}
