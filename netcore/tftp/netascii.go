package tftp

import "io"

// Netascii (RFC 764 as used by RFC 1350): on the wire every line ends in
// CR LF and a CR that is not part of a line end is sent as CR NUL. Locally
// lines end in LF on every platform.

// netasciiEncoder reads local text and yields netascii.
type netasciiEncoder struct {
	r          io.Reader
	buf        []byte
	start, end int
	pending    int // second byte of an expansion that did not fit, or -1
	err        error
}

func newNetasciiEncoder(r io.Reader) *netasciiEncoder {
	return &netasciiEncoder{r: r, buf: make([]byte, 32<<10), pending: -1}
}

func (e *netasciiEncoder) Read(p []byte) (int, error) {
	n := 0
	if e.pending >= 0 && len(p) > 0 {
		p[0] = byte(e.pending)
		e.pending = -1
		n = 1
	}
	for n < len(p) {
		if e.start == e.end {
			if e.err != nil || n > 0 {
				break
			}
			m, err := e.r.Read(e.buf)
			e.start, e.end, e.err = 0, m, err
			continue
		}
		c := e.buf[e.start]
		e.start++
		var second int
		switch c {
		case '\n':
			c, second = '\r', '\n'
		case '\r':
			second = 0
		default:
			p[n] = c
			n++
			continue
		}
		p[n] = c
		n++
		if n < len(p) {
			p[n] = byte(second)
			n++
		} else {
			e.pending = second
		}
	}
	if n == 0 && e.err != nil {
		return 0, e.err
	}
	return n, nil
}

// netasciiDecoder turns netascii into local text for w. A CR at the end of one
// Write is held until the next (or Flush) decides what it was.
type netasciiDecoder struct {
	w   io.Writer
	out []byte
	cr  bool
}

func newNetasciiDecoder(w io.Writer) *netasciiDecoder { return &netasciiDecoder{w: w} }

func (d *netasciiDecoder) Write(p []byte) (int, error) {
	out := d.out[:0]
	for _, c := range p {
		if d.cr {
			d.cr = false
			switch c {
			case '\n':
				out = append(out, '\n')
				continue
			case 0:
				out = append(out, '\r')
				continue
			}
			out = append(out, '\r') // not netascii; keep the CR
		}
		if c == '\r' {
			d.cr = true
			continue
		}
		out = append(out, c)
	}
	d.out = out
	if _, err := d.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes a CR that ended the stream.
func (d *netasciiDecoder) Flush() error {
	if !d.cr {
		return nil
	}
	d.cr = false
	_, err := d.w.Write([]byte{'\r'})
	return err
}
