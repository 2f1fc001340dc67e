// Package session holds NetDebug's network sessions: the TCP client, the TCP
// server with many clients and the UDP endpoint. Each one reports what
// happens as Events to a Handler and counts bytes and packets each way.
//
// Sessions never touch the UI. They call the Handler on their own
// goroutines, as fast as the network delivers; batching for display is the
// caller's job (see the app adapter). Every blocking call takes a context,
// and errors wrap the sentinels in errors.go so callers can say the right
// thing to the user.
package session

import (
	"sync/atomic"
	"time"
)

// Kind says what an Event reports.
type Kind uint8

// The kinds of events.
const (
	// Connected: a TCP client connected, or a server accepted a client.
	Connected Kind = iota + 1
	// Received carries bytes from the peer (one framed message).
	Received
	// Sent carries bytes we sent.
	Sent
	// Closed: a connection ended; Err says why when it was not asked for.
	Closed
	// Listening: a server or UDP socket is bound; Msg holds the address.
	Listening
	// Stopped: a server or UDP socket was closed.
	Stopped
	// Refused: a server turned a client away (too many clients).
	Refused
	// Info is a note for the log (reconnect attempts, file progress).
	Info
	// Error reports a failure that did not end the session.
	Error
)

var kindNames = [...]string{"", "connected", "received", "sent", "closed", "listening", "stopped", "refused", "info", "error"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// Event is one thing that happened on a session.
type Event struct {
	Kind Kind
	Time time.Time
	// Peer is the remote address ("192.168.1.10:5000"), when there is one.
	Peer string
	// Client identifies a TCP server's client; 0 elsewhere.
	Client uint64
	// Data is the payload of Received and Sent. For Received it is lent:
	// it is only valid until the handler returns (the session reads the
	// next chunk into the same buffer), so a handler that keeps data must
	// copy it. That is what lets a flood cost no allocation per read.
	Data []byte
	// Err is set on Error, and on Closed when the close was not asked for.
	Err error
	// Msg is a human note for Info, Listening, Refused and Closed.
	Msg string
}

// Handler receives events. It is called on session goroutines and must not
// block for long: a slow handler slows the socket it reports on.
type Handler func(Event)

// Stats counts traffic in each direction. Packets are reads and writes
// (datagrams for UDP); Frames are messages after framing.
type Stats struct {
	RxBytes, RxPackets, RxFrames uint64
	TxBytes, TxPackets           uint64
}

// Add returns the sum of two Stats.
func (s Stats) Add(o Stats) Stats {
	return Stats{
		RxBytes: s.RxBytes + o.RxBytes, RxPackets: s.RxPackets + o.RxPackets, RxFrames: s.RxFrames + o.RxFrames,
		TxBytes: s.TxBytes + o.TxBytes, TxPackets: s.TxPackets + o.TxPackets,
	}
}

// counters is the lock-free form of Stats that sessions update.
type counters struct {
	rxBytes, rxPackets, rxFrames, txBytes, txPackets atomic.Uint64
}

func (c *counters) rx(n int) {
	c.rxBytes.Add(uint64(n))
	c.rxPackets.Add(1)
}

func (c *counters) tx(n int) {
	c.txBytes.Add(uint64(n))
	c.txPackets.Add(1)
}

func (c *counters) snapshot() Stats {
	return Stats{
		RxBytes: c.rxBytes.Load(), RxPackets: c.rxPackets.Load(), RxFrames: c.rxFrames.Load(),
		TxBytes: c.txBytes.Load(), TxPackets: c.txPackets.Load(),
	}
}

func (c *counters) reset() {
	c.rxBytes.Store(0)
	c.rxPackets.Store(0)
	c.rxFrames.Store(0)
	c.txBytes.Store(0)
	c.txPackets.Store(0)
}
