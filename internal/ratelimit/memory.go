package ratelimit

import (
	"context"
	"math"
	"sync"
	"time"
)

// Memory keeps the buckets in this process: right for one instance (on
// SQLite), where it costs no database write per request.
type Memory struct {
	Rate  float64
	Burst float64

	mu      sync.Mutex
	buckets map[string]*bucket
	now     func() time.Time
	swept   time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

// New returns a limiter in memory of perMinute requests a minute per key,
// with bursts of up to burst.
func New(perMinute, burst int) *Memory {
	return &Memory{Rate: float64(perMinute) / 60, Burst: float64(burst), buckets: map[string]*bucket{}, now: time.Now}
}

// Allow takes one request for key; when refused, wait says how long until
// the next one is allowed. It never fails.
func (l *Memory) Allow(_ context.Context, key string) (ok bool, wait time.Duration, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.sweep(now)
	b, found := l.buckets[key]
	if !found {
		b = &bucket{tokens: l.Burst, last: now}
		l.buckets[key] = b
	}
	b.tokens = math.Min(l.Burst, b.tokens+now.Sub(b.last).Seconds()*l.Rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0, nil
	}
	return false, time.Duration((1 - b.tokens) / l.Rate * float64(time.Second)), nil
}

// sweep forgets clients whose bucket has refilled, so memory follows the
// number of recent clients, not of all clients ever seen.
func (l *Memory) sweep(now time.Time) {
	if now.Sub(l.swept) < time.Minute {
		return
	}
	l.swept = now
	full := time.Duration(l.Burst / l.Rate * float64(time.Second))
	for k, b := range l.buckets {
		if now.Sub(b.last) > full {
			delete(l.buckets, k)
		}
	}
}
