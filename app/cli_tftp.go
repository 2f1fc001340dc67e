package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/netdebug/netdebug/netcore/session"
	"github.com/netdebug/netdebug/netcore/tftp"
	"github.com/netdebug/netdebug/widgets"
)

func init() {
	registerCLI(cliCommand{name: "tftp", args: "get|put|serve …", summary: "download, upload or serve files over TFTP", run: (*cli).tftp})
}

func (c *cli) tftp(args []string) int {
	usage := func(w io.Writer) {
		fmt.Fprint(w, `Usage:
  netdebug tftp get HOST[:PORT] REMOTE [LOCAL]    download REMOTE (LOCAL: a file or a folder; default: ./REMOTE's name)
  netdebug tftp put HOST[:PORT] LOCAL [REMOTE]    upload LOCAL (REMOTE default: LOCAL's name)
  netdebug tftp serve DIR [--bind ADDR:PORT] [--allow-upload] [--overwrite]

Run 'netdebug tftp get --help' (or put, serve) for the options.
`)
	}
	if len(args) == 0 {
		usage(c.stderr)
		return 2
	}
	switch args[0] {
	case "get", "put":
		return c.tftpTransfer(args[0], args[1:])
	case "serve":
		return c.tftpServe(args[1:])
	case "-h", "-help", "--help", "help":
		usage(c.stdout)
		return 0
	}
	fmt.Fprintf(c.stderr, "netdebug tftp: unknown subcommand %q\n", args[0])
	usage(c.stderr)
	return 2
}

func (c *cli) tftpTransfer(verb string, args []string) int {
	name := "tftp " + verb
	about := "Download REMOTE from the TFTP server HOST (port 69 unless given). Progress goes to stderr: a bar\n" +
		"on a terminal, plain lines otherwise. A partial file is never left behind.\n\n" +
		"Example: netdebug tftp get 192.168.1.10 firmware.bin --blksize 1468 --windowsize 8"
	positional := "HOST[:PORT] REMOTE [LOCAL]"
	if verb == "put" {
		about = "Upload LOCAL to the TFTP server HOST as REMOTE (default: LOCAL's name).\n\n" +
			"Example: netdebug tftp put 192.168.1.10 build/app.bin app.bin"
		positional = "HOST[:PORT] LOCAL [REMOTE]"
	}
	fs := c.flags(name, positional+" [options]", about)
	blksize := fs.Int("blksize", tftp.DefaultClientBlockSize, "block size to ask for (8–65464)")
	window := fs.Int("windowsize", 8, "blocks per window to ask for (RFC 7440; 1 = lock-step)")
	timeout := new(time.Duration)
	fs.Var((*secondsFlag)(timeout), "timeout", "retransmit timeout to ask for, in whole seconds (3 or 3s; 1–255; 0 = adaptive, measured from the round trip)")
	retries := fs.Int("retries", 5, "timeouts in a row before giving up")
	mode := fs.String("mode", "octet", "octet or netascii")
	noOptions := fs.Bool("no-options", false, "send plain RFC 1350 requests (no blksize, tsize, timeout, windowsize)")
	overwrite := fs.Bool("overwrite", false, "replace an existing local file (get)")
	if code := c.parse(fs, args, 2, 3); code >= 0 {
		return code
	}
	if err := checkClientTarget(c.positional[0]); err != nil {
		return c.usageErr(name, err)
	}
	host, port, err := session.SplitTarget(c.positional[0], 69, false)
	if err != nil {
		return c.usageErr(name, err)
	}
	client := tftp.NewClient(fmt.Sprintf("%s:%d", host, port))
	if strings.Contains(host, ":") {
		client.Addr = fmt.Sprintf("[%s]:%d", host, port)
	}
	if client.Mode, err = tftp.ParseMode(*mode); err != nil {
		return c.usageErr(name, err)
	}
	if *retries < 1 {
		return c.usageErr(name, textErr("--retries must be 1 or more"))
	}
	client.Retries = *retries
	if *noOptions {
		client.Options = tftp.Options{}
	} else {
		client.Options = tftp.Options{BlockSize: *blksize, WindowSize: *window, Timeout: *timeout, TSize: true}
		if *timeout%time.Second != 0 {
			return c.usageErr(name, textErr("--timeout must be whole seconds"))
		}
		if err := client.Options.Validate(); err != nil {
			return c.usageErr(name, err)
		}
	}
	bar := newCLIProgress(c.stderr)
	client.OnEvent = bar.event

	var res *tftp.Result
	var path string
	if verb == "get" {
		remote := c.positional[1]
		dir, local := ".", ""
		if len(c.positional) == 3 {
			if st, err := os.Stat(c.positional[2]); err == nil && st.IsDir() {
				dir = c.positional[2]
			} else {
				dir, local = filepath.Dir(c.positional[2]), filepath.Base(c.positional[2])
			}
		}
		path, res, err = tftp.DownloadFile(c.ctx, client, remote, dir, local, *overwrite)
		if errors.Is(err, tftp.ErrLocalExists) {
			bar.clear()
			return c.fail(name, fmt.Errorf("%s exists; pass --overwrite to replace it", path))
		}
	} else {
		path = c.positional[1]
		remote := ""
		if len(c.positional) == 3 {
			remote = c.positional[2]
		}
		res, err = tftp.UploadFile(c.ctx, client, path, remote)
	}
	bar.clear()
	if err != nil {
		return c.fail(name, errors.New(tftpCLIError(err)))
	}
	fmt.Fprintf(c.stderr, "%s: %d bytes in %.2f s (%s/s), %s, SHA-256 %s\n", path, res.Bytes, res.Duration.Seconds(),
		humanSize(int64(res.Rate)), res.Options, res.SHA256Hex())
	return 0
}

