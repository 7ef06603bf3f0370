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

// topKCounts are the k values to try for n rows: the edges and a random one.
func topKCounts(rng *rand.Rand, n int) []int64 {
	ks := []int64{0, 1, int64(n), int64(n + 5), int64(rng.Intn(n + 1))}
	if n > 0 {
		ks = append(ks, int64(n-1))
	}
	return ks
}

func TestTopKEqualsSortLimit(t *testing.T) {
	for seed := int64(0); seed < 30; seed++ {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			g := &gen{rng: rand.New(rand.NewSource(seed))}
			types := make([]colType, 1+g.rng.Intn(3))
			for i := range types {
				types[i] = colTypes[g.rng.Intn(len(colTypes))]
			}
			tb := makeTable(t, g, mem, randomRows(g.rng), types, pick(g, 0, 0.3))
			defer tb.rec.Release()
			keys := make([]order.Key, g.rng.Intn(3))
			for i := range keys {
				keys[i] = randomKey(g.rng, 1+g.rng.Intn(len(types)))
			}
			n := int(tb.rec.NumRows())
			for _, k := range topKCounts(g.rng, n) {
				offset := pick(g, 0, 1, int64(g.rng.Intn(n+3)))
				bs := pick(g, batchSizes...)
				name := fmt.Sprintf("n=%d/k=%d/offset=%d/batch=%d/keys=%v", n, k, offset, bs, keys)

				// ORDER BY … LIMIT k OFFSET offset as top-k of offset+k under a limit.
				src, live := newSource(t, g, tb)
				want := refLimit(refSort(t, tb.rows, live, keys), offset, k)
				env := newEnv(mem, bs)
				top, err := order.NewTopK(src, keys, offset+k, env, nil)
				require.NoError(t, err)
				requireRows(t, want, drain(t, order.NewLimit(top, offset, k), bs))
				require.Zero(t, env.Pool.Reserved(), name)
				if k == 0 && offset == 0 {
					require.Zero(t, src.Pulls(), "k = 0 reads no input")
				}

				// The same with the offset inside the top-k.
				src, live = newSource(t, g, tb)
				want = refLimit(refSort(t, tb.rows, live, keys), offset, k)
				top, err = order.NewTopKOffset(src, keys, offset, k, env, nil)
				require.NoError(t, err)
				requireRows(t, want, drain(t, top, bs))
				require.Zero(t, env.Pool.Reserved(), name)
				if k == 0 {
					require.Zero(t, src.Pulls(), "k = 0 reads no input")
				}
			}
		})
	}
}

// TestTopKManyTruncations feeds many small batches through a small top-k
// so that it truncates and filters against its boundary many times.
func TestTopKManyTruncations(t *testing.T) {
	for ti, ct := range colTypes {
		t.Run(ct.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			g := &gen{rng: rand.New(rand.NewSource(int64(ti)))}
			tb := makeTable(t, g, mem, 3000, []colType{ct, colTypes[3]}, 0.1)
			defer tb.rec.Release()
			keys := []order.Key{randomKey(g.rng, 1), randomKey(g.rng, 2)}
			for _, k := range []int64{1, 3, 50} {
				src, live := newSource(t, g, tb)
				env := newEnv(mem, 1)
				top, err := order.NewTopK(src, keys, k, env, nil)
				require.NoError(t, err)
				requireRows(t, refLimit(refSort(t, tb.rows, live, keys), 0, k), drain(t, top, 1))
			}
		})
	}
}

// TestTopKMemoryBounded checks that the reservation stays bounded by k, not
// by the input, over 200k rows.
func TestTopKMemoryBounded(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	g := &gen{rng: rand.New(rand.NewSource(1))}
	tb := makeTable(t, g, mem, 200_000, []colType{colTypes[3]}, 0)
	defer tb.rec.Release()
	src, live := newSource(t, g, tb)
	env := newEnv(mem, 1024)
	m := &exec.Metrics{}
	keys := []order.Key{{Col: 1, Desc: true}}
	top, err := order.NewTopK(src, keys, 10, env, m)
	require.NoError(t, err)
	requireRows(t, refLimit(refSort(t, tb.rows, live, keys), 0, 10), drain(t, top, 1024))
	// Rows are 16 bytes (id + key); the top-k holds at most 2·k + 2 batches
	// of them, plus sort scratch of 20 bytes a row.
	require.Positive(t, m.PeakReserved.Load())
	require.Less(t, m.PeakReserved.Load(), int64(4*1024*36), "top-k reservation grew with the input")
}

func TestTopKWithoutKeysStopsReading(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	g := &gen{rng: rand.New(rand.NewSource(3))}
	tb := makeTable(t, g, mem, 1000, []colType{colTypes[0]}, 0)
	defer tb.rec.Release()
	var batches []exec.Batch
	for lo := int64(0); lo < 1000; lo += 100 {
		batches = append(batches, exec.Batch{Rec: tb.rec.NewSlice(lo, lo+100)})
	}
	src := exectest.NewSource(tb.rec.Schema(), batches...)
	top, err := order.NewTopK(src, nil, 150, newEnv(mem, 4096), nil)
	require.NoError(t, err)
	rows := drain(t, top, 4096)
	require.Len(t, rows, 150)
	for i, row := range rows {
		require.Equal(t, int64(i), row[0])
	}
	require.Equal(t, 2, src.Pulls(), "read only the batches it needed")
}
