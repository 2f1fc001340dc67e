package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/netdebug/netdebug/netcore/tftp"
)

// tftpServer serves dir on 127.0.0.1 with our own engine and returns the
// port.
func tftpServer(t *testing.T, dir string, upload bool) string {
	t.Helper()
	pc, err := tftp.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &tftp.Server{Root: dir, AllowUpload: upload}
	go srv.Serve(pc)
	t.Cleanup(func() { srv.Shutdown(context.Background()) })
	_, port, _ := net.SplitHostPort(pc.LocalAddr().String())
	return port
}

func randomFile(t *testing.T, path string, n int) []byte {
	t.Helper()
	data := make([]byte, n)
	rand.Read(data)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return data
}

func TestTFTPTabDownloadUploadAndErrors(t *testing.T) {
	u, _ := newTestUI(t)
	tt := u.tftpClient
	srvDir, localDir := t.TempDir(), t.TempDir()
	data := randomFile(t, filepath.Join(srvDir, "firmware.bin"), 3<<20)
	port := tftpServer(t, srvDir, true)
	sum := sha256.Sum256(data)

	onUI(func() {
		tt.host.SetText("127.0.0.1")
		tt.port.SetText(port)
		tt.remote.SetText("firmware.bin")
		tt.local.SetText(filepath.Join(localDir, "fw.bin"))
		tt.trace.SetChecked(true)
		test.Tap(tt.download)
	})
	eventually(t, "download done", func() bool { return tt.stop == nil && strings.HasPrefix(tt.status.Text, "Done") })
	got, _ := os.ReadFile(filepath.Join(localDir, "fw.bin"))
	onUI(func() {
		if !bytes.Equal(got, data) {
			t.Fatalf("downloaded %d bytes, differ", len(got))
		}
		if tt.lastSum != hex.EncodeToString(sum[:]) || !strings.Contains(tt.result.Text, tt.lastSum) {
			t.Errorf("result %q", tt.result.Text)
		}
		if !strings.Contains(tt.negotiated.Text, "blksize=1468") || tt.progress.Value() != 1 {
			t.Errorf("options %q, bar %v", tt.negotiated.Text, tt.progress.Value())
		}
		if len(tt.lines) == 0 || !strings.Contains(strings.Join(tt.lines, "\n"), "RRQ") {
			t.Errorf("packet trace %q", tt.lines)
		}
		if len(tt.recent) != 1 || tt.recent[0].Error != "" {
			t.Errorf("recent %+v", tt.recent)
		}
	})

	// Downloading again would replace the file: the tab asks first and
	// keeps the file until the user agrees.
	onUI(func() { test.Tap(tt.download) })
	eventually(t, "asks before replacing", func() bool { return tt.stop == nil && strings.Contains(tt.status.Text, "exists") })
	onUI(func() { tt.start(tftp.Download, true) })
	eventually(t, "replaced", func() bool { return tt.stop == nil && strings.HasPrefix(tt.status.Text, "Done") })

	// A missing file: the server's message, and no file left behind.
	onUI(func() {
		tt.remote.SetText("missing.bin")
		tt.local.SetText(filepath.Join(localDir, "missing.bin"))
		test.Tap(tt.download)
	})
	eventually(t, "server error shown", func() bool {
		return tt.stop == nil && strings.Contains(tt.status.Text, "The server answered with an error") && strings.Contains(tt.status.Text, "TFTP error 1")
	})
	if _, err := os.Stat(filepath.Join(localDir, "missing.bin")); !os.IsNotExist(err) {
		t.Fatal("a file was left behind")
	}
	ents, _ := os.ReadDir(localDir)
	if len(ents) != 1 {
		t.Fatalf("local folder holds %d entries", len(ents))
	}

	// Upload it back under another name.
	onUI(func() {
		tt.local.SetText(filepath.Join(localDir, "fw.bin"))
		tt.remote.SetText("back.bin")
		test.Tap(tt.upload)
	})
	eventually(t, "upload done", func() bool { return tt.stop == nil && strings.HasPrefix(tt.status.Text, "Done") })
	if back, _ := os.ReadFile(filepath.Join(srvDir, "back.bin")); !bytes.Equal(back, data) {
		t.Fatal("uploaded file differs")
	}
}

