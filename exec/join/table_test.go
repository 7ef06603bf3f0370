package join_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/exec/hashtable"
	"github.com/grainql/grain/exec/join"
	"github.com/grainql/grain/exec/mempool"
	"github.com/grainql/grain/internal/exectest"
)

// keySpec joins on the first n columns of both sides.
func keySpec(typ join.Type, n int) join.Spec {
	s := join.Spec{Type: typ}
	for i := range n {
		s.LeftKeys = append(s.LeftKeys, i)
		s.RightKeys = append(s.RightKeys, i)
	}
	return s
}

// TestSharedTableConcurrent probes one table from several goroutines at
// once, each creating its own probe operator (with its own residual) and
// sharing one Metrics, as the tasks of a broadcast join do (run under -race).
func TestSharedTableConcurrent(t *testing.T) {
	ctx := context.Background()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	pool := mempool.NewGreedy(1 << 30)
	env := exec.NewEnv(mem, pool, 64)
	rng := rand.New(rand.NewPCG(1, 2))

	d := genDataset(rng, keyKinds["multi"], 0, 400)
	tbl, err := join.Build(ctx, newSource(t, mem, d.right, d.rrows, rng), []int{0, 1}, env, nil)
	require.NoError(t, err)

	types := []join.Type{join.Inner, join.Left, join.Semi, join.Anti}
	n := 2 * len(types)
	results, wants := make([][]string, n), make([][]string, n)
	specs, srcs := make([]join.Spec, n), make([]*exectest.Source, n)
	totalProbe, totalOut := 0, 0
	for i := range n {
		probeData := genDataset(rng, keyKinds["multi"], 300, 0)
		probeData.right, probeData.rrows = d.right, d.rrows
		specs[i] = keySpec(types[i%len(types)], 2)
		residual := i >= len(types)
		if residual {
			specs[i].Residual = &int64Less{l: d.lv, r: probeData.left.NumFields() + d.rw}
		}
		wants[i] = nestedLoop(probeData, specs[i], residual)
		srcs[i] = newSource(t, mem, probeData.left, probeData.lrows, rng)
		totalProbe += len(probeData.lrows)
		totalOut += len(wants[i])
	}
	m := &exec.Metrics{}
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			op, err := join.NewProbe(srcs[i], tbl, specs[i], env, m)
			if err != nil {
				errs[i] = err
				return
			}
			results[i], errs[i] = collect(ctx, op, 64)
		}()
	}
	wg.Wait()
	tbl.Release() // the last probe to close, or this, frees the table
	for i := range n {
		require.NoError(t, errs[i])
		require.Equal(t, wants[i], results[i], "probe %d (%s)", i, types[i%len(types)])
	}
	require.Len(t, m.Counters(), 2, "one counter per name, shared by the probes")
	require.Equal(t, int64(totalProbe), m.Counter("probe rows").Value.Load())
	require.Equal(t, int64(totalOut), m.Counter("output rows").Value.Load())
	require.Zero(t, pool.Reserved())
}

// TestMemoryLimit checks that a build over the limit fails with an error
// naming the consumer and frees everything, from Build and from the join.
func TestMemoryLimit(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(3, 4))
	d := genDataset(rng, keyKinds["string"], 10, 5000)
	for i := range d.rrows {
		d.rrows[i][0] = fmt.Sprintf("key-%d", i) // distinct keys: a keys-only table grows too
	}
	check := func(t *testing.T, err error, pool mempool.Pool) {
		require.ErrorIs(t, err, mempool.ErrMemoryLimit)
		var le *mempool.LimitError
		require.ErrorAs(t, err, &le)
		require.Equal(t, "hash join build", le.Consumer)
		require.Contains(t, err.Error(), `"hash join build"`)
		require.Zero(t, pool.Reserved())
	}
	t.Run("build", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		pool := mempool.NewGreedy(64 << 10)
		env := exec.NewEnv(mem, pool, 1024)
		right := newSource(t, mem, d.right, d.rrows, rng)
		tbl, err := join.Build(ctx, right, []int{0}, env, nil)
		require.Nil(t, tbl)
		check(t, err, pool)
		require.Equal(t, 1, right.Closes())
	})
	for _, typ := range []join.Type{join.Inner, join.Semi, join.Cross} {
		t.Run("join/"+typ.String(), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			pool := mempool.NewGreedy(16 << 10)
			env := exec.NewEnv(mem, pool, 1024)
			left := newSource(t, mem, d.left, d.lrows, rng)
			spec := keySpec(typ, 1)
			if typ == join.Cross {
				spec = join.Spec{Type: join.Cross}
			}
			op, err := join.NewHashJoin(left, newSource(t, mem, d.right, d.rrows, rng), spec, env, nil)
			require.NoError(t, err)
			check(t, op.Open(ctx), pool)
			require.NoError(t, op.Close())
			require.NoError(t, op.Close())
			require.Equal(t, 1, left.Closes())
		})
	}
}

