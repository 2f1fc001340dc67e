package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/term"

	"github.com/netdebug/netdebug/netcore/netinfo"
)

// The Tools tab's headless commands: each prints netinfo's Text form on
// stdout, so what a script reads is what the tab's "Copy all" copies.

func init() {
	registerCLI(cliCommand{name: "info", summary: "print the hostname and the network interfaces", run: (*cli).info})
	registerCLI(cliCommand{name: "lookup", args: "NAME|ADDR|SERVICE", summary: "look a name, an address or a service up", run: (*cli).lookup})
	registerCLI(cliCommand{name: "subnet", args: "CIDR | IP MASK", summary: "calculate a subnet: network, broadcast, hosts, class", run: (*cli).subnet})
	registerCLI(cliCommand{name: "port", args: "HOST PORT[-PORT]", summary: "check whether TCP ports on a host are open", run: (*cli).port})
}

// Exit statuses, as every command's help says.
const exitHelp = "\n\nExit status: 0 on success, 1 when it failed, 2 for bad arguments."

func (c *cli) info(args []string) int {
	fs := c.flags("info", "[options]",
		"Print this machine's hostname, its interfaces (state, MTU, MAC, flags) and\n"+
			"every address with its prefix length and IPv4 broadcast address.\n\n"+
			"With --sockets, also list the listening sockets (the netstat -an analogue);\n"+
			"--all-sockets lists every TCP and UDP socket."+exitHelp)
	sockets := fs.Bool("sockets", false, "also list the listening TCP and UDP sockets")
	all := fs.Bool("all-sockets", false, "also list every TCP and UDP socket, connected ones too")
	if code := c.parse(fs, args, 0, 0); code >= 0 {
		return code
	}
	m, err := netinfo.LocalMachine()
	if err != nil {
		return c.fail("info", err)
	}
	fmt.Fprint(c.stdout, m.Text())
	if !*sockets && !*all {
		return 0
	}
	fmt.Fprintln(c.stdout)
	t, err := netinfo.ListSockets(c.ctx, netinfo.SocketOptions{ListeningOnly: !*all})
	if err != nil {
		return c.fail("info", err)
	}
	fmt.Fprint(c.stdout, t.Text())
	return 0
}

func (c *cli) lookup(args []string) int {
	fs := c.flags("lookup", "NAME|ADDR|SERVICE [options]",
		"Look up what the argument reads as:\n"+
			"  a host name      its IPv4 and IPv6 addresses (gethostbyname)   netdebug lookup example.com\n"+
			"  an IP address    its names (gethostbyaddr)                     netdebug lookup 8.8.8.8\n"+
			"  a service        its ports (getservbyname)                     netdebug lookup mysql\n"+
			"  a port           its service (getservbyport)                   netdebug lookup 3306/tcp\n"+
			"Services come from the system's services file, then a built-in table."+
			"\n\nExit status: 0 when found, 1 when not found or the lookup failed, 2 for bad arguments.")
	timeout := fs.Duration("timeout", netinfo.DefaultLookupTimeout, "how long to wait for the resolver")
	if code := c.parse(fs, args, 1, 1); code >= 0 {
		return code
	}
	if *timeout <= 0 {
		return c.usageErr("lookup", errors.New("--timeout must be more than 0"))
	}
	r := &netinfo.Resolver{Timeout: *timeout}
	res, err := r.Lookup(c.ctx, c.positional[0])
	if err != nil {
		if isBadInput(err) {
			return c.usageErr("lookup", err)
		}
		return c.fail("lookup", err)
	}
	fmt.Fprint(c.stdout, res.Text())
	return 0
}

func (c *cli) subnet(args []string) int {
	fs := c.flags("subnet", "CIDR | IP MASK",
		"Print the network, netmask, wildcard, broadcast, first and last host, host\n"+
			"count, classful class and special-range flags of a subnet. The mask may be a\n"+
			"prefix length (24), dotted (255.255.255.0) or hex (0xffffff00). IPv6 works too.\n\n"+
			"Examples: netdebug subnet 192.168.1.10/24\n"+
			"          netdebug subnet 10.0.0.1 255.255.255.252\n"+
			"          netdebug subnet 2001:db8::1/64"+
			"\n\nExit status: 0 on success, 2 when the subnet is not valid.")
	if code := c.parse(fs, args, 1, 2); code >= 0 {
		return code
	}
	var (
		sn  netinfo.Subnet
		err error
	)
	if len(c.positional) == 2 {
		sn, err = netinfo.SubnetFromMask(c.positional[0], c.positional[1])
	} else {
		sn, err = netinfo.ParseSubnet(c.positional[0])
	}
	if err != nil {
		return c.usageErr("subnet", err)
	}
	fmt.Fprint(c.stdout, sn.Text())
	return 0
}

