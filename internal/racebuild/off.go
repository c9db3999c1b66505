//go:build !race

package racebuild

// On is false: the binary was built without -race.
const On = false
