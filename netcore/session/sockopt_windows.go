//go:build windows

package session

import "syscall"

func setBroadcast(fd uintptr) error {
	_ = syscall.SetsockoptInt(syscall.Handle(fd), syscall.SOL_SOCKET, syscall.SO_BROADCAST, 1)
	return nil
}
