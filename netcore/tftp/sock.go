package tftp

import (
	"fmt"
	"net"
	"net/netip"
	"time"
)

// udpSocket is what a transfer needs from its socket. *net.UDPConn is one;
// on Linux a client download uses blockingSocket instead (sock_linux.go).
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

// blockingDownloads selects blockingSocket for client downloads where the OS
// has it. The comparison benchmark turns it off to measure the difference.
var blockingDownloads = true

// openClientSocket opens the socket for one client request, on an ephemeral
// port (the client's TID).
func openClientSocket(network string, download bool) (udpSocket, error) {
	if download && blockingDownloads {
		if s, err := listenBlocking(network == "udp6"); err == nil {
			return s, nil
		}
		// A sandbox may refuse raw socket calls; the runtime's socket works
		// everywhere.
	}
	u, err := net.ListenUDP(network, nil)
	if err != nil {
		return nil, fmt.Errorf("tftp: open socket: %w", err)
	}
	_ = u.SetReadBuffer(socketBuffer)
	_ = u.SetWriteBuffer(socketBuffer)
	return u, nil
}

// socketBuffer is the kernel buffer asked for in each direction: a window
// of 64 blocks of 8 KiB, or hundreds of LAN-sized blocks, fits.
const socketBuffer = 1 << 20
