package tftp

import (
	"bytes"
	"context"
	"net/netip"
	"strconv"
	"testing"
	"time"
)

func optionValue(opts []Option, name string) (string, bool) {
	for _, o := range opts {
		if o.Name == name {
			return o.Value, true
		}
	}
	return "", false
}

func requests(res *Result) int {
	n := 0
	for _, r := range res.Trace {
		if r.Dir == Sent && r.Op == OpRRQ {
			n++
		}
	}
	return n
}

func serverAddr(t *testing.T, addr string) netip.AddrPort {
	t.Helper()
	a, err := netip.ParseAddrPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestShortUTimeout(t *testing.T) {
	for _, c := range []struct {
		rtt  time.Duration
		want time.Duration
		ok   bool
	}{
		{0, 0, false},
		{100 * time.Microsecond, 50 * time.Millisecond, true},
		{5 * time.Millisecond, 50 * time.Millisecond, true},
		{20 * time.Millisecond, 80 * time.Millisecond, true},
		{62 * time.Millisecond, 248 * time.Millisecond, true},
		{70 * time.Millisecond, 280 * time.Millisecond, false},
	} {
		got, ok := shortUTimeout(c.rtt)
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("shortUTimeout(%v) = %v, %v; want %v, %v", c.rtt, got, ok, c.want, c.ok)
		}
	}
	if err := (Options{UTimeout: 5 * time.Millisecond}).Validate(); err == nil {
		t.Error("utimeout 5ms passed validation (tftpd-hpa's floor is 10ms)")
	}
}

// TestUTimeoutTftpdHPA: against tftpd-hpa (lock-step) the first download
// declines the OACK and asks again with a short utimeout, which the server
// accepts; the next download asks for it in its only request.
func TestUTimeoutTftpdHPA(t *testing.T) {
	data := testData(200_000)
	dir := servedDir(t, false)
	writeFile(t, dir, "f.bin", data)
	addr := startTftpdHPA(t, dir).addr
	lockStepServers.forget(serverAddr(t, addr))
	c := testClient(addr)
	c.TraceLimit = 50
	res := download(t, c, "f.bin", data)
	short := func(u time.Duration) bool { return u >= utimeoutFloor && u <= utimeoutMax }
	if !short(res.Options.UTimeout) || res.Options.Fallback != "" || res.Options.BlockSize != DefaultClientBlockSize {
		t.Fatalf("options %v, want blksize %d and a utimeout of %v..%v on loopback", res.Options, DefaultClientBlockSize, utimeoutFloor, utimeoutMax)
	}
	if n := requests(res); n != 2 {
		t.Fatalf("%d requests, want 2 (declined OACK, then utimeout):\n%v", n, res.Trace)
	}
	res = download(t, c, "f.bin", data)
	if !short(res.Options.UTimeout) || requests(res) != 1 {
		t.Fatalf("second download: options %v in %d requests, want utimeout in one", res.Options, requests(res))
	}
	// A small file is not worth the second request.
	writeFile(t, dir, "small.bin", data[:10*1468])
	lockStepServers.forget(serverAddr(t, addr))
	res = download(t, c, "small.bin", data[:10*1468])
	if res.Options.UTimeout != 0 || requests(res) != 1 {
		t.Fatalf("small file: options %v in %d requests, want no utimeout in one", res.Options, requests(res))
	}
	// Plain requests stay plain.
	c.Options = Options{}
	res = download(t, c, "f.bin", data)
	if res.Options.UTimeout != 0 || requests(res) != 1 {
		t.Fatalf("no options: %v in %d requests", res.Options, requests(res))
	}
}

// TestUTimeoutWindowedServer: a server that negotiates a window is not
// asked for utimeout.
func TestUTimeoutWindowedServer(t *testing.T) {
	data := testData(200_000)
	dir := servedDir(t, false)
	writeFile(t, dir, "f.bin", data)
	addr := startServer(t, &Server{Root: dir})
	c := testClient(addr)
	c.TraceLimit = 50
	res := download(t, c, "f.bin", data)
	if res.Options.UTimeout != 0 || res.Options.WindowSize != DefaultClientWindowSize || requests(res) != 1 {
		t.Fatalf("options %v in %d requests, want windowsize %d in one request", res.Options, requests(res), DefaultClientWindowSize)
	}
}

