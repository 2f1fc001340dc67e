package chat

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"time"

	"github.com/netdebug/netdebug/netcore/codec"
	"github.com/netdebug/netdebug/netcore/session"
)

// Send encodes text in the conversation's encoding and sends it. The
// message is recorded whatever happens: a failure marks it (Status and
// Note) so it can be retried. An error means nothing was recorded: an
// empty message, an unknown conversation, a character the encoding cannot
// represent, or a message too large for one datagram.
func (c *Chat) Send(key, text string) (Message, error) {
	if text == "" {
		return Message{}, ErrEmpty
	}
	c.mu.Lock()
	cv := c.convs[key]
	if cv == nil {
		c.mu.Unlock()
		return Message{}, ErrNoConversation
	}
	raw, err := codec.Encode(cv.Encoding, text)
	if err != nil {
		c.mu.Unlock()
		return Message{}, err
	}
	if cv.Transport == UDP {
		raw = append(raw, cv.LineEnding.Bytes()...)
	}
	if len(raw) > MaxMessageSize {
		c.mu.Unlock()
		return Message{}, fmt.Errorf("%w: %d bytes, more than the %d a datagram holds", session.ErrTooLarge, len(raw), MaxMessageSize)
	}
	if cv.Transport == TCP && strings.ContainsAny(text, "\r\n") {
		// One line per message: a multi-line message becomes several.
		raw = []byte(strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(string(raw)))
	}
	m := Message{ID: c.nextMessageID(), Dir: Outgoing, Time: time.Now(), Text: text, Raw: raw, Enc: cv.Encoding,
		Nick: c.nick, Status: StatusSending, Attempts: 1}
	c.appendMsg(cv, m)
	r, tr := c.run, cv.Transport
	c.mu.Unlock()
	c.notify(Change{Kind: MessagesChanged, Key: key}, Change{Kind: ConversationsChanged, Key: key})
	c.deliver(r, key, tr, m.ID, raw)
	got, _ := c.message(key, m.ID)
	return got, nil
}

// Retry sends a failed or undelivered message again.
func (c *Chat) Retry(key string, id int64) error {
	c.mu.Lock()
	cv := c.convs[key]
	if cv == nil {
		c.mu.Unlock()
		return ErrNoConversation
	}
	i := cv.find(id)
	if i < 0 {
		c.mu.Unlock()
		return fmt.Errorf("no message %d in %s", id, key)
	}
	m := &cv.msgs[i]
	if m.Dir != Outgoing || !m.Status.Retryable() {
		c.mu.Unlock()
		return fmt.Errorf("message %d is %s; only failed messages can be retried", id, m.Status)
	}
	m.Status, m.Note = StatusSending, ""
	m.Attempts++
	m.Time = time.Now()
	c.msgChanged(cv, i)
	raw, r, tr := m.Raw, c.run, cv.Transport
	c.mu.Unlock()
	c.notify(Change{Kind: MessagesChanged, Key: key})
	c.deliver(r, key, tr, id, raw)
	return nil
}

func (c *Chat) message(key string, id int64) (Message, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cv := c.convs[key]; cv != nil {
		if i := cv.find(id); i >= 0 {
			return cv.msgs[i], true
		}
	}
	return Message{}, false
}

// deliver puts raw on the wire for message id.
func (c *Chat) deliver(r *runState, key string, tr Transport, id int64, raw []byte) {
	if r == nil {
		c.setStatus(key, id, StatusFailed, ErrOffline.Error()+"; go online first")
		return
	}
	_, ap, err := ParseKey(key)
	if err != nil {
		c.setStatus(key, id, StatusFailed, err.Error())
		return
	}
	if tr == TCP {
		c.mu.Lock()
		canDial := c.convs[key] != nil && c.convs[key].Manual
		c.mu.Unlock()
		r.peer(c, key, ap, canDial).enqueue(c, id, raw)
		return
	}
	if err := r.udp.send(ap, raw); err != nil {
		c.setStatus(key, id, StatusFailed, err.Error())
		return
	}
	// On loopback the ICMP error can be read before send returns; a
	// message already marked undelivered stays so.
	c.setStatusIf(key, id, StatusSending, StatusSent, "")
}

// setStatus updates an outgoing message.
func (c *Chat) setStatus(key string, id int64, st Status, note string) {
	c.setStatusIf(key, id, "", st, note)
}

// setStatusIf updates an outgoing message if its status is from ("" for
// any).
func (c *Chat) setStatusIf(key string, id int64, from, st Status, note string) {
	c.mu.Lock()
	cv := c.convs[key]
	if cv == nil {
		c.mu.Unlock()
		return
	}
	i := cv.find(id)
	if i < 0 || (cv.msgs[i].Status == st && cv.msgs[i].Note == note) || (from != "" && cv.msgs[i].Status != from) {
		c.mu.Unlock()
		return
	}
	cv.msgs[i].Status, cv.msgs[i].Note = st, note
	c.msgChanged(cv, i)
	c.mu.Unlock()
	c.notify(Change{Kind: MessagesChanged, Key: key})
}

