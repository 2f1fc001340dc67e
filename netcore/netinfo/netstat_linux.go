//go:build linux

package netinfo

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// procRoot is where /proc is; tests do not change it, but keeping the path in
// one place keeps the reader honest about what it reads.
const procRoot = "/proc"

// tcpStates are the kernel's TCP states (include/net/tcp_states.h) by the
// number /proc/net/tcp prints.
var tcpStates = map[uint64]string{
	0x01: "ESTABLISHED", 0x02: "SYN_SENT", 0x03: "SYN_RECV", 0x04: "FIN_WAIT1",
	0x05: "FIN_WAIT2", 0x06: "TIME_WAIT", 0x07: "CLOSE", 0x08: "CLOSE_WAIT",
	0x09: "LAST_ACK", 0x0A: "LISTEN", 0x0B: "CLOSING", 0x0C: "NEW_SYN_RECV",
}

// procSocket is a socket with the inode that ties it to a process.
type procSocket struct {
	Socket
	inode uint64
}

func listSockets(ctx context.Context) (SocketTable, error) {
	t := SocketTable{Source: procRoot + "/net"}
	var all []procSocket
	found := 0
	for _, proto := range []string{"tcp", "tcp6", "udp", "udp6"} {
		f, err := os.Open(filepath.Join(procRoot, "net", proto))
		if errors.Is(err, fs.ErrNotExist) {
			continue // no IPv6 in this kernel, say
		}
		if err != nil {
			return SocketTable{}, fmt.Errorf("reading sockets: %w", err)
		}
		ss, err := parseProcNet(f, proto, binary.NativeEndian)
		f.Close()
		if err != nil {
			return SocketTable{}, err
		}
		found++
		all = append(all, ss...)
	}
	if found == 0 {
		return SocketTable{}, fmt.Errorf("%w: %s/net has no tcp or udp tables", ErrNotSupported, procRoot)
	}
	owners, denied, err := socketOwners(ctx, all)
	if err != nil {
		return SocketTable{}, err
	}
	for _, s := range all {
		if o, ok := owners[s.inode]; ok {
			s.PID, s.Process = o.pid, o.name
		}
		t.Sockets = append(t.Sockets, s.Socket)
	}
	if denied > 0 {
		t.Note = fmt.Sprintf("%d processes could not be inspected; run as root to see every owner", denied)
	}
	return t, nil
}

// parseProcNet reads one of /proc/net/{tcp,tcp6,udp,udp6}. Addresses there
// are 32-bit words printed as host integers, so order is the machine's byte
// order (binary.NativeEndian); tests pass the other one too.
func parseProcNet(r io.Reader, proto string, order binary.ByteOrder) ([]procSocket, error) {
	var out []procSocket
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for n := 1; sc.Scan(); n++ {
		f := strings.Fields(sc.Text())
		if n == 1 || len(f) == 0 {
			continue // the header
		}
		if len(f) < 10 {
			return nil, fmt.Errorf("reading /proc/net/%s line %d: %d fields, expected at least 10", proto, n, len(f))
		}
		ps, err := parseProcLine(f, proto, order)
		if err != nil {
			return nil, fmt.Errorf("reading /proc/net/%s line %d: %w", proto, n, err)
		}
		out = append(out, ps)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading /proc/net/%s: %w", proto, err)
	}
	return out, nil
}

// parseProcLine reads the fields we use: local and remote address, state
// and inode (fields 1, 2, 3 and 9).
func parseProcLine(f []string, proto string, order binary.ByteOrder) (procSocket, error) {
	local, err := decodeProcAddr(f[1], order)
	if err != nil {
		return procSocket{}, err
	}
	remote, err := decodeProcAddr(f[2], order)
	if err != nil {
		return procSocket{}, err
	}
	st, err := strconv.ParseUint(f[3], 16, 8)
	if err != nil {
		return procSocket{}, fmt.Errorf("state %q: %w", f[3], err)
	}
	inode, err := strconv.ParseUint(f[9], 10, 64)
	if err != nil {
		return procSocket{}, fmt.Errorf("inode %q: %w", f[9], err)
	}
	return procSocket{Socket: Socket{Proto: proto, Local: local, Remote: remote, State: procState(proto, st)}, inode: inode}, nil
}

