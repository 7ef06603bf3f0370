package agg_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/exec/agg"
	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/internal/exectest"
)

var (
	i64  = arrow.PrimitiveTypes.Int64
	i32  = arrow.PrimitiveTypes.Int32
	i8   = arrow.PrimitiveTypes.Int8
	u8   = arrow.PrimitiveTypes.Uint8
	u64  = arrow.PrimitiveTypes.Uint64
	f32  = arrow.PrimitiveTypes.Float32
	f64  = arrow.PrimitiveTypes.Float64
	str  = arrow.BinaryTypes.String
	lstr = arrow.BinaryTypes.LargeString
	bin  = arrow.BinaryTypes.Binary
	boo  = arrow.FixedWidthTypes.Boolean
	d32  = arrow.FixedWidthTypes.Date32
	ts   = &arrow.TimestampType{Unit: arrow.Microsecond}
	nan  = math.NaN()
	negZ = math.Copysign(0, -1)
	inf  = math.Inf(1)
)

// schemaOf returns a schema with nullable columns c0, c1, ... of types.
func schemaOf(types ...arrow.DataType) *arrow.Schema {
	fs := make([]arrow.Field, len(types))
	for i, t := range types {
		fs[i] = arrow.Field{Name: "c" + string(rune('0'+i)), Type: t, Nullable: true}
	}
	return arrow.NewSchema(fs, nil)
}

func count(in int) agg.AggSpec { return agg.AggSpec{Func: expr.AggCount, Input: in, Name: "n"} }
func sum(in int) agg.AggSpec   { return agg.AggSpec{Func: expr.AggSum, Input: in, Name: "s"} }
func minOf(in int) agg.AggSpec { return agg.AggSpec{Func: expr.AggMin, Input: in, Name: "lo"} }
func maxOf(in int) agg.AggSpec { return agg.AggSpec{Func: expr.AggMax, Input: in, Name: "hi"} }
func avg(in int) agg.AggSpec   { return agg.AggSpec{Func: expr.AggAvg, Input: in, Name: "a"} }
func distinct(a agg.AggSpec) agg.AggSpec {
	a.Distinct = true
	return a
}

// runAgg aggregates the given rows (one record, split into batches of
// batchSize) and returns the output rows.
func runAgg(t *testing.T, spec agg.Spec, schema *arrow.Schema, batchSize int, cols ...[]any) ([][]any, error) {
	t.Helper()
	env, mem := newEnv(t, batchSize)
	rec := record(mem, schema, cols...)
	defer rec.Release()
	var batches []exec.Batch
	for lo := int64(0); lo < rec.NumRows(); lo += int64(batchSize) {
		batches = append(batches, exec.Batch{Rec: rec.NewSlice(lo, min(lo+int64(batchSize), rec.NumRows()))})
	}
	op, err := agg.NewHashAggregate(exectest.NewSource(schema, batches...), spec, env, nil)
	require.NoError(t, err)
	return drain(t, op, batchSize)
}