// received records an incoming message on key, opening the conversation
// if it is new. It reports false when the conversation limit refused it.
func (c *Chat) received(tr Transport, from netip.AddrPort, raw []byte, at time.Time) bool {
	key := UDPKey(from)
	if tr == TCP {
		key = TCPKey(from)
	}
	return c.receivedOn(key, tr, from, raw, at)
}

// receivedOn records an incoming message from "from" on conversation key,
// which a reconnected TCP peer keeps although its port changed. A missing
// conversation is opened again with key's address.
func (c *Chat) receivedOn(key string, tr Transport, from netip.AddrPort, raw []byte, at time.Time) bool {
	c.mu.Lock()
	cv := c.convs[key]
	isNew := cv == nil
	if isNew {
		if len(c.convs) >= c.cfg.MaxConversations {
			c.dropped++
			c.mu.Unlock()
			c.notify(Change{Kind: StateChanged})
			return false
		}
		ap := from
		if _, kap, err := ParseKey(key); err == nil {
			ap = kap
		}
		cv = c.newConv(tr, ap, "")
		if cv.Encoding == codec.UTF8 && looksGB(trimLineEnd(raw)) {
			// The classic Windows assistants send GB2312: a first message
			// that is not UTF-8 but is clean GB2312 sets the conversation
			// to GB2312. One click on the encoding undoes it.
			cv.Encoding = codec.GB2312
		}
	}
	m := Message{ID: c.nextMessageID(), Dir: Incoming, Time: at, Raw: raw, Enc: cv.Encoding, Nick: cv.Nick, Status: StatusReceived}
	m.Text, m.Undecodable = decode(cv.Encoding, trimLineEnd(raw))
	c.appendMsg(cv, m)
	if key != c.active {
		cv.Unread++
	}
	c.indexChanged()
	c.mu.Unlock()
	c.notify(Change{Kind: MessagesChanged, Key: key}, Change{Kind: ConversationsChanged, Key: key})
	return true
}

// datagram handles what the UDP socket reads: announces go to discovery
// (or nowhere), everything else is a message.
func (c *Chat) datagram(from netip.AddrPort, b []byte, at time.Time) {
	if IsControl(b) {
		c.control(from, b, at)
		return
	}
	c.received(UDP, from, b, at)
}

// bounced marks the message an ICMP error was about as undelivered: the
// latest recent message to that peer whose bytes start with the quoted
// payload (or simply the latest when nothing is quoted).
func (c *Chat) bounced(to netip.AddrPort, payload []byte, err error) {
	if IsControl(payload) {
		return
	}
	key := UDPKey(to)
	c.mu.Lock()
	cv := c.convs[key]
	if cv == nil {
		c.mu.Unlock()
		return
	}
	found := -1
	cutoff := time.Now().Add(-2 * time.Minute)
	for i := len(cv.msgs) - 1; i >= 0 && i >= len(cv.msgs)-200; i-- {
		m := cv.msgs[i]
		if m.Dir != Outgoing || (m.Status != StatusSent && m.Status != StatusSending) || m.Time.Before(cutoff) {
			continue
		}
		if len(payload) == 0 || strings.HasPrefix(string(m.Raw), string(payload)) {
			found = i
			break
		}
	}
	if found < 0 {
		c.mu.Unlock()
		return
	}
	cv.msgs[found].Status, cv.msgs[found].Note = StatusUndelivered, err.Error()
	c.msgChanged(cv, found)
	c.mu.Unlock()
	c.notify(Change{Kind: MessagesChanged, Key: key})
}

// appendMsg adds a message and enforces the bounds; the caller holds mu.
func (c *Chat) appendMsg(cv *conv, m Message) {
	cv.msgs = append(cv.msgs, m)
	cv.size += msgSize(m)
	cv.pending++
	for len(cv.msgs) > 1 && (len(cv.msgs) > c.cfg.HistoryLimit || cv.size > c.cfg.HistoryBytes) {
		cv.size -= msgSize(cv.msgs[0])
		cv.msgs[0] = Message{}
		cv.msgs = cv.msgs[1:]
	}
	cv.pending = min(cv.pending, len(cv.msgs))
	c.kickSave()
}

func msgSize(m Message) int { return len(m.Raw) + len(m.Text) + 64 }

// msgChanged marks message i changed; the caller holds mu.
func (c *Chat) msgChanged(cv *conv, i int) {
	cv.msgs[i].Rev++
	if i < len(cv.msgs)-cv.pending {
		cv.rewrite = true
	}
	c.kickSave()
}

// find returns the index of message id (ids grow), or -1.
func (cv *conv) find(id int64) int {
	i := sort.Search(len(cv.msgs), func(i int) bool { return cv.msgs[i].ID >= id })
	if i < len(cv.msgs) && cv.msgs[i].ID == id {
		return i
	}
	return -1
}
