package session

import (
	"bufio"
	"fmt"
	"os"
	"sync"
)

// Capture streams received bytes to a file, exactly as they arrived. It is
// how nothing is lost when the on-screen log drops old records. One Capture
// may be shared by several connections; writes are serialised.
type Capture struct {
	mu   sync.Mutex
	f    *os.File
	w    *bufio.Writer
	n    int64
	path string
	err  error
}

// CreateCapture creates (or truncates) path for writing.
func CreateCapture(path string) (*Capture, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("receive to file: %w", err)
	}
	return &Capture{f: f, w: bufio.NewWriterSize(f, 256<<10), path: path}, nil
}

// Write appends p. After the first error every write fails with it.
func (c *Capture) Write(p []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return c.err
	}
	if c.f == nil {
		return fmt.Errorf("receive to file %s: %w", c.path, os.ErrClosed)
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	if err != nil {
		c.err = fmt.Errorf("receive to file %s: %w", c.path, err)
	}
	return c.err
}

// Bytes reports how many bytes were written.
func (c *Capture) Bytes() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// Path is the file being written.
func (c *Capture) Path() string { return c.path }

// Close flushes and closes the file.
func (c *Capture) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.f == nil {
		return c.err
	}
	ferr := c.w.Flush()
	cerr := c.f.Close()
	c.f = nil
	if c.err == nil {
		if ferr != nil {
			c.err = ferr
		} else {
			c.err = cerr
		}
	}
	return c.err
}
