//go:build race

// Package racebuild tells whether the binary was built with the race
// detector: tests size their work by it (the detector slows code
// tenfold) and build the programs they run alike.
package racebuild

// On is true: the binary was built with -race.
const On = true