func TestTFTPTabCancelAndBadInput(t *testing.T) {
	u, _ := newTestUI(t)
	tt := u.tftpClient
	srvDir, localDir := t.TempDir(), t.TempDir()
	randomFile(t, filepath.Join(srvDir, "big.bin"), 64<<20)
	port := tftpServer(t, srvDir, false)
	onUI(func() {
		tt.host.SetText("127.0.0.1")
		tt.port.SetText(port)
		tt.remote.SetText("big.bin")
		tt.local.SetText(filepath.Join(localDir, "big.bin"))
		tt.blksize.SetText("512")
		tt.window.SetText("1")
		test.Tap(tt.download)
		test.Tap(tt.cancel)
	})
	eventually(t, "cancelled", func() bool { return tt.stop == nil && strings.HasPrefix(tt.status.Text, "Cancelled") })
	if ents, _ := os.ReadDir(localDir); len(ents) != 0 {
		t.Fatalf("cancel left %d files", len(ents))
	}
	// Recent transfers say where the cancelled download was going.
	onUI(func() {
		if len(tt.recent) != 1 || !strings.Contains(tt.recent[0].text(), filepath.Join(localDir, "big.bin")+"  ✗ cancelled") {
			t.Errorf("recent %+v", tt.recent)
		}
		if tt.progress.Idle() {
			t.Error("the bar is idle after a cancelled transfer")
		}
	})
	for _, c := range []struct{ host, port, blk, want string }{
		{"", "69", "1468", "the host is empty"},
		{"127.0.0.1", "abc", "1468", "not a number"},
		{"127.0.0.1", port, "7", "blksize must be a whole number from 8 to 65464"},
	} {
		onUI(func() {
			tt.host.SetText(c.host)
			tt.port.SetText(c.port)
			tt.blksize.SetText(c.blk)
			test.Tap(tt.download)
			if tt.stop != nil || !strings.Contains(tt.status.Text, c.want) {
				t.Errorf("%+v: status %q", c, tt.status.Text)
			}
		})
	}
	onUI(func() {
		tt.blksize.SetText("1468")
		tt.port.SetText(port)
		tt.local.SetText(filepath.Join(localDir, "nope.bin"))
		test.Tap(tt.upload)
		if !strings.Contains(tt.status.Text, "not a file that can be read") {
			t.Errorf("upload of a missing file: %q", tt.status.Text)
		}
	})
}

func TestTFTPServerTabServesAndRefusesUploads(t *testing.T) {
	u, _ := newTestUI(t)
	ts := u.tftpServer
	dir := t.TempDir()
	data := randomFile(t, filepath.Join(dir, "kernel.img"), 1<<20)
	onUI(func() {
		ts.root.SetText(dir)
		ts.bind.SetText("127.0.0.1")
		ts.port.SetText("0")
		test.Tap(ts.startBtn)
	})
	var addr string
	eventually(t, "serving", func() bool { addr = ts.addr; return ts.server != nil })
	c := tftp.NewClient(addr)
	var buf bytes.Buffer
	if _, err := c.Download(context.Background(), "kernel.img", &buf); err != nil || !bytes.Equal(buf.Bytes(), data) {
		t.Fatalf("download: %v", err)
	}
	_, err := c.Upload(context.Background(), "up.bin", bytes.NewReader([]byte("x")), 1)
	if err == nil || !strings.Contains(err.Error(), "access violation") {
		t.Fatalf("upload while refused: %v", err)
	}
	eventually(t, "two transfers listed", func() bool {
		return len(ts.rows) == 2 && ts.rows[1].done && !ts.rows[1].failed && ts.rows[0].failed
	})
	// The page counts what it served (the log holds notes, not bytes).
	eventually(t, "the counters", func() bool {
		return strings.Contains(ts.totals.Text, "0 running, 2 finished") && strings.Contains(ts.totals.Text, "sent 1.0 MiB")
	})
	// Allow uploads: stop, tick, start again. A double click on Stop must
	// not start a second server that the first stop then reports stopped.
	onUI(func() {
		test.Tap(ts.startBtn)
		test.Tap(ts.startBtn)
	})
	eventually(t, "stopped", func() bool { return ts.server == nil && ts.startBtn.Text == "Start" && !ts.startBtn.Disabled() })
	onUI(func() {
		ts.allowUpload.SetChecked(true)
		test.Tap(ts.startBtn)
	})
	eventually(t, "serving again", func() bool { addr = ts.addr; return ts.server != nil })
	if _, err := tftp.NewClient(addr).Upload(context.Background(), "up.bin", bytes.NewReader([]byte("hello")), 5); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "up.bin")); string(got) != "hello" {
		t.Fatalf("uploaded %q", got)
	}
	// A folder that does not exist is refused before binding.
	onUI(func() { test.Tap(ts.startBtn) })
	eventually(t, "stopped again", func() bool { return ts.server == nil && ts.startBtn.Text == "Start" })
	onUI(func() {
		ts.root.SetText(filepath.Join(dir, "nope"))
		test.Tap(ts.startBtn)
		if ts.server != nil || !strings.Contains(ts.status.Text, "is not a folder") {
			t.Errorf("missing folder: %q", ts.status.Text)
		}
	})
}