// TestReservationAndPeak checks that a built table holds a reservation that
// covers its payload, reports the peak, and frees it on Release.
func TestReservationAndPeak(t *testing.T) {
	ctx := context.Background()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	pool := mempool.NewGreedy(1 << 30)
	env := exec.NewEnv(mem, pool, 1024)
	rng := rand.New(rand.NewPCG(5, 6))
	d := genDataset(rng, keyKinds["int64"], 0, 3000)
	m := &exec.Metrics{}
	tbl, err := join.Build(ctx, newSource(t, mem, d.right, d.rrows, rng), []int{0}, env, m)
	require.NoError(t, err)
	require.Equal(t, 3000, tbl.Rows())
	require.LessOrEqual(t, tbl.Groups(), 9)
	require.Equal(t, pool.Reserved(), tbl.Bytes())
	require.GreaterOrEqual(t, tbl.Bytes(), int64(mem.CurrentAlloc()), "payload bytes are reserved")
	require.GreaterOrEqual(t, m.PeakReserved.Load(), tbl.Bytes())
	require.Equal(t, int64(3000), m.Counter("build rows").Value.Load())
	tbl.Release()
	tbl.Release() // already freed: does nothing
	require.Zero(t, pool.Reserved())
}

// TestSlicedInput builds from zero-copy slices of one large record, as a
// memtable scan produces: the reservation counts the rows, not the whole
// parent buffers once per slice (which would be 25x the data here).
func TestSlicedInput(t *testing.T) {
	ctx := context.Background()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	const rows = 100_000
	src := int64Source(mem, rows, func(i int) int64 { return int64(i) })
	cols := make([]arrow.Array, 2)
	for c := range cols {
		var parts []arrow.Array
		for _, b := range src.Batches() {
			parts = append(parts, b.Rec.Column(c))
		}
		var err error
		cols[c], err = array.Concatenate(parts, mem)
		require.NoError(t, err)
	}
	src.Release()
	big := array.NewRecord(benchSchema, cols, rows)
	releaseArrays(cols)
	defer big.Release()

	var parts []exec.Batch
	for lo := int64(0); lo < rows; lo += 4096 {
		parts = append(parts, exec.Batch{Rec: big.NewSlice(lo, min(lo+4096, rows))})
	}
	sliced := exectest.NewSource(benchSchema, parts...)
	pool := mempool.NewGreedy(16 << 20) // data 1.6 MB, hash table ~5 MB; 40 MB if slices counted whole
	env := exec.NewEnv(mem, pool, 4096)
	tbl, err := join.Build(ctx, sliced, []int{0}, env, nil)
	require.NoError(t, err)
	require.Equal(t, rows, tbl.Rows())
	require.Equal(t, rows, tbl.Groups())
	require.Less(t, tbl.Bytes(), int64(16<<20))
	tbl.Release()
	require.Zero(t, pool.Reserved())
}

// releaseArrays releases every array of as.
func releaseArrays(as []arrow.Array) {
	for _, a := range as {
		a.Release()
	}
}

