package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"

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

// runCLI runs a subcommand and returns the exit status: 0 on success, 1
// when the operation failed, 2 for bad usage.
func runCLI(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
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

// printer writes received data to a terminal in the chosen form: text as
// it arrives (split characters joined per peer), hex lines, or both as a
// dump. Notes go to stderr so stdout can be piped.
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
		d := p.decoders[peer]
		if d == nil {
			d = codec.NewDecoder(p.enc)
			p.decoders[peer] = d
		}
		if prefix != "" {
			fmt.Fprint(p.out, prefix)
		}
		fmt.Fprint(p.out, d.Decode(b))
		if prefix != "" {
			fmt.Fprintln(p.out)
		}
	case "hex":
		fmt.Fprintf(p.out, "%s%s\n", prefix, codec.FormatHex(b))
	case "both":
		fmt.Fprintf(p.out, "%s%d bytes\n%s", prefix, len(b), codec.Dump(b))
	}
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
	fs.StringVar(&pf.send, "send", "", "text to send (\"-\" reads it from standard input)")
	fs.StringVar(&pf.hex, "hex", "", "bytes to send, as hex (\"48 65 6C\", \"48656C\" or \"0x48,0x65\")")
	fs.StringVar(&pf.encoding, "encoding", "utf-8", "text encoding: "+strings.Join(codec.EncodingNames(), ", "))
	fs.StringVar(&pf.lineEnding, "line-ending", "none", "appended to text: none, lf, crlf or cr")
	fs.BoolVar(&pf.escapes, "escapes", false, `interpret \r \n \t \xHH in --send`)
	fs.StringVar(&pf.show, "show", "text", "how to print what arrives: text, hex or both")
}

// payload returns the bytes to send (nil when nothing was asked) and the
// printer.
func (pf *payloadFlags) build(c *cli) ([]byte, codec.Encoding, error) {
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
	switch {
	case pf.hex != "":
		b, err := codec.Payload{Text: pf.hex, Hex: true}.Build()
		return b, enc, err
	case pf.send == "-":
		in, err := io.ReadAll(c.stdin)
		if err != nil {
			return nil, "", err
		}
		b, err := codec.Payload{Text: string(in), Encoding: enc, LineEnding: le, Escapes: pf.escapes}.Build()
		return b, enc, err
	case pf.send != "":
		b, err := codec.Payload{Text: pf.send, Encoding: enc, LineEnding: le, Escapes: pf.escapes}.Build()
		return b, enc, err
	}
	return nil, enc, nil
}
