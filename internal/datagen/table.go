package datagen

import (
	"fmt"
	"math/rand/v2"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// Table describes a generated table: a row count and one generator per
// column. Generate is deterministic: the same Table gives the same values,
// and each column draws from its own random stream (seeded by Seed and the
// column's position), so adding a column does not change the others.
type Table struct {
	Rows    int
	Seed    uint64
	Columns []Column
}

// Column is one named column of a generated Table.
type Column struct {
	Name string
	Gen  Gen
}

// Gen generates the values of one column. Build one with Balanced,
// Uniform, SmallFloats or BalancedStrings.
type Gen interface {
	// Type is the Arrow type of the column.
	Type() arrow.DataType
	// String describes the generator, e.g. "balanced(100)".
	String() string
	// column draws rows values and returns a function that builds the
	// array of the values [off, off+n).
	column(rows int, rng *rand.Rand) func(mem memory.Allocator, off, n int) arrow.Array
}

// Schema is the schema of the generated table.
func (t Table) Schema() *arrow.Schema {
	fields := make([]arrow.Field, len(t.Columns))
	for i, c := range t.Columns {
		fields[i] = arrow.Field{Name: c.Name, Type: c.Gen.Type()}
	}
	return arrow.NewSchema(fields, nil)
}

// String describes the table, e.g. "rows=1000 seed=1 [k:balanced(10) v:small_floats(100)]";
// equal descriptions mean equal data.
func (t Table) String() string {
	s := fmt.Sprintf("rows=%d seed=%d [", t.Rows, t.Seed)
	for i, c := range t.Columns {
		if i > 0 {
			s += " "
		}
		s += c.Name + ":" + c.Gen.String()
	}
	return s + "]"
}

// Generate builds the table as records of at most 65,536 rows allocated
// from mem. The caller releases them.
func (t Table) Generate(mem memory.Allocator) ([]arrow.Record, error) {
	if t.Rows < 0 || len(t.Columns) == 0 {
		return nil, fmt.Errorf("datagen: table needs columns and a non-negative row count: %s", t)
	}
	builds := make([]func(memory.Allocator, int, int) arrow.Array, len(t.Columns))
	for i, c := range t.Columns {
		if c.Gen == nil {
			return nil, fmt.Errorf("datagen: column %q has no generator", c.Name)
		}
		rng := rand.New(rand.NewPCG(t.Seed, uint64(i)+1))
		builds[i] = c.Gen.column(t.Rows, rng)
	}
	schema := t.Schema()
	var recs []arrow.Record
	for off := 0; ; off += recordRows {
		n := min(recordRows, t.Rows-off) // an empty table is one empty record
		cols := make([]arrow.Array, len(builds))
		for i, build := range builds {
			cols[i] = build(mem, off, n)
		}
		recs = append(recs, array.NewRecord(schema, cols, int64(n)))
		for _, c := range cols {
			c.Release()
		}
		if off+n >= t.Rows {
			return recs, nil
		}
	}
}

// Balanced gives int64 values in [0, card), each appearing equally often
// (give or take one) in random order: a GROUP BY on it has exactly
// min(rows, card) groups, and a join against the keys 0…card-1 matches
// every row exactly once. With rows = card it is a random permutation.
func Balanced(card int) Gen { return balanced{card: max(card, 1)} }

type balanced struct{ card int }

func (g balanced) Type() arrow.DataType { return arrow.PrimitiveTypes.Int64 }
func (g balanced) String() string       { return fmt.Sprintf("balanced(%d)", g.card) }

func (g balanced) column(rows int, rng *rand.Rand) func(memory.Allocator, int, int) arrow.Array {
	v := make([]int64, rows)
	for i := range v {
		v[i] = int64(i % g.card)
	}
	rng.Shuffle(len(v), func(i, j int) { v[i], v[j] = v[j], v[i] })
	return sliceColumn(v, array.NewInt64Builder)
}

// Uniform gives int64 values drawn uniformly from [lo, hi).
func Uniform(lo, hi int64) Gen { return uniform{lo: lo, hi: max(hi, lo+1)} }

type uniform struct{ lo, hi int64 }

func (g uniform) Type() arrow.DataType { return arrow.PrimitiveTypes.Int64 }
func (g uniform) String() string       { return fmt.Sprintf("uniform(%d,%d)", g.lo, g.hi) }

func (g uniform) column(rows int, rng *rand.Rand) func(memory.Allocator, int, int) arrow.Array {
	v := make([]int64, rows)
	for i := range v {
		v[i] = g.lo + rng.Int64N(g.hi-g.lo)
	}
	return sliceColumn(v, array.NewInt64Builder)
}

// SmallFloats gives float64 values that are integers drawn uniformly from
// [0, n): sums of them are exact, so results do not depend on the order of
// addition.
func SmallFloats(n int) Gen { return smallFloats{n: max(n, 1)} }

type smallFloats struct{ n int }

func (g smallFloats) Type() arrow.DataType { return arrow.PrimitiveTypes.Float64 }
func (g smallFloats) String() string       { return fmt.Sprintf("small_floats(%d)", g.n) }

func (g smallFloats) column(rows int, rng *rand.Rand) func(memory.Allocator, int, int) arrow.Array {
	v := make([]float64, rows)
	for i := range v {
		v[i] = float64(rng.IntN(g.n))
	}
	return sliceColumn(v, array.NewFloat64Builder)
}

// BalancedStrings is Balanced over card strings "key0000000", "key0000001"…
// (10 bytes each up to 1e7 keys).
func BalancedStrings(card int) Gen { return balancedStrings{card: max(card, 1)} }

type balancedStrings struct{ card int }

func (g balancedStrings) Type() arrow.DataType { return arrow.BinaryTypes.String }
func (g balancedStrings) String() string       { return fmt.Sprintf("balanced_strings(%d)", g.card) }

func (g balancedStrings) column(rows int, rng *rand.Rand) func(memory.Allocator, int, int) arrow.Array {
	idx := make([]int32, rows)
	for i := range idx {
		idx[i] = int32(i % g.card)
	}
	rng.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
	names := make([]string, g.card)
	for i := range names {
		names[i] = fmt.Sprintf("key%07d", i)
	}
	return func(mem memory.Allocator, off, n int) arrow.Array {
		b := array.NewStringBuilder(mem)
		defer b.Release()
		b.Reserve(n)
		b.ReserveData(n * len(names[0]))
		for _, i := range idx[off : off+n] {
			b.Append(names[i])
		}
		return b.NewArray()
	}
}

// sliceColumn builds arrays from consecutive ranges of v.
func sliceColumn[T any, B interface {
	AppendValues([]T, []bool)
	NewArray() arrow.Array
	Release()
}](v []T, newBuilder func(memory.Allocator) B) func(memory.Allocator, int, int) arrow.Array {
	return func(mem memory.Allocator, off, n int) arrow.Array {
		b := newBuilder(mem)
		defer b.Release()
		b.AppendValues(v[off:off+n], nil)
		return b.NewArray()
	}
}