// fakeLockStep answers one request on a new TID with an OACK of blksize
// and tsize (plus utimeout when withU), then serves data lock-step.
func fakeLockStep(f *fakeServer, from netip.AddrPort, data []byte, u string) {
	x := f.transferPort()
	x.peer = from
	opts := []Option{{optBlksize, "1468"}, {optTsize, strconv.Itoa(len(data))}}
	if u != "" {
		opts = append(opts, Option{optUTimeout, u})
	}
	x.send(appendOACK(nil, opts))
	x.expect(OpACK, 0, 2*time.Second)
	x.serveLockstep(data, 1468, false)
}

// TestUTimeoutFallback: a lock-step server that ignores utimeout, and one
// that refuses it with ERROR 8, both still serve the file with the other
// options, and the client stops asking them.
func TestUTimeoutFallback(t *testing.T) {
	data := testData(100_000)
	t.Run("ignored", func(t *testing.T) {
		f := newFakeServer(t)
		a := serverAddr(t, f.addr())
		done := make(chan struct{})
		go func() {
			defer close(done)
			p, from := f.request()
			if _, ok := optionValue(p.Options, optUTimeout); ok {
				t.Errorf("first request asks utimeout before any round trip: %v", p.Options)
			}
			x := f.transferPort()
			x.peer = from
			x.send(appendOACK(nil, []Option{{optBlksize, "1468"}, {optTsize, strconv.Itoa(len(data))}}))
			if p := x.expect(OpERROR, 0, 2*time.Second); p.Code != CodeOptionRefused {
				t.Errorf("declined with code %d, want 8", p.Code)
			}
			p, from = f.request()
			v, _ := optionValue(p.Options, optUTimeout)
			if us, err := strconv.Atoi(v); err != nil || us < 50000 || us > 250000 {
				t.Errorf("second request: utimeout %q, want 50000..250000 µs", v)
			}
			fakeLockStep(f, from, data, "")
		}()
		var buf bytes.Buffer
		res, err := testClient(f.addr()).Download(context.Background(), "f", &buf)
		<-done
		if err != nil {
			t.Fatal(err)
		}
		checkBytes(t, buf.Bytes(), data)
		if res.Options.UTimeout != 0 || res.Options.BlockSize != 1468 {
			t.Fatalf("options %v", res.Options)
		}
		if _, ok := lockStepServers.get(a); ok {
			t.Fatal("a server that ignored utimeout is still remembered")
		}
	})
	t.Run("refused", func(t *testing.T) {
		f := newFakeServer(t)
		a := serverAddr(t, f.addr())
		lockStepServers.put(a, 20*time.Millisecond)
		done := make(chan struct{})
		go func() {
			defer close(done)
			p, from := f.request()
			if v, _ := optionValue(p.Options, optUTimeout); v != "20000" {
				t.Errorf("remembered server: utimeout %q, want 20000", v)
			}
			x := f.transferPort()
			x.peer = from
			x.send(appendError(nil, CodeOptionRefused, "utimeout not allowed"))
			p, from = f.request()
			if _, ok := optionValue(p.Options, optUTimeout); ok {
				t.Errorf("repeated request still asks utimeout: %v", p.Options)
			}
			if v, _ := optionValue(p.Options, optBlksize); v != "1468" {
				t.Errorf("repeated request lost blksize: %v", p.Options)
			}
			fakeLockStep(f, from, data, "")
		}()
		var buf bytes.Buffer
		res, err := testClient(f.addr()).Download(context.Background(), "f", &buf)
		<-done
		if err != nil {
			t.Fatal(err)
		}
		checkBytes(t, buf.Bytes(), data)
		if res.Options.UTimeout != 0 || res.Options.BlockSize != 1468 || res.Options.Fallback != "utimeout refused" {
			t.Fatalf("options %v, want blksize 1468 and the utimeout refused", res.Options)
		}
		if _, ok := lockStepServers.get(a); ok {
			t.Fatal("a server that refused utimeout is still remembered")
		}
	})
}
