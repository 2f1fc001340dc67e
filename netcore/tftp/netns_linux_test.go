package tftp

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// lossyLink is two network namespaces joined by a veth pair, each dropping
// a share of incoming UDP packets at random with nftables.
type lossyLink struct {
	ip          string // path of ip(8)
	nsA, nsB    string
	addrA       string // server side, 10.77.x.1
	addrB       string // client side, 10.77.x.2
	lossPerCent int
}

func newLossyLink(t testing.TB, lossPerCent int) *lossyLink {
	t.Helper()
	if runtime.GOOS != "linux" {
		skipOrFail(t, "network namespaces are Linux only")
	}
	if os.Geteuid() != 0 {
		skipOrFail(t, "the lossy link needs root for network namespaces and nftables")
	}
	ipBin := peerIP.need(t)
	nftBin := peerNft.need(t)
	var r [3]byte
	_, _ = rand.Read(r[:])
	id := hex.EncodeToString(r[:])
	n, _ := rand.Int(rand.Reader, big.NewInt(250))
	subnet := fmt.Sprintf("10.77.%d", n.Int64()+2)
	l := &lossyLink{ip: ipBin, nsA: "ndtA" + id, nsB: "ndtB" + id, addrA: subnet + ".1", addrB: subnet + ".2", lossPerCent: lossPerCent}
	vethA, vethB := "vA"+id, "vB"+id
	run := func(argv ...string) error {
		out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s: %v: %s", strings.Join(argv, " "), err, strings.TrimSpace(string(out)))
		}
		return nil
	}
	t.Cleanup(func() {
		_ = run(ipBin, "netns", "del", l.nsA)
		_ = run(ipBin, "netns", "del", l.nsB)
	})
	steps := [][]string{
		{ipBin, "netns", "add", l.nsA},
		{ipBin, "netns", "add", l.nsB},
		{ipBin, "link", "add", vethA, "type", "veth", "peer", "name", vethB},
		{ipBin, "link", "set", vethA, "netns", l.nsA},
		{ipBin, "link", "set", vethB, "netns", l.nsB},
		{ipBin, "-n", l.nsA, "addr", "add", l.addrA + "/24", "dev", vethA},
		{ipBin, "-n", l.nsB, "addr", "add", l.addrB + "/24", "dev", vethB},
		{ipBin, "-n", l.nsA, "link", "set", vethA, "up"},
		{ipBin, "-n", l.nsB, "link", "set", vethB, "up"},
		{ipBin, "-n", l.nsA, "link", "set", "lo", "up"},
		{ipBin, "-n", l.nsB, "link", "set", "lo", "up"},
	}
	for _, ns := range []string{l.nsA, l.nsB} {
		nft := []string{ipBin, "netns", "exec", ns, nftBin}
		steps = append(steps,
			append(nft, "add", "table", "inet", "loss"),
			append(nft, "add", "chain", "inet", "loss", "input", "{ type filter hook input priority 0; }"),
			append(nft, "add", "rule", "inet", "loss", "input", "meta", "l4proto", "udp",
				"numgen", "random", "mod", "100", "<", fmt.Sprint(lossPerCent), "drop"))
	}
	for _, s := range steps {
		if err := run(s...); err != nil {
			skipOrFail(t, "cannot build the lossy link: %v", err)
		}
	}
	return l
}

// command runs argv inside namespace ns.
func (l *lossyLink) command(ctx context.Context, ns string, argv ...string) *exec.Cmd {
	return exec.CommandContext(ctx, l.ip, append([]string{"netns", "exec", ns}, argv...)...)
}

// inNetns runs fn on an OS thread moved into namespace ns, so sockets fn
// creates live there. The thread is never unlocked, so the runtime retires
// it when fn returns instead of reusing it elsewhere.
func inNetns(ns string, fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		f, err := os.Open(filepath.Join("/var/run/netns", ns))
		if err != nil {
			errc <- err
			return
		}
		err = unix.Setns(int(f.Fd()), unix.CLONE_NEWNET)
		f.Close()
		if err != nil {
			errc <- fmt.Errorf("setns %s: %w", ns, err)
			return
		}
		errc <- fn()
	}()
	return <-errc
}

// startAtftpdIn runs atftpd in namespace A on port 6969.
func (l *lossyLink) startAtftpd(t testing.TB, dir string) string {
	bin := peerAtftpd.need(t)
	return l.startServerProc(t, exec.Command(l.ip, "netns", "exec", l.nsA, bin, "--daemon", "--no-fork", "--port", "6969",
		"--bind-address", l.addrA, "--logfile", "-", "--verbose=5", dir))
}

