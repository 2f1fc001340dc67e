package checksum

import "hash/crc32"

// model is a CRC in the Rocksoft parameter model used by the CRC catalogue,
// for widths up to 16 bits. Its table is built once at package init.
type model struct {
	width  uint
	poly   uint32
	init   uint32
	refin  bool
	refout bool
	xorout uint32
	table  [256]uint32
}

func newModel(width uint, poly, init uint32, refin, refout bool, xorout uint32) *model {
	m := &model{width: width, poly: poly, init: init, refin: refin, refout: refout, xorout: xorout}
	top := uint32(1) << (width - 1)
	mask := m.mask()
	if refin {
		// Reflected form: shift right with the reflected polynomial, so the
		// register holds the CRC bit-reversed and input bytes need no reversal.
		rpoly := reflect(poly, width)
		for i := range 256 {
			c := uint32(i)
			for range 8 {
				if c&1 != 0 {
					c = c>>1 ^ rpoly
				} else {
					c >>= 1
				}
			}
			m.table[i] = c
		}
		return m
	}
	for i := range 256 {
		c := uint32(i) << (width - 8)
		for range 8 {
			if c&top != 0 {
				c = c<<1 ^ poly
			} else {
				c <<= 1
			}
		}
		m.table[i] = c & mask
	}
	return m
}

func (m *model) mask() uint32 { return uint32(1)<<m.width - 1 }

func (m *model) checksum(p []byte) uint32 {
	mask := m.mask()
	if m.refin {
		crc := reflect(m.init, m.width)
		for _, b := range p {
			crc = crc>>8 ^ m.table[byte(crc)^b]
		}
		if !m.refout {
			crc = reflect(crc, m.width)
		}
		return (crc ^ m.xorout) & mask
	}
	crc := m.init
	for _, b := range p {
		crc = (crc<<8 ^ m.table[byte(crc>>(m.width-8))^b]) & mask
	}
	if m.refout {
		crc = reflect(crc, m.width)
	}
	return (crc ^ m.xorout) & mask
}

// reflect reverses the low width bits of v.
func reflect(v uint32, width uint) uint32 {
	var r uint32
	for i := range width {
		if v&(1<<i) != 0 {
			r |= 1 << (width - 1 - i)
		}
	}
	return r
}

var (
	crc8SMBus       = newModel(8, 0x07, 0x00, false, false, 0x00)
	crc16Modbus     = newModel(16, 0x8005, 0xFFFF, true, true, 0x0000)
	crc16CCITTFalse = newModel(16, 0x1021, 0xFFFF, false, false, 0x0000)
	crc16XModem     = newModel(16, 0x1021, 0x0000, false, false, 0x0000)
)

// CRC8 is CRC-8/SMBUS (poly 0x07, init 0x00, no reflection, xorout 0x00),
// the catalogue entry most tools simply call "CRC-8".
func CRC8(p []byte) uint8 { return uint8(crc8SMBus.checksum(p)) }

// CRC16Modbus is CRC-16/MODBUS (poly 0x8005 reflected, init 0xFFFF). Modbus
// RTU sends it low byte first.
func CRC16Modbus(p []byte) uint16 { return uint16(crc16Modbus.checksum(p)) }

// CRC16CCITTFalse is CRC-16/CCITT-FALSE, catalogued today as CRC-16/IBM-3740
// (poly 0x1021, init 0xFFFF, no reflection).
func CRC16CCITTFalse(p []byte) uint16 { return uint16(crc16CCITTFalse.checksum(p)) }

// CRC16XModem is CRC-16/XMODEM (poly 0x1021, init 0x0000, no reflection).
func CRC16XModem(p []byte) uint16 { return uint16(crc16XModem.checksum(p)) }

// CRC32 is CRC-32/ISO-HDLC, the CRC of Ethernet, zip and PNG, from hash/crc32.
func CRC32(p []byte) uint32 { return crc32.ChecksumIEEE(p) }
