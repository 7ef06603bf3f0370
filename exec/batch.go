package exec

import (
	"github.com/apache/arrow/go/v17/arrow"
)

// Batch is the unit of data passed between operators: Arrow columns plus an
// optional selection vector.
//
// Sel == nil means every row of Rec is live. Otherwise Sel holds strictly
// increasing row indexes into Rec, and only those rows are live. Filters
// narrow Sel instead of copying columns; compaction (see Compact) happens only
// at pipeline breakers: hash build, sort, shuffle write, spill and results.
//
// A Batch holds one reference to Rec. Whoever receives a Batch from
// Operator.Next owns that reference and must call Release exactly once (or
// hand the batch on). Sel is owned by the batch; a consumer that keeps Sel
// beyond the next call to Next must copy it, because producers may reuse it.
type Batch struct {
	Rec arrow.Record
	Sel []int32
}

// Len returns the number of live rows.
func (b Batch) Len() int {
	if b.Sel != nil {
		return len(b.Sel)
	}
	return int(b.Rec.NumRows())
}

// Release drops the batch's reference to its record.
func (b Batch) Release() {
	if b.Rec != nil {
		b.Rec.Release()
	}
}

// Column returns column i of the underlying record (all rows, not only the
// selected ones).
func (b Batch) Column(i int) arrow.Array { return b.Rec.Column(i) }

// NumRows returns the number of physical rows in Rec, selected or not.
func (b Batch) NumRows() int { return int(b.Rec.NumRows()) }

// Row returns the physical row index of the i-th live row.
func (b Batch) Row(i int) int {
	if b.Sel != nil {
		return int(b.Sel[i])
	}
	return i
}
