package order_test

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/exec/mempool"
	"github.com/grainql/grain/exec/order"
	"github.com/grainql/grain/internal/exectest"
)

// batchSizes are the output batch sizes every differential test runs with.
var batchSizes = []int{1, 7, 1024, 4096}

// newEnv returns an Env over mem with an unbounded pool.
func newEnv(mem memory.Allocator, batchSize int) *exec.Env {
	return exec.NewEnv(mem, mempool.NewUnbounded(), batchSize)
}

// requireRows checks that got holds exactly the rows of want, in order:
// the same row ids, and every value bit-identical (so -0 and NaN payloads
// count, which reflect.DeepEqual cannot do for NaN).
func requireRows(t *testing.T, want, got [][]any) {
	t.Helper()
	require.Equal(t, len(want), len(got), "row count")
	for i := range want {
		require.Equal(t, want[i][0], got[i][0], "row id at position %d", i)
		for c := range want[i] {
			require.True(t, sameValue(want[i][c], got[i][c]), "row %d column %d: want %v, got %v", i, c, want[i][c], got[i][c])
		}
	}
}

func sameValue(a, b any) bool {
	switch x := a.(type) {
	case float64:
		y, ok := b.(float64)
		return ok && math.Float64bits(x) == math.Float64bits(y)
	case float32:
		y, ok := b.(float32)
		return ok && math.Float32bits(x) == math.Float32bits(y)
	case []byte:
		y, ok := b.([]byte)
		return ok && string(x) == string(y)
	}
	return a == b
}

// randomKey returns a key on column col with a random direction and NULL
// placement.
func randomKey(rng *rand.Rand, col int) order.Key {
	return order.Key{Col: col, Desc: rng.Intn(2) == 0, NullsFirst: rng.Intn(2) == 0}
}

// randomRows picks a row count: often tiny, sometimes a few thousand.
func randomRows(rng *rand.Rand) int {
	switch rng.Intn(5) {
	case 0:
		return rng.Intn(3) // 0, 1 or 2 rows
	case 1:
		return rng.Intn(30)
	default:
		return rng.Intn(2500)
	}
}

// checkSort runs NewSort over a random cut of tb and compares the output
// with the reference sort.
func checkSort(t *testing.T, g *gen, mem memory.Allocator, tb table, keys []order.Key, batchSize int) {
	t.Helper()
	src, live := newSource(t, g, tb)
	env := newEnv(mem, batchSize)
	op, err := order.NewSort(src, keys, env, nil)
	require.NoError(t, err)
	got := drain(t, op, batchSize)
	requireRows(t, refSort(t, tb.rows, live, keys), got)
	require.Equal(t, 1, src.Closes(), "input closed once")
	require.Zero(t, env.Pool.Reserved(), "reservation freed")
}

func TestSortSingleKeyEveryType(t *testing.T) {
	for ti, ct := range colTypes {
		for _, bs := range batchSizes {
			t.Run(fmt.Sprintf("%s/batch=%d", ct.name, bs), func(t *testing.T) {
				mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
				defer mem.AssertSize(t, 0)
				g := &gen{rng: rand.New(rand.NewSource(int64(ti*100 + bs)))}
				for iter := 0; iter < 6; iter++ {
					nullFrac := pick(g, 0, 0.1, 0.5, 1)
					tb := makeTable(t, g, mem, randomRows(g.rng), []colType{ct, ct}, nullFrac)
					checkSort(t, g, mem, tb, []order.Key{randomKey(g.rng, 1)}, bs)
					tb.rec.Release()
				}
			})
		}
	}
}

func TestSortMultiKeyMixedDirections(t *testing.T) {
	for seed := int64(0); seed < 40; seed++ {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			g := &gen{rng: rand.New(rand.NewSource(seed))}
			types := make([]colType, 1+g.rng.Intn(4))
			for i := range types {
				types[i] = colTypes[g.rng.Intn(len(colTypes))]
			}
			tb := makeTable(t, g, mem, randomRows(g.rng), types, pick(g, 0, 0.2, 0.6))
			defer tb.rec.Release()
			keys := make([]order.Key, 1+g.rng.Intn(4))
			for i := range keys {
				keys[i] = randomKey(g.rng, 1+g.rng.Intn(len(types)))
			}
			checkSort(t, g, mem, tb, keys, pick(g, batchSizes...))
		})
	}
}

func TestSortNoKeysKeepsInputOrder(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	g := &gen{rng: rand.New(rand.NewSource(7))}
	tb := makeTable(t, g, mem, 500, []colType{colTypes[3]}, 0.2)
	defer tb.rec.Release()
	checkSort(t, g, mem, tb, nil, 64)
}

// TestSortSpecialFloats pins the float order with hand-written expectations,
// independently of the reference sort.
func TestSortSpecialFloats(t *testing.T) {
	nan, negNaN := math.NaN(), math.Copysign(math.NaN(), -1)
	negZero := math.Copysign(0, -1)
	vals := []any{nan, 1.0, negZero, nil, math.Inf(-1), 0.0, negNaN, math.Inf(1), -2.5, nil}
	cases := []struct {
		key  order.Key
		want []int64 // row ids
	}{
		{order.Key{Col: 1}, []int64{4, 8, 2, 5, 1, 7, 0, 6, 3, 9}},
		{order.Key{Col: 1, NullsFirst: true}, []int64{3, 9, 4, 8, 2, 5, 1, 7, 0, 6}},
		{order.Key{Col: 1, Desc: true}, []int64{0, 6, 7, 1, 2, 5, 8, 4, 3, 9}},
		{order.Key{Col: 1, Desc: true, NullsFirst: true}, []int64{3, 9, 0, 6, 7, 1, 2, 5, 8, 4}},
	}
	for _, dt := range []arrow.DataType{arrow.PrimitiveTypes.Float64, arrow.PrimitiveTypes.Float32} {
		for _, tc := range cases {
			t.Run(fmt.Sprintf("%s/%s", dt, tc.key), func(t *testing.T) {
				mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
				defer mem.AssertSize(t, 0)
				schema := arrow.NewSchema([]arrow.Field{
					{Name: "id", Type: arrow.PrimitiveTypes.Int64},
					{Name: "f", Type: dt, Nullable: true},
				}, nil)
				rows := make([][]any, len(vals))
				for i, v := range vals {
					if f, ok := v.(float64); ok && dt.ID() == arrow.FLOAT32 {
						v = float32(f)
					}
					rows[i] = []any{int64(i), v}
				}
				rec := buildRecord(t, mem, schema, rows)
				src := exectest.NewSource(schema, []exec.Batch{{Rec: rec}}...)
				op, err := order.NewSort(src, []order.Key{tc.key}, newEnv(mem, 3), nil)
				require.NoError(t, err)
				var ids []int64
				for _, row := range drain(t, op, 3) {
					ids = append(ids, row[0].(int64))
				}
				require.Equal(t, tc.want, ids)
			})
		}
	}
}
