//go:build !linux

package session

import "net"

// growReadBuffer asks for size bytes of receive buffer.
func growReadBuffer(c *net.UDPConn, size int) { _ = c.SetReadBuffer(size) }
