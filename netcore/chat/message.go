package chat

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/netdebug/netdebug/netcore/codec"
	"github.com/netdebug/netdebug/netcore/session"
)

// Transport is how a conversation's messages travel.
type Transport string

// The transports.
const (
	// UDP sends one datagram per message: what the seed programs and nc -u
	// speak.
	UDP Transport = "udp"
	// TCP sends one line per message ("\n" ends it; a "\r" before it is
	// dropped on receipt) over a connection we opened or accepted.
	TCP Transport = "tcp"
)

// Direction says who wrote a message.
type Direction string

// The directions.
const (
	Incoming Direction = "in"
	Outgoing Direction = "out"
)

// Status is where an outgoing message is.
type Status string

// The statuses. Incoming messages have StatusReceived.
const (
	StatusReceived Status = "received"
	// StatusSending: handed to a TCP connection that has not written it yet.
	StatusSending Status = "sending"
	// StatusSent: the system accepted the datagram or the bytes. UDP gives
	// no receipt, so this is as far as a delivered message gets.
	StatusSent Status = "sent"
	// StatusFailed: it was not sent; Note says why. It can be retried.
	StatusFailed Status = "failed"
	// StatusUndelivered: sent, then the network reported it could not be
	// delivered (ICMP port or host unreachable); Note says what came back.
	// It can be retried.
	StatusUndelivered Status = "undelivered"
)

// Retryable reports whether a message in this status can be sent again.
func (s Status) Retryable() bool { return s == StatusFailed || s == StatusUndelivered }

// MaxMessageSize is the largest message in bytes: the payload of one UDP
// datagram over IPv4.
const MaxMessageSize = 65507

// Message is one chat message.
type Message struct {
	ID   int64     `json:"id"`
	Dir  Direction `json:"dir"`
	Time time.Time `json:"t"`
	// Text is what was typed (outgoing) or the bytes decoded with the
	// conversation's encoding (incoming); invalid bytes show as U+FFFD.
	Text string `json:"text,omitempty"`
	// Raw is the bytes on the wire (without the TCP line end).
	Raw []byte `json:"raw,omitempty"`
	// Enc is the encoding Raw was sent in (outgoing) or decoded with.
	Enc codec.Encoding `json:"enc,omitempty"`
	// Nick is the sender's nickname when it was known.
	Nick   string `json:"nick,omitempty"`
	Status Status `json:"status"`
	// Note is why a message failed or could not be delivered.
	Note string `json:"note,omitempty"`
	// Undecodable is set when Raw holds bytes that are not valid in Enc.
	Undecodable bool `json:"bad,omitempty"`
	// Attempts counts sends of an outgoing message (retries add one).
	Attempts int `json:"tries,omitempty"`
	// Rev changes whenever the message changes, so views can cache.
	Rev int `json:"-"`
}

// Conversation is the chat with one peer.
type Conversation struct {
	// Key identifies the conversation: "IP:port" for UDP, "tcp://IP:port"
	// for TCP.
	Key       string         `json:"key"`
	Transport Transport      `json:"transport"`
	Addr      string         `json:"addr"`           // IP:port, IPv6 in brackets
	Host      string         `json:"host,omitempty"` // the name the user typed, if any
	Nick      string         `json:"nick,omitempty"` // from discovery
	Encoding  codec.Encoding `json:"enc"`
	// LineEnding is appended to every message sent (none by default).
	LineEnding codec.LineEnding `json:"eol,omitempty"`
	Unread     int              `json:"unread,omitempty"`
	// Manual is set for conversations the user added by hand.
	Manual bool `json:"manual,omitempty"`
	// Fields below are filled in by Conversations.
	Count     int       `json:"-"`
	LastTime  time.Time `json:"-"`
	LastText  string    `json:"-"`
	Connected bool      `json:"-"` // TCP: a connection is open
}

// Title is how a list names the conversation: the nickname, else the name
// the user typed, else the address.
func (c Conversation) Title() string {
	switch {
	case c.Nick != "":
		return c.Nick
	case c.Host != "":
		return c.Host
	}
	return c.Addr
}

// Nearby is another NetDebug instance heard announcing on the LAN.
type Nearby struct {
	ID       string
	Nick     string
	Addr     netip.AddrPort // where it receives chat messages
	Encoding codec.Encoding
	App      string
	Seen     time.Time
}

// Key is the UDP conversation key for this instance.
func (n Nearby) Key() string { return UDPKey(n.Addr) }

// UDPKey is the conversation key of a UDP peer.
func UDPKey(ap netip.AddrPort) string {
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()).String()
}

// TCPKey is the conversation key of a TCP peer.
func TCPKey(ap netip.AddrPort) string { return "tcp://" + UDPKey(ap) }

// ParseKey splits a conversation key into its transport and address.
func ParseKey(key string) (Transport, netip.AddrPort, error) {
	tr := UDP
	s := key
	if rest, ok := strings.CutPrefix(key, "tcp://"); ok {
		tr, s = TCP, rest
	}
	ap, err := netip.ParseAddrPort(s)
	if err != nil || ap.Port() == 0 {
		return "", netip.AddrPort{}, fmt.Errorf("%w: %q is not a conversation", session.ErrInvalidAddress, key)
	}
	return tr, netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), nil
}

// decode turns received bytes into text, reporting whether some bytes were
// not valid in the encoding (those show as U+FFFD).
func decode(enc codec.Encoding, raw []byte) (string, bool) {
	text := codec.Decode(enc, raw)
	switch enc {
	case codec.UTF8, "":
		return text, !utf8.Valid(raw)
	}
	back, err := codec.Encode(enc, text)
	return text, err != nil || !bytes.Equal(back, raw)
}

// looksGB reports bytes that are not UTF-8 but are valid GB2312/GBK text
// with at least one Chinese character.
func looksGB(b []byte) bool {
	if utf8.Valid(b) {
		return false
	}
	text, bad := decode(codec.GB2312, b)
	if bad {
		return false
	}
	for _, r := range text {
		if r >= 0x2E80 {
			return true
		}
	}
	return false
}

// trimLineEnd drops one trailing "\n", "\r\n" or "\r": nc and line-based
// programs end every message with one, and a bubble should not.
func trimLineEnd(b []byte) []byte {
	switch {
	case bytes.HasSuffix(b, []byte("\r\n")):
		return b[:len(b)-2]
	case bytes.HasSuffix(b, []byte("\n")), bytes.HasSuffix(b, []byte("\r")):
		return b[:len(b)-1]
	}
	return b
}

// Sentinel errors of this package; the rest wrap session's sentinels
// (ErrAddrInUse, ErrInvalidAddress, ErrRefused, ...).
var (
	// ErrOffline: the chat socket is not open.
	ErrOffline = fmt.Errorf("%w: chat is offline", session.ErrNotConnected)
	// ErrNoConversation: no conversation has that key.
	ErrNoConversation = errors.New("no such conversation")
	// ErrTooManyConversations: the conversation limit is reached.
	ErrTooManyConversations = errors.New("too many conversations")
	// ErrEmpty: nothing to send.
	ErrEmpty = errors.New("the message is empty")
)

// PortInUseError is returned by Start when the chat port is taken. Free is
// a nearby port that was free when checked (0 if none was found).
type PortInUseError struct {
	Port int
	Free int
	Err  error // wraps session.ErrAddrInUse
}

func (e *PortInUseError) Error() string {
	if e.Free > 0 {
		return fmt.Sprintf("%v; port %d is free", e.Err, e.Free)
	}
	return e.Err.Error()
}

func (e *PortInUseError) Unwrap() error { return e.Err }
