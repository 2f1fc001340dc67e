package tftp

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"
)

// BenchmarkDownload measures our client against our server on loopback.
func BenchmarkDownload(b *testing.B) {
	for _, win := range []int{1, 8, 32} {
		b.Run(fmt.Sprintf("ws%d", win), func(b *testing.B) {
			const size = 8 << 20
			root := b.TempDir()
			writeFile(b, root, "f.bin", testData(size))
			addr := startServer(b, &Server{Root: root})
			c := clientWith(addr, 1468, win)
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Download(context.Background(), "f.bin", io.Discard); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkUpload measures our client uploading to our server.
func BenchmarkUpload(b *testing.B) {
	const size = 8 << 20
	data := testData(size)
	root := b.TempDir()
	addr := startServer(b, &Server{Root: root, AllowUpload: true, Overwrite: true, Dally: -1})
	c := NewClient(addr)
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Upload(context.Background(), "up.bin", bytes.NewReader(data), size); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseData is the per-packet fast path: it must not allocate, and
// fails when it does.
func BenchmarkParseData(b *testing.B) {
	pkt := append(dataHeader(7), make([]byte, 1468)...)
	if allocs := testing.AllocsPerRun(1000, func() { _, _, _ = opAndBlock(pkt) }); allocs != 0 {
		b.Fatalf("opAndBlock allocates %.1f times per packet, want 0", allocs)
	}
	b.ReportAllocs()
	for b.Loop() {
		op, block, ok := opAndBlock(pkt)
		if op != OpDATA || block != 7 || !ok {
			b.Fatal("bad parse")
		}
	}
}

func clientWith(addr string, blk, win int) *Client {
	c := NewClient(addr)
	c.BlockSize, c.WindowSize = blk, win
	return c
}
