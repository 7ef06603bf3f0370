package datagen

import (
	"testing"

	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"
)

func TestRowExplosionShapeAndDeterminism(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	cfg := RowExplosion{Entities: 3, Groups: 4, Fine: 5, Fanout: 2, DimKeys: 3, Seed: 1}
	sum := func() (rows int64, metric float64, dimRows int64) {
		fact, dim, err := cfg.Generate(mem)
		require.NoError(t, err)
		for _, r := range fact {
			rows += r.NumRows()
			for _, v := range r.Column(3).(*array.Float64).Float64Values() {
				metric += v
			}
			r.Release()
		}
		for _, r := range dim {
			dimRows += r.NumRows()
			r.Release()
		}
		return
	}
	rows, m1, dimRows := sum()
	require.EqualValues(t, cfg.FactRows(), rows)
	require.EqualValues(t, 8, dimRows)
	_, m2, _ := sum()
	require.Equal(t, m1, m2, "same seed, same data")

	_, _, err := RowExplosion{}.Generate(mem)
	require.ErrorContains(t, err, "must be positive")
}
