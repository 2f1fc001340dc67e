package checksum

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"
)

var check = []byte("123456789")

func TestCatalogueCheckValues(t *testing.T) {
	// The expected values are written out here, not read from the registry,
	// so a wrong registry entry cannot hide a wrong implementation.
	cases := []struct {
		name string
		got  uint32
		want uint32
	}{
		{"Sum8", uint32(Sum8(check)), 0xDD},
		{"XOR8", uint32(XOR8(check)), 0x31},
		{"CRC-8/SMBUS", uint32(CRC8(check)), 0xF4},
		{"CRC-16/MODBUS", uint32(CRC16Modbus(check)), 0x4B37},
		{"CRC-16/CCITT-FALSE", uint32(CRC16CCITTFalse(check)), 0x29B1},
		{"CRC-16/XMODEM", uint32(CRC16XModem(check)), 0x31C3},
		{"CRC-32/ISO-HDLC", CRC32(check), 0xCBF43926},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s(\"123456789\") = %#x; want %#x", c.name, c.got, c.want)
		}
	}
	want := map[string]uint32{"sum8": 0xDD, "xor8": 0x31, "crc8": 0xF4, "crc16modbus": 0x4B37,
		"crc16ccitt": 0x29B1, "crc16xmodem": 0x31C3, "crc32": 0xCBF43926}
	if len(Algorithms()) != len(want) {
		t.Fatalf("registry has %d algorithms; want %d", len(Algorithms()), len(want))
	}
	for _, a := range Algorithms() {
		w, ok := want[a.Name]
		if !ok {
			t.Errorf("unexpected algorithm %q", a.Name)
			continue
		}
		if got := a.Sum(check); got != w || a.Check != w {
			t.Errorf("%s: Sum = %#x, Check = %#x; want %#x", a.Name, got, a.Check, w)
		}
	}
}

// bitwise is a direct, bit-at-a-time CRC in the Rocksoft model, written from
// the definition and sharing nothing with the table code.
func bitwise(width uint, poly, init uint32, refin, refout bool, xorout uint32, p []byte) uint32 {
	mask := uint32(1)<<width - 1
	top := uint32(1) << (width - 1)
	crc := init
	for _, b := range p {
		for i := range 8 {
			bit := (b >> (7 - i)) & 1
			if refin {
				bit = (b >> i) & 1
			}
			fb := (crc&top != 0) != (bit == 1)
			crc = (crc << 1) & mask
			if fb {
				crc ^= poly
			}
		}
	}
	if refout {
		var r uint32
		for i := range width {
			if crc&(1<<i) != 0 {
				r |= 1 << (width - 1 - i)
			}
		}
		crc = r
	}
	return (crc ^ xorout) & mask
}

func TestTablesMatchBitwiseReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := range 200 {
		p := make([]byte, n)
		for i := range p {
			p[i] = byte(rng.Uint32())
		}
		pairs := []struct {
			name      string
			got, want uint32
		}{
			{"crc8", uint32(CRC8(p)), bitwise(8, 0x07, 0, false, false, 0, p)},
			{"crc16modbus", uint32(CRC16Modbus(p)), bitwise(16, 0x8005, 0xFFFF, true, true, 0, p)},
			{"crc16ccitt", uint32(CRC16CCITTFalse(p)), bitwise(16, 0x1021, 0xFFFF, false, false, 0, p)},
			{"crc16xmodem", uint32(CRC16XModem(p)), bitwise(16, 0x1021, 0, false, false, 0, p)},
			{"crc32", CRC32(p), bitwise(32, 0x04C11DB7, 0xFFFFFFFF, true, true, 0xFFFFFFFF, p)},
		}
		for _, c := range pairs {
			if c.got != c.want {
				t.Fatalf("%s over %d bytes = %#x; bitwise reference %#x", c.name, n, c.got, c.want)
			}
		}
	}
}

func TestAppendByteOrder(t *testing.T) {
	modbus, _ := Lookup("crc16modbus")
	frame := []byte{0x01, 0x03, 0x00, 0x00, 0x00, 0x0A}
	if got := modbus.AppendSum(nil, frame, Natural); !bytes.Equal(got, []byte{0xC5, 0xCD}) {
		t.Errorf("Modbus natural = % X; want C5 CD (low byte first)", got)
	}
	if got := modbus.AppendSum(nil, frame, BigEndian); !bytes.Equal(got, []byte{0xCD, 0xC5}) {
		t.Errorf("Modbus big-endian = % X; want CD C5", got)
	}
	c32, _ := Lookup("crc32")
	if got := c32.AppendSum([]byte{0xAA}, check, Natural); !bytes.Equal(got, []byte{0xAA, 0xCB, 0xF4, 0x39, 0x26}) {
		t.Errorf("CRC-32 natural = % X; want AA CB F4 39 26", got)
	}
	if got := c32.AppendSum(nil, check, LittleEndian); !bytes.Equal(got, []byte{0x26, 0x39, 0xF4, 0xCB}) {
		t.Errorf("CRC-32 little-endian = % X", got)
	}
	s8, _ := Lookup("sum8")
	if got := s8.AppendSum(nil, check, LittleEndian); !bytes.Equal(got, []byte{0xDD}) {
		t.Errorf("Sum8 = % X", got)
	}
}

func TestLookup(t *testing.T) {
	for in, want := range map[string]string{
		"crc16modbus": "crc16modbus", "CRC-16/MODBUS": "crc16modbus", "crc16-ccitt-false": "crc16ccitt",
		"CRC-16/IBM-3740": "crc16ccitt", "CRC-8/SMBUS": "crc8", "CRC-32": "crc32", "XOR8": "xor8", "BCC": "xor8",
	} {
		a, err := Lookup(in)
		if err != nil || a.Name != want {
			t.Errorf("Lookup(%q) = %v, %v; want %s", in, a, err, want)
		}
	}
	if _, err := Lookup("crc64"); !errors.Is(err, ErrUnknownAlgorithm) {
		t.Errorf("Lookup(crc64) err = %v; want ErrUnknownAlgorithm", err)
	}
	if n := Names(); len(n) != 7 || n[0] != "sum8" || n[6] != "crc32" {
		t.Errorf("Names() = %v", n)
	}
}
