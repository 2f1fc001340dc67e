package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"syscall"

	"github.com/netdebug/netdebug/netcore/automation"
	"github.com/netdebug/netdebug/netcore/codec"
	"github.com/netdebug/netdebug/netcore/session"
)

// cliCommand is one headless subcommand.
type cliCommand struct {
	name    string
	args    string
	summary string
	run     func(c *cli, args []string) int
}

// cli carries the streams a command uses, so tests can drive it.
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	ctx            context.Context
	positional     []string
}

var cliCommands []cliCommand

func registerCLI(cmd cliCommand) { cliCommands = append(cliCommands, cmd) }

func init() {
	registerCLI(cliCommand{name: "version", summary: "print the version", run: func(c *cli, args []string) int {
		fs := c.flags("version", "", "Print NetDebug's version and build number.")
		if code := c.parse(fs, args, 0, 0); code >= 0 {
			return code
		}
		v, b := appVersion(nil)
		fmt.Fprintf(c.stdout, "NetDebug %s (build %s)\n", v, b)
		return 0
	}})
}

// cliSignals stop a command as Ctrl+C does: its context is cancelled, so
// it cleans up (tftp get removes its temporary file) and returns.
// syscall.SIGTERM exists on Windows too, where it is never sent.
var cliSignals = []os.Signal{os.Interrupt, syscall.SIGTERM}

// runCLI runs a subcommand and returns the exit status: 0 on success, 1
// when the operation failed, 2 for bad usage.
func runCLI(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), cliSignals...)
	defer stop()
	c := &cli{stdin: stdin, stdout: stdout, stderr: stderr, ctx: ctx}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			return runCLI([]string{args[1], "--help"}, stdin, stdout, stderr)
		}
		c.usage(stdout)
		return 0
	case "--version", "-version":
		name = "version"
	}
	for _, cmd := range cliCommands {
		if cmd.name == name {
			return cmd.run(c, args[1:])
		}
	}
	fmt.Fprintf(stderr, "netdebug: unknown command %q\n\n", name)
	c.usage(stderr)
	return 2
}

func (c *cli) usage(w io.Writer) {
	fmt.Fprintln(w, "NetDebug: network debug assistant.")
	fmt.Fprintln(w, "Run without arguments to open the window; with a command, it works headless.")
	fmt.Fprintln(w, "\nCommands:")
	cmds := append([]cliCommand(nil), cliCommands...)
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].name < cmds[j].name })
	for _, cmd := range cmds {
		fmt.Fprintf(w, "  %-12s %s\n", cmd.name, cmd.summary)
	}
	fmt.Fprintln(w, "\nRun 'netdebug COMMAND --help' for a command's options.")
}

// flags makes a flag set whose help names the command and its arguments.
func (c *cli) flags(name, args, about string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprintf(out, "Usage: netdebug %s %s\n\n%s\n", name, args, about)
		hasFlags := false
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			fmt.Fprintln(out, "\nOptions:")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parse reads flags anywhere among the arguments (Go's flag package stops
// at the first positional one) and checks the positional count. It returns
// -1 to go on, or the exit status to return.
func (c *cli) parse(fs *flag.FlagSet, args []string, minPos, maxPos int) int {
	var pos []string
	rest := args
	// The flag package prints its own complaint and the usage; we print
	// them once, help to stdout and errors to stderr.
	fs.SetOutput(io.Discard)
	for {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(c.stdout)
				fs.Usage()
				return 0
			}
			fs.SetOutput(c.stderr)
			fmt.Fprintf(c.stderr, "netdebug %s: %v\n", fs.Name(), err)
			fs.Usage()
			return 2
		}
		rest = fs.Args()
		if len(rest) == 0 {
			break
		}
		if rest[0] == "--" {
			pos = append(pos, rest[1:]...)
			break
		}
		pos = append(pos, rest[0])
		rest = rest[1:]
	}
	fs.SetOutput(c.stderr)
	if len(pos) < minPos || (maxPos >= 0 && len(pos) > maxPos) {
		fmt.Fprintf(c.stderr, "netdebug %s: wrong number of arguments\n", fs.Name())
		fs.Usage()
		return 2
	}
	c.positional = pos
	return -1
}

