package tftp

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The sizes every peer must get right: empty, one byte, around one classic
// block, exact multiples of the block size (the transfer ends with an empty
// block) and exactly one and a bit more than one window.
var interopSizes = []int{0, 1, 511, 512, 513, 1024, 4 * 1468, 8 * 1468, 8*1468 + 1}

type interopPeer struct {
	name string
	// pin/tftp sometimes answers blksize 1468 with 512 (its options map is
	// walked in random order), which a server may do.
	lowersBlksize bool
	start         func(t *testing.T, dir string) string
	windowed      bool // negotiates windowsize
	uploads       bool
	writeable     bool // dir must be writable by "nobody"
}

var interopPeers = []interopPeer{
	{name: "pin", start: func(t *testing.T, dir string) string { return startPin(t, dir, true) }, uploads: true, lowersBlksize: true},
	{name: "tftpd-hpa", start: func(t *testing.T, dir string) string {
		return startTftpdHPA(t, dir, "--create").addr
	}, uploads: true, writeable: true},
	{name: "atftpd", start: func(t *testing.T, dir string) string { return startAtftpd(t, dir).addr },
		windowed: true, uploads: true, writeable: true},
	{name: "ours", start: func(t *testing.T, dir string) string {
		return startServer(t, &Server{Root: dir, AllowUpload: true})
	}, windowed: true, uploads: true},
}

// TestInterop downloads and uploads every size with default options and
// with plain RFC 1350 requests against each server, plus netascii.
func TestInterop(t *testing.T) {
	for _, p := range interopPeers {
		t.Run(p.name, func(t *testing.T) {
			dir := servedDir(t, p.writeable)
			for _, n := range interopSizes {
				writeFile(t, dir, sizeName(n), testData(n))
			}
			text := netasciiSample()
			writeFile(t, dir, "text.txt", text)
			addr := p.start(t, dir)

			t.Run("download", func(t *testing.T) {
				c := testClient(addr)
				for _, n := range interopSizes {
					res := download(t, c, sizeName(n), testData(n))
					if res.Options.BlockSize != 1468 && !(p.lowersBlksize && res.Options.BlockSize == 512) {
						t.Errorf("%d bytes: blksize %d, want 1468", n, res.Options.BlockSize)
					}
					if want := map[bool]int{true: 8, false: 1}[p.windowed]; res.Options.WindowSize != want {
						t.Errorf("%d bytes: windowsize %d, want %d", n, res.Options.WindowSize, want)
					}
				}
			})
			t.Run("download-rfc1350", func(t *testing.T) {
				c := testClient(addr)
				c.Options = Options{}
				for _, n := range interopSizes[:6] {
					res := download(t, c, sizeName(n), testData(n))
					if res.Options.BlockSize != 512 || res.Options.OACK {
						t.Errorf("plain request negotiated %v", res.Options)
					}
				}
			})
			t.Run("netascii", func(t *testing.T) {
				c := testClient(addr)
				c.Mode = ModeNetASCII
				var mu sync.Mutex
				var over []Progress
				c.OnEvent = func(e Event) {
					// The wire carries CR LF for LF: tsize (the file's size)
					// is not a total for these bytes.
					if e.Progress.Total >= 0 && e.Progress.Bytes > e.Progress.Total {
						mu.Lock()
						over = append(over, e.Progress)
						mu.Unlock()
					}
				}
				download(t, c, "text.txt", text)
				mu.Lock()
				defer mu.Unlock()
				if len(over) > 0 {
					t.Errorf("progress beyond its total: %+v", over[0])
				}
			})
			if !p.uploads {
				return
			}
			t.Run("upload", func(t *testing.T) {
				c := testClient(addr)
				for _, n := range interopSizes {
					name := "up-" + sizeName(n)
					if p.writeable {
						// tftpd-hpa and atftpd running as nobody create files they can write.
						writeFile(t, dir, name, nil)
						_ = os.Chmod(filepath.Join(dir, name), 0o666)
					}
					data := testData(n)
					res, err := c.Upload(context.Background(), name, bytes.NewReader(data), int64(n))
					if err != nil {
						t.Fatalf("upload %d bytes: %v", n, err)
					}
					if res.Bytes != int64(n) {
						t.Errorf("upload %d bytes: result says %d", n, res.Bytes)
					}
					waitFile(t, filepath.Join(dir, name), data)
				}
			})
			t.Run("upload-netascii", func(t *testing.T) {
				c := testClient(addr)
				c.Mode = ModeNetASCII
				name := "up-text.txt"
				if p.writeable {
					writeFile(t, dir, name, nil)
					_ = os.Chmod(filepath.Join(dir, name), 0o666)
				}
				if _, err := c.Upload(context.Background(), name, bytes.NewReader(text), -1); err != nil {
					t.Fatal(err)
				}
				waitFile(t, filepath.Join(dir, name), text)
			})
		})
	}
}