func TestHashAggregateSemantics(t *testing.T) {
	type tc struct {
		name   string
		schema *arrow.Schema
		cols   [][]any
		spec   agg.Spec
		want   [][]any
	}
	G := func(aggs ...agg.AggSpec) agg.Spec { return agg.Spec{GroupBy: []int{0}, Aggs: aggs} }
	global := func(aggs ...agg.AggSpec) agg.Spec { return agg.Spec{Aggs: aggs} }
	cases := []tc{{
		name:   "null keys form one group",
		schema: schemaOf(i64, i64),
		cols:   [][]any{{nil, int64(1), nil, int64(1), nil}, {int64(1), int64(2), int64(3), nil, int64(5)}},
		spec:   G(count(-1), count(1), sum(1)),
		want:   [][]any{{nil, int64(3), int64(3), int64(9)}, {int64(1), int64(2), int64(1), int64(2)}},
	}, {
		name:   "nan is one key and -0 is +0",
		schema: schemaOf(f64, i64),
		cols:   [][]any{{nan, 0.0, math.Float64frombits(0x7ff8000000000123), negZ, 1.5}, {int64(1), int64(2), int64(3), int64(4), int64(5)}},
		spec:   G(sum(1)),
		want:   [][]any{{nan, int64(4)}, {0.0, int64(6)}, {1.5, int64(5)}},
	}, {
		name:   "global aggregate over empty input outputs one row",
		schema: schemaOf(i64),
		cols:   [][]any{{}},
		spec:   global(count(-1), count(0), sum(0), minOf(0), maxOf(0), avg(0)),
		want:   [][]any{{int64(0), int64(0), nil, nil, nil, nil}},
	}, {
		name:   "grouped aggregate over empty input outputs nothing",
		schema: schemaOf(i64),
		cols:   [][]any{{}},
		spec:   G(count(-1)),
		want:   nil,
	}, {
		name:   "aggregates ignore nulls; all-null group is null",
		schema: schemaOf(str, i32),
		cols:   [][]any{{"a", "a", "b", "b"}, {nil, int64(4), nil, nil}},
		spec:   G(count(1), sum(1), minOf(1), maxOf(1), avg(1)),
		want:   [][]any{{"a", int64(1), int64(4), int64(4), int64(4), 4.0}, {"b", int64(0), nil, nil, nil, nil}},
	}, {
		name:   "float min skips nan, max is nan, sum propagates nan",
		schema: schemaOf(boo, f64),
		cols:   [][]any{{true, true, true, false, false}, {nan, 2.0, -1.0, nan, nan}},
		spec:   G(minOf(1), maxOf(1), sum(1), count(1)),
		want:   [][]any{{true, -1.0, nan, nan, int64(3)}, {false, nan, nan, nan, int64(2)}},
	}, {
		name:   "float32 sums and averages in float64",
		schema: schemaOf(f32),
		cols:   [][]any{{1.5, 2.25, nil, inf}},
		spec:   global(sum(0), avg(0), minOf(0), maxOf(0)),
		want:   [][]any{{inf, inf, 1.5, inf}},
	}, {
		name:   "bool min is and, max is or",
		schema: schemaOf(i64, boo),
		cols:   [][]any{{int64(1), int64(1), int64(2), int64(2), int64(3)}, {true, false, true, nil, nil}},
		spec:   G(minOf(1), maxOf(1)),
		want:   [][]any{{int64(1), false, true}, {int64(2), true, true}, {int64(3), nil, nil}},
	}, {
		name:   "strings order bytewise",
		schema: schemaOf(boo, str),
		cols:   [][]any{{true, true, true, true, false}, {"b", "ab", "", "abc", "zz"}},
		spec:   G(minOf(1), maxOf(1)),
		want:   [][]any{{true, "", "b"}, {false, "zz", "zz"}},
	}, {
		name:   "binary, large string, date32 and timestamp min max",
		schema: schemaOf(bin, lstr, d32, ts),
		cols: [][]any{{"\xff", "\x00\x01", nil}, {"x", "yy", "a"},
			{int64(19000), int64(-5), nil}, {int64(1e12), int64(-1), int64(7)}},
		spec: global(minOf(0), maxOf(0), minOf(1), maxOf(1), minOf(2), maxOf(2), minOf(3), maxOf(3)),
		want: [][]any{{"\x00\x01", "\xff", "a", "yy", int64(-5), int64(19000), int64(-1), int64(1e12)}},
	}, {
		name:   "small ints sum to int64, unsigned to uint64",
		schema: schemaOf(i8, u8),
		cols:   [][]any{{int64(127), int64(127), int64(-3)}, {uint64(255), uint64(255), nil}},
		spec:   global(sum(0), sum(1), avg(0), avg(1)),
		want:   [][]any{{int64(251), uint64(510), 251.0 / 3, 255.0}},
	}, {
		name:   "distinct aggregates",
		schema: schemaOf(i64, f64),
		cols: [][]any{{int64(1), int64(1), int64(1), int64(1), int64(2), int64(2), int64(2)},
			{1.0, 1.0, 2.0, nil, negZ, 0.0, nan}},
		spec: G(distinct(count(1)), distinct(sum(1)), distinct(avg(1)), count(1), distinct(maxOf(1))),
		want: [][]any{{int64(1), int64(2), 3.0, 1.5, int64(3), 2.0}, {int64(2), int64(2), nan, nan, int64(3), nan}},
	}, {
		name:   "count distinct over null and nan values",
		schema: schemaOf(f64),
		cols:   [][]any{{nan, nan, nil, 1.0, 0.0, negZ}},
		spec:   global(distinct(count(0)), count(-1)),
		want:   [][]any{{int64(3), int64(6)}},
	}, {
		name:   "multi-column keys with nulls",
		schema: schemaOf(i64, str, i64),
		cols: [][]any{{int64(1), int64(1), nil, nil, int64(1)}, {"a", nil, nil, "a", "a"},
			{int64(10), int64(20), int64(30), int64(40), int64(50)}},
		spec: agg.Spec{GroupBy: []int{0, 1}, Aggs: []agg.AggSpec{sum(2)}},
		want: [][]any{{int64(1), "a", int64(60)}, {int64(1), nil, int64(20)}, {nil, nil, int64(30)}, {nil, "a", int64(40)}},
	}, {
		name:   "null-typed argument",
		schema: schemaOf(i64, arrow.Null),
		cols:   [][]any{{int64(1), int64(2), int64(1)}, {nil, nil, nil}},
		spec:   G(count(1), sum(1), minOf(1), maxOf(1), avg(1), distinct(count(1)), count(-1)),
		want:   [][]any{{int64(1), int64(0), nil, nil, nil, nil, int64(0), int64(2)}, {int64(2), int64(0), nil, nil, nil, nil, int64(0), int64(1)}},
	}, {
		name:   "group by without aggregates",
		schema: schemaOf(str),
		cols:   [][]any{{"x", "y", "x", nil}},
		spec:   G(),
		want:   [][]any{{"x"}, {"y"}, {nil}},
	}}
	for _, c := range cases {
		for _, bs := range []int{1, 2, 1024} {
			t.Run(c.name, func(t *testing.T) {
				got, err := runAgg(t, c.spec, c.schema, bs, c.cols...)
				require.NoError(t, err)
				requireRows(t, c.want, got)
				want, err := oracle(c.spec, c.schema, transpose(c.cols))
				require.NoError(t, err)
				requireRows(t, want, got)
				if hasDistinct(c.spec) {
					return
				}
				env, mem := newEnv(t, bs)
				rec := record(mem, c.schema, c.cols...)
				defer rec.Release()
				// Two phases, aggregating and passing through after one row.
				for _, skip := range []agg.SkipPartial{{}, forcedSkip(1)} {
					var batches []exec.Batch
					for lo := int64(0); lo < rec.NumRows(); lo++ {
						batches = append(batches, exec.Batch{Rec: rec.NewSlice(lo, lo+1)})
					}
					spec := c.spec
					spec.SkipPartial = skip
					got = partialFinal(t, env, c.schema, spec, batches, 2, rand.New(rand.NewPCG(1, uint64(bs))), nil)
					requireRows(t, sortRows(want), sortRows(got))
				}
			})
		}
	}
}