func TestCLITFTP(t *testing.T) {
	srvDir, localDir := t.TempDir(), t.TempDir()
	data := randomFile(t, filepath.Join(srvDir, "a.bin"), 200_000)
	port := tftpServer(t, srvDir, true)
	target := "127.0.0.1:" + port
	code, _, errOut := runCLITest("", "tftp", "get", target, "a.bin", localDir, "--windowsize", "4")
	if got, _ := os.ReadFile(filepath.Join(localDir, "a.bin")); code != 0 || !bytes.Equal(got, data) {
		t.Fatalf("get: %d %s", code, errOut)
	}
	if code, _, errOut := runCLITest("", "tftp", "get", target, "a.bin", localDir); code != 1 || !strings.Contains(errOut, "--overwrite") {
		t.Fatalf("existing file: %d %s", code, errOut)
	}
	if code, _, errOut := runCLITest("", "tftp", "get", target, "none.bin", localDir); code != 1 || !strings.Contains(errOut, "the server said: file not found") {
		t.Fatalf("missing: %d %s", code, errOut)
	}
	if code, _, errOut := runCLITest("", "tftp", "put", target, filepath.Join(localDir, "a.bin"), "b.bin", "--no-options"); code != 0 {
		t.Fatalf("put: %d %s", code, errOut)
	}
	if got, _ := os.ReadFile(filepath.Join(srvDir, "b.bin")); !bytes.Equal(got, data) {
		t.Fatal("put content differs")
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"tftp", "get", target, "a.bin", localDir, "--blksize", "7"}, "blksize"},
		{[]string{"tftp", "get", target, "a.bin", localDir, "--mode", "morse"}, "mode"},
		{[]string{"tftp", "get", "host:99999", "a.bin"}, "out of range"},
		{[]string{"tftp", "fetch"}, "unknown subcommand"},
		{[]string{"tftp", "serve", filepath.Join(srvDir, "nope")}, "is not a folder"},
	} {
		if code, _, errOut := runCLITest("", c.args...); code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: %d %q", c.args, code, errOut)
		}
	}
	// serve: one line per transfer.
	ln, _ := net.ListenPacket("udp", "127.0.0.1:0")
	addr := ln.LocalAddr().String()
	ln.Close()
	done := make(chan string)
	go func() {
		_, out, _ := runCLITest("", "tftp", "serve", srvDir, "--bind", addr, "--wait", "1500ms")
		done <- out
	}()
	var err error
	for i := 0; i < 50; i++ {
		if _, err = tftp.NewClient(addr).Download(context.Background(), "a.bin", new(bytes.Buffer)); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	if out := <-done; !strings.Contains(out, "get a.bin: 200000 bytes") {
		t.Fatalf("serve output %q", out)
	}
}

