//go:build windows || darwin || freebsd || openbsd || netbsd

package netinfo

import (
	"context"
	"fmt"
	"syscall"

	psnet "github.com/shirou/gopsutil/v4/net"
	"github.com/shirou/gopsutil/v4/process"
)

// listSockets asks gopsutil, which reads the system's own tables: the IP
// helper API (GetExtendedTcpTable/GetExtendedUdpTable) on Windows, lsof on
// macOS and FreeBSD, netstat on OpenBSD and NetBSD (which do not tell owners).
func listSockets(ctx context.Context) (SocketTable, error) {
	conns, err := psnet.ConnectionsWithContext(ctx, "inet")
	if err != nil {
		if ctx.Err() != nil {
			return SocketTable{}, fmt.Errorf("listing sockets: %w", ctx.Err())
		}
		return SocketTable{}, fmt.Errorf("%w: listing sockets: %w", ErrNotSupported, err)
	}
	t := SocketTable{Source: "gopsutil"}
	names := map[int32]string{}
	unnamed := 0
	for _, c := range conns {
		if c.Type != syscall.SOCK_STREAM && c.Type != syscall.SOCK_DGRAM {
			continue
		}
		s, ok := socketFromConn(c.Family == syscall.AF_INET6, c.Type == syscall.SOCK_STREAM,
			c.Laddr.IP, c.Laddr.Port, c.Raddr.IP, c.Raddr.Port, c.Status, c.Pid)
		if !ok {
			continue
		}
		if s.PID > 0 {
			name, seen := names[c.Pid]
			if !seen {
				if p, err := process.NewProcessWithContext(ctx, c.Pid); err == nil {
					name, _ = p.NameWithContext(ctx)
				}
				names[c.Pid] = name
				if name == "" {
					unnamed++
				}
			}
			s.Process = name
		}
		t.Sockets = append(t.Sockets, s)
	}
	if unnamed > 0 {
		t.Note = fmt.Sprintf("the names of %d processes could not be read; run as administrator to see every owner", unnamed)
	}
	return t, nil
}