func (c *cli) port(args []string) int {
	fs := c.flags("port", "HOST PORT[-PORT][,...] [options]",
		"Check whether TCP ports on HOST are open, by connecting to each.\n"+
			"PORT is one port (80), a range (1-1024) or a list (22,80,8000-8010). HOST is resolved once\n"+
			"and only that address is contacted. Each port is open (it accepted), closed (it\n"+
			"refused) or filtered (no answer before --timeout).\n\n"+
			"Example: netdebug port 192.168.1.10 1-1024 --timeout 500ms\n\n"+
			"Exit status: 0 when the check ran, whatever the ports' states (with\n"+
			"--require-open: only when every port is open); 1 when the host could not be\n"+
			"resolved, the check was interrupted, or --require-open found a port not open;\n"+
			"2 for bad arguments. Progress goes to stderr when it is a terminal.")
	timeout := fs.Duration("timeout", netinfo.DefaultPortTimeout, "how long to wait for each port")
	workers := fs.Int("concurrency", netinfo.DefaultPortConcurrency, fmt.Sprintf("connects in flight at once, 1 to %d", maxPortWorkers))
	requireOpen := fs.Bool("require-open", false, "exit 1 unless every port is open")
	if code := c.parse(fs, args, 2, 2); code >= 0 {
		return code
	}
	if *timeout <= 0 {
		return c.usageErr("port", errors.New("--timeout must be more than 0"))
	}
	if *workers < 1 || *workers > maxPortWorkers {
		return c.usageErr("port", fmt.Errorf("--concurrency must be 1 to %d", maxPortWorkers))
	}
	host := strings.TrimSpace(c.positional[0])
	if host == "" {
		return c.usageErr("port", errors.New("the host is empty"))
	}
	ports, err := netinfo.ParsePorts(c.positional[1])
	if err != nil {
		return c.usageErr("port", err)
	}
	checker := &netinfo.PortChecker{Timeout: *timeout, Concurrency: *workers}
	stopProgress := func() {}
	if len(ports) > 1 && isTerminal(c.stderr) {
		stopProgress = progressLine(c.stderr, checker, len(ports))
	}
	res, err := checker.Check(c.ctx, host, ports)
	stopProgress()
	if err != nil && !res.Cancelled {
		if isBadInput(err) {
			return c.usageErr("port", err)
		}
		return c.fail("port", err)
	}
	fmt.Fprint(c.stdout, res.Text())
	if err != nil {
		return c.fail("port", err)
	}
	if *requireOpen && res.Count(netinfo.PortOpen) != len(res.Results) {
		return c.fail("port", fmt.Errorf("%d of %d ports are not open", len(res.Results)-res.Count(netinfo.PortOpen), len(res.Results)))
	}
	return 0
}

// isBadInput: the argument itself is wrong, rather than the network.
func isBadInput(err error) bool {
	for _, e := range []error{netinfo.ErrInvalidAddress, netinfo.ErrInvalidName, netinfo.ErrInvalidPort, netinfo.ErrInvalidService, netinfo.ErrInvalidSubnet, netinfo.ErrInvalidMask} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// isTerminal reports whether w is a terminal (a character device), where a
// progress line that rewrites itself reads well.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	// A character device is not enough: /dev/null is one too. Ask the
	// terminal driver.
	return ok && term.IsTerminal(int(f.Fd()))
}

// progressLine shows "checked N of M ports" on w, rewritten in place a few
// times a second from a counter the checker bumps; the returned function
// stops it and clears the line.
func progressLine(w io.Writer, checker *netinfo.PortChecker, total int) func() {
	var done atomic.Int64
	checker.Progress = func(d, _ int) { done.Store(int64(d)) }
	stop := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				fmt.Fprint(w, "\r\033[K")
				return
			case <-tick.C:
				d := done.Load()
				fmt.Fprintf(w, "\rchecked %d of %d ports (%d%%)", d, total, d*100/int64(total))
			}
		}
	}()
	var once atomic.Bool
	return func() {
		if once.CompareAndSwap(false, true) {
			close(stop)
			<-finished
		}
	}
}