func procState(proto string, st uint64) string {
	if strings.HasPrefix(proto, "udp") {
		switch st {
		case 0x07:
			return "UNCONN"
		case 0x01:
			return "ESTABLISHED"
		}
	}
	if s, ok := tcpStates[st]; ok {
		return s
	}
	return fmt.Sprintf("UNKNOWN(%02X)", st)
}

// decodeProcAddr reads "0100007F:1F90" (IPv4) or 32 hex digits and a port.
func decodeProcAddr(s string, order binary.ByteOrder) (netip.AddrPort, error) {
	h, p, ok := strings.Cut(s, ":")
	if !ok || len(p) != 4 || (len(h) != 8 && len(h) != 32) {
		return netip.AddrPort{}, fmt.Errorf("address %q is not HEXADDR:PORT", s)
	}
	port, err := strconv.ParseUint(p, 16, 16)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("port in %q: %w", s, err)
	}
	b := make([]byte, len(h)/2)
	for i := 0; i < len(h); i += 8 {
		w, err := strconv.ParseUint(h[i:i+8], 16, 32)
		if err != nil {
			return netip.AddrPort{}, fmt.Errorf("address in %q: %w", s, err)
		}
		order.PutUint32(b[i/2:], uint32(w))
	}
	ip, _ := netip.AddrFromSlice(b)
	return netip.AddrPortFrom(ip, uint16(port)), nil
}

type owner struct {
	pid  int
	name string
}

// socketOwners maps socket inodes to processes by reading every
// /proc/PID/fd link ("socket:[12345]"). Processes we may not inspect are
// counted in denied, not treated as failures; processes that exit while we
// look are skipped.
func socketOwners(ctx context.Context, ss []procSocket) (map[uint64]owner, int, error) {
	want := map[uint64]bool{}
	for _, s := range ss {
		if s.inode != 0 {
			want[s.inode] = true
		}
	}
	owners := map[uint64]owner{}
	if len(want) == 0 {
		return owners, 0, nil
	}
	procs, err := os.ReadDir(procRoot)
	if err != nil {
		return owners, 0, nil // no process table: owners stay unknown
	}
	var pids []int
	for _, p := range procs {
		if pid, err := strconv.Atoi(p.Name()); err == nil && pid > 0 {
			pids = append(pids, pid)
		}
	}
	slices.Sort(pids)
	denied := 0
	for _, pid := range pids {
		if err := ctx.Err(); err != nil {
			return nil, 0, fmt.Errorf("listing sockets: %w", err)
		}
		fdDir := filepath.Join(procRoot, strconv.Itoa(pid), "fd")
		fds, err := os.ReadDir(fdDir)
		if errors.Is(err, fs.ErrPermission) {
			denied++
			continue
		}
		if err != nil {
			continue
		}
		var name string
		for _, fd := range fds {
			link, err := os.Readlink(filepath.Join(fdDir, fd.Name()))
			if err != nil || !strings.HasPrefix(link, "socket:[") {
				continue
			}
			inode, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimPrefix(link, "socket:["), "]"), 10, 64)
			if err != nil || !want[inode] {
				continue
			}
			if _, seen := owners[inode]; seen {
				continue // shared after fork: the first (lowest pid) owner is shown
			}
			if name == "" {
				name = processName(pid)
			}
			owners[inode] = owner{pid: pid, name: name}
		}
	}
	return owners, denied, nil
}

func processName(pid int) string {
	b, err := os.ReadFile(filepath.Join(procRoot, strconv.Itoa(pid), "comm"))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}
