package join_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/exec/join"
	"github.com/grainql/grain/exec/mempool"
	"github.com/grainql/grain/exec/order"
	"github.com/grainql/grain/internal/exectest"
)

var mergeTypes = []join.Type{join.Inner, join.Left, join.Right, join.Full, join.Semi, join.Anti}

// chop re-cuts each batch of its input into consecutive pieces of random
// sizes that share the batch's record, each with a selection vector (some
// empty), so the join sees selections, empty batches and runs of equal
// keys crossing batch boundaries whatever the sort's batch size.
type chop struct {
	exec.Operator
	rng     *rand.Rand
	pending []exec.Batch
}

func (c *chop) Next(ctx context.Context) (exec.Batch, error) {
	for len(c.pending) == 0 {
		b, err := c.Operator.Next(ctx)
		if err != nil {
			return b, err
		}
		c.cut(b)
	}
	b := c.pending[0]
	c.pending = c.pending[1:]
	return b, nil
}

// cut splits b's live rows into pieces, each holding its own reference.
func (c *chop) cut(b exec.Batch) {
	defer b.Release()
	for i := 0; i < b.Len(); {
		n := min(c.rng.IntN(9), b.Len()-i)
		sel := make([]int32, n)
		for j := range sel {
			sel[j] = int32(b.Row(i + j))
		}
		b.Rec.Retain()
		c.pending = append(c.pending, exec.Batch{Rec: b.Rec, Sel: sel})
		i += n
	}
}

func (c *chop) Close() error {
	for _, b := range c.pending {
		b.Release()
	}
	c.pending = nil
	return c.Operator.Close()
}

// sortedInput sorts src on keys in the order a sort-merge join requires,
// emitting batches of a random size, then re-cuts them (chop).
func sortedInput(t *testing.T, src exec.Operator, keys []int, mem memory.Allocator, rng *rand.Rand) exec.Operator {
	t.Helper()
	env := exec.NewEnv(mem, mempool.NewUnbounded(), []int{1, 3, 7, 64}[rng.IntN(4)])
	op, err := order.NewSort(src, join.SortKeys(keys), env, nil)
	require.NoError(t, err)
	if rng.IntN(2) == 0 {
		return op
	}
	return &chop{Operator: op, rng: rng}
}

// mergeCase is one sort-merge join run against the oracle.
type mergeCase struct {
	typ                  join.Type
	kind                 string
	nullsEqual, residual bool
	bs, nl, nr           int
	unique               bool
	noKeys               bool // every pair of rows is a candidate
}

// runMergeCase joins random inputs with NewSortMergeJoin, compares the
// result with the nested-loop oracle and checks metrics, closing and
// memory.
func runMergeCase(t *testing.T, rng *rand.Rand, c mergeCase) {
	t.Helper()
	ctx := context.Background()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	pool := mempool.NewGreedy(1 << 30)
	env := exec.NewEnv(mem, pool, c.bs)

	d := genDataset(rng, keyKinds[c.kind], c.nl, c.nr)
	if c.unique {
		d.uniqueRight()
	}
	spec := keySpec(c.typ, d.nk)
	if c.noKeys {
		spec = keySpec(c.typ, 0)
	}
	spec.NullsEqual = c.nullsEqual
	if c.residual {
		spec.Residual = &int64Less{l: d.lv, r: d.left.NumFields() + d.rw}
	}
	want := nestedLoop(d, spec, c.residual)

	left := newSource(t, mem, d.left, d.lrows, rng)
	right := newSource(t, mem, d.right, d.rrows, rng)
	m := &exec.Metrics{}
	op, err := join.NewSortMergeJoin(
		sortedInput(t, left, spec.LeftKeys, mem, rng),
		sortedInput(t, right, spec.RightKeys, mem, rng), spec, env, m)
	require.NoError(t, err)
	require.True(t, op.Schema().Equal(join.OutputSchema(c.typ, d.left, d.right)))
	got := drain(t, ctx, op, c.bs)
	require.Equal(t, want, got, "%+v", c)
	require.NoError(t, op.Close(), "Close is idempotent")

	require.Equal(t, int64(len(got)), m.Counter("output rows").Value.Load())
	probe, build := m.Counter("probe rows").Value.Load(), m.Counter("build rows").Value.Load()
	require.LessOrEqual(t, probe, int64(len(d.lrows)))
	require.LessOrEqual(t, build, int64(len(d.rrows)))
	if c.typ == join.Left || c.typ == join.Full || c.typ == join.Anti {
		require.Equal(t, int64(len(d.lrows)), probe, "every left row is read")
	}
	if c.typ == join.Right || c.typ == join.Full {
		require.Equal(t, int64(len(d.rrows)), build, "every right row is read")
	}
	require.Equal(t, 1, left.Closes())
	require.Equal(t, 1, right.Closes())
	require.Zero(t, pool.Reserved(), "reservations left after Close")
}

