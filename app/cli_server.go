package main

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/netdebug/netdebug/netcore/session"
)

func init() {
	registerCLI(cliCommand{name: "tcp-server", args: "[ADDR]:PORT", summary: "accept TCP clients and print what they send", run: (*cli).tcpServer})
	registerCLI(cliCommand{name: "udp", args: "--bind [ADDR]:PORT", summary: "send and receive UDP datagrams", run: (*cli).udp})
}

func (c *cli) tcpServer(args []string) int {
	fs := c.flags("tcp-server", "[ADDR]:PORT [options]",
		"Listen on ADDR:PORT (\":8080\" or \"0.0.0.0:8080\" for every interface, \"[::]:8080\" for IPv6),\n"+
			"print what every client sends (prefixed with its address) until Ctrl+C or --wait,\n"+
			"and send --send/--hex to each client as it connects (templates such as {{counter}}\n"+
			"are expanded for each client).\n\n"+
			"--rules FILE answers what each client sends (the reply goes to that client) and\n"+
			"prints each rule's hits and replies at the end. --sequence FILE runs the send\n"+
			"sequence for each client as it connects (after --send), stopping when it leaves.\n"+
			"Both files are the GUI's JSON exports.\n\n"+
			"Example: netdebug tcp-server :9000 --echo --max-clients 10")
	var pf payloadFlags
	pf.register(fs)
	var af automationFlags
	af.register(fs)
	echo := fs.Bool("echo", false, "send back everything each client sends")
	max := fs.Int("max-clients", 0, "refuse clients beyond this many (0 = no limit)")
	wait := fs.Duration("wait", 0, "stop after this long (0 = until Ctrl+C)")
	if code := c.parse(fs, args, 1, 1); code >= 0 {
		return code
	}
	payload, enc, err := pf.build(c)
	if err != nil {
		return c.usageErr("tcp-server", err)
	}
	pr, err := newPrinter(c.stdout, c.stderr, pf.show, enc)
	if err != nil {
		return c.usageErr("tcp-server", err)
	}
	pr.peers = true
	auto, err := af.load(enc, pr)
	if err != nil {
		return c.usageErr("tcp-server", err)
	}
	// Each client's delayed replies and sequence end when it leaves.
	clients := &clientScopes{parent: c.ctx}
	var srv *session.TCPServer
	srv, err = session.NewTCPServer(session.TCPServerConfig{Address: c.positional[0], Echo: *echo, MaxClients: *max}, func(ev session.Event) {
		pr.event(ev)
		if auto.answers(ev) {
			auto.handle(clients.get(ev.Client), ev, func(b []byte) error { return srv.Send(ev.Client, b) })
		}
		switch {
		case ev.Kind == session.Connected && (payload != nil || auto.seq != nil):
			// On the accept goroutine: the client is registered already.
			ctx := clients.get(ev.Client)
			auto.wg.Add(1)
			go func(id uint64) {
				defer auto.wg.Done()
				send := func(b []byte) error { return srv.Send(id, b) }
				if payload != nil {
					data, err := payload.next()
					if err == nil {
						err = send(data)
					}
					if err != nil {
						pr.note("%s: %v", ev.Peer, err)
						return
					}
				}
				_ = auto.runSequence(ctx, ev.Peer, send)
			}(ev.Client)
		case ev.Kind == session.Closed && ev.Client != 0:
			clients.end(ev.Client)
		}
	})
	if err != nil {
		return c.usageErr("tcp-server", err)
	}
	if err := srv.Start(); err != nil {
		return c.fail("tcp-server", err)
	}
	c.waitOrInterrupt(*wait)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	srv.Shutdown(ctx)
	pr.finish()
	st := srv.Stats()
	pr.note("%d clients; received %d bytes, sent %d bytes", srv.Accepted(), st.RxBytes, st.TxBytes)
	auto.finish()
	return 0
}

