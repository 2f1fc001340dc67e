//go:build linux

package tftp

import (
	"errors"
	"net/netip"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// directReader reads datagrams by waiting in ppoll(2) on the calling thread,
// the way a C program blocks in recvfrom, instead of parking the goroutine
// in the runtime's network poller. On a fast link the wait between windows
// is a few microseconds, and the poller's hand-offs between threads cost
// more than that, more so on a busy machine.
type directReader struct {
	rc  syscall.RawConn
	pfd [1]unix.PollFd
	rsa unix.RawSockaddrAny
}

var (
	errDirectExpired = errors.New("direct read: deadline")
	errDirectWake    = errors.New("direct read: woken")
)

// pollSlice bounds one ppoll so cancellation is noticed within it.
const pollSlice = 10 * time.Millisecond

func newDirectReader(c interface {
	SyscallConn() (syscall.RawConn, error)
}) *directReader {
	rc, err := c.SyscallConn()
	if err != nil {
		return nil
	}
	return &directReader{rc: rc}
}

// read fills buf with the next datagram, waiting until due. It returns
// errDirectExpired when due passes and errDirectWake when wake reports true.
func (d *directReader) read(buf []byte, due time.Time, wake func() bool) (int, netip.AddrPort, error) {
	var (
		n    int
		from netip.AddrPort
		rerr error
	)
	err := d.rc.Read(func(fd uintptr) bool {
		for {
			l := uint32(unix.SizeofSockaddrAny)
			r, _, e := unix.Syscall6(unix.SYS_RECVFROM, fd, uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)),
				unix.MSG_DONTWAIT, uintptr(unsafe.Pointer(&d.rsa)), uintptr(unsafe.Pointer(&l)))
			switch e {
			case 0:
				n, from = int(r), d.from()
				return true
			case unix.EAGAIN, unix.EINTR:
			default:
				rerr = e
				return true
			}
			if wake() {
				rerr = errDirectWake
				return true
			}
			wait := time.Until(due)
			if wait <= 0 {
				rerr = errDirectExpired
				return true
			}
			ts := unix.NsecToTimespec(int64(min(wait, pollSlice)))
			d.pfd[0] = unix.PollFd{Fd: int32(fd), Events: unix.POLLIN}
			_, _ = unix.Ppoll(d.pfd[:], &ts, nil)
		}
	})
	if err != nil {
		return 0, from, err
	}
	return n, from, rerr
}

func (d *directReader) from() netip.AddrPort {
	switch d.rsa.Addr.Family {
	case unix.AF_INET:
		sa := (*unix.RawSockaddrInet4)(unsafe.Pointer(&d.rsa))
		p := (*[2]byte)(unsafe.Pointer(&sa.Port))
		return netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), uint16(p[0])<<8|uint16(p[1]))
	case unix.AF_INET6:
		sa := (*unix.RawSockaddrInet6)(unsafe.Pointer(&d.rsa))
		p := (*[2]byte)(unsafe.Pointer(&sa.Port))
		return netip.AddrPortFrom(netip.AddrFrom16(sa.Addr).Unmap(), uint16(p[0])<<8|uint16(p[1]))
	}
	return netip.AddrPort{}
}
