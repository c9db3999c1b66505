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
