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
	{session.ErrInvalidAddress, i18nKey("Invalid address")},
	{session.ErrAddrInUse, i18nKey("Port already in use")},
	{session.ErrAddrNotLocal, i18nKey("Not an address of this computer")},
	{session.ErrPermission, i18nKey("Permission denied")},
	{session.ErrRefused, i18nKey("Connection refused")},
	{session.ErrTimeout, i18nKey("Timed out")},
	{session.ErrHostNotFound, i18nKey("Host not found")},
	{session.ErrUnreachable, i18nKey("Network unreachable")},
	{session.ErrReset, i18nKey("Connection reset")},
	{session.ErrNotConnected, i18nKey("Not connected")},
	{session.ErrClosed, i18nKey("Connection closed")},
	{session.ErrTooLarge, i18nKey("Too large")},
	{session.ErrUnknownClient, i18nKey("No such client")},
	{session.ErrCancelled, i18nKey("Cancelled")},
	{context.Canceled, i18nKey("Cancelled")},
	{codec.ErrBadHex, i18nKey("Invalid hex")},
	{codec.ErrBadEscape, i18nKey("Invalid escape")},
	{codec.ErrUnencodable, i18nKey("Cannot encode")},
	{framing.ErrBadConfig, i18nKey("Invalid framing")},
	{framing.ErrTooLong, i18nKey("Too long for the length prefix")},
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
