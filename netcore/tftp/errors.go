package tftp

import (
	"errors"
	"fmt"
)

// ErrorCode is the code in a TFTP ERROR packet (RFC 1350, RFC 2347).
type ErrorCode uint16

// TFTP error codes.
const (
	CodeNotDefined      ErrorCode = 0
	CodeFileNotFound    ErrorCode = 1
	CodeAccessViolation ErrorCode = 2
	CodeDiskFull        ErrorCode = 3
	CodeIllegalOp       ErrorCode = 4
	CodeUnknownTID      ErrorCode = 5
	CodeFileExists      ErrorCode = 6
	CodeNoSuchUser      ErrorCode = 7
	CodeOptionRefused   ErrorCode = 8
)

var codeNames = [...]string{
	"not defined", "file not found", "access violation", "disk full or allocation exceeded",
	"illegal TFTP operation", "unknown transfer ID", "file already exists", "no such user",
	"option negotiation refused",
}

func (c ErrorCode) String() string {
	if int(c) < len(codeNames) {
		return codeNames[c]
	}
	return fmt.Sprintf("error %d", uint16(c))
}

// Sentinel errors. Every failure the UI has to tell apart wraps one of them,
// so callers test with errors.Is (socket and file errors wrap the OS error). An ERROR packet from the peer arrives as a *RemoteError
// that carries the peer's message and matches the sentinel for its code.
var (
	ErrNotDefined      = errors.New("tftp: error")
	ErrFileNotFound    = errors.New("tftp: file not found")
	ErrAccessViolation = errors.New("tftp: access violation")
	ErrDiskFull        = errors.New("tftp: disk full or allocation exceeded")
	ErrIllegalOp       = errors.New("tftp: illegal TFTP operation")
	ErrUnknownTID      = errors.New("tftp: unknown transfer ID")
	ErrFileExists      = errors.New("tftp: file already exists")
	ErrNoSuchUser      = errors.New("tftp: no such user")
	ErrOptionRefused   = errors.New("tftp: option negotiation refused")

	// ErrTimeout: the peer stopped answering and every retry was used.
	ErrTimeout = errors.New("tftp: timed out")
	// ErrCancelled: the caller's context ended the transfer. The error also
	// wraps the context's error (context.Canceled or DeadlineExceeded).
	ErrCancelled = errors.New("tftp: transfer cancelled")
	// ErrProtocol: the peer sent something the protocol does not allow, such
	// as an OACK with a block size larger than we asked for.
	ErrProtocol = errors.New("tftp: protocol violation")
	// ErrLocalExists: DownloadFile would replace an existing local file and
	// overwrite was false. Ask the user, then call again with overwrite=true.
	ErrLocalExists = errors.New("tftp: local file already exists")
	// ErrInvalidName: a file name that cannot be used safely (empty, ".", "..").
	ErrInvalidName = errors.New("tftp: invalid file name")
	// ErrPrivilegedPort: binding a port below 1024 was refused by the OS. It
	// wraps the OS error; offer port 6969 or the SetcapCommand line.
	ErrPrivilegedPort = errors.New("tftp: binding a port below 1024 needs privileges")
	// ErrServerClosed is returned by Server.Serve after Shutdown.
	ErrServerClosed = errors.New("tftp: server closed")
)

var codeSentinels = [...]error{
	ErrNotDefined, ErrFileNotFound, ErrAccessViolation, ErrDiskFull, ErrIllegalOp,
	ErrUnknownTID, ErrFileExists, ErrNoSuchUser, ErrOptionRefused,
}

// Sentinel returns the sentinel error for a code (ErrNotDefined for codes
// outside RFC 1350/2347).
func (c ErrorCode) Sentinel() error {
	if int(c) < len(codeSentinels) {
		return codeSentinels[c]
	}
	return ErrNotDefined
}

// RemoteError is an ERROR packet received from the peer.
type RemoteError struct {
	Code    ErrorCode
	Message string
}

func (e *RemoteError) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("tftp: peer error %d (%s)", e.Code, e.Code)
	}
	return fmt.Sprintf("tftp: peer error %d (%s): %s", e.Code, e.Code, e.Message)
}

// Is makes errors.Is(err, ErrFileNotFound) and friends work.
func (e *RemoteError) Is(target error) bool { return target == e.Code.Sentinel() }

// Unwrap exposes the sentinel so errors.Is also works through fmt wrapping.
func (e *RemoteError) Unwrap() error { return e.Code.Sentinel() }

// localError is an error this side sent to the peer as an ERROR packet.
// It remembers what was sent so the trace and logs can show it.
type localError struct {
	code ErrorCode
	msg  string
	err  error
}

func (e *localError) Error() string { return e.err.Error() }
func (e *localError) Unwrap() error { return e.err }

// codeFor picks the ERROR code and message to send the peer for a local error.
func codeFor(err error) (ErrorCode, string) {
	var le *localError
	if errors.As(err, &le) {
		return le.code, le.msg
	}
	switch {
	case errors.Is(err, ErrServerClosed):
		return CodeNotDefined, "server shutting down"
	case errors.Is(err, ErrCancelled):
		return CodeNotDefined, "transfer cancelled"
	case errors.Is(err, ErrTimeout):
		return CodeNotDefined, "timed out"
	case errors.Is(err, ErrDiskFull):
		return CodeDiskFull, "disk full or write error"
	case errors.Is(err, ErrProtocol):
		return CodeIllegalOp, "protocol violation"
	}
	return CodeNotDefined, "local error"
}