// fail prints an error and returns exit status 1.
func (c *cli) fail(cmd string, err error) int {
	fmt.Fprintf(c.stderr, "netdebug %s: %s\n", cmd, err)
	return 1
}

// usageErr prints a usage error and returns exit status 2.
func (c *cli) usageErr(cmd string, err error) int {
	fmt.Fprintf(c.stderr, "netdebug %s: %s\n", cmd, err)
	return 2
}

// checkClientTarget refuses a HOST:PORT without a host. netcore reads
// ":PORT" as every interface, which is right for binding, but a client
// needs someone to talk to (the GUI's host box refuses empty too). Other
// mistakes are left to netcore, which names them.
func checkClientTarget(target string) error {
	h, _, err := net.SplitHostPort(strings.TrimSpace(target))
	if err == nil && strings.TrimSpace(strings.Trim(h, "[]")) == "" {
		return fmt.Errorf("%w: the host is empty", session.ErrInvalidAddress)
	}
	return nil
}

// checkLocalAddress reports a --local address that is not on this computer,
// naming it (a failed connect would name the remote address instead). The
// check binds a UDP socket to the IP on a free port and closes it at once.
// Malformed addresses pass: netcore reports them.
func checkLocalAddress(local string) error {
	local = strings.TrimSpace(local)
	host := local
	if h, _, err := net.SplitHostPort(local); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	ip, err := netip.ParseAddr(host)
	if err != nil || ip.IsUnspecified() {
		return nil
	}
	pc, err := net.ListenPacket("udp", net.JoinHostPort(host, "0"))
	if err != nil {
		if err := session.Explain(err, host); errors.Is(err, session.ErrAddrNotLocal) {
			return err
		}
		return nil // let the connect report anything else
	}
	pc.Close()
	return nil
}

// printer writes received data to a terminal in the chosen form: text as
// it arrives (split characters joined per peer), hex lines, or both: the
// decoded text, then a dump with offsets and an ASCII column. Notes go to
// stderr so stdout can be piped.
type printer struct {
	mu       sync.Mutex
	out, err io.Writer
	show     string
	enc      codec.Encoding
	peers    bool
	decoders map[string]*codec.Decoder
}

func newPrinter(out, errOut io.Writer, show string, enc codec.Encoding) (*printer, error) {
	switch show {
	case "text", "hex", "both":
	default:
		return nil, fmt.Errorf("--show must be text, hex or both (got %q)", show)
	}
	return &printer{out: out, err: errOut, show: show, enc: enc, decoders: map[string]*codec.Decoder{}}, nil
}

// data prints one received message from peer.
func (p *printer) data(peer string, b []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	prefix := ""
	if p.peers {
		prefix = peer + ": "
	}
	switch p.show {
	case "text":
		if prefix != "" {
			fmt.Fprint(p.out, prefix)
		}
		fmt.Fprint(p.out, p.decoder(peer).Decode(b))
		if prefix != "" {
			fmt.Fprintln(p.out)
		}
	case "hex":
		fmt.Fprintf(p.out, "%s%s\n", prefix, codec.FormatHex(b))
	case "both":
		fmt.Fprintf(p.out, "%s%d bytes\n", prefix, len(b))
		// The text as the GUI's detail view shows it, in --encoding (a
		// character split between reads appears with its second part).
		if text := p.decoder(peer).Decode(b); text != "" {
			fmt.Fprint(p.out, text)
			if !strings.HasSuffix(text, "\n") {
				fmt.Fprintln(p.out)
			}
		}
		fmt.Fprint(p.out, codec.Dump(b))
	}
}

// decoder is peer's text decoder; p.mu is held.
func (p *printer) decoder(peer string) *codec.Decoder {
	d := p.decoders[peer]
	if d == nil {
		d = codec.NewDecoder(p.enc)
		p.decoders[peer] = d
	}
	return d
}

// note prints a status line to stderr.
func (p *printer) note(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.err, format+"\n", args...)
}

