//go:build !linux

package chat

import "syscall"

// reportsICMP is false where an ICMP error cannot be tied to a message:
// Windows reports it on the next read, attributed to the last destination;
// macOS and the BSDs do not report it to unconnected sockets at all.
const reportsICMP = false

func controlUDP(string, string, syscall.RawConn) error { return nil }

func stalePendingError(error) bool { return false }

func (e *udpEndpoint) readLoop() { e.genericReadLoop() }
