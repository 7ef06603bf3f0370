package order

import (
	"cmp"

	"github.com/apache/arrow/go/v17/arrow"
)

// entrySize is the scratch memory a sort needs per row: two entries (the
// radix sort's two buffers), plus the int32 of the permutation it produces.
const entrySize = 2*16 + 4

// sorter orders the rows of a record by a fixed list of keys. It keeps its
// scratch between calls, so a top-k that sorts many times allocates once.
//
// The sort is a normalized-key sort: the first key becomes a (rank, 64-bit
// prefix) pair per row, ordered by a stable radix sort (sortEntries); only
// runs of rows whose pairs are equal go on to the typed comparers of the
// remaining keys (and of the first key when its prefix is inexact, as for
// strings longer than 8 bytes). The row index breaks the last ties, so the
// order is stable.
type sorter struct {
	keys    []Key
	kinds   []kind
	pre     prefixer // of keys[0]; unused without keys
	entries []entry
}

// newSorter returns a sorter for keys, whose columns have kinds.
func newSorter(keys []Key, kinds []kind) *sorter {
	s := &sorter{keys: keys, kinds: kinds}
	if len(keys) > 0 {
		s.pre = newPrefixer(keys[0], kinds[0])
	}
	return s
}

// sort returns the permutation of rec's rows in key order, written into
// perm's storage when it is large enough.
func (s *sorter) sort(rec arrow.Record, perm []int32) []int32 {
	n := int(rec.NumRows())
	perm = resize(perm, n)
	if n == 0 || len(s.keys) == 0 {
		for i := range perm {
			perm[i] = int32(i)
		}
		return perm
	}
	s.entries = resize(s.entries, 2*n)
	es := s.entries[:n]
	s.pre.fill(rec.Column(s.keys[0].Col), nil, es)
	es = sortEntries(es, s.entries[n:], tieBreaker(rec, s.keys, s.kinds))
	for i, e := range es {
		perm[i] = e.row
	}
	return perm
}

// compareRankPrefix compares entries by null rank, then prefix.
func compareRankPrefix(a, b entry) int {
	if a.rank != b.rank {
		return int(a.rank) - int(b.rank)
	}
	return cmp.Compare(a.pre, b.pre)
}

// resize returns s with length n, reallocating only when its capacity is
// too small. The contents are unspecified.
func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}