// finish flushes characters left incomplete.
func (p *printer) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, d := range p.decoders {
		fmt.Fprint(p.out, d.Flush())
	}
}

// event prints a session event.
func (p *printer) event(ev session.Event) {
	switch ev.Kind {
	case session.Received:
		p.data(ev.Peer, ev.Data)
	case session.Sent:
	case session.Error:
		p.note("error: %v", ev.Err)
	case session.Closed:
		if ev.Err != nil {
			p.note("%s: %v", ev.Peer, ev.Err)
		} else {
			p.note("%s: %s", ev.Peer, ev.Msg)
		}
	case session.Connected:
		p.note("%s: connected", ev.Peer)
	case session.Listening:
		p.note("listening on %s", ev.Msg)
	case session.Stopped:
		p.note("stopped listening on %s", ev.Msg)
	default:
		switch {
		case ev.Msg != "" && ev.Peer != "":
			p.note("%s: %s", ev.Peer, ev.Msg)
		case ev.Msg != "":
			p.note("%s", ev.Msg)
		}
	}
}

// payloadFlags are the send options shared by tcp, tcp-server and udp.
type payloadFlags struct {
	send, hex, encoding, lineEnding, show string
	escapes                               bool
}

func (pf *payloadFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&pf.send, "send", "", "text to send; templates such as {{counter}} work (\"-\" sends standard input as it is)")
	fs.StringVar(&pf.hex, "hex", "", "bytes to send, as hex (\"48 65 6C\", \"48656C\" or \"0x48,0x65\"); templates such as {{crc16modbus}} work")
	fs.StringVar(&pf.encoding, "encoding", "utf-8", "text encoding: "+strings.Join(codec.EncodingNames(), ", "))
	fs.StringVar(&pf.lineEnding, "line-ending", "none", "appended to text: none, lf, crlf or cr")
	fs.BoolVar(&pf.escapes, "escapes", false, `interpret \r \n \t \xHH in --send`)
	fs.StringVar(&pf.show, "show", "text", "how to print what arrives: text, hex or both (the text, then a hex dump)")
}

// cliPayload is what --send or --hex asked for. Templates are expanded
// afresh for each send (each client of tcp-server, each --reply), so
// {{counter}} counts and checksums are computed over the expanded bytes.
type cliPayload struct {
	tmpl *automation.Template // nil for --send - (sent as it is)
	raw  []byte
}

// next returns the bytes for one send.
func (p *cliPayload) next() ([]byte, error) {
	if p.tmpl == nil {
		return p.raw, nil
	}
	return p.tmpl.Expand()
}

// build returns the payload (nil when nothing was asked) and the encoding.
// A template that cannot be expanded is reported here, before connecting.
func (pf *payloadFlags) build(c *cli) (*cliPayload, codec.Encoding, error) {
	enc, err := codec.ParseEncoding(pf.encoding)
	if err != nil {
		return nil, "", err
	}
	le, err := codec.ParseLineEnding(pf.lineEnding)
	if err != nil {
		return nil, "", err
	}
	if pf.send != "" && pf.hex != "" {
		return nil, "", errors.New("use --send or --hex, not both")
	}
	var p codec.Payload
	switch {
	case pf.hex != "":
		p = codec.Payload{Text: pf.hex, Hex: true, Encoding: enc}
	case pf.send == "-":
		// Standard input is data (often a file): no templates, so a "{{"
		// in it is sent as it is.
		in, err := io.ReadAll(c.stdin)
		if err != nil {
			return nil, "", err
		}
		b, err := codec.Payload{Text: string(in), Encoding: enc, LineEnding: le, Escapes: pf.escapes}.Build()
		if err != nil {
			return nil, "", err
		}
		return &cliPayload{raw: b}, enc, nil
	case pf.send != "":
		p = codec.Payload{Text: pf.send, Encoding: enc, LineEnding: le, Escapes: pf.escapes}
	default:
		return nil, enc, nil
	}
	t, err := automation.Compile(p)
	if err != nil {
		return nil, "", err
	}
	if _, err := t.Preview(); err != nil {
		return nil, "", err
	}
	return &cliPayload{tmpl: t}, enc, nil
}
