package order_test

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/exec/order"
	"github.com/grainql/grain/internal/exectest"
)

func TestLimitRandom(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	for seed := int64(0); seed < 60; seed++ {
		g := &gen{rng: rand.New(rand.NewSource(seed))}
		tb := makeTable(t, g, mem, randomRows(g.rng), []colType{colTypes[12]}, 0.2)
		src, live := newSource(t, g, tb)
		n := len(live)
		offset := pick(g, 0, 1, int64(g.rng.Intn(n+2)))
		count := pick(g, -1, 0, 1, int64(g.rng.Intn(n+2)))
		if offset == 0 && count < 0 {
			offset = 1 // NewLimit(src, 0, -1) is src itself (TestLimitNoopReturnsInput)
		}
		want := refLimit(refSort(t, tb.rows, live, nil), offset, count)
		got := drain(t, order.NewLimit(src, offset, count), 0)
		requireRows(t, want, got)
		require.Equal(t, 1, src.Closes(), "seed %d", seed)
		tb.rec.Release()
	}
}

// TestLimitAcrossBatches uses ten batches of 10 rows (odd ones with a
// selection of their even rows) and checks rows, zero-copy output and how
// many batches were pulled.
func TestLimitAcrossBatches(t *testing.T) {
	cases := []struct {
		offset, count int64
		wantPulled    int
	}{
		{0, 0, 0},
		{0, 3, 1},
		{0, 10, 1},
		{0, 11, 2},
		{7, 5, 2},
		{10, 5, 2}, // the first batch is skipped whole
		{12, 3, 2},
		{15, 3, 3}, // batch 1 (a selection of 5 rows) is skipped whole
		{15, 100, 10},
		{0, -1, 10},
		{23, -1, 10},
		{1000, 5, 10},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("offset=%d/count=%d", tc.offset, tc.count), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			g := &gen{rng: rand.New(rand.NewSource(1))}
			tb := makeTable(t, g, mem, 100, []colType{colTypes[3]}, 0)
			defer tb.rec.Release()
			var batches []exec.Batch
			var live []int
			for i := 0; i < 10; i++ {
				b := exec.Batch{Rec: tb.rec.NewSlice(int64(10*i), int64(10*i+10))}
				if i%2 == 1 {
					b.Sel = []int32{0, 2, 4, 6, 8}
				}
				for j := 0; j < b.Len(); j++ {
					live = append(live, 10*i+b.Row(j))
				}
				batches = append(batches, b)
			}
			src := exectest.NewSource(tb.rec.Schema(), batches...)
			before := mem.CurrentAlloc()
			op := order.NewLimit(src, tc.offset, tc.count)
			require.NoError(t, op.Open(t.Context()))
			got, err := drainOpen(t, op, 0)
			require.NoError(t, err)
			require.Equal(t, before, mem.CurrentAlloc(), "limit copies no column data")
			require.Equal(t, tc.wantPulled, src.Pulls(), "batches pulled")
			require.NoError(t, op.Close())
			require.NoError(t, op.Close())
			requireRows(t, refLimit(refSort(t, tb.rows, live, nil), tc.offset, tc.count), got)
		})
	}
}

func TestLimitNoopReturnsInput(t *testing.T) {
	src := exectest.NewSource(nil)
	require.Same(t, exec.Operator(src), order.NewLimit(src, 0, -1))
}

func TestLimitNegativeOffset(t *testing.T) {
	src := exectest.NewSource(nil)
	op := order.NewLimit(src, -1, 5)
	require.ErrorIs(t, op.Open(t.Context()), order.ErrInvalidLimit)
	require.NoError(t, op.Close())
	require.Equal(t, 1, src.Closes())
}
