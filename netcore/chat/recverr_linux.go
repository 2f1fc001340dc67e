//go:build linux

package chat

import (
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// reportsICMP is true where the endpoint can tell which message an ICMP
// error was about.
const reportsICMP = true

// controlUDP turns on IP_RECVERR (and IPV6_RECVERR): without them Linux
// drops ICMP errors for unconnected UDP sockets; with them each error is
// queued with the destination it was about and a quote of the datagram.
func controlUDP(network, _ string, c syscall.RawConn) error {
	var serr error
	err := c.Control(func(fd uintptr) {
		if network == "udp6" {
			serr = unix.SetsockoptInt(int(fd), unix.IPPROTO_IPV6, unix.IPV6_RECVERR, 1)
		} else {
			serr = unix.SetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_RECVERR, 1)
		}
	})
	if err != nil {
		return err
	}
	// Without the option the chat still works; it only loses delivery notes.
	_ = serr
	return nil
}

// stalePendingError reports a send error that belongs to an earlier
// datagram: the socket error an ICMP message left behind.
func stalePendingError(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EHOSTUNREACH) ||
		errors.Is(err, syscall.ENETUNREACH) || errors.Is(err, syscall.EHOSTDOWN)
}

// bounce is one entry read from the socket's error queue.
type bounce struct {
	to      netip.AddrPort
	payload []byte
	errno   syscall.Errno
}

// readLoop reads datagrams and the error queue through the runtime poller:
// the socket becomes readable for both, so one goroutine serves both and
// the queue never fills the receive buffer.
func (e *udpEndpoint) readLoop() {
	rc, err := e.conn.SyscallConn()
	if err != nil {
		e.genericReadLoop()
		return
	}
	buf := make([]byte, 65536)
	ebuf := make([]byte, 2048)
	oob := make([]byte, 512)
	failures := 0
	for {
		var (
			n       int
			from    unix.Sockaddr
			rerr    error
			bounces []bounce
		)
		err := rc.Read(func(fd uintptr) bool {
			for {
				for len(bounces) < 64 {
					en, eoobn, _, efrom, eerr := unix.Recvmsg(int(fd), ebuf, oob, unix.MSG_ERRQUEUE|unix.MSG_DONTWAIT)
					if eerr != nil {
						break
					}
					if b, ok := parseBounce(ebuf[:en], oob[:eoobn], efrom); ok {
						bounces = append(bounces, b)
					}
				}
				n, _, _, from, rerr = unix.Recvmsg(int(fd), buf, nil, unix.MSG_DONTWAIT)
				switch {
				case rerr == unix.EAGAIN:
					return len(bounces) > 0
				case rerr == unix.EINTR, stalePendingError(rerr):
					// The pending error is now cleared; its details are in
					// the error queue, read on the next turn.
					continue
				}
				return true
			}
		})
		for _, b := range bounces {
			e.sink.bounced(b.to, b.payload, icmpError(b.errno, b.to))
		}
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				// The poller cannot wait on the socket any more.
				e.sink.readFailed(e, gaveUp(1, err))
			}
			return
		}
		switch {
		case rerr == unix.EAGAIN:
		case rerr != nil:
			if errors.Is(rerr, unix.EBADF) {
				return
			}
			if failures++; failures > maxReadFailures {
				e.sink.readFailed(e, gaveUp(failures, rerr))
				return
			}
			time.Sleep(10 * time.Millisecond)
		default:
			failures = 0
			if ap, ok := sockaddrAddrPort(from); ok {
				e.sink.datagram(ap, append([]byte(nil), buf[:n]...), time.Now())
			}
		}
	}
}

// parseBounce reads one error-queue message: msg_name is the destination
// of the datagram the error is about, the data is its payload, and the
// control message holds a sock_extended_err.
func parseBounce(data, oob []byte, name unix.Sockaddr) (bounce, bool) {
	to, ok := sockaddrAddrPort(name)
	if !ok {
		return bounce{}, false
	}
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return bounce{}, false
	}
	for _, m := range msgs {
		isErr := m.Header.Level == unix.IPPROTO_IP && m.Header.Type == unix.IP_RECVERR ||
			m.Header.Level == unix.IPPROTO_IPV6 && m.Header.Type == unix.IPV6_RECVERR
		if !isErr || len(m.Data) < 16 {
			continue
		}
		ee := unix.SockExtendedErr{
			Errno:  binary.NativeEndian.Uint32(m.Data[0:4]),
			Origin: m.Data[4],
			Type:   m.Data[5],
			Code:   m.Data[6],
		}
		if ee.Origin != unix.SO_EE_ORIGIN_ICMP && ee.Origin != unix.SO_EE_ORIGIN_ICMP6 {
			continue
		}
		return bounce{to: to, payload: append([]byte(nil), data...), errno: syscall.Errno(ee.Errno)}, true
	}
	return bounce{}, false
}

func sockaddrAddrPort(sa unix.Sockaddr) (netip.AddrPort, bool) {
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return netip.AddrPortFrom(netip.AddrFrom4(a.Addr), uint16(a.Port)), true
	case *unix.SockaddrInet6:
		return netip.AddrPortFrom(netip.AddrFrom16(a.Addr).Unmap(), uint16(a.Port)), true
	}
	return netip.AddrPort{}, false
}
