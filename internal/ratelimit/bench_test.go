package ratelimit

import (
	"context"
	"strconv"
	"testing"

	"leadflow/internal/dbtest"
)

// BenchmarkAllow measures one request's decision for each limiter, with
// clients spread over 1,000 keys and calls from parallel goroutines, as
// the public pages make them:
//
//	go test -run '^$' -bench Allow -benchtime 2s ./internal/ratelimit/
func BenchmarkAllow(b *testing.B) {
	b.Run("memory", func(b *testing.B) { benchAllow(b, New(1_000_000, 1_000_000)) })
	b.Run("table-sqlite", func(b *testing.B) { benchAllow(b, NewTable(dbtest.SQLite(b), 1_000_000, 1_000_000)) })
	b.Run("table-postgres", func(b *testing.B) { benchAllow(b, NewTable(dbtest.Postgres(b), 1_000_000, 1_000_000)) })
}

func benchAllow(b *testing.B, l Limiter) {
	ctx := context.Background()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			i++
			if _, _, err := l.Allow(ctx, strconv.Itoa(i%1000)); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
