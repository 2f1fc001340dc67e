package tftp

import (
	"net/netip"
	"sync"
	"time"
)

// A lock-step server (one without windowsize, such as tftpd-hpa) does not
// answer a repeated ACK, so every DATA or ACK lost on the way waits for the
// server's own retransmit timer: one second in tftpd-hpa, doubling on each
// repeat. tftpd-hpa lets the client set that timer with the utimeout
// option (microseconds, 10 ms and up). The client only learns that a
// server is lock-step (it answered windowsize > 1 without one), and how
// long its round trip is, from the OACK, so
// the first download from such a server declines the OACK (ERROR 8, as RFC
// 2347 allows) and asks again with a utimeout of a few round trips; the
// server's address is remembered for a while so later downloads ask for it
// straight away. A server that ignores utimeout leaves it out of its OACK
// and the transfer runs as before; one that refuses it with ERROR 8 is
// asked again without it.

const (
	// utimeoutRTTs: the server's timer must cover a DATA's way out, the
	// ACK's way back and the jitter on both; four round trips leave room
	// for a busy client without retransmitting early.
	utimeoutRTTs = 4
	// utimeoutFloor: tftpd-hpa doubles its timer on each repeat and drops
	// the transfer, silently, once it reaches six times the first value,
	// so a client that stays silent for seven utimeouts (u + 2u + 4u) loses
	// the transfer. tftpd-hpa's own floor of 10 ms made that 70 ms, which a
	// busy two-core machine exceeded (the lossy comparison failed while
	// tests ran beside it); 50 ms allows a 350 ms stall and still makes a
	// lost packet cost a twentieth of tftpd-hpa's default second.
	utimeoutFloor = 50 * time.Millisecond
	// utimeoutMax: above this the timer is too close to tftpd-hpa's own
	// second for the extra round trip to pay; the link is not one where a
	// short timer is safe either.
	utimeoutMax = 250 * time.Millisecond
	// utimeoutMinBlocks: smaller files are not worth a second request.
	utimeoutMinBlocks = 32
	// lockStepMemory is how long a server is remembered as lock-step.
	lockStepMemory     = 10 * time.Minute
	lockStepMaxServers = 256
)

// shortUTimeout is the utimeout to ask for after a round trip of rtt, and
// whether that round trip allows a short one at all.
func shortUTimeout(rtt time.Duration) (time.Duration, bool) {
	if rtt <= 0 {
		return 0, false
	}
	u := max(utimeoutFloor, (utimeoutRTTs * rtt).Round(time.Millisecond))
	return u, u <= utimeoutMax
}

// lockStepServers remembers, per server address, the utimeout the last
// download chose for it. Shared by every Client in the process.
var lockStepServers = &lockStepMemoryMap{m: make(map[netip.AddrPort]lockStepEntry)}

type lockStepEntry struct {
	u  time.Duration
	at time.Time
}

type lockStepMemoryMap struct {
	mu sync.Mutex
	m  map[netip.AddrPort]lockStepEntry
}

func (l *lockStepMemoryMap) get(a netip.AddrPort) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.m[a]
	if !ok || time.Since(e.at) > lockStepMemory {
		delete(l.m, a)
		return 0, false
	}
	return e.u, true
}

func (l *lockStepMemoryMap) put(a netip.AddrPort, u time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.m[a]; !ok && len(l.m) >= lockStepMaxServers {
		var oldest netip.AddrPort
		var at time.Time
		for k, e := range l.m {
			if at.IsZero() || e.at.Before(at) {
				oldest, at = k, e.at
			}
		}
		delete(l.m, oldest)
	}
	l.m[a] = lockStepEntry{u: u, at: time.Now()}
}

func (l *lockStepMemoryMap) forget(a netip.AddrPort) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.m, a)
}
