package automation

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// modbusCRC is CRC-16/MODBUS written out bit by bit, independent of
// netcore/checksum, to compute what the peer must receive.
func modbusCRC(p []byte) []byte {
	crc := uint16(0xFFFF)
	for _, b := range p {
		crc ^= uint16(b)
		for range 8 {
			if crc&1 != 0 {
				crc = crc>>1 ^ 0xA001
			} else {
				crc >>= 1
			}
		}
	}
	return []byte{byte(crc), byte(crc >> 8)} // low byte first, as Modbus sends it
}

// serveUDP runs the engine on a UDP socket the way the UDP tab does: every
// datagram goes to Handle, and replies go back to its sender.
func serveUDP(t *testing.T, eng *Engine) net.Addr {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		buf := make([]byte, 64<<10)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			data := append([]byte(nil), buf[:n]...)
			eng.Handle(ctx, data, from.String(), func(b []byte) error {
				_, err := pc.WriteTo(b, from)
				return err
			})
		}
	})
	t.Cleanup(func() {
		cancel()
		pc.Close()
		wg.Wait()
		eng.Close()
	})
	return pc.LocalAddr()
}

func TestUDPPingPongEndToEnd(t *testing.T) {
	set, err := ImportRuleSet([]byte(`{"version": 1, "rules": [
		{"name": "heartbeat", "match": "regex", "pattern": "PING (\\d+)", "reply": "PONG $1{{crc16modbus}}"}
	]}`))
	if err != nil {
		t.Fatal(err)
	}
	eng, err := NewEngine(set)
	if err != nil {
		t.Fatal(err)
	}
	addr := serveUDP(t, eng)

	peer, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	if _, err := peer.WriteTo([]byte("PING 42"), addr); err != nil {
		t.Fatal(err)
	}
	peer.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 1500)
	n, from, err := peer.ReadFrom(buf)
	if err != nil {
		t.Fatal(err)
	}
	want := append([]byte("PONG 42"), modbusCRC([]byte("PONG 42"))...)
	if !bytes.Equal(buf[:n], want) {
		t.Fatalf("reply = % X; want % X", buf[:n], want)
	}
	if from.String() != addr.String() {
		t.Fatalf("reply came from %v; want %v", from, addr)
	}
	if st := eng.Stats()[0]; st.Hits != 1 || st.Replies != 1 {
		t.Fatalf("stats = %+v", st)
	}
}

// pingLoop serves a rule whose reply matches itself ("PING n" answers
// "PING n") at the given rate, and returns a peer socket to talk to it.
func pingLoop(t *testing.T, perSecond float64, burst int) (*Engine, net.Addr, net.PacketConn) {
	t.Helper()
	eng, err := NewEngine(RuleSet{Rules: []Rule{{Name: "loop", Match: MatchRegex, Pattern: `PING (\d+)`, Reply: "PING $1",
		MaxPerSecond: perSecond, Burst: burst}}})
	if err != nil {
		t.Fatal(err)
	}
	addr := serveUDP(t, eng)
	peer, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { peer.Close() })
	return eng, addr, peer
}

// TestUDPRateLimitStopsEchoStorm: the peer echoes every reply straight back
// and keeps starting new PINGs every 5 ms. The rule's reply matches the rule
// again, so without the limit the two sides would ping-pong as fast as the
// loopback allows. The token bucket allows at most Burst + rate*elapsed
// replies in any window.
func TestUDPRateLimitStopsEchoStorm(t *testing.T) {
	const perSecond, burst = 5, 5
	const window = 1200 * time.Millisecond
	eng, addr, peer := pingLoop(t, perSecond, burst)

	var replies atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	wg.Go(func() { // echo everything back, counting what arrives inside the window
		buf := make([]byte, 1500)
		for {
			n, _, err := peer.ReadFrom(buf)
			if err != nil {
				return
			}
			if time.Since(start) <= window {
				replies.Add(1)
			}
			peer.WriteTo(buf[:n], addr)
		}
	})
	for i := 0; time.Since(start) < window; i++ {
		if _, err := peer.WriteTo(fmt.Appendf(nil, "PING %d", i), addr); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	peer.Close()
	wg.Wait()

	got := replies.Load()
	limit := int64(burst + perSecond*window.Seconds() + 1) // +1: a reply sent just inside the window may land just outside
	t.Logf("replies in %v: %d (limit %d); suppressed %d", window, got, limit, eng.Stats()[0].Suppressed)
	if got > limit {
		t.Fatalf("%d replies in %v; the limit allows at most %d", got, window, limit)
	}
	if got < burst {
		t.Fatalf("only %d replies; the burst of %d should have gone through", got, burst)
	}
	if eng.Stats()[0].Suppressed == 0 {
		t.Fatal("nothing was suppressed under an echo storm")
	}
}

// TestUDPRateLimitEndsEchoLoop: one PING to a peer that echoes every reply
// back. The rule's reply matches the rule again, so only the limit can end
// the loop. With a burst of 5 and a refill of one token per 100 s, exactly
// five replies go out, the sixth is suppressed, and a suppressed reply is
// never echoed: the loop is over. The test waits for that suppression, not
// for a quiet interval.
func TestUDPRateLimitEndsEchoLoop(t *testing.T) {
	const burst = 5
	eng, addr, peer := pingLoop(t, 0.01, burst)
	var echoed atomic.Int64
	var wg sync.WaitGroup
	wg.Go(func() {
		buf := make([]byte, 1500)
		for {
			n, _, err := peer.ReadFrom(buf)
			if err != nil {
				return
			}
			echoed.Add(1)
			peer.WriteTo(buf[:n], addr)
		}
	})
	if _, err := peer.WriteTo([]byte("PING 1"), addr); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for eng.Stats()[0].Suppressed == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no reply was suppressed in 5 s: %+v", eng.Stats()[0])
		}
		time.Sleep(time.Millisecond)
	}
	st := eng.Stats()[0]
	if st.Replies != burst || st.Suppressed != 1 || st.Hits != burst+1 {
		t.Fatalf("stats %+v; want %d replies, then one suppressed", st, burst)
	}
	// Every reply sent reaches the peer; wait for the last one, then the
	// counts must agree: nothing was sent after the suppression.
	for echoed.Load() < burst && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	peer.Close()
	wg.Wait()
	if got := echoed.Load(); got != burst || eng.Stats()[0].Replies != burst {
		t.Fatalf("the peer got %d replies, the engine sent %d; want %d", got, eng.Stats()[0].Replies, burst)
	}
}