// TestSortMergeJoinDifferential compares every join type against the
// nested-loop oracle: every key shape (integers, strings, floats with NaN
// and ±0, booleans, several columns), NULL keys, duplicates on both sides
// (fan-out runs crossing batch boundaries), empty inputs, with and without
// NullsEqual and a residual, output batch sizes 1, 7 and 1024, and input
// batches of random sizes with selection vectors.
func TestSortMergeJoinDifferential(t *testing.T) {
	kinds := []string{"int64", "int32", "string", "multi", "float64", "bool", "mixed"}
	for _, typ := range mergeTypes {
		for _, nullsEqual := range []bool{false, true} {
			for _, residual := range []bool{false, true} {
				for _, bs := range []int{1, 7, 1024} {
					name := fmt.Sprintf("%s/nullsEqual=%v/residual=%v/bs=%d", typ, nullsEqual, residual, bs)
					t.Run(name, func(t *testing.T) {
						for seed := range 8 {
							rng := rand.New(rand.NewPCG(uint64(seed), uint64(bs)+uint64(typ)<<8+7))
							nl, nr := sizes(seed, rng)
							if bs == 1 { // one output batch per row: keep the fan-out small
								nl, nr = min(nl, 50), min(nr, 25)
							}
							runMergeCase(t, rng, mergeCase{
								typ: typ, kind: kinds[(seed+int(typ))%len(kinds)],
								nullsEqual: nullsEqual, residual: residual,
								bs: bs, nl: nl, nr: nr, unique: seed == 7,
							})
						}
					})
				}
			}
		}
	}
}

// TestSortMergeJoinLongRuns joins inputs with very few distinct keys, so
// runs of equal right keys span many batches and each left row pairs with
// more rows than a batch holds.
func TestSortMergeJoinLongRuns(t *testing.T) {
	for _, typ := range mergeTypes {
		for _, residual := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/residual=%v", typ, residual), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(typ), 99))
				for _, kind := range []string{"bool", "string"} {
					runMergeCase(t, rng, mergeCase{typ: typ, kind: kind, residual: residual,
						bs: 7, nl: 40, nr: 150})
				}
			})
		}
	}
}

// TestSortMergeJoinNoKeys joins without keys, as the hash join allows:
// the whole right side is one run and the residual decides.
func TestSortMergeJoinNoKeys(t *testing.T) {
	for _, typ := range mergeTypes {
		for _, residual := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/residual=%v", typ, residual), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(typ), 17))
				for seed := range 5 {
					nl, nr := sizes(seed, rng)
					runMergeCase(t, rng, mergeCase{typ: typ, kind: "int64", residual: residual,
						bs: 7, nl: min(nl, 40), nr: min(nr, 40), noKeys: true})
				}
			})
		}
	}
}

