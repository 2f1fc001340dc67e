package tftp

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// dirEntries lists a folder, hidden temporary files included.
func dirEntries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func expectEmpty(t *testing.T, dir string) {
	t.Helper()
	if names := dirEntries(t, dir); len(names) != 0 {
		t.Fatalf("%s holds %v, want nothing", dir, names)
	}
}

func TestFileNotFound(t *testing.T) {
	for _, p := range interopPeers {
		t.Run(p.name, func(t *testing.T) {
			addr := p.start(t, servedDir(t, false))
			dl := t.TempDir()
			_, _, err := DownloadFile(context.Background(), testClient(addr), "missing.bin", dl, "", false)
			if !errors.Is(err, ErrFileNotFound) {
				t.Fatalf("err = %v, want ErrFileNotFound", err)
			}
			var re *RemoteError
			if !errors.As(err, &re) || re.Code != CodeFileNotFound || re.Message == "" {
				t.Fatalf("err = %#v, want a RemoteError with the server's message", err)
			}
			t.Logf("%s says %q", p.name, re.Message)
			expectEmpty(t, dl)
		})
	}
}

// TestServerKilled kills atftpd in the middle of a download: the client
// gives up after its retries with ErrTimeout and leaves no file.
func TestServerKilled(t *testing.T) {
	dir := servedDir(t, false)
	writeFile(t, dir, "big.bin", testData(8<<20))
	d := startAtftpd(t, dir)
	c := testClient(d.addr)
	c.Options = Options{TSize: true} // 512-byte lockstep: slow enough to kill midway
	c.Retries = 3
	c.ProgressInterval = 5 * time.Millisecond
	var killed atomic.Bool
	c.OnEvent = func(e Event) {
		if e.Kind == EventProgress && e.Progress.Bytes > 256<<10 && !killed.Swap(true) {
			d.kill()
		}
	}
	dl := t.TempDir()
	start := time.Now()
	_, res, err := DownloadFile(context.Background(), c, "big.bin", dl, "", false)
	if !killed.Load() {
		t.Fatalf("transfer ended before the kill: %v", err)
	}
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v, want ErrTimeout", err)
	}
	// At least Retries+1 timeouts: a busy machine may add one before the kill.
	if res == nil || res.Stats.Timeouts < c.Retries+1 {
		t.Fatalf("result %+v: want %d timeouts", res, c.Retries+1)
	}
	t.Logf("gave up after %v: %v", time.Since(start).Round(time.Millisecond), err)
	expectEmpty(t, dl)
}

// TestCancel cancels a download and an upload midway: the caller gets
// ErrCancelled, the server receives an ERROR packet and no partial file is
// left on either side.
func TestCancel(t *testing.T) {
	root := servedDir(t, false)
	writeFile(t, root, "big.bin", testData(8<<20))
	var mu sync.Mutex
	var serverErrs []error
	s := &Server{Root: root, AllowUpload: true, OnEvent: func(e Event) {
		if e.Kind == EventDone {
			mu.Lock()
			serverErrs = append(serverErrs, e.Err)
			mu.Unlock()
		}
	}}
	addr := startServer(t, s)
	serverErr := func() error {
		for end := time.Now().Add(3 * time.Second); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
			mu.Lock()
			if len(serverErrs) > 0 {
				err := serverErrs[0]
				serverErrs = serverErrs[1:]
				mu.Unlock()
				return err
			}
			mu.Unlock()
		}
		t.Fatal("server reported no end of transfer")
		return nil
	}
	checkPeerGotError := func(err error) {
		t.Helper()
		var re *RemoteError
		if !errors.As(err, &re) || re.Code != CodeNotDefined || re.Message != "transfer cancelled" {
			t.Fatalf("server saw %v, want the client's ERROR 0 \"transfer cancelled\"", err)
		}
	}

	t.Run("download", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		c := testClient(addr)
		c.Options = Options{TSize: true}
		c.ProgressInterval = 5 * time.Millisecond
		c.OnEvent = func(e Event) {
			if e.Kind == EventProgress && e.Progress.Bytes > 128<<10 {
				cancel()
			}
		}
		dl := t.TempDir()
		_, _, err := DownloadFile(ctx, c, "big.bin", dl, "", false)
		if !errors.Is(err, ErrCancelled) || !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want ErrCancelled wrapping context.Canceled", err)
		}
		expectEmpty(t, dl)
		checkPeerGotError(serverErr())
	})

	t.Run("upload", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		c := testClient(addr)
		c.Options = Options{}
		c.ProgressInterval = 5 * time.Millisecond
		c.OnEvent = func(e Event) {
			if e.Kind == EventProgress && e.Progress.Bytes > 128<<10 {
				cancel()
			}
		}
		_, err := c.Upload(ctx, "up.bin", bytes.NewReader(testData(8<<20)), 8<<20)
		if !errors.Is(err, ErrCancelled) {
			t.Fatalf("err = %v, want ErrCancelled", err)
		}
		checkPeerGotError(serverErr())
		if names := dirEntries(t, root); len(names) != 1 || names[0] != "big.bin" {
			t.Fatalf("server folder holds %v, want only big.bin", names)
		}
	})

	t.Run("before-start", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := testClient(addr).Download(ctx, "big.bin", io.Discard)
		if !errors.Is(err, ErrCancelled) {
			t.Fatalf("err = %v, want ErrCancelled", err)
		}
	})
}