// TestFanOutSplit checks that one probe row matching many build rows is
// split across batches of the batch size.
func TestFanOutSplit(t *testing.T) {
	ctx := context.Background()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	env := exec.NewEnv(mem, nil, 1024)
	rng := rand.New(rand.NewPCG(7, 8))
	d := genDataset(rng, keyKinds["int64"], 0, 0)
	for range 5000 {
		d.rrows = append(d.rrows, row{int64(1), int64(2), "x"})
	}
	d.lrows = []row{{int64(1), int64(0)}, {int64(2), int64(0)}}
	for _, typ := range []join.Type{join.Inner, join.Left, join.Full} {
		op, err := join.NewHashJoin(newSource(t, mem, d.left, d.lrows, rng),
			newSource(t, mem, d.right, d.rrows, rng), keySpec(typ, 1), env, nil)
		require.NoError(t, err)
		got := drain(t, ctx, op, 1024)
		want := nestedLoop(d, keySpec(typ, 1), false)
		require.Len(t, want, map[join.Type]int{join.Inner: 5000, join.Left: 5001, join.Full: 5001}[typ])
		require.Equal(t, len(want), len(got), typ.String())
		require.Equal(t, want, got, typ.String())
	}
}

// TestEarlyClose closes joins in every state: never opened, after one
// batch, twice.
func TestEarlyClose(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(9, 10))
	d := genDataset(rng, keyKinds["int64"], 500, 200)
	for _, typ := range allTypes {
		t.Run(typ.String(), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			pool := mempool.NewGreedy(1 << 30)
			env := exec.NewEnv(mem, pool, 7)
			spec := keySpec(typ, 1)
			if typ == join.Cross {
				spec = join.Spec{Type: join.Cross}
			}
			// Never opened.
			left, right := newSource(t, mem, d.left, d.lrows, rng), newSource(t, mem, d.right, d.rrows, rng)
			op, err := join.NewHashJoin(left, right, spec, env, nil)
			require.NoError(t, err)
			require.NoError(t, op.Close())
			require.NoError(t, op.Close())
			require.Equal(t, 1, left.Closes())
			require.Equal(t, 1, right.Closes())
			_, err = op.Next(ctx)
			require.Error(t, err)

			// After one batch.
			left, right = newSource(t, mem, d.left, d.lrows, rng), newSource(t, mem, d.right, d.rrows, rng)
			op, err = join.NewHashJoin(left, right, spec, env, nil)
			require.NoError(t, err)
			require.NoError(t, op.Open(ctx))
			b, err := op.Next(ctx)
			require.NoError(t, err)
			b.Release()
			require.NoError(t, op.Close())
			require.NoError(t, op.Close())
			require.Equal(t, 1, left.Closes())
			require.Zero(t, pool.Reserved())

			// A probe over a shared table, never opened.
			tbl, err := join.Build(ctx, newSource(t, mem, d.right, d.rrows, rng), spec.RightKeys, env, nil)
			require.NoError(t, err)
			p, err := join.NewProbe(newSource(t, mem, d.left, d.lrows, rng), tbl, spec, env, nil)
			require.NoError(t, err)
			tbl.Release()
			require.NoError(t, p.Close())
			require.NoError(t, p.Close())
			require.Zero(t, pool.Reserved())
		})
	}
}

// TestInputErrors checks that an error from either input surfaces and that
// everything is released afterwards.
func TestInputErrors(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(11, 12))
	d := genDataset(rng, keyKinds["string"], 300, 300)
	for _, side := range []string{"left", "right"} {
		for _, typ := range []join.Type{join.Inner, join.Full, join.Anti} {
			t.Run(side+"/"+typ.String(), func(t *testing.T) {
				mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
				defer mem.AssertSize(t, 0)
				pool := mempool.NewGreedy(1 << 30)
				env := exec.NewEnv(mem, pool, 16)
				left, right := newSource(t, mem, d.left, d.lrows, rng), newSource(t, mem, d.right, d.rrows, rng)
				if side == "left" {
					left.FailAt(2, errBoom)
				} else {
					right.FailAt(2, errBoom)
				}
				op, err := join.NewHashJoin(left, right, keySpec(typ, 1), env, nil)
				require.NoError(t, err)
				err = op.Open(ctx)
				for err == nil {
					var b exec.Batch
					b, err = op.Next(ctx)
					b.Release()
				}
				require.ErrorIs(t, err, errBoom)
				require.NoError(t, op.Close())
				require.Zero(t, pool.Reserved())
			})
		}
	}
}