func sizeName(n int) string { return "f" + strconv.Itoa(n) + ".bin" }

// netasciiSample is text with LF line ends whose CR/LF pairs land on block
// boundaries of 512 and 1468 bytes.
func netasciiSample() []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < 20000; i++ {
		b.WriteString(strings.Repeat("x", i%97))
		b.WriteString(" line ")
		b.WriteString(strconv.Itoa(i))
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// waitFile waits for a server to finish writing an uploaded file.
func waitFile(t *testing.T, path string, want []byte) {
	t.Helper()
	var got []byte
	for end := time.Now().Add(3 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		got, _ = os.ReadFile(path)
		if bytes.Equal(got, want) {
			return
		}
	}
	checkBytes(t, got, want)
}

// TestRollover moves 40 MB in 512-byte blocks, so block numbers wrap past
// 65535, from every server (atftpd and ours also with windowsize 16).
func TestRollover(t *testing.T) {
	if testing.Short() {
		t.Skip("40 MB transfers")
	}
	const size = 40 << 20
	data := testData(size)
	for _, p := range interopPeers {
		t.Run(p.name, func(t *testing.T) {
			dir := servedDir(t, false)
			writeFile(t, dir, "big.bin", data)
			addr := p.start(t, dir)
			c := testClient(addr)
			c.BlockSize = 512
			c.WindowSize = 16
			res := download(t, c, "big.bin", data)
			if res.Stats.PacketsReceived < 65536 {
				t.Fatalf("only %d packets: no rollover", res.Stats.PacketsReceived)
			}
			t.Logf("%s: %v, %.1f MB/s, %v", p.name, res.Duration.Round(time.Millisecond), res.Rate/1e6, res.Options)
		})
	}
}

// TestRolloverUpload sends 40 MB in 512-byte blocks to our server, so the
// block numbers of an upload wrap past 65535 too, lock-step and windowed.
func TestRolloverUpload(t *testing.T) {
	if testing.Short() {
		t.Skip("40 MB transfers")
	}
	const size = 40 << 20
	data := testData(size)
	dir := servedDir(t, false)
	addr := startServer(t, &Server{Root: dir, AllowUpload: true, Overwrite: true})
	for _, w := range []int{1, 16} {
		t.Run(fmt.Sprintf("ws%d", w), func(t *testing.T) {
			c := testClient(addr)
			c.BlockSize, c.WindowSize = 512, w
			res, err := c.Upload(context.Background(), "big.bin", bytes.NewReader(data), size)
			if err != nil {
				t.Fatal(err)
			}
			if res.Stats.PacketsSent < 65536 {
				t.Fatalf("only %d packets: no rollover", res.Stats.PacketsSent)
			}
			got, err := os.ReadFile(filepath.Join(dir, "big.bin"))
			if err != nil {
				t.Fatal(err)
			}
			checkBytes(t, got, data)
		})
	}
}
