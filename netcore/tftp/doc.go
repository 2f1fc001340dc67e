// Package tftp is NetDebug's TFTP engine: a client (download and upload) and a
// server that share one implementation of the protocol (RFC 1350) and its
// option extensions: blksize (RFC 2348), timeout and tsize (RFC 2349) and
// windowsize (RFC 7440).
//
// We write the engine ourselves instead of using github.com/pin/tftp because
// pin/tftp has no client windowsize, no timeout option, no progress API and no
// cancellation; a debug tool needs all four. pin/tftp v3.2.0 is used only as an
// independent peer in this package's tests.
//
// What the engine does that simpler clients do not:
//   - windowed transfers with fast recovery: a receiver that sees a gap ACKs
//     the last in-order block at once and the sender restarts its window there;
//   - a retransmit timeout measured from the round-trip time (RFC 6298 style),
//     unless the timeout option was negotiated, which then wins (RFC 2349);
//   - no Sorcerer's Apprentice: data is never re-sent because of a duplicate ACK;
//   - block numbers that wrap past 65535 to 0, as tftpd-hpa and atftpd do;
//   - packets from a stranger's port get ERROR 5 and change nothing;
//   - options are dropped automatically when a server ignores them or refuses
//     them with ERROR 8;
//   - cancellation through a context sends an ERROR packet to the peer.
//
// On Linux, client downloads and server transfers use a small socket type of
// our own (blockingSocket, sock_linux.go) that makes its system calls directly:
// neither the standard library nor golang.org/x/net offers a UDP socket
// outside the Go runtime's network poller, and on a fast link the poller's
// wake-ups cost a transfer a sixth of its speed. Elsewhere transfers use
// net.UDPConn.
//
// Downloads to disk (DownloadFile) go to a temporary file in the chosen folder
// that is renamed on success and removed on any failure, and a remote name can
// never place a file outside that folder. The server serves one folder through
// os.Root, so no request, symlink or upload can reach outside it.
//
// The package reports through Event callbacks that run on the transfer's own
// goroutine and are rate-limited, and a Result per transfer. It must not import
// any GUI package and never blocks on its caller beyond those callbacks.
package tftp