// TestCancel checks that a cancelled context stops the build and the probe.
func TestCancel(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	env := exec.NewEnv(mem, nil, 16)
	rng := rand.New(rand.NewPCG(13, 14))
	d := genDataset(rng, keyKinds["int32"], 300, 300)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := join.Build(ctx, newSource(t, mem, d.right, d.rrows, rng), []int{0}, env, nil)
	require.ErrorIs(t, err, context.Canceled)

	ctx, cancel = context.WithCancel(context.Background())
	op, err := join.NewHashJoin(newSource(t, mem, d.left, d.lrows, rng),
		newSource(t, mem, d.right, d.rrows, rng), keySpec(join.Inner, 1), env, nil)
	require.NoError(t, err)
	require.NoError(t, op.Open(ctx))
	cancel()
	_, err = op.Next(ctx)
	require.ErrorIs(t, err, context.Canceled)
	require.NoError(t, op.Close())
}

// TestInvalidSpec checks the typed errors of bad join descriptions.
func TestInvalidSpec(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	env := exec.NewEnv(mem, nil, 16)
	rng := rand.New(rand.NewPCG(15, 16))
	d := genDataset(rng, keyKinds["int64"], 3, 3)
	d32 := genDataset(rng, keyKinds["int32"], 3, 3)
	cases := map[string]struct {
		left, right *arrow.Schema
		spec        join.Spec
	}{
		"key count":    {d.left, d.right, join.Spec{Type: join.Inner, LeftKeys: []int{0}, RightKeys: []int{0, 1}}},
		"key range":    {d.left, d.right, join.Spec{Type: join.Inner, LeftKeys: []int{7}, RightKeys: []int{0}}},
		"negative key": {d.left, d.right, join.Spec{Type: join.Left, LeftKeys: []int{0}, RightKeys: []int{-1}}},
		"key types":    {d32.left, d.right, keySpec(join.Inner, 1)},
		"cross keys":   {d.left, d.right, keySpec(join.Cross, 1)},
		"unknown type": {d.left, d.right, keySpec(join.Type(42), 1)},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			l, r := exectest.NewSource(c.left), exectest.NewSource(c.right)
			_, err := join.NewHashJoin(l, r, c.spec, env, nil)
			require.ErrorIs(t, err, join.ErrInvalidSpec)
		})
	}

	ctx := context.Background()
	tbl, err := join.Build(ctx, newSource(t, mem, d.right, d.rrows, rng), []int{0}, env, nil)
	require.NoError(t, err)
	_, err = join.NewProbe(exectest.NewSource(d.left), tbl, join.Spec{Type: join.Inner, LeftKeys: []int{0}, RightKeys: []int{1}}, env, nil)
	require.ErrorIs(t, err, join.ErrInvalidSpec, "right keys differ from the table's")
	tbl.Release()
	_, err = join.NewProbe(exectest.NewSource(d.left), tbl, keySpec(join.Inner, 1), env, nil)
	require.ErrorIs(t, err, join.ErrInvalidSpec, "released table")

	list := arrow.NewSchema([]arrow.Field{{Name: "l", Type: arrow.ListOf(arrow.PrimitiveTypes.Int64)}}, nil)
	_, err = join.Build(ctx, exectest.NewSource(list), []int{0}, env, nil)
	require.ErrorIs(t, err, hashtable.ErrUnsupportedType)
}

// TestOutputSchema checks which side becomes nullable.
func TestOutputSchema(t *testing.T) {
	l := arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int64}}, nil)
	r := arrow.NewSchema([]arrow.Field{{Name: "b", Type: arrow.BinaryTypes.String}}, nil)
	nullable := func(s *arrow.Schema) []bool {
		var out []bool
		for _, f := range s.Fields() {
			out = append(out, f.Nullable)
		}
		return out
	}
	require.Equal(t, []bool{false, false}, nullable(join.OutputSchema(join.Inner, l, r)))
	require.Equal(t, []bool{false, true}, nullable(join.OutputSchema(join.Left, l, r)))
	require.Equal(t, []bool{true, false}, nullable(join.OutputSchema(join.Right, l, r)))
	require.Equal(t, []bool{true, true}, nullable(join.OutputSchema(join.Full, l, r)))
	require.Equal(t, []bool{false, false}, nullable(join.OutputSchema(join.Cross, l, r)))
	require.Same(t, l, join.OutputSchema(join.Semi, l, r))
	require.Same(t, l, join.OutputSchema(join.Anti, l, r))
	require.Equal(t, "full", join.Full.String())
	require.False(t, errors.Is(io.EOF, join.ErrInvalidSpec))
}
