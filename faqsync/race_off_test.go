//go:build !race

package faqsync_test

// raceEnabled is true when tests run under the race detector.
const raceEnabled = false