// startOurs runs our server, as a helper process of the test binary, in
// namespace A on port 6969.
func (l *lossyLink) startOurs(t testing.TB, dir string) string {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(l.ip, "netns", "exec", l.nsA, exe)
	cmd.Env = append(os.Environ(), "NETDEBUG_TFTP_HELPER=server", "NETDEBUG_TFTP_ROOT="+dir,
		"NETDEBUG_TFTP_ADDR="+net.JoinHostPort(l.addrA, "6969"))
	return l.startServerProc(t, cmd)
}

// startTftpdHPA runs tftpd-hpa in namespace A on port 6970, so it can run
// beside one of the others.
func (l *lossyLink) startTftpdHPA(t testing.TB, dir string) string {
	bin := peerTftpdHPA.need(t)
	addr := net.JoinHostPort(l.addrA, "6970")
	return l.startServerProcAt(t, exec.Command(l.ip, "netns", "exec", l.nsA, bin, "--listen", "--foreground",
		"--address", addr, "--secure", dir), addr)
}

func (l *lossyLink) startServerProc(t testing.TB, cmd *exec.Cmd) string {
	return l.startServerProcAt(t, cmd, net.JoinHostPort(l.addrA, "6969"))
}

func (l *lossyLink) startServerProcAt(t testing.TB, cmd *exec.Cmd, addr string) string {
	t.Helper()
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		stdin.Close()
		_ = cmd.Process.Kill()
		<-done
		if t.Failed() || testing.Verbose() {
			t.Logf("server output:\n%s", tail(out.String(), 3000))
		}
	})
	var up bool
	_ = inNetns(l.nsB, func() error { up = probe(addr, done, 10*time.Second); return nil })
	if !up {
		t.Fatalf("server did not come up in %s:\n%s", l.nsA, tail(out.String(), 2000))
	}
	return addr
}

// TestLossyLink: 2 MB downloads over a link that drops 5% of packets each
// way must arrive byte-identical every time: our client from atftpd, atftp
// from our server, and our client with our server in both directions.
func TestLossyLink(t *testing.T) {
	if testing.Short() {
		t.Skip("lossy link runs take tens of seconds")
	}
	l := newLossyLink(t, 5)
	data := testData(2 << 20)
	dir := servedDir(t, true)
	writeFile(t, dir, "f2.bin", data)
	const runs = 10

	download := func(t *testing.T, c *Client, i int) {
		t.Helper()
		dl := t.TempDir()
		var res *Result
		err := inNetns(l.nsB, func() error {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			var err error
			_, res, err = DownloadFile(ctx, c, "f2.bin", dl, "", true)
			return err
		})
		if err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
		got, _ := os.ReadFile(filepath.Join(dl, "f2.bin"))
		checkBytes(t, got, data)
		t.Logf("run %d: %v, %d retransmits, %d timeouts, %d out of order, %d duplicates", i, res.Duration.Round(time.Millisecond),
			res.Stats.Retransmits, res.Stats.Timeouts, res.Stats.OutOfOrder, res.Stats.Duplicates)
	}

	t.Run("ours-from-atftpd", func(t *testing.T) {
		addr := l.startAtftpd(t, dir)
		for i := range runs {
			download(t, NewClient(addr), i)
		}
	})
	t.Run("ours-from-ours", func(t *testing.T) {
		addr := l.startOurs(t, dir)
		for i := range runs / 2 {
			download(t, NewClient(addr), i)
		}
		for i := range 2 {
			name := fmt.Sprintf("up%d.bin", i)
			err := inNetns(l.nsB, func() error {
				ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
				defer cancel()
				_, err := NewClient(addr).Upload(ctx, name, strings.NewReader(string(data)), int64(len(data)))
				return err
			})
			if err != nil {
				t.Fatalf("upload %d: %v", i, err)
			}
			waitFile(t, filepath.Join(dir, name), data)
		}
	})
	t.Run("atftp-from-ours", func(t *testing.T) {
		bin := peerAtftp.need(t)
		l.startOurs(t, dir)
		out := t.TempDir()
		for i := range runs {
			local := filepath.Join(out, fmt.Sprintf("f%d", i))
			ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
			start := time.Now()
			// atftp ignores repeated blocks until its own timer fires; its
			// default of 5 s would make each such stall cost ~13 s.
			msg, err := l.command(ctx, l.nsB, bin, "--option", "blksize 1468", "--option", "windowsize 8", "--tftp-timeout", "1",
				"-g", "-r", "f2.bin", "-l", local, l.addrA, "6969").CombinedOutput()
			cancel()
			if err != nil {
				t.Fatalf("run %d: atftp: %v\n%s", i, err, tail(string(msg), 1500))
			}
			got, _ := os.ReadFile(local)
			checkBytes(t, got, data)
			t.Logf("run %d: %v", i, time.Since(start).Round(time.Millisecond))
		}
	})
}
