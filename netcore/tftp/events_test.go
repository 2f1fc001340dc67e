package tftp

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/netdebug/netdebug/netcore/internal/testenv"
)

// TestEvents checks the event sequence, progress throttling, the final
// progress event and the bounded trace.
func TestEvents(t *testing.T) {
	root := servedDir(t, false)
	data := testData(3 << 20)
	writeFile(t, root, "f.bin", data)
	addr := startServer(t, &Server{Root: root})
	c := testClient(addr)
	c.TraceLimit = 5
	c.ProgressInterval = 20 * time.Millisecond
	var kinds []EventKind
	var progress []Progress
	var packets []PacketRecord
	c.OnEvent = func(e Event) {
		kinds = append(kinds, e.Kind)
		switch e.Kind {
		case EventProgress:
			progress = append(progress, e.Progress)
		case EventPacket:
			packets = append(packets, e.Packet)
		}
	}
	var buf bytes.Buffer
	res, err := c.Download(context.Background(), "f.bin", &slowWriter{w: &buf, delay: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if kinds[0] != EventStart || kinds[len(kinds)-1] != EventDone {
		t.Fatalf("events %v", kinds)
	}
	if len(packets) != 5 || packets[0].Op != OpRRQ || packets[1].Op != OpOACK || packets[2].Op != OpACK {
		t.Fatalf("live packets %v", packets)
	}
	if len(res.Trace) != 10 || res.TraceOmitted != res.Stats.PacketsSent+res.Stats.PacketsReceived-10 {
		t.Fatalf("trace has %d records, %d omitted, of %d packets", len(res.Trace), res.TraceOmitted, res.Stats.PacketsSent+res.Stats.PacketsReceived)
	}
	if lastRec := res.Trace[9]; lastRec.Op != OpACK || lastRec.Dir != Sent {
		t.Fatalf("last traced packet %v", lastRec)
	}
	final := progress[len(progress)-1]
	if final.Bytes != int64(len(data)) || final.Total != int64(len(data)) || final.ETA != 0 {
		t.Fatalf("final progress %+v", final)
	}
	if len(progress) < 5 {
		t.Fatalf("only %d progress events for a %v transfer", len(progress), res.Duration)
	}
	for i := 1; i < len(progress)-1; i++ {
		if progress[i].Elapsed-progress[i-1].Elapsed < 20*time.Millisecond {
			t.Fatalf("progress events %v apart", progress[i].Elapsed-progress[i-1].Elapsed)
		}
		if progress[i].Rate <= 0 || progress[i].ETA < 0 {
			t.Fatalf("progress without rate or ETA: %+v", progress[i])
		}
	}
	if res.SHA256Hex() != sha256Hex(data) {
		t.Fatal("wrong SHA-256 in the result")
	}
}

// slowWriter stretches a transfer so that it spans many progress intervals.
type slowWriter struct {
	w     io.Writer
	delay time.Duration
}

func (s *slowWriter) Write(p []byte) (int, error) {
	time.Sleep(s.delay)
	return s.w.Write(p)
}

// TestGoroutinesAndFiles: after transfers end and the server shuts down,
// goroutines and file descriptors return to where they were.
func TestGoroutinesAndFiles(t *testing.T) {
	fds := func() int {
		es, err := os.ReadDir("/proc/self/fd")
		if err != nil && runtime.GOOS == "linux" {
			t.Fatalf("cannot count open files: %v", err)
		}
		if err != nil {
			return -1 // not Linux: only goroutines are checked
		}
		return len(es)
	}
	root := servedDir(t, true)
	writeFile(t, root, "f.bin", testData(200<<10))
	leaks := testenv.Goroutines(t, 2*time.Second)
	f0 := fds()

	s := &Server{Root: root, AllowUpload: true, Dally: -1}
	uc, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(uc) }()
	c := testClient(uc.LocalAddr().String())
	dl := t.TempDir()
	if _, _, err := DownloadFile(context.Background(), c, "f.bin", dl, "", false); err != nil {
		t.Fatal(err)
	}
	if _, err := UploadFile(context.Background(), c, filepath.Join(dl, "f.bin"), "g.bin"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Download(context.Background(), "missing", io.Discard); !errors.Is(err, ErrFileNotFound) {
		t.Fatal(err)
	}
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, ErrServerClosed) {
		t.Fatal(err)
	}
	leaks()
	for end := time.Now().Add(2 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if fds() <= f0 {
			return
		}
	}
	t.Fatalf("open files %d → %d", f0, fds())
}
