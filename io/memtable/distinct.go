package memtable

import (
	"github.com/grainql/grain/io/internal/sketch"
)

// Distinct counts are computed once, on the first Stats call, by hashing
// every non-NULL value of every column into a sketch.Distinct counter:
// exact up to sketch.ExactLimit distinct values per column (grouping
// equality: every NaN is one value and -0 equals +0), a HyperLogLog
// estimate (standard error about 0.8%) past it, so memory stays bounded
// (at most 1 MiB per column while exact, 16 KiB after) whatever the table
// size. Columns of types sketch.Supported rejects (lists, structs,
// dictionaries…) keep DistinctCount -1.

// hashChunk is the number of rows hashed at a time: the hashes of one
// chunk (512 KiB) stay in L2 until the counter consumes them.
const hashChunk = 1 << 16

// computeDistinct fills DistinctCount for every supported column.
func (t *Table) computeDistinct() {
	if len(t.recs) == 0 && t.stats.Rows > 0 {
		return // released before the first Stats call: stay unknown
	}
	var hs []uint64
	for c, f := range t.schema.Fields() {
		if !sketch.Supported(f.Type) {
			continue
		}
		d := sketch.NewDistinct()
		ok := true
		for _, r := range t.recs {
			col := r.Column(c)
			for start := 0; start < col.Len() && ok; start += hashChunk {
				hs, ok = sketch.AppendHashes(hs[:0], col, start, min(start+hashChunk, col.Len()))
				d.Add(hs)
			}
		}
		if ok {
			t.stats.Columns[c].DistinctCount = d.Count()
		}
	}
}
