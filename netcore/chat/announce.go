package chat

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ControlPrefix starts every datagram that is not a chat message: a NUL byte
// and "NDCHAT/". No text a person types starts with NUL, so a datagram that
// starts with it is never shown as a message, whatever follows.
const ControlPrefix = "\x00NDCHAT/"

// AnnounceVersion is the version this package writes and reads.
const AnnounceVersion = 1

// MaxAnnounceSize bounds an announce datagram, prefix included.
const MaxAnnounceSize = 512

// Limits on announce fields.
const (
	MaxNickLen = 32 // characters
	minIDLen   = 8
	maxIDLen   = 32
	maxAppLen  = 40
)

// ErrBadAnnounce is wrapped by every announce parsing error.
var ErrBadAnnounce = errors.New("invalid announce")

// ErrAnnounceVersion means a control datagram of a version this package
// does not know; it is ignored, and still never shown as a message.
var ErrAnnounceVersion = errors.New("unknown announce version")

// Announce is what a NetDebug instance with discovery on broadcasts every
// few seconds on the chat port. On the wire:
//
//	"\x00NDCHAT/1\n" followed by a JSON object, at most 512 bytes in all
//
// Fields: id (required, 8–32 characters of [0-9A-Za-z_-], random per
// instance, so an instance can ignore its own broadcasts), nick (required,
// 1–32 characters, no control characters), port (required, 1–65535, the UDP
// port the sender receives chat messages on), enc (optional, the encoding
// the sender uses by default, e.g. "UTF-8" or "GB2312"), app (optional,
// program and version), reply (optional, true on the unicast answer an
// instance sends to a newcomer; a reply is never answered), bye (optional,
// true when the sender stops announcing). Unknown fields are ignored.
type Announce struct {
	ID    string `json:"id"`
	Nick  string `json:"nick"`
	Port  int    `json:"port"`
	Enc   string `json:"enc,omitempty"`
	App   string `json:"app,omitempty"`
	Reply bool   `json:"reply,omitempty"`
	Bye   bool   `json:"bye,omitempty"`
}

// IsControl reports whether a datagram is a control datagram (an announce
// of any version, valid or not) rather than a chat message.
func IsControl(b []byte) bool {
	return bytes.HasPrefix(b, []byte(ControlPrefix))
}

// CleanNick makes a nickname fit an announce: control characters dropped,
// spaces trimmed, at most MaxNickLen characters.
func CleanNick(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > MaxNickLen {
		s = strings.TrimSpace(string(r[:MaxNickLen]))
	}
	return s
}

// Validate checks the fields against the format's rules.
func (a Announce) Validate() error {
	if n := len(a.ID); n < minIDLen || n > maxIDLen {
		return fmt.Errorf("%w: id must be %d to %d characters", ErrBadAnnounce, minIDLen, maxIDLen)
	}
	for _, r := range a.ID {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_' || r == '-') {
			return fmt.Errorf("%w: id has %q", ErrBadAnnounce, r)
		}
	}
	if a.Nick == "" || CleanNick(a.Nick) != a.Nick {
		return fmt.Errorf("%w: nick must be 1 to %d characters without control characters or surrounding spaces", ErrBadAnnounce, MaxNickLen)
	}
	if a.Port < 1 || a.Port > 65535 {
		return fmt.Errorf("%w: port %d out of range", ErrBadAnnounce, a.Port)
	}
	if len(a.Enc) > 16 || len(a.App) > maxAppLen {
		return fmt.Errorf("%w: enc or app too long", ErrBadAnnounce)
	}
	if strings.ContainsFunc(a.Enc+a.App, unicode.IsControl) {
		return fmt.Errorf("%w: control character in enc or app", ErrBadAnnounce)
	}
	return nil
}

// Marshal encodes the announce for the wire.
func (a Announce) Marshal() ([]byte, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(a); err != nil {
		return nil, err
	}
	b := fmt.Appendf(nil, "%s%d\n", ControlPrefix, AnnounceVersion)
	b = append(b, bytes.TrimSuffix(body.Bytes(), []byte("\n"))...)
	if len(b) > MaxAnnounceSize {
		return nil, fmt.Errorf("%w: %d bytes, more than %d", ErrBadAnnounce, len(b), MaxAnnounceSize)
	}
	return b, nil
}

// ParseAnnounce decodes an announce datagram. Anything that is not a valid
// version-1 announce is an error; callers drop such datagrams.
func ParseAnnounce(b []byte) (Announce, error) {
	var a Announce
	if !IsControl(b) {
		return a, fmt.Errorf("%w: no %q prefix", ErrBadAnnounce, ControlPrefix)
	}
	if len(b) > MaxAnnounceSize {
		return a, fmt.Errorf("%w: %d bytes, more than %d", ErrBadAnnounce, len(b), MaxAnnounceSize)
	}
	rest := b[len(ControlPrefix):]
	nl := bytes.IndexByte(rest, '\n')
	if nl < 0 {
		return a, fmt.Errorf("%w: no newline after the version", ErrBadAnnounce)
	}
	if v := string(rest[:nl]); v != fmt.Sprint(AnnounceVersion) {
		return a, fmt.Errorf("%w %q", ErrAnnounceVersion, v)
	}
	body := rest[nl+1:]
	if !utf8.Valid(body) {
		return a, fmt.Errorf("%w: body is not UTF-8", ErrBadAnnounce)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&a); err != nil {
		return Announce{}, fmt.Errorf("%w: %v", ErrBadAnnounce, err)
	}
	if dec.More() {
		return Announce{}, fmt.Errorf("%w: data after the JSON object", ErrBadAnnounce)
	}
	if err := a.Validate(); err != nil {
		return Announce{}, err
	}
	return a, nil
}
