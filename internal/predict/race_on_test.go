//go:build race

package predict

// raceOn: the race detector slows the fits tenfold, so the tests on the
// whole bank file take a sample under it.
const raceOn = true
