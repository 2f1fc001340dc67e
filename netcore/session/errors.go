package session

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
)

// Sentinel errors. Every error a session returns wraps one of these (or a
// context error), with a message that names the address involved.
var (
	ErrInvalidAddress = errors.New("invalid address")
	ErrAddrInUse      = errors.New("address already in use")
	ErrAddrNotLocal   = errors.New("address is not on this computer")
	ErrPermission     = errors.New("permission denied")
	ErrRefused        = errors.New("connection refused")
	ErrTimeout        = errors.New("timed out")
	ErrHostNotFound   = errors.New("host not found")
	ErrUnreachable    = errors.New("network unreachable")
	ErrReset          = errors.New("connection reset by peer")
	ErrNotConnected   = errors.New("not connected")
	ErrClosed         = errors.New("session closed")
	ErrTooLarge       = errors.New("datagram too large")
	ErrUnknownClient  = errors.New("no such client")
	ErrCancelled      = errors.New("cancelled")
)

// Explain turns an error from the net package into one that wraps the right
// sentinel and says what went wrong with addr in plain words. Errors it does
// not recognise are returned wrapped with the address.
//
// Where a message repeats its sentinel's meaning, it does so as one
// ": "-separated part ("10.0.0.9:80: connection reset by peer"), so a
// UI that leads with its own translated name for the sentinel can drop that
// part instead of saying the same thing twice.
func Explain(err error, addr string) error {
	if err == nil {
		return nil
	}
	var already interface{ isExplained() }
	if errors.As(err, &already) {
		return err
	}
	var dnsErr *net.DNSError
	switch {
	case errors.Is(err, context.Canceled):
		return explainedBy(err, ErrCancelled, "%s: cancelled", addr)
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return explainedBy(err, ErrTimeout, "%s did not answer in time", addr)
	case errors.As(err, &dnsErr):
		if dnsErr.IsTimeout {
			return explainedBy(err, ErrTimeout, "looking up %q: timed out", dnsErr.Name)
		}
		return explainedBy(err, ErrHostNotFound, "the name %q could not be resolved", dnsErr.Name)
	case isErrno(err, errConnRefused):
		return explainedBy(err, ErrRefused, "nothing is listening on %s", addr)
	case isErrno(err, errAddrInUse):
		return explainedBy(err, ErrAddrInUse, "address already in use: another program is using %s", addr)
	case isErrno(err, errAddrNotAvail):
		return explainedBy(err, ErrAddrNotLocal, "%s is not an address of this computer", addr)
	case isErrno(err, errAccess):
		return explainedBy(err, ErrPermission, "%s: permission denied: ports below 1024 need administrator rights; broadcast needs SO_BROADCAST", addr)
	case isErrno(err, errConnReset):
		return explainedBy(err, ErrReset, "%s: connection reset by peer", addr)
	case isErrno(err, errNetUnreach), isErrno(err, errHostUnreach):
		return explainedBy(err, ErrUnreachable, "%s cannot be reached from this computer", addr)
	case isErrno(err, errMsgSize):
		return explainedBy(err, ErrTooLarge, "%s: message too long for one datagram", addr)
	case errors.Is(err, net.ErrClosed):
		return explainedBy(err, ErrClosed, "%s: connection closed", addr)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return explainedBy(err, ErrTimeout, "%s did not answer in time", addr)
	}
	return fmt.Errorf("%s: %w", addr, err)
}

// explainedError carries a sentinel, a message, and the original cause.
type explainedError struct {
	sentinel, cause error
	msg             string
}

func (e *explainedError) Error() string   { return e.msg }
func (e *explainedError) Unwrap() []error { return []error{e.sentinel, e.cause} }
func (e *explainedError) isExplained()    {}

func explainedBy(cause, sentinel error, format string, args ...any) error {
	return &explainedError{sentinel: sentinel, cause: cause, msg: fmt.Sprintf(format, args...)}
}

func isErrno(err error, list []error) bool {
	for _, e := range list {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
