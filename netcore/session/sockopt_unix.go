//go:build !windows

package session

import "syscall"

func setBroadcast(fd uintptr) error {
	// Fails harmlessly on IPv6-only sockets, which have no broadcast.
	_ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_BROADCAST, 1)
	return nil
}
