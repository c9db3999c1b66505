package live_test

import (
	"context"
	"log/slog"
	"slices"
	"testing"
	"time"

	"leadflow/internal/dbtest"
	"leadflow/internal/live"
	"leadflow/internal/sqldb"
)

// touch commits a transaction that touched topics.
func touch(t *testing.T, db *sqldb.DB, topics ...string) {
	t.Helper()
	if err := db.InTx(context.Background(), func(tx *sqldb.Tx) error {
		tx.Touch(topics...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// hear waits for the topics s is offered, until want are all there or
// the wait runs out.
func hear(s *live.Sub, want ...string) []string {
	var got []string
	deadline := time.After(5 * time.Second)
	for {
		for _, w := range want {
			if !slices.Contains(got, w) {
				goto wait
			}
		}
		return got
	wait:
		select {
		case <-s.Wake():
			got = append(got, s.Take()...)
		case <-deadline:
			return got
		}
	}
}

// A commit reaches the subscribers of the topics it touched, and only
// those; a rolled-back transaction reaches nobody.
func TestCommitReachesSubscribers(t *testing.T) {
	db := dbtest.SQLite(t)
	hub := live.New(db, slog.New(slog.DiscardHandler))
	lead, stop := hub.Subscribe(live.Lead(7))
	defer stop()
	list, stop2 := hub.Subscribe(live.Leads)
	defer stop2()
	db.InTx(context.Background(), func(tx *sqldb.Tx) error {
		tx.Touch(live.Lead(7), live.Leads)
		return context.Canceled // rolled back
	})
	touch(t, db, live.Lead(8))
	touch(t, db, live.Lead(7), live.Lead(7), live.Leads)
	if got := hear(lead, live.Lead(7)); !slices.Equal(got, []string{live.Lead(7)}) {
		t.Errorf("lead 7's page heard %v", got)
	}
	if got := hear(list, live.Leads); !slices.Equal(got, []string{live.Leads}) {
		t.Errorf("the list heard %v", got)
	}
	stop()
	if hub.Subscribers() != 1 {
		t.Errorf("%d subscribers after one stopped", hub.Subscribers())
	}
}

// On PostgreSQL a commit on one instance reaches the subscribers of
// another instance sharing the database, through NOTIFY.
func TestCommitReachesOtherInstances(t *testing.T) {
	dsn := dbtest.PostgresDSN(t)
	open := func() *sqldb.DB {
		db, err := sqldb.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	a, b := open(), open()
	if _, err := a.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	hubA, hubB := live.New(a, log), live.New(b, log)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan struct{}, 2)
	go hubA.Run(ctx, func() { ready <- struct{}{} })
	go hubB.Run(ctx, func() { ready <- struct{}{} })
	<-ready
	<-ready
	onB, stop := hubB.Subscribe(live.Lead(1), live.Leads)
	defer stop()
	onA, stopA := hubA.Subscribe(live.Lead(1))
	defer stopA()
	touch(t, a, live.Lead(1), live.Leads)
	if got := hear(onB, live.Lead(1), live.Leads); !slices.Contains(got, live.Lead(1)) || !slices.Contains(got, live.Leads) {
		t.Errorf("instance b heard %v of a's commit", got)
	}
	// a hears its own commit once, at commit, not again through NOTIFY.
	if got := hear(onA, live.Lead(1)); !slices.Equal(got, []string{live.Lead(1)}) {
		t.Errorf("instance a heard %v of its own commit", got)
	}
	time.Sleep(300 * time.Millisecond)
	if again := onA.Take(); len(again) != 0 {
		t.Errorf("instance a heard its own commit again: %v", again)
	}
}
