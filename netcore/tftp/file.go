package tftp

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// LocalName derives a safe local file name from a remote path: its last
// segment, whichever of / or \ separates segments, without a drive letter,
// with characters that are not allowed in Windows file names replaced by '_'.
// It fails with ErrInvalidName when nothing usable is left ("", ".", "..").
func LocalName(remote string) (string, error) {
	name := remote
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	if len(name) >= 2 && name[1] == ':' && isLetter(name[0]) {
		name = name[2:]
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(`<>:"|?*`, r) {
			return '_'
		}
		return r
	}, name)
	name = strings.TrimRight(name, ". ")
	if name == "" || name == "." || name == ".." {
		return "", fmt.Errorf("%w: no usable file name in %q", ErrInvalidName, remote)
	}
	return name, nil
}

func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// checkPlainName accepts a caller-chosen local name: one path segment.
func checkPlainName(name string) error {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\\\x00") || filepath.IsAbs(name) || filepath.VolumeName(name) != "" {
		return fmt.Errorf("%w: %q is not a plain file name", ErrInvalidName, name)
	}
	return nil
}

// DownloadFile downloads remote into the folder dir, as localName or, when
// localName is "", as LocalName(remote). localName must be a plain name (the
// UI splits a save-dialog path into folder and name). The data goes to a
// temporary file in dir that is renamed when the transfer succeeds and
// removed on any failure or cancel, so dir never holds a partial file. An
// existing file is replaced only when overwrite is true; otherwise the
// result is ErrLocalExists, before anything is downloaded. It returns the
// path written.
func DownloadFile(ctx context.Context, c *Client, remote, dir, localName string, overwrite bool) (string, *Result, error) {
	name := localName
	var err error
	if name == "" {
		if name, err = LocalName(remote); err != nil {
			return "", nil, err
		}
	} else if err := checkPlainName(name); err != nil {
		return "", nil, err
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return "", nil, fmt.Errorf("tftp: open folder: %w", err)
	}
	defer root.Close()
	path := filepath.Join(dir, name)
	if !overwrite {
		if _, err := root.Lstat(name); err == nil {
			return path, nil, fmt.Errorf("%w: %s", ErrLocalExists, path)
		}
	}
	tmp, f, err := createTemp(root, "")
	if err != nil {
		return "", nil, fmt.Errorf("tftp: create temporary file in %s: %w", dir, err)
	}
	res, err := c.Download(ctx, remote, f)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("tftp: writing %s: %w", path, cerr)
	}
	if err == nil {
		err = commit(root, tmp, name, overwrite)
		if errors.Is(err, ErrLocalExists) {
			err = fmt.Errorf("%w: %s", ErrLocalExists, path)
		}
	}
	if err != nil {
		_ = root.Remove(tmp)
		return "", res, err
	}
	return path, res, nil
}

// UploadFile uploads the local file at path as remote (or as its base name
// when remote is "").
func UploadFile(ctx context.Context, c *Client, path, remote string) (*Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("tftp: open %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("tftp: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("tftp: %s is not a regular file", path)
	}
	if remote == "" {
		remote = filepath.Base(path)
	}
	return c.Upload(ctx, remote, f, fi.Size())
}

// createTemp makes a new hidden temporary file next to where name will go
// (subdir is the folder inside root, "" for root itself).
func createTemp(root *os.Root, subdir string) (string, *os.File, error) {
	for range 10 {
		var b [6]byte
		_, _ = rand.Read(b[:])
		tmp := ".netdebug-" + hex.EncodeToString(b[:]) + ".part"
		if subdir != "" {
			tmp = subdir + "/" + tmp
		}
		f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return tmp, f, err
	}
	return "", nil, errors.New("tftp: no free temporary name")
}

// commit gives the finished temporary file its name. Without overwrite the
// name is claimed with a hard link, which fails atomically if the name was
// taken meanwhile; where links are not supported it falls back to a check
// and a rename.
func commit(root *os.Root, tmp, name string, overwrite bool) error {
	if overwrite {
		return root.Rename(tmp, name)
	}
	err := root.Link(tmp, name)
	if err == nil {
		return root.Remove(tmp)
	}
	if errors.Is(err, fs.ErrExist) {
		return ErrLocalExists
	}
	if _, serr := root.Lstat(name); serr == nil {
		return ErrLocalExists
	}
	return root.Rename(tmp, name)
}
