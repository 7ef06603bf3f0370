//go:build race

package eval

// raceEnabled shrinks the randomized tests under the race detector, which
// slows them about tenfold.
const raceEnabled = true
