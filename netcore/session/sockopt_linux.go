//go:build linux

package session

import (
	"net"
	"syscall"
)

// growReadBuffer asks for size bytes of receive buffer. The kernel caps
// SO_RCVBUF at net.core.rmem_max (often 208 KiB), which a burst of small
// datagrams fills in a millisecond; with CAP_NET_ADMIN (root) SO_RCVBUFFORCE
// lifts the cap. Without it the plain request is the best we can do.
func growReadBuffer(c *net.UDPConn, size int) {
	_ = c.SetReadBuffer(size)
	if rc, err := c.SyscallConn(); err == nil {
		_ = rc.Control(func(fd uintptr) {
			_ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUFFORCE, size)
		})
	}
}
