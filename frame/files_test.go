package frame_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/io/csvio"
	"github.com/grainql/grain/io/ipcio"
)

func TestCSVAndIPCRoundTripThroughFrame(t *testing.T) {
	s, _ := newSession(t)
	ctx := context.Background()
	dir := t.TempDir()
	df := people(s).Filter(expr.Col("age").Gt(expr.Lit(20)))
	want := sortedRows(t, df)

	csvPath := filepath.Join(dir, "people.csv")
	require.NoError(t, df.WriteCSV(ctx, csvPath, csvio.DefaultWriteOptions()))
	back := s.ReadCSV([]string{csvPath}, csvio.DefaultReadOptions())
	require.Equal(t, want, sortedRows(t, back))
	// Writing again to an existing path fails by default, as in Spark.
	err := df.WriteCSV(ctx, csvPath, csvio.DefaultWriteOptions())
	require.ErrorIs(t, err, csvio.ErrPathExists)

	ipcPath := filepath.Join(dir, "people.arrow")
	require.NoError(t, df.WriteIPC(ctx, ipcPath, ipcio.WriteOptions{}))
	require.Equal(t, want, sortedRows(t, s.ReadIPC([]string{ipcPath}, ipcio.ReadOptions{})))

	// A query over a file source is optimized and run like any other.
	n, err := back.Filter(expr.Col("age").Gt(expr.Lit(40))).Count(ctx)
	require.NoError(t, err)
	n2, err := df.Filter(expr.Col("age").Gt(expr.Lit(40))).Count(ctx)
	require.NoError(t, err)
	require.Equal(t, n2, n)

	missing := s.ReadCSV([]string{filepath.Join(dir, "nope-*.csv")}, csvio.DefaultReadOptions())
	_, err = missing.Count(ctx)
	require.ErrorIs(t, err, csvio.ErrNoFiles)
	require.ErrorContains(t, err, "ReadCSV")
}

func TestWriteFailureLeavesNoFile(t *testing.T) {
	s, _ := newSession(t)
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := people(s).WriteCSV(ctx, filepath.Join(dir, "x.csv"), csvio.DefaultWriteOptions())
	require.ErrorIs(t, err, context.Canceled)
	left, err := filepath.Glob(filepath.Join(dir, "*"))
	require.NoError(t, err)
	require.Empty(t, left)
}
