package parquetio

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/io/source"
)

func TestSmallFilesPackIntoFewSplits(t *testing.T) {
	mem := newMem(t)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "small")
	res, err := Write(ctx, dir, kvSchema, recordsOf(seqRecord(mem, 0, 10_000)), WriteOptions{TargetRows: 50})
	require.NoError(t, err)
	require.Len(t, res.Files, 200)

	d := openDS(t, ReadOptions{Parallelism: 2}, dir)
	plan, err := d.Plan(ctx, source.ScanRequest{})
	require.NoError(t, err)
	require.Equal(t, 200, plan.Files)
	// 200 files x 4 MiB open cost = 800 MiB in 128 MiB splits: 7 splits.
	require.Equal(t, 7, len(plan.Splits))
	var rows int64
	for _, s := range plan.Splits {
		rows += s.Rows()
	}
	require.Equal(t, int64(10_000), rows)
	require.Equal(t, seq(0, 10_000), values(t, mem, dir))

	// A cheaper open cost packs more files per split; a split never
	// targets more than its share of the data for the parallelism.
	d = openDS(t, ReadOptions{Parallelism: 2, OpenCostBytes: 1 << 20}, dir)
	plan, err = d.Plan(ctx, source.ScanRequest{})
	require.NoError(t, err)
	require.Equal(t, 3, len(plan.Splits)) // two halves of the data, and the rounding remainder

	d = openDS(t, ReadOptions{Parallelism: 1, MaxSplitBytes: 9 << 20}, dir)
	plan, err = d.Plan(ctx, source.ScanRequest{})
	require.NoError(t, err)
	require.Equal(t, 100, len(plan.Splits)) // two 4 MiB open costs per 9 MiB split
}

func TestSplitsNeverCutRowGroups(t *testing.T) {
	mem := newMem(t)
	ctx := context.Background()
	d := openDS(t, ReadOptions{Parallelism: 1, MaxSplitBytes: 1, OpenCostBytes: 1}, td("duckdb_sorted_100k.parquet"))
	plan, err := d.Plan(ctx, source.ScanRequest{})
	require.NoError(t, err)
	require.Equal(t, 49, len(plan.Splits))
	require.Equal(t, int64(2048), plan.Splits[0].Rows())
	require.Contains(t, plan.Splits[0].String(), "duckdb_sorted_100k.parquet")
	res := scan(t, mem, d, source.ScanRequest{BatchSize: 1000})
	require.Len(t, res.rows, 100_000)
	require.Equal(t, 48*3+2, res.batches) // 1000+1000+48 per row group, 1000+696 for the last
}

func TestPlanErrors(t *testing.T) {
	d := openDS(t, ReadOptions{}, td("duckdb_sorted_100k.parquet"))
	_, err := d.Plan(context.Background(), source.ScanRequest{Columns: []int{7}})
	require.Error(t, err)
	// Filters that do not type-check are ignored, not errors: the executor
	// reports them.
	_, err = d.Plan(context.Background(), source.ScanRequest{Filters: []expr.Expr{expr.Col("nope").Eq(expr.Lit(1)), expr.Col("id").Eq(expr.Lit("x"))}})
	require.NoError(t, err)
}

