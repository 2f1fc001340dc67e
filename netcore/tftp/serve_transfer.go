package tftp

import (
	"bufio"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"net"
	"net/netip"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// jailName checks a requested file name and returns it in the slash form
// os.Root takes. Anything that could leave the root is an access violation:
// absolute paths, ".." segments, backslashes (Windows separators) and drive
// letters. os.Root then refuses symlinks that lead outside.
func jailName(name string) (string, error) {
	bad := func(why string) (string, error) {
		return "", &localError{code: CodeAccessViolation, msg: "access violation: " + why,
			err: fmt.Errorf("%w: %q: %s", ErrAccessViolation, name, why)}
	}
	switch {
	case name == "":
		return bad("empty file name")
	case strings.ContainsRune(name, '\\'):
		return bad("backslash in file name")
	case strings.HasPrefix(name, "/"):
		return bad("absolute path")
	case len(name) >= 2 && name[1] == ':' && isLetter(name[0]):
		return bad("drive letter")
	case strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return bad("control character in file name")
	}
	for _, seg := range strings.Split(name, "/") {
		if seg == ".." {
			return bad("parent directory")
		}
	}
	clean := path.Clean(name)
	if clean == "." {
		return bad("not a file")
	}
	return clean, nil
}

func notFound(name string, err error) error {
	return &localError{code: CodeFileNotFound, msg: "file not found", err: fmt.Errorf("%w: %s: %w", ErrFileNotFound, name, err)}
}

func denied(name, why string, err error) error {
	return &localError{code: CodeAccessViolation, msg: "access violation: " + why, err: fmt.Errorf("%w: %s: %w", ErrAccessViolation, name, err)}
}

// openError maps an os.Root error: a missing file is ERROR 1, anything else
// (permissions, symlinks leading outside the root) ERROR 2.
func openError(name string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return notFound(name, err)
	}
	return denied(name, "cannot open", err)
}

// handle runs one transfer on its own socket.
func (s *Server) handle(ctx context.Context, pc net.PacketConn, p Packet, from netip.AddrPort, local netip.Addr, a *activeTransfer) {
	tr := s.tracker(p, from)
	network := "udp4"
	if from.Addr().Is6() {
		network = "udp6"
	}
	var bind netip.Addr
	if local.IsValid() && !local.IsUnspecified() && local.Is4() == from.Addr().Is4() {
		bind = local
	}
	uc, err := openTransferSocket(network, bind, true)
	if err != nil {
		_, _ = pc.WriteTo(appendError(nil, CodeNotDefined, "server cannot open a socket"), net.UDPAddrFromAddrPort(from))
		tr.emit(Event{Kind: EventStart})
		tr.finish(0, nil, err)
		return
	}
	defer uc.Close()

	bufSize := 2048
	if p.Op == OpWRQ {
		bufSize = max(bufSize, s.maxBlockSize()+headerLen+1)
	}
	cfg := connConfig{retries: s.Retries, initialRTO: s.InitialRTO, minRTO: s.MinRTO, maxRTO: s.MaxRTO}
	cn := newConn(ctx, uc, from, true, bufSize, tr, cfg)
	defer cn.release()
	cn.hello.Store(true)
	s.mu.Lock()
	a.conn = cn
	s.mu.Unlock()

	var (
		local64 int64
		rcv     *receiver
		h       hash.Hash
	)
	// Served files are on disk and hashing them costs a fifth of the
	// server's CPU on loopback, so that is opt-in; uploads are always hashed.
	if p.Op == OpWRQ || s.HashDownloads {
		h = sha256.New()
	}
	mode, err := ParseMode(p.Mode)
	if err == nil && p.Op == OpRRQ {
		var src *source
		src, err = s.serveRead(cn, p, mode, h)
		if src != nil {
			local64 = src.n
		}
	} else if err == nil {
		rcv, err = s.serveWrite(cn, p, mode, h)
		if rcv != nil {
			local64 = rcv.sink.n
		}
	} else {
		tr.emit(Event{Kind: EventStart})
		err = cn.fail(&localError{code: CodeIllegalOp, msg: "unsupported mode", err: err})
	}
	cn.snapshot()
	tr.finish(local64, h, err)
	if rcv != nil && err == nil {
		dally := s.Dally
		if dally == 0 {
			dally = DefaultServerDally
		}
		rcv.linger(dally)
	}
}

func (s *Server) maxBlockSize() int {
	if s.MaxBlockSize >= MinBlockSize && s.MaxBlockSize <= MaxBlockSize {
		return s.MaxBlockSize
	}
	return MaxBlockSize
}

func (s *Server) limits() serverLimits {
	w := s.MaxWindowSize
	if w <= 0 || w > MaxWindowSize {
		w = DefaultServerMaxWindow
	}
	blk := s.maxBlockSize()
	w = min(w, max(1, maxWindowBytes/blk))
	return serverLimits{maxBlockSize: blk, maxWindowSize: w}
}

// startRefused emits the start event of a request that is answered with an
// ERROR, sends it and returns err.
func startRefused(cn *conn, err error) error {
	cn.tr.emit(Event{Kind: EventStart})
	return cn.fail(err)
}

