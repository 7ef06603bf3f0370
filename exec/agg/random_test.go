package agg_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/exec/agg"
	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/internal/exectest"
)

// colGen draws random values of one column: domain distinct values (plus
// NaN, ±0 and ±Inf for floats), NULL with probability nulls.
type colGen struct {
	dt     arrow.DataType
	domain int
	nulls  float64
}

var floatSpecials = []float64{math.NaN(), math.Float64frombits(0xfff8000000000001), math.Copysign(0, -1), 0, math.Inf(1), math.Inf(-1)}

func (g colGen) value(rng *rand.Rand) any {
	if rng.Float64() < g.nulls {
		return nil
	}
	k := rng.IntN(g.domain)
	switch {
	case expr.IsSignedInt(g.dt), expr.IsTemporal(g.dt):
		return int64(k - g.domain/2)
	case expr.IsUnsignedInt(g.dt):
		return uint64(k)
	case expr.IsFloat(g.dt):
		if rng.IntN(10) == 0 {
			return floatSpecials[rng.IntN(len(floatSpecials))]
		}
		return float64(k-g.domain/2) / 2 // halves: sums stay exact
	case g.dt.ID() == arrow.BOOL:
		return k%2 == 0
	case expr.IsString(g.dt), g.dt.ID() == arrow.BINARY:
		return "v" + strconv.Itoa(k) + string(make([]byte, k%3)) // varying lengths, some with zero bytes
	}
	panic(fmt.Sprintf("colGen: %s", g.dt))
}

// keyConfigs are the group-key shapes the randomized tests cover.
var keyConfigs = []struct {
	name string
	keys []colGen
}{
	{"global", nil},
	{"int64", []colGen{{i64, 50, 0.05}}},
	{"int32-nulls", []colGen{{i32, 5, 0.3}}},
	{"int64-many-groups", []colGen{{i64, 5000, 0}}},
	{"string", []colGen{{str, 300, 0.05}}},
	{"bool", []colGen{{boo, 2, 0.2}}},
	{"date32", []colGen{{d32, 20, 0.1}}},
	{"float64-nan-zero", []colGen{{f64, 8, 0.1}}},
	{"multi", []colGen{{i64, 5, 0.1}, {str, 5, 0.1}, {boo, 2, 0.1}}},
}

// valueCols are the aggregate argument columns, after the keys.
var valueCols = []colGen{
	{i64, 1000, 0.2}, // +0
	{f64, 200, 0.1},  // +1
	{str, 50, 0.1},   // +2
	{boo, 2, 0.3},    // +3
	{u8, 200, 0.1},   // +4
	{d32, 500, 0.1},  // +5
	{i32, 20, 0.2},   // +6 (small domain for DISTINCT)
	{f32, 50, 0.5},   // +7
}

// randomAggs returns the aggregates of the randomized tests for arguments
// starting at column base; DISTINCT ones only when distinct is set.
func randomAggs(base int, withDistinct bool) []agg.AggSpec {
	a := func(f expr.AggFunc, in int, name string) agg.AggSpec {
		if in >= 0 {
			in += base
		}
		return agg.AggSpec{Func: f, Input: in, Name: name}
	}
	aggs := []agg.AggSpec{
		a(expr.AggCount, -1, "n"), a(expr.AggCount, 0, "n_i64"), a(expr.AggSum, 0, "s_i64"),
		a(expr.AggMin, 0, "lo_i64"), a(expr.AggMax, 0, "hi_i64"), a(expr.AggAvg, 0, "a_i64"),
		a(expr.AggSum, 1, "s_f64"), a(expr.AggMin, 1, "lo_f64"), a(expr.AggMax, 1, "hi_f64"), a(expr.AggAvg, 1, "a_f64"),
		a(expr.AggMin, 2, "lo_str"), a(expr.AggMax, 2, "hi_str"), a(expr.AggCount, 2, "n_str"),
		a(expr.AggMin, 3, "lo_bool"), a(expr.AggMax, 3, "hi_bool"),
		a(expr.AggSum, 4, "s_u8"), a(expr.AggAvg, 4, "a_u8"), a(expr.AggMin, 5, "lo_d32"), a(expr.AggMax, 5, "hi_d32"),
		a(expr.AggSum, 7, "s_f32"), a(expr.AggMin, 7, "lo_f32"),
	}
	if withDistinct {
		aggs = append(aggs,
			distinct(a(expr.AggCount, 6, "nd_i32")), distinct(a(expr.AggSum, 6, "sd_i32")),
			distinct(a(expr.AggAvg, 6, "ad_i32")), distinct(a(expr.AggCount, 2, "nd_str")),
			distinct(a(expr.AggSum, 1, "sd_f64")), distinct(a(expr.AggMax, 2, "hd_str")))
	}
	return aggs
}

