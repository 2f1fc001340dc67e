//go:build unix

package netinfo

import (
	"errors"
	"syscall"
)

// isRefused reports a TCP reset in answer to our SYN: the port is closed.
func isRefused(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }
