package tftp

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
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
// hundreds of megabytes and take minutes. Each case runs the same file from
// the same server several times and reports the median.

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

func printTable(t *testing.T, title string, rows []benchRow) {
	var b strings.Builder
	fmt.Fprintf(&b, "\n%s\n", title)
	fmt.Fprintf(&b, "%-34s %-9s %-30s %10s %9s %6s\n", "scenario", "tool", "options", "median", "MB/s", "ok")
	for _, r := range rows {
		m, ok := r.median()
		med, rate := "did not finish", "-"
		if ok {
			med = fmt.Sprintf("%.3fs", m.Seconds())
			rate = fmt.Sprintf("%.1f", float64(r.size)/1e6/m.Seconds())
		}
		fmt.Fprintf(&b, "%-34s %-9s %-30s %10s %9s %3d/%d\n", r.scenario, r.tool, r.options, med, rate, len(r.times), len(r.times)+r.failed)
	}
	t.Log(b.String())
	fmt.Print(b.String())
}

// measure runs fn runs times; fn returns an error for a failed or
// incomplete run.
func measure(t *testing.T, row benchRow, runs int, fn func(ctx context.Context) error, timeout time.Duration) benchRow {
	for i := range runs {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		start := time.Now()
		err := fn(ctx)
		d := time.Since(start)
		cancel()
		if err != nil {
			row.failed++
			t.Logf("%s / %s run %d failed after %v: %v", row.scenario, row.tool, i, d.Round(time.Millisecond), firstLine(err.Error()))
			if d >= timeout {
				break // it will not finish the next time either; spare the minutes
			}
			continue
		}
		row.times = append(row.times, d)
	}
	return row
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}

