package main

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/netdebug/netdebug/netcore/framing"
	"github.com/netdebug/netdebug/netcore/session"
	"github.com/netdebug/netdebug/widgets"
)

// The benchmarks here measure the receive path the GUI uses, headless (on
// Fyne's test driver, which draws nothing): netcore session → adapter →
// bounded log store → log view. Each one reports a raw read baseline from the
// same run. `make bench` runs them; its last step measures the real window
// under Xvfb (.ci/bench-window.sh).

const gib = 1 << 30

// rawReadBuffer is the largest read buffer a netcore stream session grows
// to under a flood (maxReadBuffer in netcore/session/stream.go), so the raw
// baselines read as much per system call as the session does.
const rawReadBuffer = 256 << 10

// rawRead reads c to the end with one rawReadBuffer-sized buffer, the way
// the session's reader does, and returns the byte count.
func rawRead(c net.Conn, buf []byte) int64 {
	var n int64
	for {
		k, err := c.Read(buf)
		n += int64(k)
		if err != nil {
			return n
		}
	}
}

// resetPeakRSS zeroes the kernel's high-water mark so peakRSSMB measures one
// benchmark (Linux; elsewhere the metric is left out).
func resetPeakRSS() {
	debug.FreeOSMemory()
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

func peakRSSMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			f := strings.Fields(line)
			kb, _ := strconv.Atoi(f[1])
			return float64(kb) / 1024
		}
	}
	return -1
}

// flood listens on loopback and writes total bytes to each connection.
func flood(b *testing.B, total int64) (addr string, stop func()) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	var wg sync.WaitGroup
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				chunk := bytes.Repeat([]byte("0123456789abcdef"), 16<<10) // 256 KiB
				for sent := int64(0); sent < total; sent += int64(len(chunk)) {
					if _, err := c.Write(chunk[:min(int64(len(chunk)), total-sent)]); err != nil {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String(), func() { ln.Close(); wg.Wait() }
}

// BenchmarkTCPClient1GiB: a loopback peer sends 1 GiB to the TCP client.
// raw reads the connection with the session's largest buffer into nothing
// (only the reads are timed, not the dial); netcore is the session with a
// counting handler; headless-pipeline adds the adapter, log store (default
// caps) and log view on Fyne's test driver, which draws nothing.
func BenchmarkTCPClient1GiB(b *testing.B) {
	addr, stop := flood(b, gib)
	defer stop()

	b.Run("raw", func(b *testing.B) {
		b.SetBytes(gib)
		buf := make([]byte, rawReadBuffer)
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			c, err := net.Dial("tcp", addr)
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			n := rawRead(c, buf)
			b.StopTimer()
			c.Close()
			b.StartTimer()
			if n != gib {
				b.Fatalf("got %d bytes", n)
			}
		}
	})

	receive := func(b *testing.B, handler func(done chan struct{}, got *atomic.Int64) session.Handler) {
		b.SetBytes(gib)
		runtime.GC()
		resetPeakRSS()
		for i := 0; i < b.N; i++ {
			done := make(chan struct{})
			var got atomic.Int64
			c, err := session.NewTCPClient(session.TCPClientConfig{Address: addr}, handler(done, &got))
			if err != nil {
				b.Fatal(err)
			}
			if err := c.Connect(context.Background()); err != nil {
				b.Fatal(err)
			}
			<-done
			c.Close()
			if st := c.Stats(); st.RxBytes != gib {
				b.Fatalf("received %d", st.RxBytes)
			}
		}
		b.ReportMetric(peakRSSMB(), "peakRSS-MB")
	}

	b.Run("netcore", func(b *testing.B) {
		receive(b, func(done chan struct{}, got *atomic.Int64) session.Handler {
			return func(ev session.Event) {
				switch ev.Kind {
				case session.Received:
					got.Add(int64(len(ev.Data)))
				case session.Closed:
					close(done)
				}
			}
		})
	})

	// One store, view and adapter for every run of the sub-benchmark, as
	// one tab has one log.
	test.NewTempApp(b)
	store := widgets.NewLogStore(widgets.DefaultLogLimits)
	view := widgets.NewLogView(store)
	test.NewTempWindow(b, view)
	ad := NewAdapter(store, view).Start()
	defer ad.Stop()
	b.Run("headless-pipeline", func(b *testing.B) {
		receive(b, func(done chan struct{}, got *atomic.Int64) session.Handler {
			return func(ev session.Event) {
				ad.Handle(ev)
				if ev.Kind == session.Closed {
					close(done)
				}
			}
		})
		if c := store.Counters(); c.RxBytes < gib {
			b.Fatalf("store counted %d", c.RxBytes)
		}
		// A setting, not a measurement: logged, not reported as a metric.
		b.Logf("log cap %d MB (widgets.DefaultLogLimits)", widgets.DefaultLogLimits.MaxBytes>>20)
	})
}

