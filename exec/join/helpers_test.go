package join_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/internal/exectest"
)

// row is one test row: int64, int32, string or nil (NULL) per column.
type row []any

var errBoom = errors.New("boom")

// newSource splits rows into batches of random sizes (some empty), each
// with junk rows hidden by a random selection vector about half the time.
func newSource(t testing.TB, mem memory.Allocator, schema *arrow.Schema, rows []row, rng *rand.Rand) *exectest.Source {
	var batches []exec.Batch
	for i := 0; i < len(rows); {
		if rng.IntN(8) == 0 {
			batches = append(batches, makeBatch(t, mem, schema, nil, rng))
		}
		n := min(1+rng.IntN(40), len(rows)-i)
		batches = append(batches, makeBatch(t, mem, schema, rows[i:i+n], rng))
		i += n
	}
	if len(rows) == 0 && rng.IntN(2) == 0 {
		batches = append(batches, makeBatch(t, mem, schema, nil, rng))
	}
	return exectest.NewSource(schema, batches...)
}

// makeBatch builds one batch holding rows, interleaved with junk rows that
// a selection vector hides when it has one.
func makeBatch(t testing.TB, mem memory.Allocator, schema *arrow.Schema, rows []row, rng *rand.Rand) exec.Batch {
	withSel := rng.IntN(2) == 0
	var phys []row
	var sel []int32
	for _, r := range rows {
		for withSel && rng.IntN(3) == 0 {
			phys = append(phys, junkRow(schema, rng))
		}
		sel = append(sel, int32(len(phys)))
		phys = append(phys, r)
	}
	if withSel && rng.IntN(2) == 0 {
		phys = append(phys, junkRow(schema, rng))
	}
	rec := buildRecord(t, mem, schema, phys)
	if !withSel {
		sel = nil
	} else if sel == nil {
		sel = []int32{}
	}
	return exec.Batch{Rec: rec, Sel: sel}
}

// junkRow is a row that must never reach the output.
func junkRow(schema *arrow.Schema, rng *rand.Rand) row {
	r := make(row, schema.NumFields())
	for i, f := range schema.Fields() {
		switch f.Type.ID() {
		case arrow.INT64:
			r[i] = int64(-1000 - rng.IntN(5))
		case arrow.INT32:
			r[i] = int32(-1000 - rng.IntN(5))
		case arrow.STRING:
			r[i] = "junk"
		case arrow.FLOAT64:
			r[i] = -1000.5
		case arrow.BOOL:
			r[i] = rng.IntN(2) == 0
		}
	}
	return r
}

// buildRecord builds a record of schema from rows.
func buildRecord(t testing.TB, mem memory.Allocator, schema *arrow.Schema, rows []row) arrow.Record {
	bld := array.NewRecordBuilder(mem, schema)
	defer bld.Release()
	for _, r := range rows {
		for c, v := range r {
			fb := bld.Field(c)
			if v == nil {
				fb.AppendNull()
				continue
			}
			switch b := fb.(type) {
			case *array.Int64Builder:
				b.Append(v.(int64))
			case *array.Int32Builder:
				b.Append(v.(int32))
			case *array.StringBuilder:
				b.Append(v.(string))
			case *array.Float64Builder:
				b.Append(v.(float64))
			case *array.BooleanBuilder:
				b.Append(v.(bool))
			default:
				t.Fatalf("unsupported builder %T", fb)
			}
		}
	}
	return bld.NewRecord()
}

// cell formats one value the way the oracle does.
func cell(v any) string {
	if v == nil {
		return "NULL"
	}
	return fmt.Sprintf("%v", v)
}

// formatRow renders a row as one string.
func formatRow(r row) string {
	parts := make([]string, len(r))
	for i, v := range r {
		parts[i] = cell(v)
	}
	return strings.Join(parts, "|")
}

// drain reads op to the end, checking the batch contract, and returns the
// rows as sorted strings. It closes op.
func drain(t testing.TB, ctx context.Context, op exec.Operator, batchSize int) []string {
	t.Helper()
	rows, err := collect(ctx, op, batchSize)
	require.NoError(t, err)
	return rows
}

// collect is drain for any goroutine: it reports contract violations as
// errors and returns the rows as sorted strings. It always closes op.
func collect(ctx context.Context, op exec.Operator, batchSize int) ([]string, error) {
	rows, err := exectest.DrainStrings(ctx, op, batchSize)
	if err != nil {
		return nil, err
	}
	slices.Sort(rows)
	return rows, nil
}

// int64Less is the test residual: left column l < right column r + 3 over
// int64 columns of the joined row, NULL (dropped) when either is NULL.
type int64Less struct {
	l, r int
	buf  []int32
}

var _ exec.Selector = (*int64Less)(nil)

func (s *int64Less) Select(_ context.Context, b exec.Batch) ([]int32, error) {
	la := b.Column(s.l).(*array.Int64)
	ra := b.Column(s.r).(*array.Int64)
	s.buf = s.buf[:0]
	for i := range b.Len() {
		r := b.Row(i)
		if la.IsValid(r) && ra.IsValid(r) && la.Value(r) < ra.Value(r)+3 {
			s.buf = append(s.buf, int32(r))
		}
	}
	return s.buf, nil
}

// residualHolds is int64Less evaluated on oracle rows.
func residualHolds(l, r any) bool {
	return l != nil && r != nil && l.(int64) < r.(int64)+3
}