// randomInput generates n rows for keys followed by valueCols and slices
// them into batches of batchSize, each with a random selection vector when
// withSel is set, with some empty batches mixed in. It returns the batches
// and the live rows in order.
func randomInput(rng *rand.Rand, mem memory.Allocator, schema *arrow.Schema, gens []colGen, n, batchSize int, withSel bool) ([]exec.Batch, [][]any) {
	cols := make([][]any, len(gens))
	for c, g := range gens {
		cols[c] = make([]any, n)
		for i := range n {
			cols[c][i] = g.value(rng)
		}
	}
	rec := record(mem, schema, cols...)
	defer rec.Release()
	var batches []exec.Batch
	var live [][]any
	for lo := 0; lo < n; lo += batchSize {
		hi := min(lo+batchSize, n)
		if rng.IntN(8) == 0 {
			batches = append(batches, exec.Batch{Rec: rec.NewSlice(int64(lo), int64(lo))})
		}
		b := exec.Batch{Rec: rec.NewSlice(int64(lo), int64(hi))}
		if withSel {
			b.Sel = []int32{}
			for i := range hi - lo {
				if rng.IntN(5) < 3 {
					b.Sel = append(b.Sel, int32(i))
				}
			}
		}
		batches = append(batches, b)
		live = append(live, liveRows(b)...)
	}
	return batches, live
}

func TestHashAggregateRandomized(t *testing.T) {
	for ki, kc := range keyConfigs {
		for _, bs := range []int{1, 7, 1024, 4096} {
			for _, withSel := range []bool{false, true} {
				name := fmt.Sprintf("keys=%s/batch=%d/sel=%v", kc.name, bs, withSel)
				t.Run(name, func(t *testing.T) {
					rng := rand.New(rand.NewPCG(uint64(ki), uint64(bs)*2+boolBit(withSel)))
					gens, schema, groupBy := randomShape(kc.keys)
					for _, n := range []int{0, 1, rowsFor(rng, bs)} {
						checkRandom(t, rng, schema, gens, groupBy, n, bs, withSel)
					}
				})
			}
		}
	}
}

// randomShape returns the column generators, schema and group-by columns
// of a randomized case with keys followed by valueCols.
func randomShape(keys []colGen) ([]colGen, *arrow.Schema, []int) {
	gens := append(append([]colGen(nil), keys...), valueCols...)
	types := make([]arrow.DataType, len(gens))
	for i, g := range gens {
		types[i] = g.dt
	}
	groupBy := make([]int, len(keys))
	for i := range groupBy {
		groupBy[i] = i
	}
	return gens, schemaOf(types...), groupBy
}

func boolBit(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// rowsFor picks an input size: smaller for tiny batches, to keep the test
// fast.
func rowsFor(rng *rand.Rand, bs int) int {
	if bs == 1 {
		return 200 + rng.IntN(400)
	}
	return 400 + rng.IntN(5000)
}

// checkRandom runs one randomized case: Single mode against the oracle (in
// first-seen order), then Partial on 1-3 splits of the input merged by one
// Final, against the same result.
func checkRandom(t *testing.T, rng *rand.Rand, schema *arrow.Schema, gens []colGen, groupBy []int, n, bs int, withSel bool) {
	t.Helper()
	env, mem := newEnv(t, bs)
	base := len(groupBy)

	single := agg.Spec{GroupBy: groupBy, Aggs: randomAggs(base, true), SizeHint: rng.IntN(2) * 100}
	batches, live := randomInput(rng, mem, schema, gens, n, bs, withSel)
	op, err := agg.NewHashAggregate(exectest.NewSource(schema, batches...), single, env, nil)
	require.NoError(t, err)
	got, err := drain(t, op, bs)
	require.NoError(t, err)
	want, err := oracle(single, schema, live)
	require.NoError(t, err)
	requireRows(t, want, got)

	twoPhase := agg.Spec{GroupBy: groupBy, Aggs: randomAggs(base, false)}
	batches, live = randomInput(rng, mem, schema, gens, n, bs, withSel)
	want, err = oracle(twoPhase, schema, live)
	require.NoError(t, err)
	got = partialFinal(t, env, schema, twoPhase, batches, 1+rng.IntN(3), rng, nil)
	requireRows(t, sortRows(want), sortRows(got))
}

// partialFinal splits batches at random among parts Partial aggregates
// (with spec.SkipPartial, sharing the metrics m, which may be nil), feeds
// all their outputs to one Final aggregate and returns its rows.
func partialFinal(t *testing.T, env *exec.Env, schema *arrow.Schema, spec agg.Spec, batches []exec.Batch, parts int, rng *rand.Rand, m *exec.Metrics) [][]any {
	t.Helper()
	split := make([][]exec.Batch, parts)
	for _, b := range batches {
		p := rng.IntN(parts)
		split[p] = append(split[p], b)
	}
	partial := spec
	partial.Mode = agg.Partial
	pschema, err := agg.OutputSchema(partial, schema)
	require.NoError(t, err)
	var states []exec.Batch
	for _, part := range split {
		op, err := agg.NewHashAggregate(exectest.NewSource(schema, part...), partial, env, m)
		require.NoError(t, err)
		for _, st := range collect(t, op) {
			if st.Sel == nil && rng.IntN(2) == 0 {
				// A selection of every row exercises the selected loops of
				// the merge kernels without changing the result.
				st.Sel = make([]int32, st.Len())
				for i := range st.Sel {
					st.Sel[i] = int32(i)
				}
			}
			states = append(states, st)
		}
	}
	final := finalSpec(spec)
	op, err := agg.NewHashAggregate(exectest.NewSource(pschema, states...), final, env, nil)
	require.NoError(t, err)
	fschema, err := agg.OutputSchema(spec, schema)
	require.NoError(t, err)
	require.True(t, fschema.Equal(op.Schema()), "final schema %s, single schema %s", op.Schema(), fschema)
	rows, err := drain(t, op, env.BatchSize)
	require.NoError(t, err)
	return rows
}

// finalSpec is the Final-mode spec that merges the partial states of spec.
func finalSpec(spec agg.Spec) agg.Spec {
	f := agg.Spec{Mode: agg.Final}
	for i := range spec.GroupBy {
		f.GroupBy = append(f.GroupBy, i)
	}
	next := len(spec.GroupBy)
	for _, a := range spec.Aggs {
		f.Aggs = append(f.Aggs, agg.AggSpec{Func: a.Func, Input: next, Name: a.Name})
		next += agg.StateWidth(a.Func)
	}
	return f
}

// collect opens op, returns every batch it outputs (owned by the caller)
// and closes it.
func collect(t *testing.T, op exec.Operator) []exec.Batch {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, op.Open(ctx))
	var out []exec.Batch
	for {
		b, err := op.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		out = append(out, b)
	}
	require.NoError(t, op.Close())
	return out
}