// toolRun runs an external client and checks the file it wrote.
func toolRun(ctx context.Context, want [32]byte, local string, argv ...string) error {
	_ = os.Remove(local)
	out, err := exec.CommandContext(ctx, argv[0], argv[1:]...).CombinedOutput()
	if ctx.Err() != nil {
		return fmt.Errorf("did not finish: %w", ctx.Err())
	}
	if err != nil {
		return fmt.Errorf("%v: %s", err, tail(string(out), 300))
	}
	return checkFile(local, want)
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

// oursRun downloads with our client into dir and checks the file.
func oursRun(ctx context.Context, c *Client, remote, dir string, want [32]byte) error {
	path, res, err := DownloadFile(ctx, c, remote, dir, "", true)
	if err != nil {
		return err
	}
	if res.SHA256 != want {
		return fmt.Errorf("wrong data")
	}
	return checkFile(path, want)
}

// TestCompareClients: ours against curl, atftp and tftp-hpa, all fetching
// the same 50 MB file from the same atftpd on loopback; then the 2 MB
// lossy-link case in network namespaces.
func TestCompareClients(t *testing.T) {
	needBench(t)
	const size, runs = 50 << 20, 5
	data := testData(size)
	want := sha256.Sum256(data)
	dir := servedDir(t, false)
	writeFile(t, dir, "f50.bin", data)
	data = nil
	d := startAtftpd(t, dir)
	host, port, _ := net.SplitHostPort(d.addr)
	out := t.TempDir()
	local := filepath.Join(out, "f50.bin")
	curl, atftp, tftpHPA := peerCurl.need(t), peerAtftp.need(t), peerTftpHPA.need(t)
	const sc = "50 MB from atftpd, loopback"
	var rows []benchRow
	ours := func(opts string, blk, win int) {
		c := clientWith(d.addr, blk, win)
		rows = append(rows, measure(t, benchRow{scenario: sc, tool: "ours", options: opts, size: size}, runs,
			func(ctx context.Context) error { return oursRun(ctx, c, "f50.bin", out, want) }, 120*time.Second))
	}
	tool := func(name, opts string, argv ...string) {
		rows = append(rows, measure(t, benchRow{scenario: sc, tool: name, options: opts, size: size}, runs,
			func(ctx context.Context) error { return toolRun(ctx, want, local, argv...) }, 120*time.Second))
	}
	ours("defaults: blksize 1468 ws 8", DefaultClientBlockSize, DefaultClientWindowSize)
	tool("curl", "defaults (blksize 512)", curl, "-sS", "tftp://"+d.addr+"/f50.bin", "-o", local)
	tool("atftp", "defaults (no options)", atftp, "-g", "-r", "f50.bin", "-l", local, host, port)
	tool("tftp-hpa", "defaults (no options)", tftpHPA, "-m", "binary", host, port, "-c", "get", "f50.bin", local)
	ours("blksize 1468 ws 16", 1468, 16)
	tool("atftp", "blksize 1468 ws 16", atftp, "--option", "blksize 1468", "--option", "windowsize 16", "-g", "-r", "f50.bin", "-l", local, host, port)
	ours("blksize 1468 ws 8", 1468, 8)
	tool("atftp", "blksize 1468 ws 8", atftp, "--option", "blksize 1468", "--option", "windowsize 8", "-g", "-r", "f50.bin", "-l", local, host, port)
	// Window sizes, to choose the default.
	for _, w := range []int{1, 4, 32, 64} {
		ours(fmt.Sprintf("blksize 1468 ws %d", w), 1468, w)
	}
	ours("blksize 8192 ws 8", 8192, 8)
	printTable(t, "Clients, 50 MB from atftpd on loopback", rows)
	d.kill()

	// 2 MB at 5% loss each way.
	l := newLossyLink(t, 5)
	const small = 2 << 20
	sdata := testData(small)
	swant := sha256.Sum256(sdata)
	ldir := servedDir(t, false)
	writeFile(t, ldir, "f2.bin", sdata)
	addr := l.startAtftpd(t, ldir)
	const lsc = "2 MB from atftpd, 5% loss each way"
	const lruns = 5
	lossy := []benchRow{
		measure(t, benchRow{scenario: lsc, tool: "ours", options: "defaults: blksize 1468 ws 8", size: small}, lruns, func(ctx context.Context) error {
			return inNetns(l.nsB, func() error { return oursRun(ctx, NewClient(addr), "f2.bin", out, swant) })
		}, 120*time.Second),
	}
	for _, w := range []int{4, 16, 32} {
		lossy = append(lossy, measure(t, benchRow{scenario: lsc, tool: "ours", options: fmt.Sprintf("blksize 1468 ws %d", w), size: small}, lruns, func(ctx context.Context) error {
			return inNetns(l.nsB, func() error { return oursRun(ctx, clientWith(addr, 1468, w), "f2.bin", out, swant) })
		}, 120*time.Second))
	}
	llocal := filepath.Join(out, "f2.bin")
	ltool := func(name, opts string, argv ...string) {
		lossy = append(lossy, measure(t, benchRow{scenario: lsc, tool: name, options: opts, size: small}, lruns, func(ctx context.Context) error {
			return toolRun(ctx, swant, llocal, append([]string{l.ip, "netns", "exec", l.nsB}, argv...)...)
		}, 120*time.Second))
	}
	ltool("atftp", "defaults (no options)", atftp, "-g", "-r", "f2.bin", "-l", llocal, l.addrA, "6969")
	ltool("atftp", "blksize 1468 ws 8", atftp, "--option", "blksize 1468", "--option", "windowsize 8", "-g", "-r", "f2.bin", "-l", llocal, l.addrA, "6969")
	ltool("tftp-hpa", "defaults (no options)", tftpHPA, "-m", "binary", l.addrA, "6969", "-c", "get", "f2.bin", llocal)
	printTable(t, "Clients, 2 MB from atftpd at 5% loss each way (per-run limit 120 s)", lossy)
}

// TestCompareServers: curl and atftp fetch the same 50 MB file from our
// server, tftpd-hpa and atftpd, with equal options.
func TestCompareServers(t *testing.T) {
	needBench(t)
	const size, runs = 50 << 20, 5
	data := testData(size)
	want := sha256.Sum256(data)
	dir := servedDir(t, false)
	writeFile(t, dir, "f50.bin", data)
	data = nil
	curl, atftp := peerCurl.need(t), peerAtftp.need(t)
	servers := []struct{ name, addr string }{
		{"ours", startOursProcess(t, dir)},
		{"tftpd-hpa", startTftpdHPA(t, dir).addr},
		{"atftpd", startAtftpd(t, dir).addr},
	}
	out := t.TempDir()
	local := filepath.Join(out, "f50.bin")
	var rows []benchRow
	for _, client := range []string{"curl", "atftp ws16", "atftp ws8", "ours"} {
		for _, s := range servers {
			host, port, _ := net.SplitHostPort(s.addr)
			row := benchRow{scenario: "50 MB from " + s.name + ", loopback", tool: strings.Fields(client)[0], size: size}
			var fn func(ctx context.Context) error
			switch client {
			case "curl":
				row.options = "blksize 1468"
				fn = func(ctx context.Context) error {
					return toolRun(ctx, want, local, curl, "-sS", "--tftp-blksize", "1468", "tftp://"+s.addr+"/f50.bin", "-o", local)
				}
			case "atftp ws16", "atftp ws8":
				ws := strings.TrimPrefix(strings.Fields(client)[1], "ws")
				row.options = "blksize 1468 ws " + ws
				fn = func(ctx context.Context) error {
					return toolRun(ctx, want, local, atftp, "--option", "blksize 1468", "--option", "windowsize "+ws, "-g", "-r", "f50.bin", "-l", local, host, port)
				}
			case "ours":
				row.options = "defaults: blksize 1468 ws 8"
				c := NewClient(s.addr)
				fn = func(ctx context.Context) error { return oursRun(ctx, c, "f50.bin", out, want) }
			}
			rows = append(rows, measure(t, row, runs, fn, 120*time.Second))
		}
	}
	printTable(t, "Servers, 50 MB on loopback (tftpd-hpa has no windowsize: it runs those with ws 1)", rows)
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
