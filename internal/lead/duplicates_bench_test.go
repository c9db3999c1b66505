package lead_test

import (
	"context"
	"encoding/csv"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/dbtest"
	"leadflow/internal/fixture"
	"leadflow/internal/lead"
	"leadflow/internal/sqldb"
)

// BenchmarkProbableDuplicates times identity resolution over
// LEADFLOW_BENCH_LEADS leads (default 100,000) on SQLite, inserted
// straight into the table as a database from before stored keys would
// hold them. The leads mix the Febrl data set's names and cities at
// random; one in ten copies an earlier lead with a letter of the surname
// changed. Three steps, each run once per iteration:
//
//   - first: the identity.pairs job on leads without stored keys (it
//     stores every lead's keys, then finds and scores all candidate pairs)
//   - rebuild: the full run once the keys are stored (weekly)
//   - nightly: the run that checks again the leads changed since the
//     last (here none: the leads were inserted before)
//   - page: the review queue's first page, read from the stored pairs
//
// live-MB is the most Go heap the step held (live after a collection);
// peak-MB is the process's peak resident memory when the step ends;
// cpu-s/op the CPU time a run took on all cores together; parts the files
// a full run spread its blocks over, when LEADFLOW_BENCH_PAIRS_MB set its
// memory budget below what holding every record takes.
//
//	LEADFLOW_BENCH_LEADS=1000000 go test -run XXX -bench ProbableDuplicates -benchtime 1x -benchmem ./internal/lead
//	LEADFLOW_BENCH_LEADS=1000000 LEADFLOW_BENCH_PAIRS_MB=64 go test -run XXX -bench ProbableDuplicates -benchtime 1x -benchmem ./internal/lead
func BenchmarkProbableDuplicates(b *testing.B) {
	n := benchLeads(100_000)
	ctx := context.Background()
	db := dbtest.SQLite(b)
	if err := insertPeople(ctx, b, db, n); err != nil {
		b.Fatal(err)
	}
	svc := lead.NewService(db)
	if mb, err := strconv.Atoi(os.Getenv("LEADFLOW_BENCH_PAIRS_MB")); err == nil && mb > 0 {
		svc.PairsMemory = int64(mb) << 20
	}
	admin := access.Actor{ID: 1, Role: access.Admin}
	rebuild := func(b *testing.B) {
		var st lead.PairStats
		live := watchLiveHeap()
		cpu := cpuSeconds()
		for b.Loop() {
			var err error
			if st, err = svc.RebuildPairs(ctx); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric((cpuSeconds()-cpu)/float64(b.N), "cpu-s/op")
		b.ReportMetric(float64(st.Keyed), "keyed")
		b.ReportMetric(float64(st.Candidates), "candidates")
		b.ReportMetric(float64(st.Matches), "pairs")
		b.ReportMetric(float64(st.Parts), "parts")
		b.ReportMetric(live(), "live-MB")
		b.ReportMetric(peakMB(), "peak-MB")
	}
	b.Run("first", rebuild)
	b.Run("rebuild", rebuild)
	b.Run("nightly", func(b *testing.B) {
		var st lead.PairStats
		for b.Loop() {
			var err error
			if st, err = svc.RefreshPairs(ctx); err != nil || st.Full {
				b.Fatalf("%+v %v", st, err)
			}
		}
		b.ReportMetric(float64(st.Rechecked), "rechecked")
		b.ReportMetric(peakMB(), "peak-MB")
	})
	b.Run("page", func(b *testing.B) {
		total := 0
		for b.Loop() {
			p, err := svc.ProbableDuplicates(ctx, admin, lead.DuplicateQuery{})
			if err != nil {
				b.Fatal(err)
			}
			total = p.Total
		}
		b.ReportMetric(float64(total), "pairs")
		b.ReportMetric(peakMB(), "peak-MB")
	})
}

// cpuSeconds is the CPU time the process has used so far, on every core:
// unlike the time a step takes, it says little about what else the
// machine was running.
func cpuSeconds() float64 {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return float64(u.Utime.Nano()+u.Stime.Nano()) / 1e9
}

// watchLiveHeap samples the Go heap's live bytes (as of the last
// collection) until the function it returns is called, which reports the
// most seen, in MB: what a step held, unlike peakMB, which also counts
// SQLite's page caches and never comes down.
func watchLiveHeap() func() float64 {
	runtime.GC() // else the first sample is what the step before held
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	done := make(chan struct{})
	most := make(chan uint64)
	go func() {
		var top uint64
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			top = max(top, sample[0].Value.Uint64())
			select {
			case <-done:
				most <- top
				return
			case <-tick.C:
			}
		}
	}()
	return func() float64 {
		close(done)
		return float64(<-most) / (1 << 20)
	}
}

// peakMB is the process's peak resident memory so far (Linux), in MB.
func peakMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return float64(kb) / 1024
		}
	}
	return 0
}

// insertPeople inserts n leads straight through the driver.
func insertPeople(ctx context.Context, b testing.TB, db *sqldb.DB, n int) error {
	f, err := os.Open(fixture.Path(b, "febrl/dataset2.csv", "../identity/testdata/dataset2.csv"))
	if err != nil {
		return err
	}
	r := csv.NewReader(f)
	r.TrimLeadingSpace = true
	rows, err := r.ReadAll()
	f.Close()
	if err != nil {
		return err
	}
	rows = rows[1:]
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(col int) string {
		for {
			if v := rows[rng.IntN(len(rows))][col]; v != "" {
				return v
			}
		}
	}
	type person struct{ first, last, city, phone string }
	var made []person
	const batch = 5000
	for from := 0; from < n; from += batch {
		err := db.InTx(ctx, func(tx *sqldb.Tx) error {
			for i := from; i < min(from+batch, n); i++ {
				p := person{pick(1), pick(2), pick(6), "+61" + strconv.Itoa(400000000+rng.IntN(99999999))}
				if i > 0 && rng.IntN(10) == 0 {
					p = made[rng.IntN(len(made))]
					if l := []byte(p.last); len(l) > 2 {
						l[rng.IntN(len(l))] = byte('a' + rng.IntN(26))
						p.last = string(l)
					}
				}
				made = append(made, p)
				if _, err := tx.Exec(ctx, `INSERT INTO leads (email, first_name, last_name, city, phone, stage, score, grade, created_at, updated_at)
					VALUES ('', ?, ?, ?, ?, 'lead', 0, 'cold', 0, 0)`, p.first, p.last, p.city, p.phone); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
