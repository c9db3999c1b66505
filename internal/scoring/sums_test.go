package scoring

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// streamRules has windows, caps of both signs, a URL pattern and two
// rules sharing a key, so every path of the sums is taken.
func streamRules(halfLife float64) Rules {
	r := Defaults()
	r.HalfLifeDays = halfLife
	r.Behaviour = append(r.Behaviour,
		Behaviour{Event: "page_view", Points: 3, Cap: 7, WindowDays: 2, Label: "Busy this weekend"},
		Behaviour{Event: "page_view", URL: "*/PRICING*", Points: -1, Cap: 4, Label: "Shared key, other sign"})
	return r
}

// randomEvent is an event of a stream at now: mostly recent, some dated
// far back (a backfill), a few in the future.
func randomEvent(rng *rand.Rand, id int64, now time.Time) Event {
	types := []string{"page_view", "page_view", "email_open", "email_click", "quote_request", "email_bounce", "pricing_page_view", "other"}
	urls := []string{"https://x.io/pricing?plan=pro", "https://x.io/blog", ""}
	at := now.Add(-time.Duration(rng.Int64N(int64(5 * 24 * time.Hour))))
	switch rng.IntN(10) {
	case 0:
		at = now.Add(-time.Duration(rng.Int64N(int64(200 * 24 * time.Hour))))
	case 1:
		at = now.Add(time.Duration(rng.Int64N(int64(24 * time.Hour))))
	}
	return Event{ID: id, Type: types[rng.IntN(len(types))], URL: urls[rng.IntN(len(urls))], At: at.Truncate(time.Millisecond)}
}

// On random event streams, sums kept event by event (stored and read
// back between events, windows recomputed when stale, read at later and
// later times) give exactly the score a recomputation from all the
// events gives, and that score agrees with summing each event's decayed
// points.
func TestSumsKeptEqualFold(t *testing.T) {
	for seed := uint64(1); seed <= 300; seed++ {
		rng := rand.New(rand.NewPCG(seed, 18))
		r := streamRules([]float64{30, 0, 0.5, 7}[seed%4])
		k := r.Keyset()
		facts := Facts{"job_title": "CEO", "country": "RO"}
		clock := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		var events []Event
		kept := k.NewSums()
		for i := range 1 + rng.IntN(200) {
			clock = clock.Add(time.Duration(rng.Int64N(int64(30 * time.Hour)))).Truncate(time.Millisecond)
			now := clock.UnixMilli()
			if stale, _ := k.Stale(kept, now); stale != nil {
				k.FoldInto(kept, stale, events, now)
			}
			e := randomEvent(rng, int64(i+1), clock)
			events = append(events, e)
			k.Add(kept, e, now)
			back, err := DecodeSums(kept.Encode(), len(k.Keys))
			if err != nil {
				t.Fatal(err)
			}
			kept = back
			if rng.IntN(4) == 0 {
				continue
			}
			inc := ScoreSums(facts, kept, k, r, now)
			full := Score(facts, events, r, clock)
			if inc.Score != full.Score || inc.Behaviour != full.Behaviour || inc.Grade != full.Grade {
				t.Fatalf("seed %d, event %d: kept %d (%v), recomputed %d (%v)", seed, i, inc.Score, inc.Behaviour, full.Score, full.Behaviour)
			}
			if ref, ok := naive(events, r, clock); ok && math.Abs(ref-full.Behaviour) > 1e-9 {
				t.Fatalf("seed %d, event %d: behaviour %v, summed event by event %v", seed, i, full.Behaviour, ref)
			}
		}
	}
}

// naive is the behavioural points as the rules read: each event's
// points decayed by its age, capped per rule. It is not ok when an event
// is dated after now: the sums then decay the others to that event's
// time (see value), where naive decays them to now.
func naive(events []Event, r Rules, now time.Time) (float64, bool) {
	var total float64
	for _, e := range events {
		if e.At.After(now) {
			return 0, false
		}
	}
	for _, b := range r.Behaviour {
		var sum float64
		for _, e := range events {
			age := now.Sub(e.At)
			if e.Type != b.Event || (b.URL != "" && !Glob(b.URL, e.URL)) || (b.WindowDays > 0 && age > time.Duration(b.WindowDays)*24*time.Hour) {
				continue
			}
			sum += float64(b.Points) * Decay(age, r.HalfLifeDays)
		}
		if c := float64(b.Cap); b.Cap > 0 && math.Abs(sum) > c {
			sum = math.Copysign(c, sum)
		}
		total += sum
	}
	return total, true
}

// What leaves the sums valid (points, caps, labels, explicit rules,
// thresholds) keeps the keyset; what changes them (an event type, a URL
// pattern, a window, the half-life) makes a new one.
func TestKeysetID(t *testing.T) {
	base := Defaults().Keyset().ID
	same := Defaults()
	same.Behaviour[0].Points, same.Behaviour[0].Cap, same.Behaviour[0].Label = 50, 0, "Renamed"
	same.Explicit, same.Hot = nil, 99
	if same.Keyset().ID != base {
		t.Error("points, caps and thresholds changed the keyset")
	}
	for name, change := range map[string]func(*Rules){
		"window":    func(r *Rules) { r.Behaviour[0].WindowDays = 30 },
		"url":       func(r *Rules) { r.Behaviour[0].URL = "*/blog*" },
		"event":     func(r *Rules) { r.Behaviour[0].Event = "email_open" },
		"half-life": func(r *Rules) { r.HalfLifeDays = 14 },
		"new rule":  func(r *Rules) { r.Behaviour = append(r.Behaviour, Behaviour{Event: "webinar", Points: 5}) },
	} {
		r := Defaults()
		change(&r)
		if r.Keyset().ID == base {
			t.Errorf("a change of %s kept the keyset", name)
		}
	}
}

// After a change of behavioural rules, the sums of the rules that did not
// change carry over and only the new ones are folded from the events:
// the result is the sums folded afresh, exactly. A new half-life carries
// nothing.
func TestCarryToNewKeyset(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	clock := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	var events []Event
	for i := range 300 {
		events = append(events, randomEvent(rng, int64(i+1), clock.Add(time.Duration(i)*time.Hour)))
	}
	now := clock.Add(400 * time.Hour).UnixMilli()
	old := streamRules(30)
	r := streamRules(30)
	r.Behaviour[0].WindowDays = 30
	r.Behaviour = append(r.Behaviour, Behaviour{Event: "other", Points: 1})
	ok, k := old.Keyset(), r.Keyset()
	got, missing, carried := k.Carry(ok, ok.Fold(events, now))
	if !carried || len(missing) != 2 {
		t.Fatalf("carried %v, missing %v", carried, missing)
	}
	k.FoldInto(got, missing, events, now)
	if want := k.Fold(events, now); !slices.Equal(got, want) {
		t.Errorf("carried and folded %+v, folded afresh %+v", got, want)
	}
	r.HalfLifeDays = 14
	if _, _, carried := r.Keyset().Carry(ok, ok.Fold(events, now)); carried {
		t.Error("sums carried over to another half-life")
	}
}
