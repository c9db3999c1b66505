package scoring

import (
	"encoding/binary"
	"errors"
	"hash/fnv"
	"math"
	"slices"
	"strconv"
	"strings"
)

// A behavioural rule's points are carried per lead as a running sum, so
// that an event costs an O(1) update instead of a re-read of the lead's
// events. Decay is exponential: a sum decayed to time a, carried to a
// later b, is the sum times 2^(-(b-a)/h). So a rule's state is a value
// and the time it is decayed to, and an event adds one to it.
//
// The sum is of units, not points: a rule's points (and its cap) are
// applied when the sum is read, so a change of points, caps, labels,
// explicit rules or thresholds leaves every stored sum valid. What the
// sums depend on is the key of each behavioural rule (event type, URL
// pattern, window) and the half-life; a Keyset names them, and its ID
// says whether stored sums belong to the rules in force.
//
// Exactness: a lead's sum is defined as the fold of Add over its events in
// the order of their ids, the order they were stored in. Score folds the
// events that way too, so the sum kept event by event and the one
// recomputed from all the events are the same float64, bit for bit, not
// just within a rounding error: the same operations on the same operands
// in the same order. The stored value round-trips exactly (8 bytes,
// IEEE 754). The writers that add events hold the lead's lock and store
// its events' ids in the order they add them, so that order holds; a
// rescore, which reads without the lock, writes a rebuilt row only if
// the row's version (which only grows) is the one it read.
//
// Windows: an event leaves a rule's window at a known time (its time
// plus the window). A windowed key's state keeps the earliest such time
// (Expires); once now passes it, the key's sum is recomputed from the
// lead's events inside the window (Stale says which keys), which is
// bounded by the window and exact.

// Key is what a behavioural rule's sum depends on; rules that share a
// key share its sum.
type Key struct {
	Event      string `json:"event"`
	URL        string `json:"url,omitempty"` // lower case: Glob ignores case
	WindowDays int    `json:"window_days,omitempty"`
}

// Keyset is the keys of a ruleset's behavioural rules, and the half-life
// their sums decay with.
type Keyset struct {
	ID           int64 // a fingerprint of Keys and HalfLifeDays
	Keys         []Key
	Of           []int // Of[i] is the position in Keys of behavioural rule i
	HalfLifeDays float64
}

// Keyset returns the keys of r's behavioural rules.
func (r Rules) Keyset() Keyset {
	k := Keyset{HalfLifeDays: r.HalfLifeDays, Of: make([]int, len(r.Behaviour))}
	for i, b := range r.Behaviour {
		key := Key{Event: b.Event, URL: strings.ToLower(b.URL), WindowDays: b.WindowDays}
		at := slices.Index(k.Keys, key)
		if at < 0 {
			at = len(k.Keys)
			k.Keys = append(k.Keys, key)
		}
		k.Of[i] = at
	}
	k.ID = k.fingerprint()
	return k
}

func (k Keyset) fingerprint() int64 {
	h := fnv.New64a()
	h.Write([]byte(strconv.FormatFloat(k.HalfLifeDays, 'g', -1, 64)))
	for _, key := range k.Keys {
		h.Write([]byte("\x00" + key.Event + "\x00" + key.URL + "\x00" + strconv.Itoa(key.WindowDays)))
	}
	return int64(h.Sum64() &^ (1 << 63)) // positive: fits BIGINT everywhere
}

// Carry moves sums kept under the keyset old to k, when both decay
// alike: a key both have keeps its state, which is exact (the same
// events folded the same way); the keys only k has are returned, to be
// folded from the lead's events of their types. It is not ok when the
// half-life changed: then every sum is rebuilt.
func (k Keyset) Carry(old Keyset, s Sums) (Sums, []int, bool) {
	if old.HalfLifeDays != k.HalfLifeDays || len(s) != len(old.Keys) {
		return nil, nil, false
	}
	out := k.NewSums()
	var missing []int
	for i, key := range k.Keys {
		if j := slices.Index(old.Keys, key); j >= 0 {
			out[i] = s[j]
		} else {
			missing = append(missing, i)
		}
	}
	return out, missing, true
}

// Types returns the event types of the keys named, once each.
func (k Keyset) Types(keys []int) []string {
	var out []string
	for _, i := range keys {
		if !slices.Contains(out, k.Keys[i].Event) {
			out = append(out, k.Keys[i].Event)
		}
	}
	return out
}

// Sum is one key's state for one lead: Value units decayed to AsOf
// (Unix milliseconds), from N events; for a windowed key, Expires is
// when the first of them leaves the window (0: none counted).
type Sum struct {
	Value   float64
	AsOf    int64
	N       int64
	Expires int64
}

// Sums are a lead's states, by position in a Keyset.
type Sums []Sum

// NewSums returns the states of a lead without events.
func (k Keyset) NewSums() Sums { return make(Sums, len(k.Keys)) }

const dayMs = 24 * 60 * 60 * 1000

// decay is the share kept over ms milliseconds (ms >= 0).
func (k Keyset) decay(ms int64) float64 {
	if k.HalfLifeDays <= 0 || ms <= 0 {
		return 1
	}
	return math.Exp2(-float64(ms) / (k.HalfLifeDays * dayMs))
}

// Matches reports whether an event counts for key.
func (key Key) Matches(e Event) bool {
	return e.Type == key.Event && (key.URL == "" || Glob(key.URL, e.URL))
}

// inWindow reports whether an event at ms is inside key's window at now.
func (key Key) inWindow(at, now int64) bool {
	return key.WindowDays <= 0 || now-at <= int64(key.WindowDays)*dayMs
}

