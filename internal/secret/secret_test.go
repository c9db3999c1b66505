package secret

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"leadflow/internal/dbtest"
	"leadflow/internal/fault"
	"leadflow/internal/sqldb"
)

func TestCreatedOnceByWhoeverAsksFirst(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		// Eight instances start at once and each finds no key.
		keys := make([][]byte, 8)
		var wg sync.WaitGroup
		for i := range keys {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				k, err := New(db).Get(context.Background(), FormToken)
				if err != nil {
					t.Error(err)
					return
				}
				keys[i] = k.Current
			}(i)
		}
		wg.Wait()
		for i, k := range keys {
			if len(k) != 32 || !bytes.Equal(k, keys[0]) {
				t.Fatalf("instance %d holds key %x, instance 0 %x: they must share one 32-byte key", i, k, keys[0])
			}
		}
	})
}

func TestRotationKeepsThePreviousKeyForTheGrace(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		clock := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		s, other := New(db), New(db)
		s.SetClock(func() time.Time { return clock })
		other.SetClock(func() time.Time { return clock })
		first, err := s.Get(ctx, FormToken)
		if err != nil {
			t.Fatal(err)
		}
		if first.Previous != nil || len(first.Verifying()) != 1 {
			t.Errorf("a new secret has a previous key")
		}
		clock = clock.Add(10 * time.Second)
		rotated, err := other.Rotate(ctx, FormToken)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(rotated.Current, first.Current) || !bytes.Equal(rotated.Previous, first.Current) || !rotated.RotatedAt.Equal(clock) {
			t.Errorf("after rotation: %+v", rotated)
		}
		// s still holds the old key until its cache runs out or it reloads.
		if k, _ := s.Get(ctx, FormToken); !bytes.Equal(k.Current, first.Current) {
			t.Error("the cache was not used")
		}
		if k, _ := s.Reload(ctx, FormToken); !bytes.Equal(k.Current, rotated.Current) || !bytes.Equal(k.Previous, first.Current) {
			t.Error("a reload does not see the other instance's rotation")
		}
		clock = clock.Add(DefaultGrace - time.Second)
		if k, _ := s.Reload(ctx, FormToken); k.Previous == nil {
			t.Error("the previous key ended before the grace period")
		}
		clock = clock.Add(time.Second)
		if k, _ := s.Get(ctx, FormToken); k.Previous != nil || len(k.Verifying()) != 1 {
			t.Error("the previous key still verifies after the grace period")
		}
		if _, err := s.Rotate(ctx, "form-tokn"); fault.CodeOf(err) != fault.Invalid {
			t.Errorf("rotating an unknown secret: %v", err)
		}
	})
}
