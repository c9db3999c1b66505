//go:build race

package main

// raceOn: the test binary is built with the race detector, and so are the
// instances the cluster test runs.
const raceOn = true
