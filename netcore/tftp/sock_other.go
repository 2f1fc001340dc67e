//go:build !linux

package tftp

import (
	"errors"
	"net/netip"
)

// blockingSocket exists on Linux only; elsewhere transfers use the runtime's
// socket.
type blockingSocket struct{ udpSocket }

func listenBlocking(v6 bool, local netip.Addr) (*blockingSocket, error) {
	return nil, errors.ErrUnsupported
}