// TestTFTPTabQuitMidDownloadLeavesNoPart: quitting while a download waits
// for a stalled server cancels it and waits for the engine to remove its
// temporary file before the process would end.
func TestTFTPTabQuitMidDownloadLeavesNoPart(t *testing.T) {
	u, _ := newTestUI(t)
	tt := u.tftpClient
	localDir := t.TempDir()
	// A server that sends block 1 and then nothing.
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	go func() {
		buf := make([]byte, 1500)
		_, from, err := pc.ReadFrom(buf)
		if err != nil {
			return
		}
		block1 := append([]byte{0, 3, 0, 1}, bytes.Repeat([]byte("x"), 512)...)
		pc.WriteTo(block1, from)
	}()
	_, port, _ := net.SplitHostPort(pc.LocalAddr().String())
	onUI(func() {
		tt.host.SetText("127.0.0.1")
		tt.port.SetText(port)
		tt.remote.SetText("big.bin")
		tt.local.SetText(filepath.Join(localDir, "big.bin"))
		test.Tap(tt.download)
	})
	eventually(t, "block 1 written to the temporary file", func() bool {
		entries, _ := os.ReadDir(localDir)
		if len(entries) != 1 || tt.live == nil {
			return false
		}
		tt.live.mu.Lock()
		defer tt.live.mu.Unlock()
		return tt.live.progress.Bytes == 512
	})
	onUI(u.shutdown)
	if entries, _ := os.ReadDir(localDir); len(entries) != 0 {
		t.Fatalf("after quitting, the folder holds %s", entries[0].Name())
	}
}

// TestTFTPTabBrowse: the save dialog picks where a download goes, the open
// dialog an existing file to upload; either fills the local file field.
func TestTFTPTabBrowse(t *testing.T) {
	u, files := newTestUI(t)
	tt := u.tftpClient
	files.save, files.open = "/tmp/saved-here.bin", "/tmp/upload-me.bin"
	onUI(tt.browseSave)
	eventually(t, "save path", func() bool { return tt.local.Text == files.save })
	onUI(tt.browseOpen)
	eventually(t, "open path", func() bool { return tt.local.Text == files.open })
}

// TestTFTPTabSavesToTheDownloadsFolder: with the local file empty, a
// download goes to the XDG download directory (created when missing) and
// the tab says where; the server field is empty with an example in its
// placeholder, and the bar looks idle before the first transfer.
func TestTFTPTabSavesToTheDownloadsFolder(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		t.Skip("XDG user directories are a Linux and BSD convention")
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_DOWNLOAD_DIR", "")
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "cfg"))
	os.MkdirAll(filepath.Join(home, "cfg"), 0o755)
	os.WriteFile(filepath.Join(home, "cfg", "user-dirs.dirs"), []byte("# written by xdg-user-dirs-update\nXDG_DESKTOP_DIR=\"$HOME/Desktop\"\nXDG_DOWNLOAD_DIR=\"$HOME/下载\"\n"), 0o644)
	u, _ := newTestUI(t)
	tt := u.tftpClient
	onUI(func() {
		if tt.host.Text != "" || !strings.Contains(tt.host.PlaceHolder, "192.168.1.10") {
			t.Errorf("server field %q, placeholder %q", tt.host.Text, tt.host.PlaceHolder)
		}
		if !tt.progress.Idle() || tt.progress.Text() != "No transfer yet" {
			t.Errorf("progress before any transfer: idle %v, %q", tt.progress.Idle(), tt.progress.Text())
		}
	})
	srvDir := t.TempDir()
	data := randomFile(t, filepath.Join(srvDir, "small.bin"), 100<<10)
	port := tftpServer(t, srvDir, false)
	want := filepath.Join(home, "下载", "small.bin")
	onUI(func() {
		tt.host.SetText("127.0.0.1")
		tt.port.SetText(port)
		tt.remote.SetText("small.bin")
		tt.local.SetText("")
		test.Tap(tt.download)
		if !strings.Contains(tt.status.Text, want) {
			t.Errorf("status while downloading %q, want the path %s", tt.status.Text, want)
		}
	})
	eventually(t, "download done", func() bool { return tt.stop == nil && strings.HasPrefix(tt.status.Text, "Done") })
	if got, err := os.ReadFile(want); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("the Downloads folder holds %d bytes: %v", len(got), err)
	}
	onUI(func() {
		if !strings.Contains(tt.status.Text, want) {
			t.Errorf("status %q does not say where the file went", tt.status.Text)
		}
	})
}

