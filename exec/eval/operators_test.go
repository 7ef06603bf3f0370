package eval

import (
	"context"
	"errors"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/internal/exectest"
	"github.com/grainql/grain/internal/reference"
)

// batchesOf splits rows into batches of size n with the given selections.
func batchesOf(t *testing.T, mem memory.Allocator, rows []reference.Row, n int, sels ...[]int32) []exec.Batch {
	var batches []exec.Batch
	for k := 0; k*n < len(rows); k++ {
		rec, err := reference.RecordFromRows(mem, genSchema, rows[k*n:min(len(rows), (k+1)*n)])
		require.NoError(t, err)
		b := exec.Batch{Rec: rec}
		if k < len(sels) {
			b.Sel = sels[k]
		}
		batches = append(batches, b)
	}
	return batches
}

// sourceOf is a source of batchesOf(rows, n, sels).
func sourceOf(t *testing.T, mem memory.Allocator, rows []reference.Row, n int, sels ...[]int32) *exectest.Source {
	return exectest.NewSource(genSchema, batchesOf(t, mem, rows, n, sels...)...)
}

// drain collects the live rows of every batch of op, projected through
// reference.RowsFromRecord, and counts the batches. Every batch is checked
// with exectest.CheckBatch.
func drain(t *testing.T, op exec.Operator) ([]reference.Row, int, error) {
	ctx := context.Background()
	require.NoError(t, op.Open(ctx))
	defer func() { require.NoError(t, op.Close()) }()
	var out []reference.Row
	batches := 0
	err := exectest.ReadAll(ctx, op, 0, func(b exec.Batch) error {
		batches++
		rows, err := reference.RowsFromRecord(b.Rec)
		if err != nil {
			return err
		}
		for i := 0; i < b.Len(); i++ {
			out = append(out, rows[b.Row(i)])
		}
		return nil
	})
	return out, batches, err
}

func intRows(vals ...any) []reference.Row {
	rows := make([]reference.Row, len(vals))
	for i, v := range vals {
		rows[i] = rowWith(map[string]any{"i64": v, "s": "x"})
	}
	return rows
}

func TestFilter(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	env := exec.NewEnv(mem, nil, 0)
	rows := intRows(int64(1), int64(50), nil, int64(43), int64(42), int64(100), int64(7), int64(99))
	// batch 1: rows 0-2 (sel 1,2), batch 2: rows 3-5 all live, batch 3: rows 6-7 none pass
	src := sourceOf(t, mem, rows, 3, []int32{1, 2})
	m := &exec.Metrics{}
	op, err := NewFilter(src, expr.Col("i64").Gt(expr.Lit(42)), env, m)
	require.NoError(t, err)
	got, batches, err := drain(t, exec.Instrument(op, m))
	require.NoError(t, err)
	var vals []any
	for _, r := range got {
		vals = append(vals, r[3])
	}
	require.Equal(t, []any{int64(50), int64(43), int64(100), int64(99)}, vals)
	require.Equal(t, 3, batches, "a batch whose rows all fail is skipped")
	require.Equal(t, int64(4), m.RowsOut.Load())
	require.Equal(t, 1, src.Closes())
}

func TestFilterCompactsSparseBatches(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	var vals []any
	for i := 0; i < 64; i++ {
		vals = append(vals, int64(i))
	}
	rows := intRows(vals...)
	src := sourceOf(t, mem, rows, 32) // batch 1: 0..31, batch 2: 32..63
	m := &exec.Metrics{}
	pred := expr.Col("i64").In(expr.Lit(3), expr.Lit(40), expr.Lit(41), expr.Lit(42), expr.Lit(43), expr.Lit(44))
	op, err := NewFilter(src, pred, exec.NewEnv(mem, nil, 0), m)
	require.NoError(t, err)
	require.NoError(t, op.Open(context.Background()))
	b, err := op.Next(context.Background())
	require.NoError(t, err)
	require.Nil(t, b.Sel, "1 of 32 rows live: compacted")
	require.Equal(t, int64(1), b.Rec.NumRows())
	b.Release()
	b, err = op.Next(context.Background())
	require.NoError(t, err)
	require.Equal(t, []int32{8, 9, 10, 11, 12}, b.Sel, "5 of 32 rows live: selection only")
	b.Release()
	require.Equal(t, int64(1), m.Counter("compacted_batches").Value.Load())
	require.NoError(t, op.Close())
}

func TestFilterPassesFullBatchUnchanged(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	src := sourceOf(t, mem, intRows(int64(1), int64(2)), 10)
	op, err := NewFilter(src, expr.Col("i64").IsNotNull(), exec.NewEnv(mem, nil, 0), nil)
	require.NoError(t, err)
	require.NoError(t, op.Open(context.Background()))
	b, err := op.Next(context.Background())
	require.NoError(t, err)
	require.Nil(t, b.Sel)
	b.Release()
	require.NoError(t, op.Close())
	require.NoError(t, op.Close(), "Close is idempotent")
}

