package tftp

import "time"

// Retransmit timeout defaults. MinRTO is far below RFC 6298's one second
// because TFTP runs on LANs and loopback where the round trip is well under a
// millisecond and a lost packet would otherwise stall a window for a second;
// the estimate grows by itself on slow links and slow devices. MaxRTO is
// above the 5 s fixed timeout of common clients (atftp): a receiver that
// ignores repeated windows until its own timer fires (atftp does) only
// recovers if the sender eventually stays quiet for longer than that.
const (
	DefaultInitialRTO = 500 * time.Millisecond
	DefaultMinRTO     = 15 * time.Millisecond
	DefaultMaxRTO     = 8 * time.Second
	DefaultRetries    = 10
)

// rtoEstimator is RFC 6298's smoothed round-trip time and variance with
// exponential backoff on timeouts. With a negotiated timeout option (RFC 2349)
// the timeout is fixed at that value.
type rtoEstimator struct {
	srtt, rttvar time.Duration
	rto          time.Duration
	min, max     time.Duration
	fixed        bool
	measured     bool
}

func newRTO(initial, min, max time.Duration) *rtoEstimator {
	r := &rtoEstimator{}
	r.reset(initial, min, max)
	return r
}

func (r *rtoEstimator) reset(initial, min, max time.Duration) {
	if initial <= 0 {
		initial = DefaultInitialRTO
	}
	if min <= 0 {
		min = DefaultMinRTO
	}
	if max <= 0 {
		max = DefaultMaxRTO
	}
	if max < min {
		max = min
	}
	*r = rtoEstimator{rto: clampDur(initial, min, max), min: min, max: max}
}

// fix pins the timeout to a negotiated value (RFC 2349).
func (r *rtoEstimator) fix(d time.Duration) {
	r.fixed = true
	r.rto = d
}

// sample feeds one round-trip measurement from a packet that was not
// retransmitted (Karn's rule is the caller's job).
func (r *rtoEstimator) sample(d time.Duration) {
	if d < 0 {
		return
	}
	if !r.measured {
		r.srtt, r.rttvar, r.measured = d, d/2, true
	} else {
		diff := r.srtt - d
		if diff < 0 {
			diff = -diff
		}
		r.rttvar = (3*r.rttvar + diff) / 4
		r.srtt = (7*r.srtt + d) / 8
	}
	if !r.fixed {
		r.rto = clampDur(r.srtt+max(time.Millisecond, 4*r.rttvar), r.min, r.max)
	}
}

// backoff doubles the timeout after a timeout (RFC 6298 §5.5).
func (r *rtoEstimator) backoff() {
	if !r.fixed {
		r.rto = min(2*r.rto, r.max)
	}
}

// progress ends a backoff when the peer is heard making progress again,
// as Linux TCP does when new data is acknowledged. Karn's rule keeps
// samples from retransmitted windows out, and on a lossy link most windows
// are retransmitted, so waiting for a clean sample would let the timeout
// keep doubling long after the loss that caused it.
func (r *rtoEstimator) progress() {
	if r.measured && !r.fixed {
		r.rto = clampDur(r.srtt+max(time.Millisecond, 4*r.rttvar), r.min, r.max)
	}
}

func (r *rtoEstimator) timeout() time.Duration { return r.rto }

func clampDur(d, lo, hi time.Duration) time.Duration {
	return min(max(d, lo), hi)
}
