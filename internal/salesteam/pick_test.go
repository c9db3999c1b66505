package salesteam

import "testing"

// Who takes the next hand-over: the least loaded AE, and among equally
// loaded ones the next in turn.
func TestPick(t *testing.T) {
	ana, bo, cy := int64(1), int64(2), int64(3)
	team := []int64{ana, bo, cy}
	for _, c := range []struct {
		name string
		load map[int64]int
		turn int64
		want int64
	}{
		{"nothing pending: the first turn goes to the first", nil, 1, ana},
		{"nothing pending: turns go round", nil, 2, bo},
		{"nothing pending: after the last comes the first", nil, 4, ana},
		{"the least loaded wins over the turn", map[int64]int{ana: 2, bo: 1, cy: 0}, 1, cy},
		{"ties are broken from the turn on", map[int64]int{ana: 1, bo: 0, cy: 0}, 3, cy},
		{"ties are broken from the turn on, wrapping", map[int64]int{ana: 0, bo: 1, cy: 0}, 2, cy},
		{"one member takes all", map[int64]int{ana: 9}, 7, ana},
	} {
		members := team
		if c.name == "one member takes all" {
			members = []int64{ana}
		}
		if got := pick(members, c.load, c.turn); got != c.want {
			t.Errorf("%s: got %d, want %d", c.name, got, c.want)
		}
	}
}
