package ratelimit

import (
	"context"
	"sync"
	"testing"
	"time"
)

func TestBucket(t *testing.T) {
	ctx := context.Background()
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := New(60, 3) // one a second, bursts of three
	l.now = func() time.Time { return clock }
	for i := 0; i < 3; i++ {
		if ok, _, _ := l.Allow(ctx, "1.2.3.4"); !ok {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	ok, wait, _ := l.Allow(ctx, "1.2.3.4")
	if ok || wait != time.Second {
		t.Errorf("fourth request: ok %v, wait %v; want refused for 1s", ok, wait)
	}
	if ok, _, _ := l.Allow(ctx, "5.6.7.8"); !ok {
		t.Error("another client was refused")
	}
	clock = clock.Add(time.Second)
	if ok, _, _ := l.Allow(ctx, "1.2.3.4"); !ok {
		t.Error("refused after the wait")
	}
	clock = clock.Add(time.Hour)
	l.Allow(ctx, "9.9.9.9")
	if len(l.buckets) != 1 {
		t.Errorf("%d buckets kept after an hour of silence", len(l.buckets))
	}
}

func TestConcurrentClients(t *testing.T) {
	ctx := context.Background()
	l := New(60, 10)
	var wg sync.WaitGroup
	var mu sync.Mutex
	allowed := 0
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if ok, _, _ := l.Allow(ctx, "same"); ok {
				mu.Lock()
				allowed++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if allowed < 10 || allowed > 11 {
		t.Errorf("%d of 50 simultaneous requests allowed, want the burst of 10", allowed)
	}
}