// Add counts event e, seen at now, in every key it matches. Events must
// be added in the order of their ids (see above).
func (k Keyset) Add(s Sums, e Event, now int64) {
	at := e.At.UnixMilli()
	for i, key := range k.Keys {
		if key.Matches(e) && key.inWindow(at, now) {
			k.add(&s[i], key, at)
		}
	}
}

func (k Keyset) add(s *Sum, key Key, at int64) {
	switch {
	case s.N == 0:
		s.Value, s.AsOf = 1, at
	case at >= s.AsOf:
		s.Value = s.Value*k.decay(at-s.AsOf) + 1
		s.AsOf = at
	default: // an event dated before the latest: decayed to AsOf
		s.Value += k.decay(s.AsOf - at)
	}
	s.N++
	if key.WindowDays > 0 {
		if end := at + int64(key.WindowDays)*dayMs; s.Expires == 0 || end < s.Expires {
			s.Expires = end
		}
	}
}

// Fold computes a lead's sums at now from its events, which it takes in
// the order of their ids (it sorts a copy when they are not).
func (k Keyset) Fold(events []Event, now int64) Sums {
	s := k.NewSums()
	k.FoldInto(s, nil, events, now)
	return s
}

// FoldInto recomputes the keys named in only (every key when only is
// nil) of s from events.
func (k Keyset) FoldInto(s Sums, only []int, events []Event, now int64) {
	if !slices.IsSortedFunc(events, byID) {
		events = slices.SortedStableFunc(slices.Values(events), byID)
	}
	for i, key := range k.Keys {
		if only != nil && !slices.Contains(only, i) {
			continue
		}
		s[i] = Sum{}
		for _, e := range events {
			if at := e.At.UnixMilli(); key.Matches(e) && key.inWindow(at, now) {
				k.add(&s[i], key, at)
			}
		}
	}
}

func byID(a, b Event) int {
	switch {
	case a.ID < b.ID:
		return -1
	case a.ID > b.ID:
		return 1
	}
	return 0
}

// Stale returns the windowed keys of s an event has left by now, whose
// sums must be recomputed from the events inside the window, and the
// widest such window in days (0 when none is stale).
func (k Keyset) Stale(s Sums, now int64) (keys []int, days int) {
	for i, key := range k.Keys {
		if key.WindowDays > 0 && s[i].Expires != 0 && now > s[i].Expires {
			keys = append(keys, i)
			days = max(days, key.WindowDays)
		}
	}
	return keys, days
}

// Expires is the earliest time a key of s must be recomputed, 0 for
// never: stored beside the sums, it lets a sweep find the leads whose
// windows moved without reading the others.
func (s Sums) Expires() int64 {
	var e int64
	for _, x := range s {
		if x.Expires != 0 && (e == 0 || x.Expires < e) {
			e = x.Expires
		}
	}
	return e
}

// value is the sum decayed to now. When the latest event is dated after
// now, the sum is as of that date: that event counts in full, as Decay
// counts it, and the older ones as decayed to its date (a sum kept event
// by event cannot be carried back in time without growing).
func (k Keyset) value(s Sum, now int64) float64 {
	if s.N == 0 {
		return 0
	}
	return s.Value * k.decay(now-s.AsOf)
}

// ScoreSums computes a lead's score at now from its facts and sums: the
// same result as Score over the events the sums were folded from, with
// the rules' Fired entries but without their events (Explain reads those).
func ScoreSums(f Facts, s Sums, k Keyset, r Rules, nowMs int64) Result {
	var res Result
	res.Explicit, res.Fired = explicit(f, r)
	for i, b := range r.Behaviour {
		sum := s[k.Of[i]]
		if sum.N == 0 {
			continue
		}
		fired := Fired{Kind: "behaviour", Index: i, Label: labelOf(b.Label, b.Event), Points: float64(b.Points) * k.value(sum, nowMs)}
		if c := float64(b.Cap); b.Cap > 0 && math.Abs(fired.Points) > c {
			fired.Points, fired.Capped = math.Copysign(c, fired.Points), true
		}
		res.Behaviour += fired.Points
		res.Fired = append(res.Fired, fired)
	}
	res.Score = res.Explicit + int(math.Round(res.Behaviour))
	res.Grade = r.Grade(res.Score)
	return res
}

// The encoding of Sums: a version byte, then per key its value (8 bytes,
// exact) and varints of AsOf, N and Expires. A lead's sums are one small
// row, read and written whole: one read and one write per lead and batch.
const sumsFormat = 1

// Encode packs s for storage.
func (s Sums) Encode() []byte {
	b := make([]byte, 1, 1+len(s)*20)
	b[0] = sumsFormat
	for _, x := range s {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x.Value))
		b = binary.AppendVarint(b, x.AsOf)
		b = binary.AppendVarint(b, x.N)
		b = binary.AppendVarint(b, x.Expires)
	}
	return b
}

// DecodeSums unpacks what Encode packed for n keys.
func DecodeSums(b []byte, n int) (Sums, error) {
	if len(b) == 0 || b[0] != sumsFormat {
		return nil, errors.New("scoring: sums of an unknown format")
	}
	b = b[1:]
	s := make(Sums, n)
	for i := range s {
		if len(b) < 8 {
			return nil, errors.New("scoring: sums cut short")
		}
		s[i].Value = math.Float64frombits(binary.LittleEndian.Uint64(b))
		b = b[8:]
		for _, p := range []*int64{&s[i].AsOf, &s[i].N, &s[i].Expires} {
			v, w := binary.Varint(b)
			if w <= 0 {
				return nil, errors.New("scoring: sums cut short")
			}
			*p, b = v, b[w:]
		}
	}
	if len(b) != 0 {
		return nil, errors.New("scoring: sums of another keyset")
	}
	return s, nil
}
