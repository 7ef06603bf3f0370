package frame_test

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/exec/mempool"
	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/frame"
	"github.com/grainql/grain/plan"
)

func metrics(s *frame.Session) *frame.DataFrame {
	return s.FromColumns(
		frame.Strings("host", []string{"a", "b", "a"}),
		frame.Int64s("metric", []int64{5, 20, 30}),
	)
}

// everyAction runs each action of df and returns their errors.
func everyAction(df *frame.DataFrame) map[string]error {
	ctx := context.Background()
	out := map[string]error{}
	recs, err := df.Collect(ctx)
	for _, r := range recs {
		r.Release()
	}
	out["Collect"] = err
	tbl, err := df.CollectTable(ctx)
	if tbl != nil {
		tbl.Release()
	}
	out["CollectTable"] = err
	_, out["Count"] = df.Count(ctx)
	out["Show"] = df.Show(ctx, io.Discard, 10)
	st, err := df.Stream(ctx)
	if st != nil {
		st.Close()
	}
	out["Stream"] = err
	_, out["Explain"] = df.Explain()
	_, out["Schema"] = df.Schema()
	_, out["LogicalPlan"] = df.LogicalPlan()
	return out
}

func TestColumnTypoNamesTheStepAndSuggests(t *testing.T) {
	s, _ := newSession(t)
	df := metrics(s).
		Filter(col("metrc").Gt(lit(10))).
		Select(col("host")). // later steps pass the error along
		Limit(5)
	for action, err := range everyAction(df) {
		require.ErrorIs(t, err, expr.ErrUnknownColumn, action)
		require.EqualError(t, err, `frame: Filter(metrc > 10): unknown column "metrc"; did you mean "metric"?`, action)
		var se *frame.StepError
		require.ErrorAs(t, err, &se, action)
		require.Equal(t, "Filter(metrc > 10)", se.Step)
	}
	// The step that failed is reported, not the first of the chain.
	err := metrics(s).Select(col("host")).GroupBy(col("hots")).Agg(expr.CountStar()).Err()
	require.ErrorContains(t, err, `frame: GroupBy(hots).Agg(count(*)): unknown column "hots"; did you mean "host"?`)
}

func TestTypeErrors(t *testing.T) {
	s, _ := newSession(t)
	df := metrics(s)
	for name, bad := range map[string]*frame.DataFrame{
		"arithmetic":     df.Select(col("host").Add(lit(1))),
		"predicate":      df.Filter(col("metric")),
		"aggregate":      df.GroupBy(col("host")).Agg(expr.Sum(col("host"))),
		"join key types": df.Alias("l").Join(df.Alias("r"), frame.On(col("l.host").Eq(col("r.metric"))), frame.Inner),
		"sort":           df.Sort(frame.Asc(col("metric").Eq(lit("x")))),
	} {
		_, err := bad.Count(context.Background())
		require.ErrorIs(t, err, expr.ErrType, name)
		require.ErrorContains(t, err, "frame: ", name)
	}
	// Structural mistakes wrap plan.ErrInvalidPlan.
	err := df.Filter(expr.Sum(col("metric")).Gt(lit(1))).Err()
	require.ErrorIs(t, err, plan.ErrInvalidPlan)
	require.ErrorIs(t, df.GroupBy(col("host")).Agg(col("metric")).Err(), expr.ErrUnknownColumn)
}

func TestRuntimeErrorsNameTheAction(t *testing.T) {
	s, _ := newSession(t)
	df := metrics(s).Select(col("metric").Div(lit(0)))
	_, err := df.Collect(context.Background())
	require.ErrorIs(t, err, expr.ErrDivideByZero)
	require.ErrorContains(t, err, "frame: Collect: ")
	_, err = df.Count(context.Background())
	require.ErrorIs(t, err, expr.ErrDivideByZero)
}

func TestMemoryLimitBreach(t *testing.T) {
	s, _ := newSession(t, frame.WithMemoryLimit(4<<10))
	n := 20000
	keys := make([]int64, n)
	for i := range keys {
		keys[i] = int64(i)
	}
	df := s.FromColumns(frame.Int64s("k", keys)).GroupBy(col("k")).Agg(expr.CountStar().As("n"))
	for _, action := range []string{"Collect", "Count", "Show"} {
		err := everyAction(df)[action]
		require.ErrorIs(t, err, mempool.ErrMemoryLimit, action)
		require.ErrorContains(t, err, `"hash aggregate"`, action)
		require.ErrorContains(t, err, "frame: "+action+": ", action)
		var le *mempool.LimitError
		require.ErrorAs(t, err, &le, action)
		require.EqualValues(t, 4<<10, le.Limit)
	}
	// The same query fits without the limit.
	s2, _ := newSession(t)
	got, err := s2.FromColumns(frame.Int64s("k", keys)).GroupBy(col("k")).Agg(expr.CountStar()).Count(context.Background())
	require.NoError(t, err)
	require.EqualValues(t, n, got)
}

func TestInvalidOptions(t *testing.T) {
	for name, opt := range map[string]frame.Option{
		"batch":      frame.WithBatchSize(0),
		"memory":     frame.WithMemoryLimit(-1),
		"parallel":   frame.WithParallelism(0),
		"partitions": frame.WithShufflePartitions(-3),
		"allocator":  frame.WithAllocator(nil),
	} {
		s := frame.NewSession(opt)
		require.ErrorIs(t, s.Err(), frame.ErrInvalidOption, name)
		df := s.FromColumns(frame.Int64s("a", []int64{1}))
		_, err := df.Count(context.Background())
		require.ErrorIs(t, err, frame.ErrInvalidOption, name)
		require.ErrorContains(t, err, "frame: NewSession: ", name)
		require.NoError(t, s.Close())
	}
}

func TestClosedSession(t *testing.T) {
	s, _ := newSession(t)
	df := metrics(s)
	require.NoError(t, s.Close())
	require.NoError(t, s.Close(), "Close is idempotent")
	_, err := df.Count(context.Background())
	require.ErrorIs(t, err, frame.ErrSessionClosed)
	require.ErrorIs(t, metrics(s).Err(), frame.ErrSessionClosed)
	// Plans stay inspectable.
	_, err = df.Explain()
	require.NoError(t, err)
}

func TestStepErrorUnwraps(t *testing.T) {
	cause := errors.New("boom")
	err := error(&frame.StepError{Step: "Filter(x)", Err: cause})
	require.ErrorIs(t, err, cause)
	require.EqualError(t, err, "frame: Filter(x): boom")
}
