package automation

import (
	"sync"
	"sync/atomic"
	"time"
)

// bucket is a token bucket on the monotonic clock.
type bucket struct {
	mu     sync.Mutex
	rate   Rate
	tokens float64
	last   time.Time
}

func newBucket(r Rate, now time.Time) *bucket {
	return &bucket{rate: r, tokens: float64(r.Burst), last: now}
}

// allow takes a token if one is left.
func (b *bucket) allow(now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if dt := now.Sub(b.last).Seconds(); dt > 0 {
		b.tokens = min(float64(b.rate.Burst), b.tokens+dt*b.rate.PerSecond)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true
	}
	return false
}

// ruleState is what survives a SetRules for a rule of the same name: its
// counters and its bucket.
type ruleState struct {
	hits, replies, suppressed, failed atomic.Uint64
	limiter                           atomic.Pointer[bucket]
}

// RuleStats is a snapshot of one rule's counters, for the hit counter shown
// beside the rule.
type RuleStats struct {
	Name       string
	Enabled    bool
	Hits       uint64 // data matched this rule (it was the first enabled match)
	Replies    uint64 // replies sent
	Suppressed uint64 // replies dropped by the rate limit
	Failed     uint64 // replies whose template or send failed
	Rate       Rate   // the limit in force
}