func (c *cli) udp(args []string) int {
	fs := c.flags("udp", "--bind [ADDR]:PORT [--to HOST:PORT] [options]",
		"Bind a UDP socket, send --send/--hex to --to (or to whoever sends first, with --reply),\n"+
			"and print every datagram with its sender until --wait has passed or Ctrl+C.\n"+
			"Templates in --send/--hex (such as {{counter}}) are expanded for each send.\n\n"+
			"--rules FILE answers each datagram's sender with auto-reply rules and prints\n"+
			"each rule's hits and replies at the end. --sequence FILE sends a send sequence\n"+
			"to --to (after --send), then waits as usual. Both files are the GUI's JSON exports.\n\n"+
			"Example: netdebug udp --bind :9000 --to 192.168.1.255:9000 --send hello --join 239.1.2.3")
	var pf payloadFlags
	pf.register(fs)
	bind := fs.String("bind", "0.0.0.0:0", "local address and port (port 0 = any)")
	to := fs.String("to", "", "where to send (HOST:PORT; a broadcast or multicast address works too)")
	join := fs.String("join", "", "multicast group to join (IPv4 or IPv6)")
	iface := fs.String("interface", "", "network interface for --join (default: the system's choice)")
	ttl := fs.Int("ttl", 1, "multicast TTL / hop limit")
	wait := fs.Duration("wait", 2*time.Second, "how long to listen (0 = until Ctrl+C)")
	reply := fs.Bool("reply", false, "answer each datagram's sender with --send/--hex")
	var af automationFlags
	af.register(fs)
	if code := c.parse(fs, args, 0, 0); code >= 0 {
		return code
	}
	if *to != "" {
		if err := checkClientTarget(*to); err != nil {
			return c.usageErr("udp", err)
		}
	}
	payload, enc, err := pf.build(c)
	if err != nil {
		return c.usageErr("udp", err)
	}
	if payload != nil && *to == "" && !*reply {
		return c.usageErr("udp", textErr("--send/--hex needs --to HOST:PORT or --reply"))
	}
	pr, err := newPrinter(c.stdout, c.stderr, pf.show, enc)
	if err != nil {
		return c.usageErr("udp", err)
	}
	pr.peers = true
	auto, err := af.load(enc, pr)
	if err != nil {
		return c.usageErr("udp", err)
	}
	if auto.seq != nil && *to == "" {
		return c.usageErr("udp", textErr("--sequence needs --to HOST:PORT"))
	}
	defer auto.finish()
	// OpenUDP reads before it returns: the rules find the socket here.
	var open atomic.Pointer[session.UDPSession]
	// --reply answers at most replyRate datagrams a second, so two peers
	// that both reply cannot bounce a datagram between them at full speed.
	replies := &replyLimit{perSecond: replyRate, onLimit: func() {
		pr.note("replies paused: more than %d datagrams a second", replyRate)
	}}
	var s *session.UDPSession
	s, err = session.OpenUDP(session.UDPConfig{Bind: *bind, Remote: *to}, func(ev session.Event) {
		pr.event(ev)
		if auto.answers(ev) {
			auto.handle(c.ctx, ev, func(b []byte) error {
				if s := open.Load(); s != nil {
					return s.SendTo(ev.Peer, b)
				}
				return session.ErrNotConnected
			})
		}
		if *reply && ev.Kind == session.Received && payload != nil {
			if !replies.allow(time.Now()) {
				return
			}
			go func(peer string) {
				// The socket may still be opening: read it as the rules do.
				s := open.Load()
				if s == nil {
					return
				}
				data, err := payload.next()
				if err == nil {
					err = s.SendTo(peer, data)
				}
				if err != nil {
					pr.note("reply to %s: %v", peer, err)
				}
			}(ev.Peer)
		}
	})
	if err != nil {
		return c.fail("udp", err)
	}
	open.Store(s)
	defer s.Close()
	if err := s.SetMulticastTTL(*ttl); err != nil {
		return c.usageErr("udp", err)
	}
	if *join != "" {
		if err := s.JoinGroup(*join, *iface); err != nil {
			return c.fail("udp", err)
		}
		pr.note("joined %s", *join)
	}
	if payload != nil && *to != "" {
		data, err := payload.next()
		if err != nil {
			return c.fail("udp", err)
		}
		if err := s.Send(data); err != nil {
			return c.fail("udp", err)
		}
		pr.note("sent %d bytes to %s", len(data), s.Remote())
	}
	if err := auto.runSequence(c.ctx, "", s.Send); err != nil {
		return c.fail("udp", err)
	}
	c.waitOrInterrupt(*wait)
	pr.finish()
	st := s.Stats()
	pr.note("received %d datagrams (%d bytes), sent %d", st.RxPackets, st.RxBytes, st.TxPackets)
	return 0
}

// waitOrInterrupt blocks for d (forever when 0) or until Ctrl+C.
func (c *cli) waitOrInterrupt(d time.Duration) {
	var timer <-chan time.Time
	if d > 0 {
		timer = time.After(d)
	}
	select {
	case <-timer:
	case <-c.ctx.Done():
	}
}

// replyRate bounds `udp --reply`.
const replyRate = 10

// replyLimit allows perSecond replies in each one-second window and tells
// onLimit once per window when it refuses one.
type replyLimit struct {
	mu        sync.Mutex
	perSecond int
	window    time.Time
	n         int
	told      bool
	onLimit   func()
}

func (l *replyLimit) allow(now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.window) >= time.Second {
		l.window, l.n, l.told = now, 0, false
	}
	if l.n < l.perSecond {
		l.n++
		return true
	}
	if !l.told && l.onLimit != nil {
		l.told = true
		l.onLimit()
	}
	return false
}
