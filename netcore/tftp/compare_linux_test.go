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
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The comparisons run only under NETDEBUG_BENCH=1 (`make bench`): they move
// gigabytes and take minutes. Every tool fetches the same file from the same
// server; runs are interleaved (one run of each case in a shuffled order,
// then the next round), so a machine that gets busier or quieter affects all
// tools alike, and every case gets the same number of runs. Every client,
// ours included, is timed as a whole process from fork to exit (namespace
// entry included on the lossy link): ours is this test binary re-run as a
// download helper (helperGet, the code path of `netdebug tftp get`), built
// before the clock starts like the other tools. The file is verified after
// the clock stops. A run of ours that fails fails the comparison; a peer's
// failure is counted in its row.

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

func (r benchRow) sorted() []time.Duration {
	s := slices.Clone(r.times)
	slices.Sort(s)
	return s
}

func (r benchRow) median() (time.Duration, bool) {
	if len(r.times) == 0 {
		return 0, false
	}
	return r.sorted()[len(r.times)/2], true
}

func (r benchRow) spread() (lo, med, hi time.Duration, ok bool) {
	if len(r.times) == 0 {
		return 0, 0, 0, false
	}
	s := r.sorted()
	return s[0], s[len(s)/2], s[len(s)-1], true
}

func (r benchRow) name() string { return r.tool + " (" + r.options + ")" }

// benchCase is one row: run performs one transfer and returns how long the
// transfer took.
type benchCase struct {
	row     benchRow
	run     func(ctx context.Context) (time.Duration, error)
	timeout time.Duration
	// reference: a row of ours kept to show what a setting is worth, known
	// to outlast the limit; running out of time is counted, not a failure
	// (any other error of it still fails the comparison).
	reference bool
}

