package main

import (
	"context"
	"sync"
	"time"

	"github.com/netdebug/netdebug/netcore/session"
)

func init() {
	registerCLI(cliCommand{name: "tcp", args: "HOST:PORT", summary: "connect, send, and print what comes back", run: (*cli).tcp})
}

func (c *cli) tcp(args []string) int {
	fs := c.flags("tcp", "HOST:PORT [options]",
		"Connect to HOST:PORT, send --send or --hex if given, and print what the peer sends\n"+
			"back until --wait has passed or the peer closes. --wait 0 waits until the peer\n"+
			"closes or Ctrl+C. A connection the peer resets (or another connection error)\n"+
			"exits with status 1; a clean close by the peer exits 0.\n\n"+
			"--send and --hex may hold templates ({{counter}}, {{crc16modbus}}, ...), as in the GUI.\n\n"+
			"--sequence FILE runs a send sequence after connecting (and after --send), then\n"+
			"waits as usual; --rules FILE answers what arrives with auto-reply rules and\n"+
			"prints each rule's hits and replies at the end. Both files are the GUI's JSON exports.\n\n"+
			"Example: netdebug tcp 192.168.1.10:5000 --send 你好 --encoding gb2312 --line-ending crlf")
	var pf payloadFlags
	pf.register(fs)
	var af automationFlags
	af.register(fs)
	wait := fs.Duration("wait", 2*time.Second, "how long to wait for replies")
	timeout := fs.Duration("timeout", 10*time.Second, "connect timeout")
	local := fs.String("local", "", "local address to connect from (IP or IP:PORT)")
	if code := c.parse(fs, args, 1, 1); code >= 0 {
		return code
	}
	if err := checkClientTarget(c.positional[0]); err != nil {
		return c.usageErr("tcp", err)
	}
	payload, enc, err := pf.build(c)
	if err != nil {
		return c.usageErr("tcp", err)
	}
	pr, err := newPrinter(c.stdout, c.stderr, pf.show, enc)
	if err != nil {
		return c.usageErr("tcp", err)
	}
	auto, err := af.load(enc, pr)
	if err != nil {
		return c.usageErr("tcp", err)
	}
	defer auto.finish()
	closed := make(chan struct{})
	// connErr is why the connection ended when it was not a clean close
	// (a reset, say): reported at the end, with exit status 1.
	var connErrMu sync.Mutex
	var connErr error
	var client *session.TCPClient
	client, err = session.NewTCPClient(session.TCPClientConfig{
		Address: c.positional[0], LocalAddress: *local, ConnectTimeout: *timeout,
	}, func(ev session.Event) {
		if ev.Kind == session.Closed && ev.Err != nil {
			connErrMu.Lock()
			connErr = ev.Err
			connErrMu.Unlock()
		} else {
			pr.event(ev)
		}
		if auto.answers(ev) {
			auto.handle(c.ctx, ev, client.Send)
		}
		if ev.Kind == session.Closed {
			close(closed)
		}
	})
	if err != nil {
		return c.usageErr("tcp", err)
	}
	if *local != "" {
		if err := checkLocalAddress(*local); err != nil {
			return c.fail("tcp", err)
		}
	}
	if err := client.Connect(c.ctx); err != nil {
		return c.fail("tcp", err)
	}
	defer client.Close()
	if payload != nil {
		data, err := payload.next()
		if err != nil {
			return c.fail("tcp", err)
		}
		if err := client.Send(data); err != nil {
			return c.fail("tcp", err)
		}
		pr.note("sent %d bytes", len(data))
	}
	seqCtx, stopSeq := context.WithCancel(c.ctx)
	go func() {
		select {
		case <-closed:
			stopSeq()
		case <-seqCtx.Done():
		}
	}()
	err = auto.runSequence(seqCtx, "", client.Send)
	stopSeq()
	if err != nil {
		return c.fail("tcp", err)
	}
	var timer <-chan time.Time
	if *wait > 0 {
		timer = time.After(*wait)
	}
	select {
	case <-closed:
	case <-timer:
	case <-c.ctx.Done():
	}
	pr.finish()
	st := client.Stats()
	pr.note("received %d bytes, sent %d bytes", st.RxBytes, st.TxBytes)
	connErrMu.Lock()
	err = connErr
	connErrMu.Unlock()
	if err != nil {
		return c.fail("tcp", err)
	}
	if c.ctx.Err() != nil && c.ctx.Err() != context.Canceled {
		return 1
	}
	return 0
}
