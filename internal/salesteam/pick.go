package salesteam

// pick chooses who of members (in the team's order) takes the next
// hand-over: the one with the fewest hand-overs awaiting an answer, and
// among equals the first from the team's turn on, so that a team with
// nothing pending takes turns. turn counts from 1; members is not empty.
func pick(members []int64, load map[int64]int, turn int64) int64 {
	n := int64(len(members))
	start := (turn - 1) % n
	if start < 0 {
		start += n
	}
	best := members[start]
	for i := int64(1); i < n; i++ {
		m := members[(start+i)%n]
		if load[m] < load[best] {
			best = m
		}
	}
	return best
}
