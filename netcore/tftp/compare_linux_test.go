package tftp

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The comparisons run only under NETDEBUG_BENCH=1 (`make bench`): they move
// gigabytes and take minutes. Every tool fetches the same file from the same
// server; runs are interleaved (one run of each case in a shuffled order,
// then the next round), so a machine that gets busier or quieter affects all
// tools alike. Only the transfer is timed; the file is verified afterwards.

func needBench(t *testing.T) {
	if os.Getenv("NETDEBUG_BENCH") != "1" {
		t.Skip("comparison benchmark: set NETDEBUG_BENCH=1 (make bench)")
	}
	if raceEnabled {
		t.Log("warning: built with -race; our figures are slowed down several times")
	}
}

type benchRow struct {
	scenario, tool, options string
	times                   []time.Duration
	failed                  int
	size                    int
}

func (r benchRow) median() (time.Duration, bool) {
	if len(r.times) == 0 {
		return 0, false
	}
	s := slices.Clone(r.times)
	slices.Sort(s)
	return s[len(s)/2], true
}

// benchCase is one row: run performs one transfer and returns how long the
// transfer took.
type benchCase struct {
	row     benchRow
	run     func(ctx context.Context) (time.Duration, error)
	gaveUp  bool
	timeout time.Duration
}

func runInterleaved(t *testing.T, cases []*benchCase, runs int) []benchRow {
	order := slices.Clone(cases)
	for i := range runs {
		// A new order every round, so no case always follows the same one.
		rand.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
		for _, c := range order {
			if c.gaveUp {
				continue
			}
			ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
			d, err := c.run(ctx)
			cancel()
			if err != nil {
				c.row.failed++
				t.Logf("%s / %s %s run %d failed: %v", c.row.scenario, c.row.tool, c.row.options, i, firstLine(err.Error()))
				// A run that hit the limit will not finish the next time
				// either: spare the minutes.
				c.gaveUp = errors.Is(err, context.DeadlineExceeded)
				continue
			}
			c.row.times = append(c.row.times, d)
		}
	}
	rows := make([]benchRow, len(cases))
	for i, c := range cases {
		rows[i] = c.row
	}
	return rows
}

func printTable(t *testing.T, title string, rows []benchRow) {
	var b strings.Builder
	fmt.Fprintf(&b, "\n%s\n", title)
	fmt.Fprintf(&b, "%-36s %-9s %-36s %14s %8s %6s\n", "scenario", "tool", "options", "median", "MB/s", "ok")
	for _, r := range rows {
		m, ok := r.median()
		med, rate := "did not finish", "-"
		if ok {
			med = fmt.Sprintf("%.3fs", m.Seconds())
			rate = fmt.Sprintf("%.1f", float64(r.size)/1e6/m.Seconds())
		}
		fmt.Fprintf(&b, "%-36s %-9s %-36s %14s %8s %3d/%d\n", r.scenario, r.tool, r.options, med, rate, len(r.times), len(r.times)+r.failed)
	}
	t.Log(b.String())
	fmt.Print(b.String())
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}

// toolCase runs an external client that writes local, then checks local.
func toolCase(scenario, tool, opts string, size int, want [32]byte, local string, argv ...string) *benchCase {
	return &benchCase{row: benchRow{scenario: scenario, tool: tool, options: opts, size: size}, timeout: 120 * time.Second,
		run: func(ctx context.Context) (time.Duration, error) {
			_ = os.Remove(local)
			start := time.Now()
			out, err := exec.CommandContext(ctx, argv[0], argv[1:]...).CombinedOutput()
			d := time.Since(start)
			if ctx.Err() != nil {
				return 0, fmt.Errorf("did not finish in %v: %w", d.Round(time.Second), ctx.Err())
			}
			if err != nil {
				return 0, fmt.Errorf("%v: %s", err, tail(string(out), 300))
			}
			return d, checkFile(local, want)
		}}
}

// oursCase downloads with our client into dir (inside namespace ns if set).
func oursCase(scenario, opts string, size int, want [32]byte, c *Client, remote, dir, ns string) *benchCase {
	return &benchCase{row: benchRow{scenario: scenario, tool: "ours", options: opts, size: size}, timeout: 120 * time.Second,
		run: func(ctx context.Context) (time.Duration, error) {
			var d time.Duration
			var path string
			get := func() error {
				// As for the other tools, the previous run's file is
				// removed before the clock starts: replacing a 50 MB file
				// costs the file system about 15 ms.
				if name, err := LocalName(remote); err == nil {
					_ = os.Remove(filepath.Join(dir, name))
				}
				start := time.Now()
				p, _, err := DownloadFile(ctx, c, remote, dir, "", true)
				d, path = time.Since(start), p
				return err
			}
			var err error
			if ns != "" {
				err = inNetns(ns, get)
			} else {
				err = get()
			}
			if err != nil {
				return 0, err
			}
			return d, checkFile(path, want)
		}}
}

