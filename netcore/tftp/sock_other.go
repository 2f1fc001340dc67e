//go:build !linux

package tftp

import "errors"

// blockingSocket exists on Linux only; elsewhere downloads use the runtime's
// socket.
type blockingSocket struct{ udpSocket }

func listenBlocking(v6 bool) (*blockingSocket, error) {
	return nil, errors.ErrUnsupported
}
