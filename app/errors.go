package main

import (
	"context"
	"errors"
	"strings"

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
	{session.ErrAddrNotLocal, i18nKey("Address not available")},
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
// kind of problem, then netcore's detailed message without the words that
// phrase already says ("Invalid address: port 0 is out of range", not
// "Invalid address: invalid address: port 0 ...").
func errorText(err error) string {
	if err == nil {
		return ""
	}
	for _, k := range errorKinds {
		if errors.Is(err, k.err) {
			detail := withoutKind(err.Error(), k.err.Error(), k.phrase)
			if detail == "" {
				return tr(k.phrase)
			}
			return tr(k.phrase) + ": " + detail
		}
	}
	return err.Error()
}

// withoutKind drops from msg, a chain of ": "-separated parts, every part
// that is just the sentinel's text or the (English) phrase, and the
// sentinel's words where they open a part ("invalid hex at position 2"
// becomes "at position 2"). Case is ignored; a message that would be left
// empty is returned as "".
func withoutKind(msg, sentinel, phrase string) string {
	parts := strings.Split(msg, ": ")
	kept := parts[:0]
	for _, p := range parts {
		switch {
		case strings.EqualFold(p, sentinel), strings.EqualFold(p, phrase):
			continue
		case len(p) > len(sentinel) && strings.EqualFold(p[:len(sentinel)], sentinel) && p[len(sentinel)] == ' ':
			p = p[len(sentinel)+1:]
		}
		kept = append(kept, p)
	}
	return strings.Join(kept, ": ")
}
