//go:build windows

package netinfo

import (
	"errors"
	"syscall"

	"golang.org/x/sys/windows"
)

// isRefused reports a TCP reset in answer to our SYN: the port is closed.
// Winsock reports it as WSAECONNREFUSED, which syscall.ECONNREFUSED is not.
func isRefused(err error) bool {
	return errors.Is(err, windows.WSAECONNREFUSED) || errors.Is(err, syscall.ECONNREFUSED)
}