func TestXDGDownloadDir(t *testing.T) {
	home := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "none"))
	t.Setenv("XDG_DOWNLOAD_DIR", "/srv/dl")
	if d := xdgDownloadDir(home); d != "/srv/dl" {
		t.Errorf("from the environment: %q", d)
	}
	t.Setenv("XDG_DOWNLOAD_DIR", "")
	if d := xdgDownloadDir(home); d != "" {
		t.Errorf("with no user-dirs.dirs: %q", d)
	}
	t.Setenv("XDG_CONFIG_HOME", home)
	os.WriteFile(filepath.Join(home, "user-dirs.dirs"), []byte("XDG_DOWNLOAD_DIR=\"$HOME\"\n"), 0o644)
	if d := xdgDownloadDir(home); d != "" {
		t.Errorf("disabled (the home folder itself): %q", d)
	}
}

// TestTFTPTabPacketList: a wheel notch scrolls three rows; the list
// follows new packets until the user scrolls away from the end, and a
// finished trace opens at the start.
func TestTFTPTabPacketList(t *testing.T) {
	u, _ := newTestUI(t)
	tt := u.tftpClient
	onUI(func() {
		tt.trace.SetChecked(true)
		tt.lines = nil
		for i := 0; i < 300; i++ {
			tt.lines = append(tt.lines, fmt.Sprintf("DATA block=%d", i))
		}
		tt.packets.Resize(fyne.NewSize(500, 300))
		tt.packetWheel.Resize(fyne.NewSize(500, 300))
		tt.packets.Refresh()
		tt.packets.ScrollToTop()
		row := tt.packets.CreateItem().MinSize().Height + theme.Padding()
		if n := int(300 / row); n < 10 {
			t.Errorf("300 px show %d packets", n)
		}
		tt.followPackets = true
		tt.packetWheel.Scrolled(&fyne.ScrollEvent{Scrolled: fyne.NewDelta(0, -25)})
		if got := tt.packets.GetScrollOffset(); got < 3*row-1 || got > 3*row+1 {
			t.Errorf("one notch scrolled %.0f px, want three rows (%.0f)", got, 3*row)
		}
		if tt.followPackets {
			t.Error("still following after scrolling away from the end")
		}
		tt.packets.ScrollToBottom()
		tt.packetWheel.Scrolled(&fyne.ScrollEvent{Scrolled: fyne.NewDelta(0, -25)})
		if !tt.followPackets {
			t.Error("not following at the end")
		}
	})
}

// TestTFTPRecentKeepsTwenty: Recent transfers keeps the last 20, newest
// first, and they come back after a restart.
func TestTFTPRecentKeepsTwenty(t *testing.T) {
	u, _ := newTestUI(t)
	tt := u.tftpClient
	onUI(func() {
		for i := 0; i < 25; i++ {
			tt.remember(recentTransfer{Dir: "get", Server: "127.0.0.1:69", Remote: fmt.Sprintf("f%d.bin", i)})
		}
	})
	if len(tt.recent) != 20 || tt.recent[0].Remote != "f24.bin" || tt.recent[19].Remote != "f5.bin" {
		t.Fatalf("recent: %d, first %q, last %q", len(tt.recent), tt.recent[0].Remote, tt.recent[len(tt.recent)-1].Remote)
	}
	var saved []recentTransfer
	tt.p.load("recent", &saved)
	if len(saved) != 20 || saved[0].Remote != "f24.bin" {
		t.Fatalf("saved: %d", len(saved))
	}
}
