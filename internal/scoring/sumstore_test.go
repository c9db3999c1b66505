package scoring_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"leadflow/internal/bench"
	"leadflow/internal/dbtest"
	"leadflow/internal/scoring"
	"leadflow/internal/sqldb"
)

// A rescore's batched write of sums stores each lead's rebuilt sums only
// where its row is as the rescore read it: a row at the version read is
// replaced, a row written since stands, a lead without a row gets one
// unless another writer made it meanwhile, and a row read that is gone
// since (its lead deleted, and on SQLite its id given to a new lead) is
// not made again with the old lead's sums.
func TestPutSumsIfManyWritesOnlyRowsAsRead(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		now := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
		if err := (bench.Data{Seed: 3, Now: now}).InsertLeads(ctx, db, 5, 5, nil); err != nil {
			t.Fatal(err)
		}
		ids, err := sqldb.Column[int64](ctx, db.R, `SELECT id FROM leads ORDER BY id`)
		if err != nil || len(ids) != 5 {
			t.Fatalf("leads %v: %v", ids, err)
		}
		k := scoring.Defaults().Keyset()
		sums := func(views int) scoring.Sums {
			events := make([]scoring.Event, views)
			for i := range events {
				events[i] = scoring.Event{Type: "page_view", URL: "https://acme.io/", At: now.Add(-time.Duration(i) * time.Hour)}
			}
			return k.Fold(events, now.UnixMilli())
		}
		read := func() map[int64]scoring.Stored {
			in, args := "?, ?, ?, ?, ?", []any{ids[0], ids[1], ids[2], ids[3], ids[4]}
			got, err := scoring.ReadSums(ctx, db.R, in, args)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		// Leads 0 and 1 have rows at version 1; lead 1's is then written
		// again by an event (version 2); lead 3's row is made meanwhile.
		err = db.InTx(ctx, func(tx *sqldb.Tx) error {
			for _, id := range []int64{ids[0], ids[1], ids[1], ids[3]} {
				if err := scoring.PutSums(ctx, tx, id, k, sums(1)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		err = db.InTx(ctx, func(tx *sqldb.Tx) error {
			return scoring.PutSumsIfMany(ctx, tx, k, []scoring.SumsWrite{
				{Lead: ids[0], Sums: sums(5), Was: scoring.Stored{Keyset: k.ID, Version: 1}}, // as read: replaced
				{Lead: ids[1], Sums: sums(5), Was: scoring.Stored{Keyset: k.ID, Version: 1}}, // written since: stands
				{Lead: ids[2], Sums: sums(5)}, // no row: made
				{Lead: ids[3], Sums: sums(5)}, // made meanwhile: stands
				{Lead: ids[4], Sums: sums(5), Was: scoring.Stored{Keyset: k.ID, Version: 3}}, // gone since: not made
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		got := read()
		want := map[int]struct {
			views   int
			version int64
		}{0: {5, 2}, 1: {1, 2}, 2: {5, 1}, 3: {1, 1}}
		for i, w := range want {
			st, ok := got[ids[i]]
			s, fits := st.For(k)
			if !ok || !fits || st.Version != w.version || !slices.Equal(s, sums(w.views)) {
				t.Errorf("lead %d: version %d, sums %v; want version %d and the sums of %d views", i, st.Version, s, w.version, w.views)
			}
		}
		if st, ok := got[ids[4]]; ok {
			t.Errorf("a row gone since it was read was made again: %+v", st)
		}
	})
}