// TestEveryArgumentType runs every aggregate that applies to each argument
// type, grouped by a small int key, in Single mode and through
// Partial → Final.
func TestEveryArgumentType(t *testing.T) {
	types := []arrow.DataType{i8, arrow.PrimitiveTypes.Int16, i32, i64, u8, arrow.PrimitiveTypes.Uint16,
		arrow.PrimitiveTypes.Uint32, u64, f32, f64, d32, ts, boo, str, lstr, bin, arrow.Null}
	for ti, dt := range types {
		t.Run(dt.String(), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(ti), 7))
			schema := schemaOf(i64, dt)
			aggs := []agg.AggSpec{count(1), minOf(1), maxOf(1), distinct(count(1))}
			if expr.IsNumeric(dt) || dt.ID() == arrow.NULL {
				aggs = append(aggs, sum(1), avg(1), distinct(sum(1)), distinct(avg(1)))
			}
			gens := []colGen{{i64, 10, 0.1}, {dt, 40, 0.2}}
			if dt.ID() == arrow.NULL {
				gens[1] = colGen{dt, 1, 1}
			}
			spec := agg.Spec{GroupBy: []int{0}, Aggs: aggs}
			for _, bs := range []int{3, 1024} {
				env, mem := newEnv(t, bs)
				batches, live := randomInput(rng, mem, schema, gens, 3000, bs, rng.IntN(2) == 0)
				op, err := agg.NewHashAggregate(exectest.NewSource(schema, batches...), spec, env, nil)
				require.NoError(t, err)
				got, err := drain(t, op, bs)
				require.NoError(t, err)
				want, err := oracle(spec, schema, live)
				require.NoError(t, err)
				requireRows(t, want, got)

				var plain []agg.AggSpec
				for _, a := range aggs {
					if !a.Distinct {
						plain = append(plain, a)
					}
				}
				// Two phases, aggregating and with pass-through forced after
				// a few rows (see TestSkipPartialRandomized).
				for _, skip := range []agg.SkipPartial{{}, forcedSkip(1 + rng.Int64N(100))} {
					spec2 := agg.Spec{GroupBy: []int{0}, Aggs: plain, SkipPartial: skip}
					rows := 3000
					if skip.ProbeRows > 0 {
						rows = 1000
					}
					batches, live = randomInput(rng, mem, schema, gens, rows, bs, skip.ProbeRows > 0)
					want, err = oracle(spec2, schema, live)
					require.NoError(t, err)
					got = partialFinal(t, env, schema, spec2, batches, 3, rng, nil)
					requireRows(t, sortRows(want), sortRows(got))
				}
			}
		})
	}
}

// TestStringArenaCompaction grows MIN and MAX string state through many
// replacements by longer values, so that the arena compacts its garbage.
func TestStringArenaCompaction(t *testing.T) {
	schema := schemaOf(i64, str)
	n := 3000
	keys, vals := make([]any, n), make([]any, n)
	for i := range n {
		keys[i] = int64(i % 3)
		vals[i] = strings.Repeat("b", i/3+1) // every value is a new, longer MAX
		if i%7 == 0 {
			vals[i] = strings.Repeat("a", n-i) // MIN: shorter and shorter "a" runs
		}
	}
	spec := agg.Spec{GroupBy: []int{0}, Aggs: []agg.AggSpec{minOf(1), maxOf(1)}}
	got, err := runAgg(t, spec, schema, 64, keys, vals)
	require.NoError(t, err)
	want, err := oracle(spec, schema, transpose([][]any{keys, vals}))
	require.NoError(t, err)
	requireRows(t, want, got)
}
