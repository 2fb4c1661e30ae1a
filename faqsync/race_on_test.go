//go:build race

package faqsync_test

// raceEnabled is true when tests run under the race detector, which slows
// the code down several times (timing budgets are widened accordingly).
const raceEnabled = true
