package tftp

import (
	"fmt"
	"net"
	"net/netip"
	"time"
)

// udpSocket is what a transfer needs from its socket. *net.UDPConn is one;
// on Linux blockingSocket is another (sock_linux.go).
type udpSocket interface {
	ReadFromUDPAddrPort(b []byte) (int, netip.AddrPort, error)
	WriteToUDPAddrPort(b []byte, addr netip.AddrPort) (int, error)
	SetReadDeadline(t time.Time) error
	Close() error
}

// interrupter is a socket that can wake its blocked read for good, from
// another goroutine, when the transfer is cancelled. A socket without it is
// woken with a read deadline in the past.
type interrupter interface {
	interrupt()
}

// blockingSockets selects blockingSocket where the OS has it. The
// comparison benchmark turns it off to measure the difference.
var blockingSockets = true

// openTransferSocket opens the socket for one transfer on an ephemeral port
// (the transfer ID) of local, or of every address when local is invalid.
// With blocking set it is a blockingSocket where the OS has one: client
// downloads and all server transfers. Otherwise, or if that fails, it is the
// runtime's socket.
func openTransferSocket(network string, local netip.Addr, blocking bool) (udpSocket, error) {
	if blocking && blockingSockets {
		if s, err := listenBlocking(network == "udp6", local); err == nil {
			return s, nil
		}
		// A sandbox may refuse raw socket calls, or the address may need a
		// zone the runtime knows how to handle; its socket works everywhere.
	}
	laddr := &net.UDPAddr{}
	if local.IsValid() {
		laddr.IP, laddr.Zone = local.AsSlice(), local.Zone()
	}
	u, err := net.ListenUDP(network, laddr)
	if err != nil {
		return nil, fmt.Errorf("tftp: open transfer socket: %w", err)
	}
	_ = u.SetReadBuffer(socketBuffer)
	_ = u.SetWriteBuffer(socketBuffer)
	return u, nil
}

// socketBuffer is the kernel buffer asked for in each direction: a window
// of 64 blocks of 8 KiB, or hundreds of LAN-sized blocks, fits.
const socketBuffer = 1 << 20