func TestFilterError(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rows := intRows(int64(1), int64(0), int64(2))
	src := sourceOf(t, mem, rows, 10)
	op, err := NewFilter(src, expr.Lit(int64(10)).Div(expr.Col("i64")).Gt(expr.Lit(0)), exec.NewEnv(mem, nil, 0), nil)
	require.NoError(t, err)
	_, _, err = drain(t, op)
	require.ErrorIs(t, err, expr.ErrDivideByZero)
	require.Contains(t, err.Error(), "10 / i64")

	// The same rows pass when the zero is not selected.
	src = sourceOf(t, mem, rows, 10, []int32{0, 2})
	op, err = NewFilter(src, expr.Lit(int64(10)).Div(expr.Col("i64")).Gt(expr.Lit(0)), exec.NewEnv(mem, nil, 0), nil)
	require.NoError(t, err)
	got, _, err := drain(t, op)
	require.NoError(t, err)
	require.Len(t, got, 2)

	_, err = NewFilter(src, expr.Col("s"), exec.NewEnv(mem, nil, 0), nil)
	require.ErrorIs(t, err, expr.ErrType)
}

func TestFilterCancelled(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	src := sourceOf(t, mem, intRows(int64(1)), 10)
	op, err := NewFilter(src, expr.Col("i64").Gt(expr.Lit(0)), exec.NewEnv(mem, nil, 0), nil)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = op.Next(ctx)
	require.True(t, errors.Is(err, context.Canceled))
	require.NoError(t, op.Close())
}

func TestProject(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	env := exec.NewEnv(mem, nil, 0)
	fields := genSchema.Fields()
	fields[3] = expr.WithQualifier(fields[3], "t")
	qualified := arrow.NewSchema(fields, nil)
	rows := intRows(int64(1), int64(5), nil, int64(4))
	batches := batchesOf(t, mem, rows, 3, []int32{0, 2})
	for i, b := range batches { // re-label the records with the qualified schema
		cols := b.Rec.Columns()
		rec := array.NewRecord(qualified, cols, b.Rec.NumRows())
		b.Rec.Release()
		batches[i].Rec = rec
	}
	src := exectest.NewSource(qualified, batches...)
	exprs := []expr.Expr{
		expr.QualifiedCol("t", "i64"),
		expr.Col("i64").Mul(expr.Lit(int64(2))).Add(expr.Lit(int64(1))).As("y"),
		expr.Col("s").As("name"),
		expr.Col("i64").Gt(expr.Lit(2)),
		expr.Lit("k"),
	}
	op, err := NewProject(src, exprs, env, nil)
	require.NoError(t, err)
	sch := op.Schema()
	require.Equal(t, []string{"i64", "y", "name", "i64 > 2", "'k'"}, fieldNames(sch))
	require.Equal(t, "t", expr.FieldQualifier(sch.Field(0)), "a bare column keeps its field")
	require.Equal(t, "", expr.FieldQualifier(sch.Field(2)), "an alias drops the qualifier")
	require.Equal(t, arrow.PrimitiveTypes.Int64, sch.Field(1).Type)

	// Selection is preserved (batch 1 has rows 0 and 2 live) and the bare
	// column is the input's array.
	inBuf := batches[0].Rec.Column(3).Data().Buffers()[1]
	require.NoError(t, op.Open(context.Background()))
	b, err := op.Next(context.Background())
	require.NoError(t, err)
	require.Equal(t, []int32{0, 2}, b.Sel)
	require.Same(t, inBuf, b.Rec.Column(0).Data().Buffers()[1])
	b.Release()
	require.NoError(t, op.Close())

	src = sourceOf(t, mem, rows, 3, []int32{0, 2})
	op, err = NewProject(src, exprs[1:], env, nil)
	require.NoError(t, err)
	got, _, err := drain(t, op)
	require.NoError(t, err)
	want := []reference.Row{
		{int64(3), "x", false, "k"},
		{nil, "x", nil, "k"},
		{int64(9), "x", true, "k"},
	}
	require.Empty(t, reference.DiffMultiset(want, got))
}

func TestProjectError(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	env := exec.NewEnv(mem, nil, 0)
	src := sourceOf(t, mem, intRows(int64(4), int64(-9223372036854775808)), 10)
	op, err := NewProject(src, []expr.Expr{expr.Col("s"), expr.Col("i64").Neg()}, env, nil)
	require.NoError(t, err)
	_, _, err = drain(t, op)
	require.ErrorIs(t, err, expr.ErrOverflow)
	_, err = NewProject(src, []expr.Expr{expr.Col("zzz")}, env, nil)
	require.ErrorIs(t, err, expr.ErrUnknownColumn)
}

func fieldNames(s *arrow.Schema) []string {
	var out []string
	for _, f := range s.Fields() {
		out = append(out, f.Name)
	}
	return out
}

func TestFilterKeepsUnsupportedColumns(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "a", Type: arrow.PrimitiveTypes.Int64},
		{Name: "l", Type: arrow.ListOf(arrow.PrimitiveTypes.Int64)},
	}, nil)
	rb := array.NewRecordBuilder(mem, schema)
	defer rb.Release()
	for i := 0; i < 16; i++ {
		rb.Field(0).(*array.Int64Builder).Append(int64(i))
		lb := rb.Field(1).(*array.ListBuilder)
		lb.Append(true)
		lb.ValueBuilder().(*array.Int64Builder).Append(int64(i))
	}
	src := exectest.NewSource(schema, exec.Batch{Rec: rb.NewRecord()})
	op, err := NewFilter(src, expr.Col("a").Eq(expr.Lit(5)), exec.NewEnv(mem, nil, 0), nil)
	require.NoError(t, err)
	require.NoError(t, op.Open(context.Background()))
	b, err := op.Next(context.Background())
	require.NoError(t, err)
	require.Equal(t, []int32{5}, b.Sel, "list columns cannot be compacted: the selection is narrowed")
	b.Release()
	require.NoError(t, op.Close())
}
