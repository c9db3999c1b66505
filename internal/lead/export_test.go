package lead

// SetStoredPairsPage makes the full pairs run read the stored pairs n at
// a time, so that a test with a few hundred pairs crosses many pages, and
// returns what restores the page size.
func SetStoredPairsPage(n int) (restore func()) {
	was := storedPairsPage
	storedPairsPage = n
	return func() { storedPairsPage = was }
}

// DefaultBudgetHolds reports whether a full run over leads leads, with
// keys stored keys, holds them in memory under the default budget.
func DefaultBudgetHolds(leads, keys int64) bool {
	return (&Service{}).spillParts(runSize{leads: leads, keys: keys}) == 0
}

// SetNewPairsBatch makes the full pairs run store its new pairs n at a
// time, so that a test with a few hundred stores them while it walks the
// stored pairs, and returns what restores the batch size.
func SetNewPairsBatch(n int) (restore func()) {
	was := newPairsBatch
	newPairsBatch = n
	return func() { newPairsBatch = was }
}
