package frame_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/frame"
	"github.com/grainql/grain/io/parquetio"
)

const hiveSales = "../testdata/parquet/duckdb_hive_sales"

// TestParquetPushdownReadsOnlyMatchingFilesAndRowGroups runs a query with
// a filter on a partition column and one on a data column over a
// hive-partitioned dataset: the optimizer pushes both into the scan, the
// scan skips whole files and row groups, and the rows equal reading
// everything and filtering afterwards.
func TestParquetPushdownReadsOnlyMatchingFilesAndRowGroups(t *testing.T) {
	ctx := context.Background()
	s, _ := newSession(t)
	ds, err := parquetio.Open(ctx, []string{hiveSales}, parquetio.ReadOptions{})
	require.NoError(t, err)
	pred := expr.Col("year").Eq(expr.Lit(2023)).And(expr.Col("order_id").Eq(expr.Lit(0)))
	pushed := s.FromSource(ds).Filter(pred)
	text, err := pushed.Explain()
	require.NoError(t, err)
	require.Contains(t, text, "filters=[year = 2023, order_id = 0]")
	got := sortedRows(t, pushed)
	c := ds.Counters()
	require.EqualValues(t, 1, c.RowGroups, "one file of 6 survives the partition filter, one row group the data filter")

	// The same query with filter pushdown off reads everything and filters.
	all, err := parquetio.Open(ctx, []string{hiveSales}, parquetio.ReadOptions{})
	require.NoError(t, err)
	want := sortedRows(t, s.FromSource(all).Filter(pred).DisableRules("push_down_filter"))
	require.EqualValues(t, 6, all.Counters().RowGroups)
	require.NotEmpty(t, want)
	require.Equal(t, want, got)
}

func TestParquetWriteRoundTripPartitioned(t *testing.T) {
	ctx := context.Background()
	s, _ := newSession(t)
	dir := filepath.Join(t.TempDir(), "out")
	sales := s.ReadParquet([]string{hiveSales}, parquetio.ReadOptions{})
	res, err := sales.WriteParquet(ctx, dir, parquetio.WriteOptions{PartitionBy: []string{"year"}})
	require.NoError(t, err)
	require.EqualValues(t, 6000, res.Rows)
	_, err = os.Stat(filepath.Join(dir, "year=2024"))
	require.NoError(t, err)
	back := s.ReadParquet([]string{dir}, parquetio.ReadOptions{})
	agg := func(df *frame.DataFrame) []string {
		return sortedRows(t, df.GroupBy(expr.Col("year")).Agg(expr.CountStar().As("n"), expr.Sum(expr.Col("order_id")).As("ids")))
	}
	require.Equal(t, agg(sales), agg(back))
	// The default save mode refuses to overwrite, as Spark's ErrorIfExists.
	_, err = sales.WriteParquet(ctx, dir, parquetio.WriteOptions{})
	require.ErrorIs(t, err, parquetio.ErrPathExists)

	bad := s.ReadParquet([]string{filepath.Join(t.TempDir(), "missing")}, parquetio.ReadOptions{})
	_, err = bad.Count(ctx)
	require.Error(t, err)
	require.ErrorContains(t, err, "ReadParquet")
}