// BenchmarkServerIngest: 10 clients flood the TCP server with 1 KiB lines.
// raw reads the same 10 connections with the session's largest buffer;
// framing+log is the server with delimiter framing, the adapter and the log
// store (headless).
func BenchmarkServerIngest(b *testing.B) {
	const clients = 10
	const perClient = 64 << 20
	line := append(bytes.Repeat([]byte("x"), 1023), '\n')
	send := func(addr string, wg *sync.WaitGroup) {
		for i := 0; i < clients; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c, err := net.Dial("tcp", addr)
				if err != nil {
					b.Error(err)
					return
				}
				defer c.Close()
				w := bufio.NewWriterSize(c, 256<<10)
				for sent := 0; sent < perClient; sent += len(line) {
					w.Write(line)
				}
				w.Flush()
			}()
		}
	}

	b.Run("raw", func(b *testing.B) {
		b.SetBytes(clients * perClient)
		for i := 0; i < b.N; i++ {
			ln, _ := net.Listen("tcp", "127.0.0.1:0")
			var rd sync.WaitGroup
			var got atomic.Int64
			rd.Add(clients)
			go func() {
				for j := 0; j < clients; j++ {
					c, err := ln.Accept()
					if err != nil {
						b.Error(err)
						for ; j < clients; j++ {
							rd.Done()
						}
						return
					}
					go func() {
						defer rd.Done()
						got.Add(rawRead(c, make([]byte, rawReadBuffer)))
						c.Close()
					}()
				}
			}()
			var wg sync.WaitGroup
			send(ln.Addr().String(), &wg)
			wg.Wait()
			// Every reader was counted before the first dial, so this waits
			// for all ten to reach the end of their stream.
			rd.Wait()
			ln.Close()
			if got.Load() != clients*perClient {
				b.Fatalf("raw read %d bytes, want %d", got.Load(), clients*perClient)
			}
		}
	})

	b.Run("framing+log", func(b *testing.B) {
		test.NewTempApp(b)
		b.SetBytes(clients * perClient)
		for i := 0; i < b.N; i++ {
			store := widgets.NewLogStore(widgets.DefaultLogLimits)
			view := widgets.NewLogView(store)
			ad := NewAdapter(store, view).Start()
			var closed atomic.Int32
			all := make(chan struct{})
			srv, err := session.NewTCPServer(session.TCPServerConfig{Address: "127.0.0.1:0",
				Framing: framing.Config{Mode: framing.Delimiter, Delimiter: []byte("\n")}}, func(ev session.Event) {
				ad.Handle(ev)
				if ev.Kind == session.Closed && closed.Add(1) == clients {
					close(all)
				}
			})
			if err != nil {
				b.Fatal(err)
			}
			if err := srv.Start(); err != nil {
				b.Fatal(err)
			}
			var wg sync.WaitGroup
			send(srv.Addr(), &wg)
			wg.Wait()
			<-all
			st := srv.Stats()
			srv.Shutdown(context.Background())
			ad.Stop()
			if st.RxBytes != clients*perClient || st.RxFrames != clients*perClient/1024 {
				b.Fatalf("stats %+v", st)
			}
			if c := store.Counters(); c.RxPackets != st.RxFrames {
				b.Fatalf("log counted %d messages, server framed %d", c.RxPackets, st.RxFrames)
			}
		}
		b.ReportMetric(float64(b.N*clients*perClient/1024)/b.Elapsed().Seconds(), "msgs/s")
	})
}