// tftpCLIError leads with the server's own message when it sent one.
func tftpCLIError(err error) string {
	var re *tftp.RemoteError
	if errors.As(err, &re) {
		return fmt.Sprintf("the server said: %s (TFTP error %d, %s)", re.Message, re.Code, re.Code)
	}
	return err.Error()
}

// cliProgress draws a progress bar on a terminal and plain lines (at most
// one a second) otherwise.
type cliProgress struct {
	mu   sync.Mutex
	w    io.Writer
	tty  bool
	last time.Time
	drew bool
}

// The first plain line comes after a second, so quick transfers print only
// their summary.
func newCLIProgress(w io.Writer) *cliProgress {
	return &cliProgress{w: w, tty: isTerminal(w), last: time.Now()}
}

func (p *cliProgress) event(ev tftp.Event) {
	if ev.Kind != tftp.EventProgress && ev.Kind != tftp.EventRetransmit {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	pr := ev.Progress
	text := widgets.ProgressText(pr.Bytes, pr.Total, pr.Rate, pr.ETA)
	if p.tty {
		bar := ""
		if pr.Total > 0 {
			n := int(float64(pr.Bytes) / float64(pr.Total) * 30)
			bar = "[" + strings.Repeat("#", min(n, 30)) + strings.Repeat(".", 30-min(n, 30)) + "] "
		}
		fmt.Fprintf(p.w, "\r\033[K%s%s", bar, text)
		p.drew = true
		return
	}
	if time.Since(p.last) >= time.Second {
		p.last = time.Now()
		fmt.Fprintln(p.w, text)
	}
}

func (p *cliProgress) clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty && p.drew {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

func (c *cli) tftpServe(args []string) int {
	fs := c.flags("tftp serve", "DIR [--bind ADDR:PORT] [--allow-upload] [--overwrite]",
		"Serve the files in DIR over TFTP until Ctrl+C, printing a line per transfer. Requests that\n"+
			"reach outside DIR (.., absolute paths, backslashes, drive letters, symlinks) are refused.\n"+
			"Port 69 needs administrator rights on Linux and macOS; use --bind :6969 or the setcap line\n"+
			"printed when binding fails.\n\n"+
			"Example: netdebug tftp serve ./images --bind :6969 --allow-upload")
	bind := fs.String("bind", "0.0.0.0:69", "address and port to listen on")
	upload := fs.Bool("allow-upload", false, "accept uploads (write requests)")
	overwrite := fs.Bool("overwrite", false, "let uploads replace existing files")
	wait := fs.Duration("wait", 0, "stop after this long (0 = until Ctrl+C)")
	if code := c.parse(fs, args, 1, 1); code >= 0 {
		return code
	}
	dir := c.positional[0]
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return c.usageErr("tftp serve", fmt.Errorf("%s is not a folder", dir))
	}
	addr, err := session.NormalizeTarget(*bind, 69, false)
	if err != nil {
		return c.usageErr("tftp serve", err)
	}
	pc, err := tftp.Listen(addr)
	if err != nil {
		if errors.Is(err, tftp.ErrPrivilegedPort) {
			return c.fail("tftp serve", fmt.Errorf("%v\n  use a high port (--bind :6969), or allow low ports once: %s", err, tftp.SetcapCommand()))
		}
		return c.fail("tftp serve", err)
	}
	var mu sync.Mutex
	srv := &tftp.Server{Root: dir, AllowUpload: *upload, Overwrite: *overwrite, OnEvent: func(ev tftp.Event) {
		if ev.Kind != tftp.EventDone {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		verb := "get"
		if ev.Transfer.Direction == tftp.Upload {
			verb = "put"
		}
		if ev.Err != nil {
			fmt.Fprintf(c.stdout, "%s %s %s %s: failed: %s\n", time.Now().Format("15:04:05"), ev.Transfer.Peer, verb, ev.Transfer.File, tftpCLIError(ev.Err))
			return
		}
		r := ev.Result
		fmt.Fprintf(c.stdout, "%s %s %s %s: %d bytes in %.2f s (%s/s), %s\n", time.Now().Format("15:04:05"), ev.Transfer.Peer, verb,
			ev.Transfer.File, r.Bytes, r.Duration.Seconds(), humanSize(int64(r.Rate)), r.Options)
	}}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(pc) }()
	fmt.Fprintf(c.stderr, "serving %s on %s (uploads %s); Ctrl+C stops\n", dir, pc.LocalAddr(), map[bool]string{true: "allowed", false: "refused"}[*upload])
	c.waitOrInterrupt(*wait)
	ctxDone := make(chan struct{})
	go func() {
		defer close(ctxDone)
		<-done
	}()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	srv.Shutdown(shutdownCtx)
	<-ctxDone
	return 0
}

// secondsFlag is a duration flag that also takes a bare number of seconds,
// as TFTP's timeout option is counted ("--timeout 3" or "--timeout 3s").
type secondsFlag time.Duration

func (f *secondsFlag) String() string { return time.Duration(*f).String() }

func (f *secondsFlag) Set(s string) error {
	if n, err := strconv.Atoi(s); err == nil {
		*f = secondsFlag(time.Duration(n) * time.Second)
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%q is neither seconds (3) nor a duration (3s)", s)
	}
	*f = secondsFlag(d)
	return nil
}