func checkFile(path string, want [32]byte) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return err
	}
	if [32]byte(h.Sum(nil)) != want {
		return fmt.Errorf("%s differs from the original", path)
	}
	return nil
}

// benchFile writes size bytes of test data as name into a served folder.
func benchFile(t *testing.T, name string, size int) (dir string, want [32]byte) {
	data := testData(size)
	dir = servedDir(t, false)
	writeFile(t, dir, name, data)
	return dir, sha256.Sum256(data)
}

// TestCompareClients: ours against curl, atftp and tftp-hpa, all fetching
// the same 50 MB file from the same atftpd on loopback: first each at its
// defaults, then ours and atftp with equal options (more runs: the two are
// close and loopback timings on two shared cores spread by ±10%), then our
// client at other window sizes.
func TestCompareClients(t *testing.T) {
	needBench(t)
	const size, runs, equalRuns = 50 << 20, 7, 25
	dir, want := benchFile(t, "f50.bin", size)
	d := startAtftpd(t, dir)
	host, port, _ := net.SplitHostPort(d.addr)
	out := t.TempDir()
	local := filepath.Join(out, "f50.bin")
	curl, atftp, tftpHPA := peerCurl.need(t), peerAtftp.need(t), peerTftpHPA.need(t)
	const sc = "50 MB from atftpd, loopback"
	ours := func(opts string, blk, win int) *benchCase {
		return oursCase(sc, opts, size, want, clientWith(d.addr, blk, win), "f50.bin", out, "")
	}
	atftpWith := func(blk, win int) *benchCase {
		return toolCase(sc, "atftp", fmt.Sprintf("blksize %d ws %d", blk, win), size, want, local, atftp,
			"--option", fmt.Sprintf("blksize %d", blk), "--option", fmt.Sprintf("windowsize %d", win), "-g", "-r", "f50.bin", "-l", local, host, port)
	}
	defaults := []*benchCase{
		ours("defaults: blksize 1468 ws 8", DefaultClientBlockSize, DefaultClientWindowSize),
		toolCase(sc, "curl", "defaults (blksize 512)", size, want, local, curl, "-sS", "tftp://"+d.addr+"/f50.bin", "-o", local),
		toolCase(sc, "atftp", "defaults (no options)", size, want, local, atftp, "-g", "-r", "f50.bin", "-l", local, host, port),
		toolCase(sc, "tftp-hpa", "defaults (no options)", size, want, local, tftpHPA, "-m", "binary", host, port, "-c", "get", "f50.bin", local),
	}
	printTable(t, "Clients at their defaults, 50 MB from atftpd on loopback", runInterleaved(t, defaults, runs))

	equal := []*benchCase{
		ours("blksize 1468 ws 16", 1468, 16),
		atftpWith(1468, 16),
		ours("blksize 1468 ws 8", 1468, 8),
		atftpWith(1468, 8),
	}
	// Without the SHA-256 that atftp does not compute: the protocol path alone.
	for _, w := range []int{16, 8} {
		c := clientWith(d.addr, 1468, w)
		c.NoHash = true
		equal = append(equal, oursCase(sc, fmt.Sprintf("blksize 1468 ws %d, no SHA-256", w), size, want, c, "f50.bin", out, ""))
	}
	// What the blocking socket and its polling are worth.
	equal = append(equal,
		withSetting(ours("blksize 1468 ws 16, runtime poller", 1468, 16), &blockingSockets, false),
		withSetting(ours("blksize 1468 ws 16, no polling", 1468, 16), &spinMax, 0),
	)
	printTable(t, "Clients with equal options, 50 MB from atftpd on loopback", runInterleaved(t, equal, equalRuns))

	// Other windows, to choose the default.
	var windows []*benchCase
	for _, w := range []int{1, 4, 32, 64} {
		windows = append(windows, ours(fmt.Sprintf("blksize 1468 ws %d", w), 1468, w))
	}
	windows = append(windows, ours("blksize 8192 ws 8", 8192, 8))
	printTable(t, "Our client at other window sizes, 50 MB from atftpd on loopback", runInterleaved(t, windows, runs))
}

