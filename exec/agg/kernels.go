package agg

import "math/bits"

// The kernels below fold one batch of (row, group id) pairs into columnar
// group state. Each has a dense loop (rs.sel == nil: row i belongs to
// gids[i]) and a selected loop (row rs.sel[i]); NULL input rows were removed
// beforehand by nonNull, so no kernel reads a validity bitmap. Group ids
// come from the hash table and are always below the state length, so the
// bounds checks on state slices never fire.

// signed, unsigned and float are the Go types of Arrow's numeric columns
// (date32 and timestamps share int32 and int64).
type (
	signed interface {
		~int8 | ~int16 | ~int32 | ~int64
	}
	unsigned interface {
		~uint8 | ~uint16 | ~uint32 | ~uint64
	}
	float  interface{ ~float32 | ~float64 }
	number interface{ signed | unsigned | float }
)

// countRows adds one to the count of every row's group.
func countRows(counts []int64, gids []uint32) {
	for _, g := range gids {
		counts[g]++
	}
}

// addPlain adds values to int64 totals without overflow checks (counts of
// rows cannot overflow).
func addPlain(acc []int64, vals []int64, rs rowSet) {
	if rs.sel == nil {
		vals = vals[:len(rs.gids)]
		for i, g := range rs.gids {
			acc[g] += vals[i]
		}
		return
	}
	sel := rs.sel[:len(rs.gids)]
	for i, g := range rs.gids {
		acc[g] += vals[sel[i]]
	}
}

// sumSigned adds signed values to int64 sums and reports whether any
// addition overflowed. The overflow test is branch-free: the sign bit of
// (a^s)&(x^s) is set exactly when a and x have the same sign and the sum s
// does not.
func sumSigned[T signed](sums []int64, seen []bool, vals []T, rs rowSet) bool {
	var of int64
	if rs.sel == nil {
		vals = vals[:len(rs.gids)]
		for i, g := range rs.gids {
			a, x := sums[g], int64(vals[i])
			s := a + x
			of |= (a ^ s) & (x ^ s)
			sums[g] = s
			seen[g] = true
		}
		return of < 0
	}
	sel := rs.sel[:len(rs.gids)]
	for i, g := range rs.gids {
		a, x := sums[g], int64(vals[sel[i]])
		s := a + x
		of |= (a ^ s) & (x ^ s)
		sums[g] = s
		seen[g] = true
	}
	return of < 0
}

// sumUnsigned adds unsigned values to uint64 sums and reports whether any
// addition carried out of 64 bits.
func sumUnsigned[T unsigned](sums []uint64, seen []bool, vals []T, rs rowSet) bool {
	var carry uint64
	if rs.sel == nil {
		vals = vals[:len(rs.gids)]
		for i, g := range rs.gids {
			s, c := bits.Add64(sums[g], uint64(vals[i]), 0)
			carry |= c
			sums[g] = s
			seen[g] = true
		}
		return carry != 0
	}
	sel := rs.sel[:len(rs.gids)]
	for i, g := range rs.gids {
		s, c := bits.Add64(sums[g], uint64(vals[sel[i]]), 0)
		carry |= c
		sums[g] = s
		seen[g] = true
	}
	return carry != 0
}

// sumFloat adds float values to float64 sums (IEEE: NaN propagates,
// infinities saturate).
func sumFloat[T float](sums []float64, seen []bool, vals []T, rs rowSet) {
	if rs.sel == nil {
		vals = vals[:len(rs.gids)]
		for i, g := range rs.gids {
			sums[g] += float64(vals[i])
			seen[g] = true
		}
		return
	}
	sel := rs.sel[:len(rs.gids)]
	for i, g := range rs.gids {
		sums[g] += float64(vals[sel[i]])
		seen[g] = true
	}
}

// sumCount adds values (as float64) to sums and counts them, for AVG.
func sumCount[T number](sums []float64, counts []int64, vals []T, rs rowSet) {
	if rs.sel == nil {
		vals = vals[:len(rs.gids)]
		for i, g := range rs.gids {
			sums[g] += float64(vals[i])
			counts[g]++
		}
		return
	}
	sel := rs.sel[:len(rs.gids)]
	for i, g := range rs.gids {
		sums[g] += float64(vals[sel[i]])
		counts[g]++
	}
}

// addFloat adds float64 partial sums (AVG's merge); seen is not tracked
// because the counts say whether a group saw a value.
func addFloat(sums []float64, vals []float64, rs rowSet) {
	if rs.sel == nil {
		vals = vals[:len(rs.gids)]
		for i, g := range rs.gids {
			sums[g] += vals[i]
		}
		return
	}
	sel := rs.sel[:len(rs.gids)]
	for i, g := range rs.gids {
		sums[g] += vals[sel[i]]
	}
}

// less orders values with NaN greater than every other value (Spark's
// order), so MIN skips NaNs unless every value is NaN and MAX returns NaN if
// any value is. For integers b != b is false and the test folds away.
func less[T number](a, b T) bool { return a < b || (b != b && a == a) }

// foldMin lowers each group's minimum. New groups start at the greatest
// value of T (NaN for floats), so the loop needs no first-value test.
func foldMin[T number](acc []T, seen []bool, vals []T, rs rowSet) {
	if rs.sel == nil {
		vals = vals[:len(rs.gids)]
		for i, g := range rs.gids {
			if x := vals[i]; less(x, acc[g]) {
				acc[g] = x
			}
			seen[g] = true
		}
		return
	}
	sel := rs.sel[:len(rs.gids)]
	for i, g := range rs.gids {
		if x := vals[sel[i]]; less(x, acc[g]) {
			acc[g] = x
		}
		seen[g] = true
	}
}

// foldMax raises each group's maximum. New groups start at the least value
// of T (-Inf for floats).
func foldMax[T number](acc []T, seen []bool, vals []T, rs rowSet) {
	if rs.sel == nil {
		vals = vals[:len(rs.gids)]
		for i, g := range rs.gids {
			if x := vals[i]; less(acc[g], x) {
				acc[g] = x
			}
			seen[g] = true
		}
		return
	}
	sel := rs.sel[:len(rs.gids)]
	for i, g := range rs.gids {
		if x := vals[sel[i]]; less(acc[g], x) {
			acc[g] = x
		}
		seen[g] = true
	}
}
