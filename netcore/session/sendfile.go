package session

import (
	"context"
	"io"
	"time"
)

// Progress reports a file send: bytes sent so far and the total (-1 when
// unknown).
type Progress func(sent, total int64)

// SendStream copies r to write in chunks of chunk bytes, checking ctx
// between chunks and calling progress at most every 100 ms and once at the
// end. It returns the bytes sent. gap, when positive, paces the chunks (UDP
// peers that cannot keep up).
func SendStream(ctx context.Context, r io.Reader, total int64, chunk int, gap time.Duration, write func([]byte) error, progress Progress) (int64, error) {
	if chunk <= 0 {
		chunk = 64 << 10
	}
	buf := make([]byte, chunk)
	var sent int64
	last := time.Now()
	for {
		if err := ctx.Err(); err != nil {
			return sent, err
		}
		n, rerr := io.ReadFull(r, buf)
		if n > 0 {
			if err := write(buf[:n]); err != nil {
				return sent, err
			}
			sent += int64(n)
			if progress != nil && time.Since(last) >= 100*time.Millisecond {
				progress(sent, total)
				last = time.Now()
			}
			if gap > 0 {
				select {
				case <-ctx.Done():
					return sent, ctx.Err()
				case <-time.After(gap):
				}
			}
		}
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			if progress != nil {
				progress(sent, total)
			}
			return sent, nil
		}
		if rerr != nil {
			return sent, rerr
		}
	}
}