// TestOptionRefusedMidTransfer: ERROR 8 after data has moved ends the
// transfer with that error. Retrying without options would replay the
// stream from the middle: a download would repeat block 1, an upload would
// go on from where the first attempt had read to.
func TestOptionRefusedMidTransfer(t *testing.T) {
	data := testData(3000)
	for _, dir := range []Direction{Download, Upload} {
		t.Run(dir.String(), func(t *testing.T) {
			f := newFakeServer(t)
			done := make(chan struct{})
			go func() {
				defer close(done)
				_, from := f.request()
				x := f.transferPort()
				x.peer = from
				if dir == Download {
					x.data(1, data[:512])
					x.expect(OpACK, 1, 2*time.Second)
				} else {
					x.ack(0)
					x.expect(OpDATA, 1, 2*time.Second)
				}
				x.send(appendError(nil, CodeOptionRefused, "refused late"))
				// A client that retried would send its request again.
				f.listen.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
				buf := make([]byte, 1500)
				if n, _, err := f.listen.ReadFrom(buf); err == nil {
					t.Errorf("the client asked again after data had moved: % x", buf[:n])
				}
			}()
			c := testClient(f.addr())
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var err error
			if dir == Download {
				_, err = c.Download(ctx, "f", &bytes.Buffer{})
			} else {
				_, err = c.Upload(ctx, "f", bytes.NewReader(data), int64(len(data)))
			}
			var re *RemoteError
			if !errors.As(err, &re) || re.Code != CodeOptionRefused {
				t.Fatalf("err = %v, want the server's ERROR 8", err)
			}
			<-done
		})
	}
}