// withSetting runs c with *v set to val, restoring it afterwards.
func withSetting[T any](c *benchCase, v *T, val T) *benchCase {
	run := c.run
	c.run = func(ctx context.Context) (time.Duration, error) {
		saved := *v
		*v = val
		defer func() { *v = saved }()
		return run(ctx)
	}
	return c
}

// TestCompareClientsLossy: 2 MB from atftpd over a link dropping 5% of the
// packets each way, in network namespaces: ours (at several window sizes)
// against atftp and tftp-hpa.
func TestCompareClientsLossy(t *testing.T) {
	needBench(t)
	const size, runs = 2 << 20, 5
	l := newLossyLink(t, 5)
	dir, want := benchFile(t, "f2.bin", size)
	addr := l.startAtftpd(t, dir)
	atftp, tftpHPA := peerAtftp.need(t), peerTftpHPA.need(t)
	out := t.TempDir()
	local := filepath.Join(out, "f2.bin")
	const sc = "2 MB from atftpd, 5% loss each way"
	cases := []*benchCase{oursCase(sc, "defaults: blksize 1468 ws 8", size, want, NewClient(addr), "f2.bin", out, l.nsB)}
	for _, w := range []int{4, 16, 32} {
		cases = append(cases, oursCase(sc, fmt.Sprintf("blksize 1468 ws %d", w), size, want, clientWith(addr, 1468, w), "f2.bin", out, l.nsB))
	}
	inB := []string{l.ip, "netns", "exec", l.nsB}
	cases = append(cases,
		toolCase(sc, "atftp", "defaults (no options)", size, want, local, append(inB, atftp, "-g", "-r", "f2.bin", "-l", local, l.addrA, "6969")...),
		toolCase(sc, "atftp", "blksize 1468 ws 8", size, want, local, append(inB, atftp, "--option", "blksize 1468", "--option", "windowsize 8",
			"-g", "-r", "f2.bin", "-l", local, l.addrA, "6969")...),
		toolCase(sc, "tftp-hpa", "defaults (no options)", size, want, local, append(inB, tftpHPA, "-m", "binary", l.addrA, "6969", "-c", "get", "f2.bin", local)...),
	)
	printTable(t, "Clients, 2 MB from atftpd at 5% loss each way (per-run limit 120 s)", runInterleaved(t, cases, runs))
}

// TestCompareServers: curl, atftp and our client fetch the same 50 MB file
// from our server, tftpd-hpa and atftpd, with equal options.
func TestCompareServers(t *testing.T) {
	needBench(t)
	const size, runs = 50 << 20, 7
	dir, want := benchFile(t, "f50.bin", size)
	curl, atftp := peerCurl.need(t), peerAtftp.need(t)
	servers := []struct{ name, addr string }{
		{"ours", startOursProcess(t, dir)},
		{"tftpd-hpa", startTftpdHPA(t, dir).addr},
		{"atftpd", startAtftpd(t, dir).addr},
	}
	out := t.TempDir()
	local := filepath.Join(out, "f50.bin")
	var cases []*benchCase
	for _, client := range []string{"curl", "atftp ws16", "atftp ws8", "ours"} {
		for _, s := range servers {
			host, port, _ := net.SplitHostPort(s.addr)
			sc := "50 MB from " + s.name + ", loopback"
			switch client {
			case "curl":
				cases = append(cases, toolCase(sc, "curl", "blksize 1468", size, want, local,
					curl, "-sS", "--tftp-blksize", "1468", "tftp://"+s.addr+"/f50.bin", "-o", local))
			case "atftp ws16", "atftp ws8":
				ws := strings.TrimPrefix(strings.Fields(client)[1], "ws")
				cases = append(cases, toolCase(sc, "atftp", "blksize 1468 ws "+ws, size, want, local,
					atftp, "--option", "blksize 1468", "--option", "windowsize "+ws, "-g", "-r", "f50.bin", "-l", local, host, port))
			case "ours":
				cases = append(cases, oursCase(sc, "defaults: blksize 1468 ws 8", size, want, NewClient(s.addr), "f50.bin", out, ""))
			}
		}
	}
	printTable(t, "Servers, 50 MB on loopback (tftpd-hpa has no windowsize: it runs those with ws 1)", runInterleaved(t, cases, runs))
}

// startOursProcess runs our server as a separate process (the test binary in
// helper mode), like the other daemons.
func startOursProcess(t *testing.T, dir string) string {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, "env", "NETDEBUG_TFTP_HELPER=server", "NETDEBUG_TFTP_ROOT="+dir, "NETDEBUG_TFTP_ADDR=127.0.0.1:PORT", exe)
	return d.addr
}
