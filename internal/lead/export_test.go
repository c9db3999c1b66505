package lead

// SetStoredPairsPage makes the full pairs run read the stored pairs n at
// a time, so that a test with a few hundred pairs crosses many pages, and
// returns what restores the page size.
func SetStoredPairsPage(n int) (restore func()) {
	was := storedPairsPage
	storedPairsPage = n
	return func() { storedPairsPage = was }
}
