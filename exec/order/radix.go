package order

import "slices"

// radixMin is the row count below which a comparison sort beats the radix
// sort's fixed cost (histograms of 9 × 256 counters).
const radixMin = 256

// sortEntries orders entries by (rank, prefix), keeping the input order of
// equal ones, then orders each run of equal (rank, prefix) by tie when tie
// is not nil, falling back to the row index. tmp is scratch of len(es)
// entries. It returns the sorted slice, which is es or tmp.
//
// The (rank, prefix) order comes from a least-significant-digit radix sort,
// one stable counting pass per byte of the prefix and one for the rank,
// skipping every pass whose byte is the same in all entries (the high bytes
// of small integers, the rank of a column without NULLs). Because every
// pass is stable and the entries start in row order, rows with equal keys
// stay in input order without comparing row indexes.
func sortEntries(es, tmp []entry, tie func(a, b int32) int) []entry {
	if len(es) < radixMin {
		slices.SortFunc(es, func(a, b entry) int {
			if c := compareRankPrefix(a, b); c != 0 {
				return c
			}
			return compareTie(a, b, tie)
		})
		return es
	}
	es = radixSort(es, tmp)
	if tie != nil {
		sortTies(es, tie)
	}
	return es
}

// compareTie compares entries with equal (rank, prefix) by tie, then row.
func compareTie(a, b entry, tie func(a, b int32) int) int {
	if tie != nil {
		if c := tie(a.row, b.row); c != 0 {
			return c
		}
	}
	return int(a.row) - int(b.row)
}

// radixSort stably sorts es by (rank, prefix) using tmp as the second
// buffer, and returns whichever of the two holds the result.
func radixSort(es, tmp []entry) []entry {
	n := len(es)
	var counts [9][256]int // bytes 0-7 of the prefix, then the rank
	for _, e := range es {
		p := e.pre
		counts[0][byte(p)]++
		counts[1][byte(p>>8)]++
		counts[2][byte(p>>16)]++
		counts[3][byte(p>>24)]++
		counts[4][byte(p>>32)]++
		counts[5][byte(p>>40)]++
		counts[6][byte(p>>48)]++
		counts[7][byte(p>>56)]++
		counts[8][e.rank]++
	}
	src, dst := es, tmp[:n]
	for d := range counts {
		c := &counts[d]
		if c[digit(src[0], d)] == n {
			continue // every entry has the same digit: the pass would change nothing
		}
		var next [256]int
		sum := 0
		for i, k := range c {
			next[i] = sum
			sum += k
		}
		for _, e := range src {
			b := digit(e, d)
			dst[next[b]] = e
			next[b]++
		}
		src, dst = dst, src
	}
	return src
}

// digit is byte d of e's sort key: bytes 0-7 are the prefix from least
// significant up, 8 is the rank.
func digit(e entry, d int) byte {
	if d == 8 {
		return e.rank
	}
	return byte(e.pre >> (8 * d))
}

// sortTies orders each run of entries with equal (rank, prefix) by tie and
// row index.
func sortTies(es []entry, tie func(a, b int32) int) {
	for lo := 0; lo < len(es); {
		hi := lo + 1
		for hi < len(es) && es[hi].pre == es[lo].pre && es[hi].rank == es[lo].rank {
			hi++
		}
		if hi-lo > 1 {
			slices.SortFunc(es[lo:hi], func(a, b entry) int { return compareTie(a, b, tie) })
		}
		lo = hi
	}
}