func runInterleaved(t *testing.T, cases []*benchCase, runs int) []benchRow {
	order := slices.Clone(cases)
	for i := range runs {
		// A new order every round, so no case always follows the same one.
		rand.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
		for _, c := range order {
			ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
			d, err := c.run(ctx)
			cancel()
			if err != nil {
				c.row.failed++
				msg := fmt.Sprintf("%s / %s run %d failed: %v", c.row.scenario, c.row.name(), i, firstLine(err.Error()))
				if c.row.tool == "ours" && !(c.reference && errors.Is(err, context.DeadlineExceeded)) {
					t.Error(msg)
				} else {
					t.Log(msg)
				}
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

// printTable prints min, median and max of every row with its MB/s at the
// median and how many of its runs finished.
func printTable(t *testing.T, title string, rows []benchRow) {
	var b strings.Builder
	fmt.Fprintf(&b, "\n%s\n", title)
	fmt.Fprintf(&b, "%-34s %-9s %-44s %8s %8s %8s %7s %7s\n", "scenario", "tool", "options", "min", "median", "max", "MB/s", "ok/runs")
	for _, r := range rows {
		lo, med, hi, ok := r.spread()
		cols := [4]string{"-", "-", "-", "-"}
		if ok {
			cols = [4]string{fmt.Sprintf("%.3fs", lo.Seconds()), fmt.Sprintf("%.3fs", med.Seconds()), fmt.Sprintf("%.3fs", hi.Seconds()),
				fmt.Sprintf("%.1f", float64(r.size)/1e6/med.Seconds())}
		}
		fmt.Fprintf(&b, "%-34s %-9s %-44s %8s %8s %8s %7s %4d/%d\n", r.scenario, r.tool, r.options, cols[0], cols[1], cols[2], cols[3],
			len(r.times), len(r.times)+r.failed)
	}
	t.Log(b.String())
	fmt.Print(b.String())
}

// claimFaster checks a lead the README states: every run of fast finished,
// fast's slowest run beat slow's fastest finished run (a lead beyond the
// spread; a slow run that did not finish counts as slower than any), and
// slow's median is at least ratio times fast's. It says plainly whether the
// claim holds in this run and fails the comparison when it does not.
func claimFaster(t *testing.T, fast, slow benchRow, ratio float64) {
	t.Helper()
	claim := fmt.Sprintf("%s: %s at least %.1f× faster than %s, beyond the spread", fast.scenario, fast.name(), ratio, slow.name())
	flo, fmed, fhi, fok := fast.spread()
	slo, smed, _, sok := slow.spread()
	var why string
	switch {
	case !fok || fast.failed > 0:
		why = fmt.Sprintf("%s finished %d of %d runs", fast.name(), len(fast.times), len(fast.times)+fast.failed)
	case !sok:
		// The slow side never finished: the lead holds by any ratio.
	case fhi >= slo:
		why = fmt.Sprintf("the spreads overlap: %s %.3f–%.3f s, %s from %.3f s", fast.name(), flo.Seconds(), fhi.Seconds(), slow.name(), slo.Seconds())
	case float64(smed) < ratio*float64(fmed):
		why = fmt.Sprintf("median ratio %.2f× (%.3f s against %.3f s)", float64(smed)/float64(fmed), smed.Seconds(), fmed.Seconds())
	}
	if why != "" {
		msg := "README CLAIM DOES NOT HOLD in this run: " + claim + ": " + why
		fmt.Println(msg)
		t.Error(msg)
		return
	}
	fmt.Println("README claim holds in this run: " + claim)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}

// procCase runs a client process (argv, with extra environment and
// standard input) that writes local, then checks local.
func procCase(scenario, tool, opts string, size int, want [32]byte, local string, env []string, stdin string, argv ...string) *benchCase {
	return &benchCase{row: benchRow{scenario: scenario, tool: tool, options: opts, size: size}, timeout: 120 * time.Second,
		run: func(ctx context.Context) (time.Duration, error) {
			// The previous run's file is removed before the clock starts:
			// replacing a 50 MB file costs the file system about 15 ms.
			_ = os.Remove(local)
			cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
			if env != nil {
				cmd.Env = append(os.Environ(), env...)
			}
			if stdin != "" {
				cmd.Stdin = strings.NewReader(stdin)
			}
			start := time.Now()
			out, err := cmd.CombinedOutput()
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

// toolCase runs an external client that writes local, then checks local.
func toolCase(scenario, tool, opts string, size int, want [32]byte, local string, argv ...string) *benchCase {
	return procCase(scenario, tool, opts, size, want, local, nil, "", argv...)
}

// oursCase downloads remote from addr into local with our client as a
// process (inside namespace ns if set). flags are helperGet's settings.
func oursCase(t *testing.T, scenario, opts string, size int, want [32]byte, addr, remote, local, ns string, flags ...string) *benchCase {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	argv := []string{exe}
	if ns != "" {
		argv = []string{peerIP.need(t), "netns", "exec", ns, exe}
	}
	env := []string{"NETDEBUG_TFTP_HELPER=get", "NETDEBUG_TFTP_ADDR=" + addr, "NETDEBUG_TFTP_FILE=" + remote,
		"NETDEBUG_TFTP_OUT=" + local, "NETDEBUG_TFTP_FLAGS=" + strings.Join(flags, ",")}
	return procCase(scenario, "ours", opts, size, want, local, env, "", argv...)
}

func init() { helpers["get"] = helperGet }

// helperGet downloads NETDEBUG_TFTP_FILE from NETDEBUG_TFTP_ADDR into the
// path NETDEBUG_TFTP_OUT with NewClient's defaults changed by
// NETDEBUG_TFTP_FLAGS (comma-separated: blksize=N, ws=N, nohash,
// noutimeout, poller=runtime, spin=0), as `netdebug tftp get` does.
func helperGet() int {
	c := NewClient(os.Getenv("NETDEBUG_TFTP_ADDR"))
	for _, f := range strings.Split(os.Getenv("NETDEBUG_TFTP_FLAGS"), ",") {
		name, val, _ := strings.Cut(f, "=")
		n, _ := strconv.Atoi(val)
		switch name {
		case "":
		case "blksize":
			c.BlockSize = n
		case "ws":
			c.WindowSize = n
		case "nohash":
			c.NoHash = true
		case "noutimeout":
			c.ShortServerTimeout = false
		case "poller":
			blockingSockets = false
		case "spin":
			spinMax = 0
		default:
			fmt.Fprintf(os.Stderr, "unknown flag %q\n", f)
			return 2
		}
	}
	out := os.Getenv("NETDEBUG_TFTP_OUT")
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	_, res, err := DownloadFile(ctx, c, os.Getenv("NETDEBUG_TFTP_FILE"), filepath.Dir(out), filepath.Base(out), true)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Fprintf(os.Stderr, "%v %+v\n", res.Options, res.Stats)
	return 0
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
// client at other window sizes. On loopback nothing is lost, so the expert
// setting for atftp is simply the options ours uses; curl and tftp-hpa
// have no windowsize.
func TestCompareClients(t *testing.T) {
	needBench(t)
	const size, runs, equalRuns = 50 << 20, 7, 25
	dir, want := benchFile(t, "f50.bin", size)
	d := startAtftpd(t, dir)
	host, port, _ := net.SplitHostPort(d.addr)
	local := filepath.Join(t.TempDir(), "f50.bin")
	curl, atftp, tftpHPA := peerCurl.need(t), peerAtftp.need(t), peerTftpHPA.need(t)
	const sc = "50 MB from atftpd, loopback"
	ours := func(opts string, flags ...string) *benchCase {
		return oursCase(t, sc, opts, size, want, d.addr, "f50.bin", local, "", flags...)
	}
	atftpWith := func(blk, win int) *benchCase {
		return toolCase(sc, "atftp", fmt.Sprintf("blksize %d ws %d", blk, win), size, want, local, atftp,
			"--option", fmt.Sprintf("blksize %d", blk), "--option", fmt.Sprintf("windowsize %d", win), "-g", "-r", "f50.bin", "-l", local, host, port)
	}
	defaults := []*benchCase{
		ours("defaults: blksize 1468 ws 8"),
		toolCase(sc, "curl", "defaults (blksize 512)", size, want, local, curl, "-sS", "tftp://"+d.addr+"/f50.bin", "-o", local),
		toolCase(sc, "atftp", "defaults (no options)", size, want, local, atftp, "-g", "-r", "f50.bin", "-l", local, host, port),
		toolCase(sc, "tftp-hpa", "defaults (no options)", size, want, local, tftpHPA, "-m", "binary", host, port, "-c", "get", "f50.bin", local),
	}
	rows := runInterleaved(t, defaults, runs)
	printTable(t, "Clients at their defaults, 50 MB from atftpd on loopback (whole processes)", rows)
	// The README's claim: ours at its defaults is more than three times as
	// fast as each of the others at theirs.
	for _, r := range rows[1:] {
		claimFaster(t, rows[0], r, 3)
	}

	equal := []*benchCase{
		ours("blksize 1468 ws 16", "ws=16"),
		atftpWith(1468, 16),
		ours("blksize 1468 ws 8", "ws=8"),
		atftpWith(1468, 8),
	}
	// Without the SHA-256 that atftp does not compute: the protocol path alone.
	for _, w := range []int{16, 8} {
		equal = append(equal, ours(fmt.Sprintf("blksize 1468 ws %d, no SHA-256", w), fmt.Sprintf("ws=%d", w), "nohash"))
	}
	// What the blocking socket and its polling are worth.
	equal = append(equal,
		ours("blksize 1468 ws 16, runtime poller", "ws=16", "poller=runtime"),
		ours("blksize 1468 ws 16, no polling", "ws=16", "spin=0"),
	)
	printTable(t, "Clients with equal options, 50 MB from atftpd on loopback (whole processes)", runInterleaved(t, equal, equalRuns))

	// Other windows, to choose the default.
	var windows []*benchCase
	for _, w := range []int{1, 4, 32, 64} {
		windows = append(windows, ours(fmt.Sprintf("blksize 1468 ws %d", w), fmt.Sprintf("ws=%d", w)))
	}
	windows = append(windows, ours("blksize 8192 ws 8", "blksize=8192"))
	printTable(t, "Our client at other window sizes, 50 MB from atftpd on loopback (whole processes)", runInterleaved(t, windows, runs))
}

// lossyLimit is the per-run limit on the lossy link, the same for every
// tool: three times the slowest row that finishes (ours from tftpd-hpa with
// utimeout, 5-6 s). Whatever waits for tftpd-hpa's own one-second timer on
// every lost packet (about 150 of them for 2 MB in 1468-byte blocks) takes
// minutes, as do clients at a 5 s retransmit timeout; they are reported as
// not finished, and every case still gets all its runs.
const lossyLimit = 20 * time.Second

// TestCompareClientsLossy: 2 MB over a link dropping 5% of the packets each
// way, in network namespaces, from atftpd (which has windowsize) and from
// tftpd-hpa (lock-step). Each client runs with the settings an expert would
// choose for that link, against both servers, and at its defaults against
// atftpd:
//   - ours: the defaults are the expert setting (adaptive retransmit timer
//     from 15 ms; utimeout against lock-step servers); from tftpd-hpa also
//     without utimeout, which is the gain it brings;
//   - atftp: blksize 1468, windowsize 8 (atftpd only) and --tftp-timeout 1,
//     its shortest retransmit timeout (whole seconds);
//   - tftp-hpa: rexmt 1, its shortest, and a total timeout of 60 s (it has
//     no blksize or windowsize).
func TestCompareClientsLossy(t *testing.T) {
	needBench(t)
	// Four runs each: rows that never finish cost the limit every time.
	const size, runs = 2 << 20, 4
	l := newLossyLink(t, 5)
	dir, want := benchFile(t, "f2.bin", size)
	servers := []struct{ name, addr string }{
		{"atftpd", l.startAtftpd(t, dir)},
		{"tftpd-hpa", l.startTftpdHPA(t, dir)},
	}
	atftp, tftpHPA := peerAtftp.need(t), peerTftpHPA.need(t)
	local := filepath.Join(t.TempDir(), "f2.bin")
	inB := []string{l.ip, "netns", "exec", l.nsB}
	var cases []*benchCase
	add := func(c *benchCase) *benchCase {
		c.timeout = lossyLimit
		cases = append(cases, c)
		return c
	}
	var oursAtftpd, atftpExpert, oursHPA, oursHPANoU, atftpExpertHPA *benchCase
	for _, s := range servers {
		host, port, _ := net.SplitHostPort(s.addr)
		sc := "2 MB from " + s.name + ", 5% loss each way"
		if s.name == "atftpd" {
			oursAtftpd = add(oursCase(t, sc, "defaults: blksize 1468 ws 8", size, want, s.addr, "f2.bin", local, l.nsB))
			add(oursCase(t, sc, "blksize 1468 ws 16", size, want, s.addr, "f2.bin", local, l.nsB, "ws=16"))
			atftpExpert = add(toolCase(sc, "atftp", "expert: blksize 1468 ws 8, timeout 1 s", size, want, local, append(inB, atftp,
				"--option", "blksize 1468", "--option", "windowsize 8", "--tftp-timeout", "1", "-g", "-r", "f2.bin", "-l", local, host, port)...))
		} else {
			oursHPA = add(oursCase(t, sc, "defaults: blksize 1468, utimeout", size, want, s.addr, "f2.bin", local, l.nsB))
			oursHPANoU = add(oursCase(t, sc, "blksize 1468, no utimeout", size, want, s.addr, "f2.bin", local, l.nsB, "noutimeout"))
			oursHPANoU.reference = true
			atftpExpertHPA = add(toolCase(sc, "atftp", "expert: blksize 1468, timeout 1 s", size, want, local, append(inB, atftp,
				"--option", "blksize 1468", "--tftp-timeout", "1", "-g", "-r", "f2.bin", "-l", local, host, port)...))
		}
		add(procCase(sc, "tftp-hpa", "expert: rexmt 1 s, timeout 60 s", size, want, local, nil,
			fmt.Sprintf("binary\nrexmt 1\ntimeout 60\nget f2.bin %s\nquit\n", local), append(inB, tftpHPA, host, port)...))
		if s.name == "atftpd" {
			add(toolCase(sc, "atftp", "defaults (no options, timeout 5 s)", size, want, local, append(inB, atftp, "-g", "-r", "f2.bin", "-l", local, host, port)...))
			add(toolCase(sc, "tftp-hpa", "defaults (rexmt 5 s, timeout 25 s)", size, want, local, append(inB, tftpHPA, "-m", "binary", host, port, "-c", "get", "f2.bin", local)...))
		}
	}
	rows := runInterleaved(t, cases, runs)
	printTable(t, fmt.Sprintf("Clients, 2 MB at 5%% loss each way (whole processes in a network namespace; per-run limit %v)", lossyLimit), rows)
	row := func(c *benchCase) benchRow {
		for _, r := range rows {
			if r.scenario == c.row.scenario && r.name() == c.row.name() {
				return r
			}
		}
		t.Fatalf("no row %s", c.row.name())
		return benchRow{}
	}
	// The README's claims: ours is ahead of atftp at its expert setting
	// from both servers, and utimeout more than halves the time from
	// tftpd-hpa.
	claimFaster(t, row(oursAtftpd), row(atftpExpert), 2)
	claimFaster(t, row(oursHPA), row(atftpExpertHPA), 2)
	claimFaster(t, row(oursHPA), row(oursHPANoU), 2)
}

// TestCompareServers: curl, atftp and our client fetch the same 50 MB file
// from our server, tftpd-hpa and atftpd, each client with the same options
// against every server. tftpd-hpa has no windowsize, so it serves the
// windowed clients lock-step (ws 1).
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
	local := filepath.Join(t.TempDir(), "f50.bin")
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
				opts := "blksize 1468 ws " + ws
				if s.name == "tftpd-hpa" {
					opts += " (runs ws 1)"
				}
				cases = append(cases, toolCase(sc, "atftp", opts, size, want, local,
					atftp, "--option", "blksize 1468", "--option", "windowsize "+ws, "-g", "-r", "f50.bin", "-l", local, host, port))
			case "ours":
				opts := "defaults: blksize 1468 ws 8"
				if s.name == "tftpd-hpa" {
					opts = "defaults: blksize 1468 (runs ws 1)"
				}
				cases = append(cases, oursCase(t, sc, opts, size, want, s.addr, "f50.bin", local, ""))
			}
		}
	}
	rows := runInterleaved(t, cases, runs)
	// The README states no lead for our server: in the run it was last
	// regenerated from, ours was behind both to curl.
	printTable(t, "Servers, 50 MB on loopback (clients as whole processes; tftpd-hpa has no windowsize: it runs those with ws 1)", rows)
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
