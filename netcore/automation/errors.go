package automation

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every template error also wraps ErrTemplate; JSON loading
// errors wrap ErrMalformedJSON, ErrUnsupportedVersion or ErrInvalid.
var (
	ErrTemplate            = errors.New("bad template")
	ErrUnknownPlaceholder  = errors.New("unknown placeholder")
	ErrUnclosedPlaceholder = errors.New("unclosed placeholder")
	ErrBadParameter        = errors.New("bad placeholder parameter")
	ErrRangeOutOfBounds    = errors.New("checksum range out of bounds")
	ErrBadText             = errors.New("bad text, escape or hex")
	ErrBadCapture          = errors.New("bad capture reference")

	ErrMalformedJSON      = errors.New("malformed JSON")
	ErrUnsupportedVersion = errors.New("unsupported file version")
	ErrInvalid            = errors.New("invalid definition")

	ErrSend         = errors.New("send failed")
	ErrEngineClosed = errors.New("auto-reply engine closed")
)

// TemplateError says where a template went wrong. Pos is 1-based and counts
// characters (runes) of the template text as typed.
type TemplateError struct {
	Pos    int
	Reason string
	Kind   error // one of ErrUnknownPlaceholder, ErrUnclosedPlaceholder, ...
	Err    error // the underlying codec error, if any
}

// Error reads as the user would say it: what is wrong, then where
// ("not a hex digit: 'G' at position 5").
func (e *TemplateError) Error() string {
	return fmt.Sprintf("%s at position %d", e.Reason, e.Pos)
}

// Unwrap lets errors.Is match ErrTemplate, the Kind and the cause.
func (e *TemplateError) Unwrap() []error {
	errs := []error{ErrTemplate}
	if e.Kind != nil {
		errs = append(errs, e.Kind)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

func terr(pos int, kind error, format string, args ...any) *TemplateError {
	return &TemplateError{Pos: pos, Kind: kind, Reason: fmt.Sprintf(format, args...)}
}
