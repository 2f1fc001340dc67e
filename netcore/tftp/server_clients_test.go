package tftp

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runTool runs a peer client and fails the test with its output on error.
func runTool(t *testing.T, argv ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, argv[0], argv[1:]...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(argv, " "), err, out)
	}
}

// TestServerRealClients: curl, atftp and tftp-hpa download every size from
// our server, and upload to it when uploads are allowed.
func TestServerRealClients(t *testing.T) {
	root := servedDir(t, false)
	for _, n := range serverSizes {
		writeFile(t, root, sizeName(n), testData(n))
	}
	text := netasciiSample()
	writeFile(t, root, "text.txt", text)
	addr := startServer(t, &Server{Root: root, AllowUpload: true})
	host, port, _ := net.SplitHostPort(addr)
	out := t.TempDir()

	type tool struct {
		name string
		peer peer
		get  func(bin, remote, local string) []string
		put  func(bin, local, remote string) []string
	}
	tools := []tool{
		{"curl-512", peerCurl, func(bin, r, l string) []string {
			return []string{bin, "-sS", "--tftp-blksize", "512", "tftp://" + addr + "/" + r, "-o", l}
		}, func(bin, l, r string) []string { return []string{bin, "-sS", "-T", l, "tftp://" + addr + "/" + r} }},
		{"curl-1468", peerCurl, func(bin, r, l string) []string {
			return []string{bin, "-sS", "--tftp-blksize", "1468", "tftp://" + addr + "/" + r, "-o", l}
		}, nil},
		{"atftp", peerAtftp, func(bin, r, l string) []string {
			return []string{bin, "--option", "blksize 1468", "--option", "windowsize 8", "-g", "-r", r, "-l", l, host, port}
		}, func(bin, l, r string) []string {
			return []string{bin, "--option", "blksize 1468", "--option", "windowsize 8", "-p", "-l", l, "-r", r, host, port}
		}},
		{"tftp-hpa", peerTftpHPA, func(bin, r, l string) []string {
			return []string{bin, "-m", "binary", host, port, "-c", "get", r, l}
		}, func(bin, l, r string) []string { return []string{bin, "-m", "binary", host, port, "-c", "put", l, r} }},
	}
	for _, tl := range tools {
		t.Run(tl.name, func(t *testing.T) {
			bin := tl.peer.need(t)
			for _, n := range serverSizes {
				local := filepath.Join(out, tl.name+"-"+sizeName(n))
				runTool(t, tl.get(bin, sizeName(n), local)...)
				got, err := os.ReadFile(local)
				if err != nil {
					t.Fatal(err)
				}
				checkBytes(t, got, testData(n))
				if tl.put == nil {
					continue
				}
				remote := "up-" + tl.name + "-" + sizeName(n)
				runTool(t, tl.put(bin, local, remote)...)
				waitFile(t, filepath.Join(root, remote), testData(n))
			}
		})
	}
	t.Run("tftp-hpa-netascii", func(t *testing.T) {
		bin := peerTftpHPA.need(t)
		local := filepath.Join(out, "text.txt")
		runTool(t, bin, "-m", "netascii", host, port, "-c", "get", "text.txt", local)
		got, _ := os.ReadFile(local)
		checkBytes(t, got, text)
		runTool(t, bin, "-m", "netascii", host, port, "-c", "put", local, "up-text.txt")
		waitFile(t, filepath.Join(root, "up-text.txt"), text)
	})
}
