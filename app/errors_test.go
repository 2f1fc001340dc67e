package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/netdebug/netdebug/netcore/codec"
	"github.com/netdebug/netdebug/netcore/framing"
	"github.com/netdebug/netdebug/netcore/session"
)

// TestErrorTextSaysTheKindOnce: the translated lead-in names the kind of
// problem and the detail after it does not say it again. Port 0 used to
// read "Invalid address: invalid address: port 0 is out of range".
func TestErrorTextSaysTheKindOnce(t *testing.T) {
	_, portErr := session.ParsePort("0", false)
	if got, want := errorText(portErr), tr("Invalid address")+": port 0 is out of range (1–65535)"; got != want {
		t.Errorf("port 0: %q, want %q", got, want)
	}
	_, localErr := session.NewTCPClient(session.TCPClientConfig{Address: "127.0.0.1:80", LocalAddress: "127.0.0.1:99999"}, nil)
	if got, want := errorText(localErr), tr("Invalid address")+": local address: port 99999 is out of range (0–65535)"; got != want {
		t.Errorf("local port: %q, want %q", got, want)
	}
	if got := errorText(context.Canceled); got != tr("Cancelled") {
		t.Errorf("bare context.Canceled: %q", got)
	}
	if got := errorText(session.ErrNotConnected); got != tr("Not connected") {
		t.Errorf("bare sentinel: %q", got)
	}
	if got := errorText(errors.New("plain")); got != "plain" {
		t.Errorf("unknown error: %q", got)
	}
	if got, want := errorText(fmt.Errorf("%w: network unreachable: no route to 10.0.0.1", session.ErrUnreachable)), tr("Network unreachable")+": no route to 10.0.0.1"; got != want {
		t.Errorf("repeated sentinel: %q, want %q", got, want)
	}

	const addr = "10.0.0.1:80"
	_, hexErr := codec.ParseHex("4G")
	_, escErr := codec.EncodeEscaped(codec.UTF8, `\q`)
	_, encErr := codec.Encode(codec.GB2312, "a😀")
	_, tooLong := framing.Config{Mode: framing.LengthPrefix, PrefixLen: 1}.AddPrefix(make([]byte, 300))
	errs := []error{
		portErr, localErr,
		session.Explain(context.Canceled, addr),
		session.Explain(os.ErrDeadlineExceeded, addr),
		session.Explain(&net.DNSError{Name: "nowhere.invalid", IsNotFound: true}, addr),
		session.Explain(&net.DNSError{Name: "slow.example", IsTimeout: true}, addr),
		session.Explain(syscall.ECONNREFUSED, addr),
		session.Explain(syscall.EADDRINUSE, addr),
		session.Explain(syscall.EADDRNOTAVAIL, addr),
		session.Explain(syscall.EACCES, addr),
		session.Explain(syscall.ECONNRESET, addr),
		session.Explain(syscall.ENETUNREACH, addr),
		session.Explain(syscall.EMSGSIZE, addr),
		session.Explain(net.ErrClosed, addr),
		fmt.Errorf("%w: connect first", session.ErrNotConnected),
		fmt.Errorf("%w: client 3 has left", session.ErrUnknownClient),
		fmt.Errorf("%w: 70000 bytes", session.ErrTooLarge),
		fmt.Errorf("file f stopped after 5 bytes: %w", session.Explain(syscall.ECONNRESET, addr)),
		hexErr, escErr, encErr, tooLong,
		framing.Config{Mode: framing.Delimiter}.Validate(),
	}
	for _, err := range errs {
		if err == nil {
			t.Fatal("a case did not produce its error")
		}
		kind := kindOf(err)
		if kind.err == nil {
			t.Errorf("%v: no kind", err)
			continue
		}
		got := errorText(err)
		lead := tr(kind.phrase)
		if !strings.HasPrefix(got, lead) {
			t.Errorf("%q does not start with %q", got, lead)
			continue
		}
		detail := strings.ToLower(strings.TrimPrefix(got, lead))
		for _, said := range []string{kind.err.Error(), kind.phrase} {
			if strings.Contains(detail, strings.ToLower(said)) {
				t.Errorf("%q says %q again after the lead-in", got, said)
			}
		}
		// The rest of the message survives: whatever names the address.
		if strings.Contains(err.Error(), addr) && !strings.Contains(got, addr) {
			t.Errorf("%q lost the address from %q", got, err)
		}
	}
}

func kindOf(err error) (k struct {
	err    error
	phrase string
}) {
	for _, c := range errorKinds {
		if errors.Is(err, c.err) {
			return c
		}
	}
	return k
}
