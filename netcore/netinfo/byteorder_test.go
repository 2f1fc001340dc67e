package netinfo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
)

func TestHostEndianMatchesNativeEndian(t *testing.T) {
	// Two independent ways to ask: our unsafe look at memory, and the
	// standard library's build-time NativeEndian.
	b := binary.NativeEndian.AppendUint16(nil, 0x0102)
	want := BigEndian
	if b[0] == 0x02 {
		want = LittleEndian
	}
	if got := HostEndian(); got != want {
		t.Errorf("HostEndian() = %v, NativeEndian says %v", got, want)
	}
}

func TestByteOrderTable(t *testing.T) {
	cases := []struct {
		v       uint32
		bits    int
		host    Endian
		hostB   []byte
		netB    []byte
		swapped uint32
	}{
		{0x1234, 16, LittleEndian, []byte{0x34, 0x12}, []byte{0x12, 0x34}, 0x3412},
		{0x1234, 16, BigEndian, []byte{0x12, 0x34}, []byte{0x12, 0x34}, 0x1234},
		{80, 16, LittleEndian, []byte{0x50, 0x00}, []byte{0x00, 0x50}, 0x5000},
		{0xFFFF, 16, LittleEndian, []byte{0xFF, 0xFF}, []byte{0xFF, 0xFF}, 0xFFFF},
		{0, 32, LittleEndian, []byte{0, 0, 0, 0}, []byte{0, 0, 0, 0}, 0},
		{0xC0A80102, 32, LittleEndian, []byte{0x02, 0x01, 0xA8, 0xC0}, []byte{0xC0, 0xA8, 0x01, 0x02}, 0x0201A8C0},
		{0xC0A80102, 32, BigEndian, []byte{0xC0, 0xA8, 0x01, 0x02}, []byte{0xC0, 0xA8, 0x01, 0x02}, 0xC0A80102},
		{0x1234, 32, LittleEndian, []byte{0x34, 0x12, 0, 0}, []byte{0, 0, 0x12, 0x34}, 0x34120000},
	}
	for _, c := range cases {
		r, err := byteOrderFor(c.v, c.bits, c.host)
		if err != nil {
			t.Errorf("byteOrderFor(%#x, %d, %v): %v", c.v, c.bits, c.host, err)
			continue
		}
		if !bytes.Equal(r.HostBytes, c.hostB) || !bytes.Equal(r.NetworkBytes, c.netB) || r.Swapped != c.swapped {
			t.Errorf("byteOrderFor(%#x, %d, %v) = host % X, net % X, swapped %#x; want % X, % X, %#x",
				c.v, c.bits, c.host, r.HostBytes, r.NetworkBytes, r.Swapped, c.hostB, c.netB, c.swapped)
		}
	}
}

func TestParseByteOrder(t *testing.T) {
	cases := []struct {
		in   string
		bits int
		v    uint32
		w    int
	}{
		{"0x1234", 0, 0x1234, 16},
		{"4660", 0, 0x1234, 16},
		{"65535", 0, 0xFFFF, 16},
		{"65536", 0, 0x10000, 32},
		{"0xDEADBEEF", 0, 0xDEADBEEF, 32},
		{"0x1234", 32, 0x1234, 32},
		{"0x00_50", 16, 0x50, 16},
		{" 80 ", 16, 80, 16},
	}
	for _, c := range cases {
		r, err := ParseByteOrder(c.in, c.bits)
		if err != nil || r.Value != c.v || r.Bits != c.w || r.Host != HostEndian() {
			t.Errorf("ParseByteOrder(%q, %d) = %#x/%d/%v, %v; want %#x/%d", c.in, c.bits, r.Value, r.Bits, r.Host, err, c.v, c.w)
		}
	}
	errs := []struct {
		in   string
		bits int
		want string
	}{
		{"", 0, "empty"},
		{"-1", 0, "negative"},
		{"abc", 0, "for hex write 0xabc"},
		{"12z", 0, "not a number"},
		{"0x", 0, "needs hex digits"},
		{"0xZZ", 0, "not a hex number"},
		{"0x123456789", 0, "more than 32 bits"},
		{"4294967296", 0, "more than 32 bits"},
		{"70000", 16, "does not fit in 16 bits"},
		{"1", 8, "use 16 or 32"},
	}
	for _, c := range errs {
		_, err := ParseByteOrder(c.in, c.bits)
		if !errors.Is(err, ErrInvalidValue) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseByteOrder(%q, %d) error = %v; want ErrInvalidValue with %q", c.in, c.bits, err, c.want)
		}
	}
}

func TestByteOrderText(t *testing.T) {
	r, err := byteOrderFor(0x1234, 16, LittleEndian)
	if err != nil {
		t.Fatal(err)
	}
	text := r.Text()
	for _, want := range []string{"0x1234 = 4660", "little-endian", "34 12", "12 34", "htons(0x1234)  0x3412 = 13330"} {
		if !strings.Contains(text, want) {
			t.Errorf("Text lacks %q:\n%s", want, text)
		}
	}
	r32, _ := ByteOrderOf(0xC0A80102, 32)
	if !strings.Contains(r32.Text(), "htonl(0xC0A80102)") || !strings.Contains(r32.Text(), HostEndian().String()) {
		t.Errorf("32-bit text:\n%s", r32.Text())
	}
}
