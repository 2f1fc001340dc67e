package main

import (
	"context"
	"errors"

	"github.com/netdebug/netdebug/netcore/codec"
	"github.com/netdebug/netdebug/netcore/framing"
	"github.com/netdebug/netdebug/netcore/session"
)

// errorKinds maps netcore's sentinel errors to a short phrase the user
// reads in their language, ahead of the detailed (English) message.
var errorKinds = []struct {
	err    error
	phrase string
}{
	{session.ErrInvalidAddress, "Invalid address"},
	{session.ErrAddrInUse, "Port already in use"},
	{session.ErrAddrNotLocal, "Not an address of this computer"},
	{session.ErrPermission, "Permission denied"},
	{session.ErrRefused, "Connection refused"},
	{session.ErrTimeout, "Timed out"},
	{session.ErrHostNotFound, "Host not found"},
	{session.ErrUnreachable, "Network unreachable"},
	{session.ErrReset, "Connection reset"},
	{session.ErrNotConnected, "Not connected"},
	{session.ErrClosed, "Connection closed"},
	{session.ErrTooLarge, "Too large"},
	{session.ErrUnknownClient, "No such client"},
	{session.ErrCancelled, "Cancelled"},
	{context.Canceled, "Cancelled"},
	{codec.ErrBadHex, "Invalid hex"},
	{codec.ErrBadEscape, "Invalid escape"},
	{codec.ErrUnencodable, "Cannot encode"},
	{framing.ErrBadConfig, "Invalid framing"},
	{framing.ErrTooLong, "Too long for the length prefix"},
}

// errorText is what the UI shows for err: a translated phrase naming the
// kind of problem, then netcore's detailed message.
func errorText(err error) string {
	if err == nil {
		return ""
	}
	for _, k := range errorKinds {
		if errors.Is(err, k.err) {
			return tr(k.phrase) + ": " + err.Error()
		}
	}
	return err.Error()
}
