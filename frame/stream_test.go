package frame_test

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/frame"
)

// counting is a DataFrame of n rows with columns k (0…n-1) and g (k % 7).
func counting(s *frame.Session, n int) *frame.DataFrame {
	k := make([]int64, n)
	for i := range k {
		k[i] = int64(i)
	}
	return s.FromColumns(frame.Int64s("k", k)).WithColumn("g", col("k").Mod(lit(7)))
}

func TestStreamReadsEverything(t *testing.T) {
	s, _ := newSession(t, frame.WithBatchSize(64))
	df := counting(s, 1000).Filter(col("g").NotEq(lit(0)))
	st, err := df.Stream(context.Background())
	require.NoError(t, err)
	defer st.Close()
	require.Equal(t, []string{"k", "g"}, []string{st.Schema().Field(0).Name, st.Schema().Field(1).Name})
	var n, recs int64
	for st.Next() {
		rec := st.Record()
		require.Positive(t, rec.NumRows())
		require.True(t, rec.Schema().Equal(st.Schema()))
		n += rec.NumRows()
		recs++
	}
	require.NoError(t, st.Err())
	require.EqualValues(t, 1000-143, n)
	require.Greater(t, recs, int64(1))
	require.False(t, st.Next(), "Next after the end stays false")
	require.NoError(t, st.Close())
	require.NoError(t, st.Close(), "Close is idempotent")
}

func TestStreamEarlyCloseReleasesEverything(t *testing.T) {
	s, mem := newSession(t, frame.WithBatchSize(16))
	df := counting(s, 5000).GroupBy(col("g")).Agg(expr.Sum(col("k")).As("s")).
		Union(counting(s, 5000).Select(col("g"), col("k")))
	tables := mem.CurrentAlloc() // the sources are built eagerly
	st, err := df.Stream(context.Background())
	require.NoError(t, err)
	require.True(t, st.Next())
	rec := st.Record()
	rec.Retain() // kept beyond the stream
	require.NoError(t, st.Close())
	require.False(t, st.Next())
	require.Positive(t, rec.NumRows())
	rec.Release()
	require.Equal(t, tables, mem.CurrentAlloc(), "only the session's tables remain")
}

func TestCloseWhileStreamingDefersRelease(t *testing.T) {
	mem := newChecked()
	s := frame.NewSession(frame.WithAllocator(mem), frame.WithBatchSize(10))
	df := counting(s, 100)
	st, err := df.Stream(context.Background())
	require.NoError(t, err)
	require.True(t, st.Next())
	require.NoError(t, s.Close()) // the stream keeps the tables alive
	n := st.Record().NumRows()
	for st.Next() {
		n += st.Record().NumRows()
	}
	require.NoError(t, st.Err())
	require.EqualValues(t, 100, n)
	require.NoError(t, st.Close())
	mem.AssertSize(t, 0)
	_, err = df.Count(context.Background())
	require.ErrorIs(t, err, frame.ErrSessionClosed)
}

func TestCancelledContext(t *testing.T) {
	s, _ := newSession(t)
	df := counting(s, 100).GroupBy(col("g")).Agg(expr.CountStar())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := df.Collect(ctx)
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorContains(t, err, "frame: Collect: ")
	_, err = df.Count(ctx)
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorIs(t, df.Show(ctx, io.Discard, 5), context.Canceled)
	_, err = df.Stream(ctx)
	require.ErrorIs(t, err, context.Canceled)
}

func TestCancelMidStream(t *testing.T) {
	s, _ := newSession(t, frame.WithBatchSize(8))
	df := counting(s, 1000).Filter(col("k").GtEq(lit(0)))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, err := df.Stream(ctx)
	require.NoError(t, err)
	defer st.Close()
	require.True(t, st.Next())
	cancel()
	for st.Next() {
	}
	require.True(t, errors.Is(st.Err(), context.Canceled), "got %v", st.Err())
	require.NoError(t, st.Close())
}
