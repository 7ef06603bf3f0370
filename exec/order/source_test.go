package order_test

import (
	"errors"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/internal/exectest"
)

var errSource = errors.New("source failed")

// table is generated test data: the record and the live rows of the
// batches cut from it, in input order.
type table struct {
	rec  arrow.Record
	rows [][]any // every row of rec, as Go values
}

// newSource cuts t.rec into batches of random sizes (some empty), giving
// half of them a random selection vector, and returns the source and the
// indexes of the live rows in input order.
func newSource(t *testing.T, g *gen, tb table) (*exectest.Source, []int) {
	t.Helper()
	n := int(tb.rec.NumRows())
	var batches []exec.Batch
	var live []int
	for lo := 0; lo < n || (n == 0 && len(batches) == 0); {
		size := g.batchLen(n - lo)
		rec := tb.rec.NewSlice(int64(lo), int64(lo+size))
		b := exec.Batch{Rec: rec}
		if g.rng.Intn(2) == 0 {
			b.Sel = []int32{}
			for i := 0; i < size; i++ {
				if g.rng.Intn(3) != 0 {
					b.Sel = append(b.Sel, int32(i))
				}
			}
		}
		for i := 0; i < b.Len(); i++ {
			live = append(live, lo+b.Row(i))
		}
		batches = append(batches, b)
		lo += size
		if n == 0 {
			break
		}
	}
	return exectest.NewSource(tb.rec.Schema(), batches...), live
}
