//go:build race

package parquetio

// raceEnabled thins out the slowest exhaustive tests under the race
// detector, which looks for data races, not for more corrupt bytes.
const raceEnabled = true