// TestOptionsRefused: a server that answers options with ERROR 8 gets the
// request again without options, automatically.
func TestOptionsRefused(t *testing.T) {
	data := testData(3000)
	for _, dir := range []Direction{Download, Upload} {
		t.Run(dir.String(), func(t *testing.T) {
			f := newFakeServer(t)
			done := make(chan []byte, 1)
			go func() {
				p, from := f.request()
				if len(p.Options) == 0 {
					t.Errorf("first request has no options")
				}
				x := f.transferPort()
				x.peer = from
				x.send(appendError(nil, CodeOptionRefused, "no options here"))
				p, from = f.request()
				if len(p.Options) != 0 {
					t.Errorf("second request still has options %v", p.Options)
				}
				x = f.transferPort()
				x.peer = from
				if dir == Download {
					x.serveLockstep(data, 512, false)
					done <- nil
				} else {
					done <- x.receiveLockstep(512)
				}
			}()
			c := testClient(f.addr())
			var res *Result
			var err error
			if dir == Download {
				var buf bytes.Buffer
				res, err = c.Download(context.Background(), "f", &buf)
				if err == nil {
					checkBytes(t, buf.Bytes(), data)
				}
			} else {
				res, err = c.Upload(context.Background(), "f", bytes.NewReader(data), int64(len(data)))
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := <-done; dir == Upload {
				checkBytes(t, got, data)
			}
			if res.Options.Fallback != "refused" || res.Options.BlockSize != 512 || res.Options.OACK {
				t.Fatalf("options %+v, want a refused fallback to 512", res.Options)
			}
		})
	}
}

// receiveLockstep is a minimal RFC 1350 write-request receiver.
func (x *fakeTID) receiveLockstep(blksize int) []byte {
	var out []byte
	x.ack(0)
	for block := uint16(1); ; block++ {
		p, err := x.recv(2 * time.Second)
		if err != nil || p.Op != OpDATA || p.Block != block {
			x.t.Errorf("fake: want DATA %d, got %v %v", block, p.Op, err)
			return out
		}
		out = append(out, p.Data...)
		x.ack(block)
		if len(p.Data) < blksize {
			return out
		}
	}
}

// TestOptionsIgnored: a server that answers an RRQ with options with DATA 1
// (or a WRQ with ACK 0) is used without options. The fake server does it
// in both directions; tftpd-hpa does it when told to refuse every option.
func TestOptionsIgnored(t *testing.T) {
	data := testData(2000)
	for _, dir := range []Direction{Download, Upload} {
		t.Run("fake-"+dir.String(), func(t *testing.T) {
			f := newFakeServer(t)
			done := make(chan []byte, 1)
			go func() {
				_, from := f.request()
				x := f.transferPort()
				x.peer = from
				if dir == Download {
					x.serveLockstep(data, 512, false)
					done <- nil
				} else {
					done <- x.receiveLockstep(512)
				}
			}()
			c := testClient(f.addr())
			var res *Result
			var err error
			var buf bytes.Buffer
			if dir == Download {
				res, err = c.Download(context.Background(), "f", &buf)
			} else {
				res, err = c.Upload(context.Background(), "f", bytes.NewReader(data), int64(len(data)))
			}
			if err != nil {
				t.Fatal(err)
			}
			got := <-done
			if dir == Download {
				got = buf.Bytes()
			}
			checkBytes(t, got, data)
			if res.Options.Fallback != "ignored" || res.Options.BlockSize != 512 {
				t.Fatalf("options %+v, want ignored", res.Options)
			}
		})
	}
	t.Run("tftpd-hpa", func(t *testing.T) {
		dir := servedDir(t, false)
		writeFile(t, dir, "f.bin", data)
		d := startTftpdHPA(t, dir, "--refuse", "blksize", "--refuse", "tsize", "--refuse", "timeout")
		res := download(t, testClient(d.addr), "f.bin", data)
		if res.Options.Fallback != "ignored" || res.Options.BlockSize != 512 {
			t.Fatalf("options %+v, want ignored", res.Options)
		}
	})
}

// TestBadOACK: an OACK that raises blksize above the request is refused with
// ERROR 8 and reported as a protocol violation.
func TestBadOACK(t *testing.T) {
	f := newFakeServer(t)
	got := make(chan Packet, 1)
	go func() {
		_, from := f.request()
		x := f.transferPort()
		x.peer = from
		x.send(appendOACK(nil, []Option{{"blksize", "9000"}}))
		p, _ := x.recv(2 * time.Second)
		got <- p
	}()
	_, err := testClient(f.addr()).Download(context.Background(), "f", io.Discard)
	if !errors.Is(err, ErrProtocol) {
		t.Fatalf("err = %v, want ErrProtocol", err)
	}
	if p := <-got; p.Op != OpERROR || p.Code != CodeOptionRefused {
		t.Fatalf("server got %v %d, want ERROR 8", p.Op, p.Code)
	}
}