func (s *Server) serveRead(cn *conn, p Packet, mode Mode, h hash.Hash) (*source, error) {
	name, err := jailName(p.Filename)
	if err != nil {
		return nil, startRefused(cn, err)
	}
	root, err := os.OpenRoot(s.Root)
	if err != nil {
		return nil, startRefused(cn, denied(p.Filename, "root folder unavailable", err))
	}
	defer root.Close()
	// Stat before opening: opening a FIFO or device could block or worse.
	fi, err := root.Stat(name)
	if err != nil {
		return nil, startRefused(cn, openError(p.Filename, err))
	}
	if !fi.Mode().IsRegular() {
		return nil, startRefused(cn, denied(p.Filename, "not a regular file", errors.New("not a regular file")))
	}
	f, err := root.Open(name)
	if err != nil {
		return nil, startRefused(cn, openError(p.Filename, err))
	}
	defer f.Close()

	n, oack := negotiate(p.Options, fi.Size(), s.limits())
	if mode != ModeNetASCII { // progress counts wire bytes, which netascii changes
		cn.tr.info.Size = fi.Size()
	}
	cn.tr.emit(Event{Kind: EventStart})
	cn.tr.setOptions(n)
	if n.Timeout > 0 {
		cn.rto.fix(n.Timeout)
	}
	src := &source{br: bufio.NewReaderSize(f, 64<<10), h: h}
	if oack != nil {
		if err := s.oackHandshake(cn, appendOACK(nil, oack)); err != nil {
			return src, err
		}
	}
	var in io.Reader = src
	if mode == ModeNetASCII {
		in = newNetasciiEncoder(src)
	}
	return src, newSender(cn, n.BlockSize, n.WindowSize, in).run()
}

// oackHandshake sends the OACK of a read request and waits for ACK 0.
func (s *Server) oackHandshake(cn *conn, oack []byte) error {
	if err := cn.send(oack); err != nil {
		return err
	}
	sentAt := time.Now()
	wait := func() time.Duration { return max(cn.rto.timeout(), serverHelloWait) }
	due := sentAt.Add(wait())
	fresh, timeouts := true, 0
	for {
		pkt, err := cn.recv(due)
		if err == errRepeat || err == errWait {
			if err == errWait {
				timeouts++
				if err := cn.timedOutLimit(timeouts, min(cn.retries, helloRetries)); err != nil {
					return cn.fail(err)
				}
				cn.tr.emitProgress(EventRetransmit, time.Now())
			}
			fresh = false
			cn.tr.stats.Retransmits++
			if err := cn.send(oack); err != nil {
				return err
			}
			due = time.Now().Add(wait())
			continue
		}
		if err != nil {
			return cn.fail(err)
		}
		switch op, block, ok := opAndBlock(pkt); {
		case op == OpACK && ok && block == 0:
			if fresh {
				cn.rto.sample(time.Since(sentAt))
			}
			cn.hello.Store(false)
			return nil
		case op == OpERROR:
			return remoteError(pkt)
		}
	}
}

func (s *Server) serveWrite(cn *conn, p Packet, mode Mode, h hash.Hash) (*receiver, error) {
	if !s.AllowUpload {
		return nil, startRefused(cn, denied(p.Filename, "uploads are not allowed", errors.New("uploads disabled")))
	}
	name, err := jailName(p.Filename)
	if err != nil {
		return nil, startRefused(cn, err)
	}
	root, err := os.OpenRoot(s.Root)
	if err != nil {
		return nil, startRefused(cn, denied(p.Filename, "root folder unavailable", err))
	}
	defer root.Close()
	// Uploads never write through a symlink or onto a folder.
	if fi, err := root.Lstat(name); err == nil {
		if !fi.Mode().IsRegular() {
			return nil, startRefused(cn, denied(p.Filename, "not a regular file", errors.New("not a regular file")))
		}
		if !s.Overwrite {
			return nil, startRefused(cn, &localError{code: CodeFileExists, msg: "file already exists",
				err: fmt.Errorf("%w: %s", ErrFileExists, p.Filename)})
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, startRefused(cn, denied(p.Filename, "cannot write here", err))
	}
	dir := path.Dir(name)
	if dir == "." {
		dir = ""
	}
	tmp, f, err := createTemp(root, filepath.FromSlash(dir))
	if err != nil {
		return nil, startRefused(cn, openError(p.Filename, err))
	}
	committed := false
	defer func() {
		if f != nil {
			_ = f.Close()
		}
		if !committed {
			_ = root.Remove(tmp)
		}
	}()

	n, oack := negotiate(p.Options, -1, s.limits())
	if mode != ModeNetASCII {
		cn.tr.info.Size = n.TSize
	}
	cn.tr.emit(Event{Kind: EventStart})
	cn.tr.setOptions(n)
	if n.Timeout > 0 {
		cn.rto.fix(n.Timeout)
	}
	sk := newSink(f, h)
	defer sk.Close() // stops its goroutine on failure paths; a no-op after success
	r := &receiver{c: cn, blksize: n.BlockSize, window: n.WindowSize, sink: sk, out: sk}
	if mode == ModeNetASCII {
		r.dec = newNetasciiDecoder(sk)
		r.out = r.dec
	}
	r.beforeFinalAck = func() error {
		err := f.Close()
		f = nil
		if err != nil {
			return writeError(err)
		}
		if err := commit(root, tmp, name, s.Overwrite); err != nil {
			if errors.Is(err, ErrLocalExists) {
				return &localError{code: CodeFileExists, msg: "file already exists", err: fmt.Errorf("%w: %s", ErrFileExists, p.Filename)}
			}
			return denied(p.Filename, "cannot store file", err)
		}
		committed = true
		return nil
	}
	if oack != nil {
		r.last = appendOACK(nil, oack)
		r.helloWait = serverHelloWait
	} else {
		r.last = putACK(r.ackbuf[:], 0)
	}
	if err := cn.send(r.last); err != nil {
		return r, err
	}
	return r, r.run(nil)
}