func hasDistinct(s agg.Spec) bool {
	for _, a := range s.Aggs {
		if a.Distinct {
			return true
		}
	}
	return false
}

// transpose turns columns of values into rows.
func transpose(cols [][]any) [][]any {
	if len(cols) == 0 {
		return nil
	}
	rows := make([][]any, len(cols[0]))
	for i := range rows {
		rows[i] = make([]any, len(cols))
		for c := range cols {
			rows[i][c] = cols[c][i]
		}
	}
	return rows
}

func TestOutputSchema(t *testing.T) {
	in := arrow.NewSchema([]arrow.Field{
		{Name: "k", Type: str, Nullable: true, Metadata: arrow.NewMetadata([]string{expr.QualifierKey}, []string{"t"})},
		{Name: "x", Type: i32, Nullable: true},
		{Name: "y", Type: u8},
		{Name: "z", Type: f32},
		{Name: "d", Type: d32},
	}, nil)
	aggs := []agg.AggSpec{
		{Func: expr.AggCount, Input: -1, Name: "n"},
		{Func: expr.AggSum, Input: 1, Name: "sx"},
		{Func: expr.AggSum, Input: 2, Name: "sy"},
		{Func: expr.AggAvg, Input: 3, Name: "az"},
		{Func: expr.AggMax, Input: 4, Name: "md"},
	}
	single, err := agg.OutputSchema(agg.Spec{GroupBy: []int{0}, Aggs: aggs}, in)
	require.NoError(t, err)
	require.Equal(t, in.Field(0), single.Field(0), "group field keeps its metadata")
	require.Equal(t, []arrow.DataType{str, i64, i64, u64, f64, d32}, fieldTypes(single))
	require.False(t, single.Field(1).Nullable, "count is never null")
	require.True(t, single.Field(2).Nullable)

	partial, err := agg.OutputSchema(agg.Spec{GroupBy: []int{0}, Aggs: aggs, Mode: agg.Partial}, in)
	require.NoError(t, err)
	require.Equal(t, []arrow.DataType{str, i64, i64, u64, f64, i64, d32}, fieldTypes(partial))
	require.Equal(t, []string{"k", "n", "sx", "sy", "az_sum", "az_count", "md"}, fieldNames(partial))
	states, err := agg.StateFields(agg.Spec{Aggs: aggs}, in)
	require.NoError(t, err)
	require.Equal(t, partial.Fields()[1:], states)

	final := agg.Spec{GroupBy: []int{0}, Mode: agg.Final, Aggs: []agg.AggSpec{
		{Func: expr.AggCount, Input: 1, Name: "n"},
		{Func: expr.AggSum, Input: 2, Name: "sx"},
		{Func: expr.AggSum, Input: 3, Name: "sy"},
		{Func: expr.AggAvg, Input: 4, Name: "az"},
		{Func: expr.AggMax, Input: 6, Name: "md"},
	}}
	fs, err := agg.OutputSchema(final, partial)
	require.NoError(t, err)
	require.Equal(t, fieldTypes(single), fieldTypes(fs), "final output equals single output")
	require.Equal(t, fieldNames(single), fieldNames(fs))
}

func fieldTypes(s *arrow.Schema) []arrow.DataType {
	var out []arrow.DataType
	for _, f := range s.Fields() {
		out = append(out, f.Type)
	}
	return out
}

func fieldNames(s *arrow.Schema) []string {
	var out []string
	for _, f := range s.Fields() {
		out = append(out, f.Name)
	}
	return out
}
