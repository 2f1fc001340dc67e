package widgets

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

func rec(dir Direction, data string) Record {
	return Record{Time: time.Date(2026, 11, 21, 12, 0, 1, 123e6, time.UTC), Dir: dir, Peer: "127.0.0.1:5000", Data: []byte(data)}
}

func TestLogStoreRecordCap(t *testing.T) {
	s := NewLogStore(LogLimits{MaxRecords: 3, MaxBytes: 1 << 20})
	for i := 0; i < 5; i++ {
		s.Append(rec(RX, fmt.Sprint(i)))
	}
	if s.Len() != 3 {
		t.Fatalf("len %d", s.Len())
	}
	first, n := s.Window()
	if first != 2 || n != 3 {
		t.Fatalf("window %d,%d", first, n)
	}
	for i := 0; i < 3; i++ {
		r, _ := s.At(i)
		if string(r.Data) != fmt.Sprint(i+2) {
			t.Fatalf("At(%d) = %q", i, r.Data)
		}
	}
	if r, ok := s.BySeq(1); ok {
		t.Fatalf("seq 1 should be dropped, got %q", r.Data)
	}
	if r, ok := s.BySeq(4); !ok || string(r.Data) != "4" {
		t.Fatalf("seq 4 = %q %v", r.Data, ok)
	}
	if dr, db := s.Dropped(); dr != 2 || db != 2 {
		t.Fatalf("dropped %d/%d", dr, db)
	}
	c := s.Counters()
	if c.RxPackets != 5 || c.RxBytes != 5 {
		t.Fatalf("counters %+v", c)
	}
}

func TestLogStoreByteCap(t *testing.T) {
	s := NewLogStore(LogLimits{MaxRecords: 1000, MaxBytes: 3 * (100 + recordOverhead)})
	for i := 0; i < 10; i++ {
		s.Append(rec(TX, string(bytes.Repeat([]byte{'x'}, 100))))
	}
	recs, used := s.Usage()
	if recs != 3 || used > s.Limits().MaxBytes {
		t.Fatalf("usage %d records %d bytes", recs, used)
	}
	if c := s.Counters(); c.TxPackets != 10 || c.TxBytes != 1000 {
		t.Fatalf("counters %+v", c)
	}
	// A single record bigger than the cap still leaves the store bounded.
	s.Append(rec(RX, string(make([]byte, 10_000))))
	if _, used := s.Usage(); used > s.Limits().MaxBytes && s.Len() > 1 {
		t.Fatalf("over cap with %d records", s.Len())
	}
}

func TestLogStoreSetLimitsRepacks(t *testing.T) {
	s := NewLogStore(LogLimits{MaxRecords: 2000})
	for i := 0; i < 1500; i++ {
		s.Append(rec(RX, fmt.Sprint(i)))
	}
	s.SetLimits(LogLimits{MaxRecords: 10})
	if s.Len() != 10 {
		t.Fatalf("len %d", s.Len())
	}
	r, _ := s.At(0)
	if string(r.Data) != "1490" {
		t.Fatalf("oldest %q", r.Data)
	}
	if c := s.Counters(); c.RxPackets != 1500 {
		t.Fatalf("repack changed counters: %+v", c)
	}
	s.Append(rec(RX, "new"))
	if r, _ := s.At(9); string(r.Data) != "new" || s.Len() != 10 {
		t.Fatalf("after append: %q len %d", r.Data, s.Len())
	}
}

func TestLogStoreClearAndReset(t *testing.T) {
	s := NewLogStore(LogLimits{})
	s.Append(rec(RX, "a"))
	s.Append(rec(TX, "bc"))
	s.Clear()
	if s.Len() != 0 {
		t.Fatal("clear")
	}
	if c := s.Counters(); c.RxBytes != 1 || c.TxBytes != 2 {
		t.Fatalf("clear changed counters %+v", c)
	}
	s.ResetCounters()
	if c := s.Counters(); c != (Counters{}) {
		t.Fatalf("reset %+v", c)
	}
	s.Append(rec(RX, "z"))
	if first, _ := s.Window(); first != 2 {
		t.Fatalf("sequence numbers must not repeat after clear: first=%d", first)
	}
}

func TestLogStoreConcurrent(t *testing.T) {
	s := NewLogStore(LogLimits{MaxRecords: 500})
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 2000; i++ {
				s.Append(rec(RX, "data"))
			}
		}()
	}
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-stop:
				return
			default:
				first, n := s.Window()
				s.BySeq(first + uint64(n/2))
				s.Range(first, func(uint64, *Record) bool { return true })
			}
		}
	}()
	wg.Wait()
	close(stop)
	if c := s.Counters(); c.RxPackets != 8000 || s.Len() != 500 {
		t.Fatalf("counters %+v len %d", c, s.Len())
	}
}

// TestLogStoreArenaKeepsDataIntact appends records of random sizes through
// many wrap-arounds and checks every record still held against a model,
// and that the arena never grows past the byte cap.
func TestLogStoreArenaKeepsDataIntact(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, lim := range []LogLimits{{MaxRecords: 50, MaxBytes: 1 << 20}, {MaxRecords: 100_000, MaxBytes: 256 << 10}, {MaxRecords: 7, MaxBytes: 64 << 10}} {
		s := NewLogStore(lim)
		model := map[uint64][]byte{}
		var seq uint64
		for i := 0; i < 5000; i++ {
			size := rng.IntN(4096)
			if rng.IntN(100) == 0 {
				size = int(lim.MaxBytes / 3) // now and then one kept outside the arena
			}
			data := make([]byte, size)
			for j := range data {
				data[j] = byte(rng.Uint32())
			}
			s.Append(Record{Dir: Direction(rng.IntN(2)), Peer: "p", Data: data})
			model[seq] = data
			seq++
			if i%97 == 0 {
				first, n := s.Window()
				for q := first; q < first+uint64(n); q++ {
					r, ok := s.BySeq(q)
					if !ok || !bytes.Equal(r.Data, model[q]) {
						t.Fatalf("%+v: record %d corrupted after %d appends", lim, q, i)
					}
				}
				if _, used := s.Usage(); used > lim.MaxBytes {
					t.Fatalf("%+v: %d bytes held", lim, used)
				}
				s.mu.Lock()
				arena := len(s.arena)
				s.mu.Unlock()
				if int64(arena) > max(lim.MaxBytes, minArena) {
					t.Fatalf("%+v: arena %d", lim, arena)
				}
			}
		}
		first, n := s.Window()
		if n == 0 || first+uint64(n) != seq {
			t.Fatalf("%+v: window %d+%d of %d", lim, first, n, seq)
		}
	}
}

func TestLogStoreCopiesOnAppendAndRead(t *testing.T) {
	s := NewLogStore(LogLimits{})
	data := []byte("original")
	s.Append(Record{Dir: RX, Data: data})
	copy(data, "CHANGED!")
	r, _ := s.At(0)
	if string(r.Data) != "original" {
		t.Fatalf("the store kept the caller's slice: %q", r.Data)
	}
	copy(r.Data, "mutated!")
	if r2, _ := s.At(0); string(r2.Data) != "original" {
		t.Fatal("At returned the store's own bytes")
	}
	if r3, full, ok := s.Peek(0, 3); !ok || string(r3.Data) != "ori" || full != 8 {
		t.Fatalf("Peek = %q %d %v", r3.Data, full, ok)
	}
}
