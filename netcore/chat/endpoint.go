package chat

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/netdebug/netdebug/netcore/session"
)

// packetSink receives what the UDP socket reads. Calls come from the
// endpoint's reader goroutine, one at a time.
type packetSink interface {
	datagram(from netip.AddrPort, b []byte, at time.Time)
	// bounced reports an ICMP error for a datagram sent to "to". payload is
	// the start of that datagram as quoted by the error (nil when the system
	// does not say).
	bounced(to netip.AddrPort, payload []byte, err error)
	// readFailed reports that e's reader gave up: the socket keeps failing
	// (err is the last error) and nothing more will be received.
	readFailed(e *udpEndpoint, err error)
}

// maxReadFailures is how many read errors in a row the reader takes
// (10 ms apart) before it gives up and reports it.
const maxReadFailures = 100

// udpEndpoint is the chat's one UDP socket: bound to the chat port, one
// reader goroutine, sends from any goroutine.
type udpEndpoint struct {
	conn *net.UDPConn
	v6   bool
	sink packetSink
	// last is the latest destination, for systems that report an ICMP
	// error without saying which destination it was for.
	last atomic.Pointer[netip.AddrPort]
	wg   sync.WaitGroup
}

// listenUDP binds the chat socket. An IPv6 host binds IPv6; anything else
// binds IPv4, which is what broadcast discovery and the seed programs use.
func listenUDP(addr string, sink packetSink) (*udpEndpoint, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", session.ErrInvalidAddress, err)
	}
	network := "udp4"
	if ip, err := netip.ParseAddr(host); err == nil && ip.Is6() && !ip.Is4In6() {
		network = "udp6"
	}
	lc := net.ListenConfig{Control: controlUDP}
	pc, err := lc.ListenPacket(context.Background(), network, addr)
	if err != nil {
		return nil, session.Explain(err, addr)
	}
	e := &udpEndpoint{conn: pc.(*net.UDPConn), v6: network == "udp6", sink: sink}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		e.readLoop()
	}()
	return e, nil
}

func (e *udpEndpoint) localAddr() netip.AddrPort {
	return e.conn.LocalAddr().(*net.UDPAddr).AddrPort()
}

// close stops the reader and waits for it.
func (e *udpEndpoint) close() {
	e.conn.Close()
	e.wg.Wait()
}

// send writes one datagram. On Linux a send can fail with the error of an
// ICMP message about an earlier datagram to another peer (the socket's
// pending error, set because IP_RECVERR is on); the datagram was not sent,
// and sending again does it. The reader attributes the ICMP error itself.
func (e *udpEndpoint) send(to netip.AddrPort, b []byte) error {
	to, err := e.fit(to)
	if err != nil {
		return err
	}
	e.last.Store(&to)
	for range 3 {
		_, err = e.conn.WriteToUDPAddrPort(b, to)
		if err == nil || !stalePendingError(err) {
			break
		}
	}
	if err != nil {
		return session.Explain(err, to.String())
	}
	return nil
}

// fit converts to into the socket's family.
func (e *udpEndpoint) fit(to netip.AddrPort) (netip.AddrPort, error) {
	a := to.Addr().Unmap()
	switch {
	case !e.v6 && a.Is4():
		return netip.AddrPortFrom(a, to.Port()), nil
	case e.v6 && a.Is6():
		return to, nil
	case e.v6:
		return netip.AddrPort{}, fmt.Errorf("%w: %s is IPv4 but the chat is bound to IPv6; go online on an IPv4 address to reach it", session.ErrInvalidAddress, to)
	}
	return netip.AddrPort{}, fmt.Errorf("%w: %s is IPv6 but the chat is bound to IPv4; go online on an IPv6 address such as [::] to reach it", session.ErrInvalidAddress, to)
}

// genericReadLoop reads with the net package. Windows reports an ICMP
// port unreachable as a read error (WSAECONNRESET) without the
// destination; it is attributed to the last destination.
func (e *udpEndpoint) genericReadLoop() {
	buf := make([]byte, 65536)
	failures := 0
	for {
		n, from, err := e.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			x := session.Explain(err, "")
			if errors.Is(x, session.ErrReset) || errors.Is(x, session.ErrRefused) {
				if to := e.last.Load(); to != nil {
					e.sink.bounced(*to, nil, icmpError(syscall.ECONNREFUSED, *to))
				}
				continue
			}
			if failures++; failures > maxReadFailures {
				e.sink.readFailed(e, gaveUp(failures, err))
				return
			}
			time.Sleep(10 * time.Millisecond)
			continue
		}
		failures = 0
		e.sink.datagram(unmapped(from), append([]byte(nil), buf[:n]...), time.Now())
	}
}

// gaveUp is the error a reader that gives up reports.
func gaveUp(failures int, err error) error {
	err = session.Explain(err, "the chat socket")
	if failures > 1 {
		return fmt.Errorf("receiving on the chat socket failed %d times in a row: %w", failures, err)
	}
	return fmt.Errorf("receiving on the chat socket failed: %w", err)
}

func unmapped(ap netip.AddrPort) netip.AddrPort {
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}

// icmpError says in words what an ICMP error about a datagram to "to"
// means, wrapping session's sentinels.
func icmpError(errno syscall.Errno, to netip.AddrPort) error {
	switch errno {
	case syscall.ECONNREFUSED:
		return fmt.Errorf("%w: port unreachable: nothing is listening on %s", session.ErrRefused, to)
	case syscall.EHOSTUNREACH:
		return fmt.Errorf("%w: host unreachable: %s did not answer on the network", session.ErrUnreachable, to)
	case syscall.ENETUNREACH:
		return fmt.Errorf("%w: network unreachable: no route to %s", session.ErrUnreachable, to)
	case syscall.EMSGSIZE:
		return fmt.Errorf("%w: %s: the message is larger than the path allows", session.ErrTooLarge, to)
	}
	return session.Explain(errno, to.String())
}