// socketDrops reads the kernel's drop count for our UDP socket from
// /proc/net/udp (Linux): datagrams that reached the socket but did not fit
// its receive buffer.
func socketDrops(localPort int) (uint64, bool) {
	b, err := os.ReadFile("/proc/net/udp")
	if err != nil {
		return 0, false
	}
	port := strings.ToUpper(strconv.FormatInt(int64(localPort), 16))
	for _, line := range strings.Split(string(b), "\n")[1:] {
		f := strings.Fields(line)
		if len(f) < 13 {
			continue
		}
		if i := strings.LastIndexByte(f[1], ':'); i >= 0 && strings.TrimLeft(f[1][i+1:], "0") == port {
			d, err := strconv.ParseUint(f[len(f)-1], 10, 64)
			return d, err == nil
		}
	}
	return 0, false
}

// BenchmarkUDP64: one sender sends 64-byte datagrams as fast as it can for
// two seconds to a UDP session feeding the adapter and log store (headless).
// It reports the rate sent (over the sending interval) and counted (over the
// interval from the first datagram received to the last), the datagrams the
// kernel dropped at our socket (receive buffer full), and the app-side loss:
// datagrams that reached the socket but are missing from the counters,
// which must be 0.
func BenchmarkUDP64(b *testing.B) {
	test.NewTempApp(b)
	store := widgets.NewLogStore(widgets.DefaultLogLimits)
	view := widgets.NewLogView(store)
	ad := NewAdapter(store, view).Start()
	defer ad.Stop()
	for i := 0; i < b.N; i++ {
		store.ResetCounters()
		var handled atomic.Uint64
		var firstRx, lastRx atomic.Int64 // nanoseconds since epoch
		epoch := time.Now()
		s, err := session.OpenUDP(session.UDPConfig{Bind: "127.0.0.1:0"}, func(ev session.Event) {
			if ev.Kind == session.Received {
				now := int64(time.Since(epoch))
				firstRx.CompareAndSwap(0, now)
				lastRx.Store(now)
				handled.Add(1)
			}
			ad.Handle(ev)
		})
		if err != nil {
			b.Fatal(err)
		}
		_, portText, _ := net.SplitHostPort(s.LocalAddr())
		port, _ := strconv.Atoi(portText)
		c, err := net.Dial("udp", s.LocalAddr())
		if err != nil {
			b.Fatal(err)
		}
		payload := bytes.Repeat([]byte("u"), 64)
		var sent uint64
		start := time.Now()
		for time.Since(start) < 2*time.Second {
			for j := 0; j < 256; j++ {
				if _, err := c.Write(payload); err == nil {
					sent++
				}
			}
		}
		sendTime := time.Since(start)
		// Let the reader drain what the kernel queued.
		for last := uint64(0); ; {
			time.Sleep(200 * time.Millisecond)
			now := s.Stats().RxPackets
			if now == last {
				break
			}
			last = now
		}
		rxTime := time.Duration(lastRx.Load() - firstRx.Load())
		drops, haveDrops := socketDrops(port)
		st := s.Stats()
		c.Close()
		s.Close()
		time.Sleep(2 * flushInterval) // the adapter's last flush
		b.ReportMetric(float64(sent)/sendTime.Seconds(), "sent/s")
		if st.RxPackets < 2 || rxTime <= 0 {
			b.Fatalf("counted %d datagrams", st.RxPackets)
		}
		b.ReportMetric(float64(st.RxPackets-1)/rxTime.Seconds(), "counted/s")
		if haveDrops {
			reached := int64(sent) - int64(drops)
			b.ReportMetric(float64(drops), "kernel-drops")
			b.ReportMetric(float64(reached-int64(st.RxPackets)), "app-loss")
			if reached != int64(st.RxPackets) {
				b.Errorf("app-side loss: %d sent, %d dropped by the kernel, %d counted", sent, drops, st.RxPackets)
			}
		}
		if handled.Load() != st.RxPackets || store.Counters().RxPackets != st.RxPackets {
			b.Errorf("counted %d, handled %d, logged %d", st.RxPackets, handled.Load(), store.Counters().RxPackets)
		}
	}
}
