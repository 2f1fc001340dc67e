//go:build !linux

package tftp

import (
	"errors"
	"net/netip"
	"syscall"
	"time"
)

// directReader exists on Linux only; elsewhere recv uses the runtime's
// network poller.
type directReader struct{}

var (
	errDirectExpired = errors.New("direct read: deadline")
	errDirectWake    = errors.New("direct read: woken")
)

func newDirectReader(interface {
	SyscallConn() (syscall.RawConn, error)
}) *directReader {
	return nil
}

func (*directReader) read([]byte, time.Time, func() bool) (int, netip.AddrPort, error) {
	return 0, netip.AddrPort{}, errors.ErrUnsupported
}
