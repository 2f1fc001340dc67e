package tftp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"reflect"
	"testing"
	"testing/iotest"
	"time"
)

func TestPacketRoundTrip(t *testing.T) {
	opts := []Option{{"blksize", "1468"}, {"tsize", "0"}, {"windowsize", "8"}}
	cases := []struct {
		pkt  []byte
		want Packet
	}{
		{appendRequest(nil, OpRRQ, "dir/file.bin", ModeOctet, opts), Packet{Op: OpRRQ, Filename: "dir/file.bin", Mode: "octet", Options: opts}},
		{appendRequest(nil, OpWRQ, "x", ModeNetASCII, nil), Packet{Op: OpWRQ, Filename: "x", Mode: "netascii"}},
		{putACK(make([]byte, 4), 65535), Packet{Op: OpACK, Block: 65535}},
		{append(dataHeader(7), "hello"...), Packet{Op: OpDATA, Block: 7, Data: []byte("hello")}},
		{dataHeader(0), Packet{Op: OpDATA, Block: 0, Data: []byte{}}},
		{appendError(nil, CodeFileNotFound, "nope"), Packet{Op: OpERROR, Code: CodeFileNotFound, Message: "nope"}},
		{appendOACK(nil, opts[:1]), Packet{Op: OpOACK, Options: opts[:1]}},
		// Lenient cases seen in the wild: NUL padding after a request,
		// an ERROR message without its NUL.
		{append(appendRequest(nil, OpRRQ, "pxelinux.0", "octet", nil), 0, 0, 0), Packet{Op: OpRRQ, Filename: "pxelinux.0", Mode: "octet"}},
		{[]byte{0, 5, 0, 2, 'b', 'a', 'd'}, Packet{Op: OpERROR, Code: CodeAccessViolation, Message: "bad"}},
	}
	for i, tc := range cases {
		got, err := ParsePacket(tc.pkt)
		if err != nil {
			t.Errorf("%d: %v", i, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%d: got %+v, want %+v", i, got, tc.want)
		}
	}
}

func dataHeader(block uint16) []byte {
	b := make([]byte, 4)
	putDataHeader(b, block)
	return b
}

func TestParsePacketErrors(t *testing.T) {
	for _, b := range [][]byte{
		nil, {0}, {0, 3, 0}, {0, 4, 1}, {0, 5, 0}, {0, 9, 0, 0}, {0, 0},
		{0, 1, 'f'},                       // unterminated name
		{0, 1, 'f', 0},                    // no mode
		{0, 1, 'f', 0, 0},                 // empty mode
		{0, 1, 'f', 0, 'o', 0, 'x'},       // unterminated option
		{0, 1, 'f', 0, 'o', 0, 'x', 0},    // option without value
		{0, 6, 'b', 0, '1', 0, 0, 'x', 0}, // padding followed by data
		{0, 6, 'b', 'l', 'k'},             // unterminated OACK
	} {
		if p, err := ParsePacket(b); err == nil {
			t.Errorf("%q parsed as %+v", b, p)
		}
	}
}

func TestOptionsValidate(t *testing.T) {
	good := []Options{{}, {BlockSize: 8}, {BlockSize: 65464, WindowSize: 1}, {WindowSize: 65535}, {Timeout: time.Second}, {Timeout: 255 * time.Second, TSize: true}}
	for _, o := range good {
		if err := o.Validate(); err != nil {
			t.Errorf("%+v: %v", o, err)
		}
	}
	bad := []Options{{BlockSize: 7}, {BlockSize: 65465}, {WindowSize: -1}, {WindowSize: 65536}, {Timeout: 500 * time.Millisecond},
		{Timeout: 256 * time.Second}, {Timeout: 1500 * time.Millisecond}, {BlockSize: 65464, WindowSize: 2000}}
	for _, o := range bad {
		if err := o.Validate(); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
	if got := (Options{BlockSize: 1468, WindowSize: 8, TSize: true, Timeout: 3 * time.Second}).wire(0); formatOptions(got) != "blksize=1468 timeout=3 tsize=0 windowsize=8" {
		t.Errorf("wire options %s", formatOptions(got))
	}
}

func TestAcceptOACK(t *testing.T) {
	req := Options{BlockSize: 1468, WindowSize: 8, Timeout: 2 * time.Second, TSize: true}
	ok := []struct {
		opts []Option
		want Negotiated
	}{
		{[]Option{{"blksize", "1468"}, {"windowsize", "8"}, {"tsize", "1000"}, {"timeout", "2"}},
			Negotiated{BlockSize: 1468, WindowSize: 8, Timeout: 2 * time.Second, TSize: 1000, OACK: true}},
		{[]Option{{"BLKSIZE", "1024"}, {"WindowSize", "4"}}, Negotiated{BlockSize: 1024, WindowSize: 4, TSize: -1, OACK: true}},
		{[]Option{{"tsize", "0"}}, Negotiated{BlockSize: 512, WindowSize: 1, TSize: 0, OACK: true}},
		{[]Option{{"multicast", ",,1"}}, Negotiated{BlockSize: 512, WindowSize: 1, TSize: -1, OACK: true}},
		{nil, Negotiated{BlockSize: 512, WindowSize: 1, TSize: -1, OACK: true}},
	}
	for _, tc := range ok {
		got, err := acceptOACK(req, tc.opts, true)
		if err != nil || got != tc.want {
			t.Errorf("%v: got %+v, %v; want %+v", tc.opts, got, err, tc.want)
		}
	}
	bad := [][]Option{
		{{"blksize", "1469"}}, {{"blksize", "7"}}, {{"blksize", "-1"}}, {{"blksize", "+512"}}, {{"blksize", "1e3"}},
		{{"windowsize", "9"}}, {{"windowsize", "0"}}, {{"timeout", "3"}}, {{"tsize", "x"}},
		{{"blksize", "512"}, {"blksize", "512"}},
	}
	for _, opts := range bad {
		if got, err := acceptOACK(req, opts, true); !errors.Is(err, ErrProtocol) {
			t.Errorf("%v accepted as %+v", opts, got)
		}
	}
	// Options we did not ask for.
	if _, err := acceptOACK(Options{}, []Option{{"blksize", "512"}}, true); err == nil {
		t.Error("unrequested blksize accepted")
	}
	// Upload: the server echoes tsize; it is not a download size.
	if got, err := acceptOACK(Options{TSize: true}, []Option{{"tsize", "99"}}, false); err != nil || got.TSize != -1 {
		t.Errorf("upload tsize: %+v %v", got, err)
	}
}

func TestNegotiate(t *testing.T) {
	lim := serverLimits{maxBlockSize: 8192, maxWindowSize: 16}
	n, oack := negotiate([]Option{{"blksize", "65464"}, {"windowsize", "64"}, {"tsize", "0"}, {"timeout", "3"}, {"foo", "bar"}}, 12345, lim)
	want := Negotiated{BlockSize: 8192, WindowSize: 16, Timeout: 3 * time.Second, TSize: 12345, OACK: true}
	if n != want || formatOptions(oack) != "blksize=8192 windowsize=16 tsize=12345 timeout=3" {
		t.Errorf("got %+v %s", n, formatOptions(oack))
	}
	// Bad values are left out; the first of a repeated option counts.
	n, oack = negotiate([]Option{{"blksize", "4"}, {"windowsize", "0"}, {"timeout", "300"}, {"tsize", "x"}}, 5, lim)
	if oack != nil || n != defaultNegotiated() {
		t.Errorf("bad values: %+v %v", n, oack)
	}
	_, oack = negotiate([]Option{{"blksize", "1024"}, {"blksize", "2048"}}, 5, lim)
	if formatOptions(oack) != "blksize=1024" {
		t.Errorf("repeated: %s", formatOptions(oack))
	}
	// WRQ: tsize is echoed and becomes the expected size.
	n, oack = negotiate([]Option{{"tsize", "777"}}, -1, lim)
	if n.TSize != 777 || formatOptions(oack) != "tsize=777" {
		t.Errorf("wrq: %+v %s", n, formatOptions(oack))
	}
	// An empty file is served without tsize (curl rejects tsize 0).
	if n, oack = negotiate([]Option{{"tsize", "0"}}, 0, lim); oack != nil || n.TSize != -1 {
		t.Errorf("empty file: %+v %s", n, formatOptions(oack))
	}
	// What the server grants, the client accepts.
	req := Options{BlockSize: 65464, WindowSize: 64, TSize: true}
	n, oack = negotiate(req.wire(0), 99, lim)
	got, err := acceptOACK(req, oack, true)
	if err != nil || got.BlockSize != n.BlockSize || got.WindowSize != n.WindowSize || got.TSize != 99 {
		t.Errorf("round trip: %+v vs %+v: %v", got, n, err)
	}
}

func TestNetascii(t *testing.T) {
	local := []byte("line one\nCR here\r and\r\n done\r")
	wire := []byte("line one\r\nCR here\r\x00 and\r\x00\r\n done\r\x00")
	for _, chunk := range []int{1, 2, 3, 7, 512} {
		enc, err := io.ReadAll(iotest.OneByteReader(newNetasciiEncoder(bytes.NewReader(local))))
		if chunk > 1 {
			enc, err = readChunks(newNetasciiEncoder(bytes.NewReader(local)), chunk)
		}
		if err != nil || !bytes.Equal(enc, wire) {
			t.Errorf("chunk %d: encoded %q, %v", chunk, enc, err)
		}
		var out bytes.Buffer
		dec := newNetasciiDecoder(&out)
		for i := 0; i < len(wire); i += chunk {
			if _, err := dec.Write(wire[i:min(i+chunk, len(wire))]); err != nil {
				t.Fatal(err)
			}
		}
		if err := dec.Flush(); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out.Bytes(), local) {
			t.Errorf("chunk %d: decoded %q", chunk, out.Bytes())
		}
	}
	// A stream ending in a bare CR keeps it; CR followed by anything else too.
	var out bytes.Buffer
	dec := newNetasciiDecoder(&out)
	_, _ = dec.Write([]byte("a\rb\r"))
	_ = dec.Flush()
	if out.String() != "a\rb\r" {
		t.Errorf("got %q", out.String())
	}
}

func readChunks(r io.Reader, n int) ([]byte, error) {
	var out []byte
	buf := make([]byte, n)
	for {
		k, err := r.Read(buf)
		out = append(out, buf[:k]...)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
}

func TestLocalName(t *testing.T) {
	cases := map[string]string{
		"file.bin": "file.bin", "a/b/c.txt": "c.txt", `a\b\c.txt`: "c.txt", "../../etc/x": "x",
		"/etc/passwd": "passwd", `C:\boot.ini`: "boot.ini", "C:x": "x", "a<b>|c?.txt": "a_b__c_.txt",
		"trail. ": "trail", "tab\tname": "tab_name",
	}
	for in, want := range cases {
		if got, err := LocalName(in); err != nil || got != want {
			t.Errorf("LocalName(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", ".", "..", "a/", `a\`, "a/..", "...", "C:", "/"} {
		if got, err := LocalName(in); !errors.Is(err, ErrInvalidName) {
			t.Errorf("LocalName(%q) = %q, %v; want ErrInvalidName", in, got, err)
		}
	}
}

func TestJailName(t *testing.T) {
	ok := map[string]string{"f": "f", "a/b": "a/b", "./a//b/": "a/b", "a/./b": "a/b", "..x": "..x", "x..": "x.."}
	for in, want := range ok {
		if got, err := jailName(in); err != nil || got != want {
			t.Errorf("jailName(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", ".", "./", "..", "../x", "a/../../x", "a/..", "/x", `a\b`, `..\x`, "C:x", `c:\x`, "a\x01b", "a\x7f"} {
		if _, err := jailName(in); !errors.Is(err, ErrAccessViolation) {
			t.Errorf("jailName(%q): %v, want ErrAccessViolation", in, err)
		}
	}
}

func TestRTO(t *testing.T) {
	r := newRTO(500*time.Millisecond, 10*time.Millisecond, 2*time.Second)
	if r.timeout() != 500*time.Millisecond {
		t.Fatal(r.timeout())
	}
	r.sample(100 * time.Millisecond) // SRTT 100, RTTVAR 50 → 300
	if r.timeout() != 300*time.Millisecond {
		t.Fatalf("after one sample %v", r.timeout())
	}
	for range 50 {
		r.sample(100 * time.Microsecond)
	}
	if r.timeout() != 10*time.Millisecond {
		t.Fatalf("fast link: %v, want the 10ms floor", r.timeout())
	}
	for range 10 {
		r.backoff()
	}
	if r.timeout() != 2*time.Second {
		t.Fatalf("backoff: %v, want the 2s ceiling", r.timeout())
	}
	r.sample(100 * time.Microsecond)
	if r.timeout() != 10*time.Millisecond {
		t.Fatalf("a new sample should end the backoff: %v", r.timeout())
	}
	r.fix(3 * time.Second)
	r.sample(time.Millisecond)
	r.backoff()
	if r.timeout() != 3*time.Second {
		t.Fatalf("fixed: %v", r.timeout())
	}
}

func TestResolve(t *testing.T) {
	cases := map[string]string{
		"127.0.0.1": "127.0.0.1:69", "127.0.0.1:6969": "127.0.0.1:6969", "[::1]:70": "[::1]:70",
		"::1": "[::1]:69", "[::1]": "[::1]:69", "localhost:6969": "127.0.0.1:6969",
	}
	for in, want := range cases {
		got, err := resolve(context.Background(), in)
		if err != nil || got != netip.MustParseAddrPort(want) {
			t.Errorf("resolve(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
	for _, in := range []string{"", ":69", "127.0.0.1:0", "127.0.0.1:99999", "127.0.0.1:nope"} {
		if got, err := resolve(context.Background(), in); err == nil {
			t.Errorf("resolve(%q) = %v", in, got)
		}
	}
}

func TestRemoteErrorIs(t *testing.T) {
	for code := ErrorCode(0); code <= 9; code++ {
		err := fmt.Errorf("wrapped: %w", &RemoteError{Code: code, Message: "m"})
		if !errors.Is(err, code.Sentinel()) {
			t.Errorf("code %d does not match its sentinel", code)
		}
		if code != CodeFileNotFound && errors.Is(err, ErrFileNotFound) {
			t.Errorf("code %d matches ErrFileNotFound", code)
		}
	}
	if (&RemoteError{Code: 1, Message: "gone"}).Error() != "tftp: peer error 1 (file not found): gone" {
		t.Error((&RemoteError{Code: 1, Message: "gone"}).Error())
	}
}

func TestTraceRing(t *testing.T) {
	r := &traceRing{limit: 3}
	live := 0
	for i := range 10 {
		if r.add(PacketRecord{Block: uint16(i)}) {
			live++
		}
	}
	recs, omitted := r.records()
	var blocks []uint16
	for _, rec := range recs {
		blocks = append(blocks, rec.Block)
	}
	if live != 3 || omitted != 4 || !reflect.DeepEqual(blocks, []uint16{0, 1, 2, 7, 8, 9}) {
		t.Fatalf("live %d omitted %d blocks %v", live, omitted, blocks)
	}
}
