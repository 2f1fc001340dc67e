package tftp

import (
	"bytes"
	"reflect"
	"testing"
	"time"
)

func FuzzParsePacket(f *testing.F) {
	f.Add(appendRequest(nil, OpRRQ, "file.bin", ModeOctet, []Option{{"blksize", "1468"}, {"tsize", "0"}, {"windowsize", "8"}}))
	f.Add(appendRequest(nil, OpWRQ, "a/b", ModeNetASCII, nil))
	f.Add(append(appendRequest(nil, OpRRQ, "pxelinux.0", "octet", nil), 0, 0))
	f.Add(append(dataHeader(1), "data"...))
	f.Add(putACK(make([]byte, 4), 9))
	f.Add(appendError(nil, CodeFileNotFound, "not here"))
	f.Add(appendOACK(nil, []Option{{"blksize", "512"}}))
	f.Add([]byte{0, 5, 0, 1})
	f.Add([]byte{0, 6})
	f.Add([]byte{0xff, 0xff, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParsePacket(b)
		_ = describe(b)
		if op, block, ok := opAndBlock(b); err == nil && (p.Op != op || (ok && (p.Op == OpDATA || p.Op == OpACK) && p.Block != block)) {
			t.Fatalf("fast path disagrees: %v %d vs %+v", op, block, p)
		}
		if err != nil {
			return
		}
		// Whatever parses re-encodes to something that parses the same.
		var again []byte
		switch p.Op {
		case OpRRQ, OpWRQ:
			again = appendRequest(nil, p.Op, p.Filename, Mode(p.Mode), p.Options)
		case OpOACK:
			again = appendOACK(nil, p.Options)
		case OpERROR:
			again = appendError(nil, p.Code, p.Message)
		case OpACK:
			again = putACK(make([]byte, 4), p.Block)
		case OpDATA:
			again = append(dataHeader(p.Block), p.Data...)
		}
		q, err := ParsePacket(again)
		if err != nil {
			t.Fatalf("re-encoded %+v does not parse: %v", p, err)
		}
		if p.Op == OpERROR && bytes.IndexByte([]byte(p.Message), 0) >= 0 {
			t.Fatalf("message with NUL: %q", p.Message)
		}
		if !reflect.DeepEqual(p, q) {
			t.Fatalf("round trip changed %+v into %+v", p, q)
		}
	})
}

func FuzzParseOptions(f *testing.F) {
	f.Add(appendOptions(nil, []Option{{"blksize", "1468"}, {"tsize", "0"}, {"windowsize", "8"}, {"timeout", "3"}}), uint16(1468), uint16(8), uint8(3))
	f.Add(appendOptions(nil, []Option{{"BLKSIZE", "99999999999999999999"}}), uint16(512), uint16(0), uint8(0))
	f.Add(appendOptions(nil, []Option{{"windowsize", "0"}, {"tsize", "-1"}}), uint16(0), uint16(4), uint8(0))
	f.Add([]byte("blksize\x00512\x00\x00\x00"), uint16(512), uint16(1), uint8(1))
	f.Fuzz(func(t *testing.T, b []byte, blk, win uint16, timeout uint8) {
		opts, err := ParseOptions(b)
		if err != nil {
			return
		}
		if again, err := ParseOptions(appendOptions(nil, opts)); err != nil || !reflect.DeepEqual(again, opts) {
			t.Fatalf("options do not round-trip: %v → %v (%v)", opts, again, err)
		}
		// Client side: whatever an OACK says, what is accepted is within
		// what was asked.
		req := Options{BlockSize: int(blk), WindowSize: int(win), Timeout: time.Duration(timeout) * time.Second, TSize: true}
		if req.Validate() == nil {
			n, err := acceptOACK(req, opts, true)
			if err == nil {
				// An OACK without blksize means 512, even if less was asked.
				if n.BlockSize != DefaultBlockSize && (n.BlockSize < MinBlockSize || n.BlockSize > req.BlockSize) {
					t.Fatalf("accepted blksize %d for request %d", n.BlockSize, req.BlockSize)
				}
				if n.WindowSize != 1 && n.WindowSize > req.WindowSize {
					t.Fatalf("accepted windowsize %d for request %d", n.WindowSize, req.WindowSize)
				}
				if n.Timeout != 0 && n.Timeout != req.Timeout {
					t.Fatalf("accepted timeout %v for request %v", n.Timeout, req.Timeout)
				}
			}
		}
		// Server side: what is granted is within the limits, and the OACK
		// sent is one the client accepts.
		lim := serverLimits{maxBlockSize: 8192, maxWindowSize: 32}
		n, oack := negotiate(opts, 1000, lim)
		if n.BlockSize < MinBlockSize || n.BlockSize > lim.maxBlockSize || n.WindowSize < 1 || n.WindowSize > lim.maxWindowSize {
			t.Fatalf("granted %+v", n)
		}
		if (oack != nil) != n.OACK {
			t.Fatalf("OACK %v but n.OACK %v", oack, n.OACK)
		}
		if oack != nil {
			asked := Options{TSize: n.TSize >= 0, Timeout: n.Timeout}
			if n.BlockSize != DefaultBlockSize || hasOption(oack, optBlksize) {
				asked.BlockSize = n.BlockSize
			}
			if n.WindowSize != 1 || hasOption(oack, optWindowsize) {
				asked.WindowSize = n.WindowSize
			}
			got, err := acceptOACK(asked, oack, true)
			if err != nil || got.BlockSize != n.BlockSize || got.WindowSize != n.WindowSize || got.TSize != n.TSize || got.Timeout != n.Timeout {
				t.Fatalf("client rejects the server's OACK %v: %+v vs %+v: %v", oack, got, n, err)
			}
		}
	})
}

func hasOption(opts []Option, name string) bool {
	for _, o := range opts {
		if o.Name == name {
			return true
		}
	}
	return false
}