// TestSortMergeJoinMatchesHashJoin checks on larger random inputs that the
// sort-merge join and the hash join return the same rows (as multisets),
// without the oracle.
func TestSortMergeJoinMatchesHashJoin(t *testing.T) {
	for _, typ := range mergeTypes {
		for _, kind := range []string{"multi", "float64"}[typ%2:][:1] {
			t.Run(fmt.Sprintf("%s/%s", typ, kind), func(t *testing.T) {
				ctx := context.Background()
				mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
				defer mem.AssertSize(t, 0)
				rng := rand.New(rand.NewPCG(uint64(typ), 5))
				d := genDatasetDomain(rng, keyKinds[kind], 2000, 1500, 300)
				spec := keySpec(typ, d.nk)
				spec.NullsEqual = typ == join.Full
				run := func(merge bool) []string {
					env := exec.NewEnv(mem, mempool.NewGreedy(1<<30), 256)
					left := newSource(t, mem, d.left, d.lrows, rng)
					right := newSource(t, mem, d.right, d.rrows, rng)
					if !merge {
						op, err := join.NewHashJoin(left, right, spec, env, nil)
						require.NoError(t, err)
						return drain(t, ctx, op, 256)
					}
					op, err := join.NewSortMergeJoin(sortedInput(t, left, spec.LeftKeys, mem, rng),
						sortedInput(t, right, spec.RightKeys, mem, rng), spec, env, nil)
					require.NoError(t, err)
					return drain(t, ctx, op, 256)
				}
				hash := run(false)
				require.NotEmpty(t, hash)
				require.Equal(t, hash, run(true))
			})
		}
	}
}

func TestSortMergeJoinInvalidSpec(t *testing.T) {
	d := genDataset(rand.New(rand.NewPCG(1, 1)), keyKinds["multi"], 0, 0)
	env := exec.NewEnv(memory.NewGoAllocator(), nil, 0)
	src := func(s *arrow.Schema) exec.Operator { return exectest.NewSource(s) }
	for _, spec := range []join.Spec{
		{Type: join.Cross},
		{Type: join.Inner, LeftKeys: []int{0}, RightKeys: []int{1}},    // int64 vs string
		{Type: join.Inner, LeftKeys: []int{0, 1}, RightKeys: []int{0}}, // counts differ
		{Type: join.Left, LeftKeys: []int{7}, RightKeys: []int{0}},     // out of range
		{Type: join.Type(42), LeftKeys: []int{0}, RightKeys: []int{0}},
	} {
		_, err := join.NewSortMergeJoin(src(d.left), src(d.right), spec, env, nil)
		require.ErrorIs(t, err, join.ErrInvalidSpec, "%+v", spec)
	}
}

// TestSortMergeJoinRunMemory checks that a run of equal right keys larger
// than the pool allows fails with a memory-limit error naming the
// operator, and that a Semi join, which keeps only a run's first row, runs
// in the same pool.
func TestSortMergeJoinRunMemory(t *testing.T) {
	ctx := context.Background()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rng := rand.New(rand.NewPCG(3, 3))
	schema := arrow.NewSchema([]arrow.Field{{Name: "k", Type: arrow.PrimitiveTypes.Int64}}, nil)
	var rrows, lrows []row
	for i := range 20000 {
		rrows = append(rrows, row{int64(1 + i/15000)}) // 15000 ones, then twos
	}
	for range 10 {
		lrows = append(lrows, row{int64(1)})
	}
	for _, typ := range []join.Type{join.Inner, join.Semi, join.Anti} {
		pool := mempool.NewGreedy(32 << 10)
		env := exec.NewEnv(mem, pool, 512)
		left := newSource(t, mem, schema, lrows, rng)
		right := newSource(t, mem, schema, rrows, rng)
		m := &exec.Metrics{}
		op, err := join.NewSortMergeJoin(left, right, keySpec(typ, 1), env, m)
		require.NoError(t, err)
		rows, err := collect(ctx, op, 512)
		if typ == join.Inner {
			require.ErrorIs(t, err, mempool.ErrMemoryLimit)
			var le *mempool.LimitError
			require.ErrorAs(t, err, &le)
			require.Equal(t, "sort-merge join", le.Consumer)
			require.ErrorContains(t, err, "sort-merge join: hold a run of equal keys")
		} else {
			require.NoError(t, err, typ.String())
			want := 0
			if typ == join.Semi {
				want = len(lrows)
			}
			require.Len(t, rows, want)
			require.Positive(t, m.PeakReserved.Load())
		}
		require.Zero(t, pool.Reserved())
		require.Equal(t, 1, left.Closes())
		require.Equal(t, 1, right.Closes())
	}
}