func TestUnifyByName(t *testing.T) {
	mem := newMem(t)
	ctx := context.Background()
	dir := t.TempDir()
	a := arrow.NewSchema([]arrow.Field{{Name: "k", Type: arrow.BinaryTypes.String, Nullable: true}, {Name: "v", Type: arrow.PrimitiveTypes.Int64}}, nil)
	b := arrow.NewSchema([]arrow.Field{{Name: "v", Type: arrow.PrimitiveTypes.Int64}, {Name: "w", Type: arrow.PrimitiveTypes.Float64}}, nil)
	_, err := Write(ctx, filepath.Join(dir, "a"), a, recordsOf(seqRecord(mem, 0, 3)), WriteOptions{})
	require.NoError(t, err)
	rb := floatRecord(mem, b, 10, 2)
	_, err = Write(ctx, filepath.Join(dir, "b"), b, recordsOf(rb), WriteOptions{})
	require.NoError(t, err)

	_, err = Open(ctx, []string{filepath.Join(dir, "a"), filepath.Join(dir, "b")}, ReadOptions{})
	require.ErrorIs(t, err, ErrSchemaMismatch)
	require.Contains(t, err.Error(), `"w"`)

	d := openDS(t, ReadOptions{UnifyByName: true}, filepath.Join(dir, "a"), filepath.Join(dir, "b"))
	require.Equal(t, "k", d.Schema().Field(0).Name)
	require.Equal(t, "w", d.Schema().Field(2).Name)
	res := scan(t, mem, d, source.ScanRequest{})
	require.Equal(t, [][]any{
		{"x", int64(0), nil}, {"x", int64(1), nil}, {"x", int64(2), nil},
		{nil, int64(10), 10.5}, {nil, int64(11), 11.5},
	}, res.rows)
	// A filter on a column missing from a file skips that file.
	plan, err := d.Plan(ctx, source.ScanRequest{Filters: []expr.Expr{expr.Col("w").Gt(expr.Lit(0.0)).Or(expr.Col("w").Lt(expr.Lit(0.0)))}})
	require.NoError(t, err)
	require.Equal(t, 1, plan.FilesSkipped)
	st := d.Stats()
	require.Equal(t, int64(3), st.Columns[2].NullCount)
	require.Equal(t, int64(2), st.Columns[0].NullCount)

	// Type conflicts are errors even with UnifyByName.
	c := arrow.NewSchema([]arrow.Field{{Name: "v", Type: arrow.PrimitiveTypes.Float64}, {Name: "w", Type: arrow.PrimitiveTypes.Float64}}, nil)
	rc := floatRecord(mem, c, 0, 1)
	_, err = Write(ctx, filepath.Join(dir, "c"), c, recordsOf(rc), WriteOptions{})
	require.NoError(t, err)
	_, err = Open(ctx, []string{filepath.Join(dir, "a"), filepath.Join(dir, "c")}, ReadOptions{UnifyByName: true})
	require.ErrorIs(t, err, ErrSchemaMismatch)
	require.Contains(t, err.Error(), `column "v" is int64 in`)

	// An explicit schema selects and orders columns.
	s := arrow.NewSchema([]arrow.Field{{Name: "v", Type: arrow.PrimitiveTypes.Int64}}, nil)
	d = openDS(t, ReadOptions{Schema: s}, filepath.Join(dir, "a"), filepath.Join(dir, "b"))
	res = scan(t, mem, d, source.ScanRequest{})
	require.Len(t, res.rows, 5)
	_, err = Open(ctx, []string{filepath.Join(dir, "a")}, ReadOptions{Schema: arrow.NewSchema([]arrow.Field{{Name: "v", Type: arrow.PrimitiveTypes.Int32}}, nil)})
	require.ErrorIs(t, err, ErrSchemaMismatch)
}

func TestConcurrentSplits(t *testing.T) {
	mem := newMem(t)
	ctx := context.Background()
	d := openDS(t, ReadOptions{Parallelism: 4}, td("duckdb_hive_sales"))
	splits, err := d.Splits(ctx, source.ScanRequest{BatchSize: 100})
	require.NoError(t, err)
	require.Greater(t, len(splits), 1)
	rows := make([]int64, len(splits))
	errs := make(chan error, len(splits))
	for i, s := range splits {
		go func() {
			r, err := s.Open(ctx, mem)
			if err != nil {
				errs <- err
				return
			}
			defer r.Close()
			for {
				rec, err := r.Next(ctx)
				if err != nil {
					if err == io.EOF {
						err = nil
					}
					errs <- err
					return
				}
				rows[i] += rec.NumRows()
				rec.Release()
			}
		}()
	}
	var total int64
	for range splits {
		require.NoError(t, <-errs)
	}
	for _, n := range rows {
		total += n
	}
	require.Equal(t, int64(6000), total)
	require.Equal(t, int64(6), d.Counters().RowGroups)
}

func TestFileChangedAfterOpen(t *testing.T) {
	mem := newMem(t)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "o")
	_, err := Write(ctx, dir, kvSchema, recordsOf(seqRecord(mem, 0, 10)), WriteOptions{})
	require.NoError(t, err)
	d := openDS(t, ReadOptions{}, dir)
	_, err = Write(ctx, dir, kvSchema, recordsOf(seqRecord(mem, 0, 1000)), WriteOptions{Mode: Overwrite})
	require.NoError(t, err)
	_, err = tryScan(mem, d, source.ScanRequest{}, false)
	require.Error(t, err) // the old file is gone
	d = openDS(t, ReadOptions{}, dir)
	path := d.Files()[0]
	data, err := os.ReadFile(td("duckdb_hive_sales/year=2023/month=1/data_0.parquet"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, data, 0o644))
	_, err = tryScan(mem, d, source.ScanRequest{}, false)
	require.ErrorIs(t, err, ErrSchemaMismatch)
}