// TestSortMergeJoinInputErrors checks that an error of either input is
// returned and that Close still releases everything.
func TestSortMergeJoinInputErrors(t *testing.T) {
	for _, side := range []string{"left", "right"} {
		for _, typ := range []join.Type{join.Inner, join.Full} {
			t.Run(fmt.Sprintf("%s/%s", side, typ), func(t *testing.T) {
				ctx := context.Background()
				mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
				defer mem.AssertSize(t, 0)
				rng := rand.New(rand.NewPCG(4, 4))
				d := genDataset(rng, keyKinds["int64"], 300, 300)
				pool := mempool.NewGreedy(1 << 30)
				env := exec.NewEnv(mem, pool, 16)
				left := newSource(t, mem, d.left, d.lrows, rng)
				right := newSource(t, mem, d.right, d.rrows, rng)
				failing := left
				if side == "right" {
					failing = right
				}
				// A Full join reads both inputs to the end; an Inner join
				// may stop reading one side early, so it fails at once.
				if typ == join.Full {
					failing.FailAt(failing.Len()/2, errBoom)
				} else {
					failing.FailAt(0, errBoom)
				}
				op, err := join.NewSortMergeJoin(left, right, keySpec(typ, 1), env, nil)
				require.NoError(t, err)
				_, err = collect(ctx, op, 16)
				require.ErrorIs(t, err, errBoom)
				require.NoError(t, op.Close())
				require.Equal(t, 1, left.Closes())
				require.Equal(t, 1, right.Closes())
				require.Zero(t, pool.Reserved())
			})
		}
	}
}

func TestSortMergeJoinCloseWithoutOpen(t *testing.T) {
	d := genDataset(rand.New(rand.NewPCG(1, 1)), keyKinds["int64"], 0, 0)
	left, right := exectest.NewSource(d.left), exectest.NewSource(d.right)
	op, err := join.NewSortMergeJoin(left, right, keySpec(join.Inner, 1), exec.NewEnv(memory.NewGoAllocator(), nil, 0), nil)
	require.NoError(t, err)
	_, err = op.Next(context.Background())
	require.Error(t, err, "next before open")
	require.NoError(t, op.Close())
	require.NoError(t, op.Close())
	require.Equal(t, 1, left.Closes())
	require.Equal(t, 1, right.Closes())
}

// failingResidual is a residual whose evaluation fails.
type failingResidual struct{}

func (failingResidual) Select(context.Context, exec.Batch) ([]int32, error) { return nil, errBoom }

func TestSortMergeJoinResidualError(t *testing.T) {
	ctx := context.Background()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rng := rand.New(rand.NewPCG(8, 8))
	d := genDataset(rng, keyKinds["int64"], 50, 50)
	pool := mempool.NewGreedy(1 << 30)
	env := exec.NewEnv(mem, pool, 16)
	spec := keySpec(join.Left, 1)
	spec.Residual = failingResidual{}
	op, err := join.NewSortMergeJoin(sortedInput(t, newSource(t, mem, d.left, d.lrows, rng), spec.LeftKeys, mem, rng),
		sortedInput(t, newSource(t, mem, d.right, d.rrows, rng), spec.RightKeys, mem, rng), spec, env, nil)
	require.NoError(t, err)
	_, err = collect(ctx, op, 16)
	require.ErrorIs(t, err, errBoom)
	require.ErrorContains(t, err, "sort-merge join: residual")
	require.Zero(t, pool.Reserved())
}
