package frame_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/frame"
)

func TestJoinHintsChooseTheStrategy(t *testing.T) {
	s, _ := newSession(t, frame.WithParallelism(2), frame.WithBroadcastThreshold(-1))
	ctx := context.Background()
	left := people(s).Alias("l")
	right := people(s).Alias("r")
	on := frame.On(expr.Col("l.city").Eq(expr.Col("r.city")))
	plain := left.Join(right, on, frame.Inner)
	want := sortedRows(t, plain)
	text, err := plain.Explain()
	require.NoError(t, err)
	require.Contains(t, text, "ShuffledHashJoin inner", "no broadcast without a hint when the threshold is off")

	for _, tc := range []struct {
		df   *frame.DataFrame
		want string
	}{
		{left.Join(frame.Broadcast(right), on, frame.Inner), "BroadcastHashJoin inner on [l.city = r.city] broadcast=right (hint: broadcast right)"},
		{frame.Broadcast(left).Join(right, on, frame.Inner), "hint: broadcast left"},
		{left.Hint(frame.HintMerge).Join(right, on, frame.Inner), "SortMergeJoin inner"},
		{left.Join(right.Hint("shuffle_merge"), on, frame.Left), "SortMergeJoin left"},
		{left.Join(right.Hint(frame.HintShuffleHash), on, frame.Inner), "(hint: shuffle_hash)"},
		// The preserved side of a right join is never broadcast, hint or not.
		{left.Join(frame.Broadcast(right), on, frame.Right), "ShuffledHashJoin right"},
	} {
		text, err := tc.df.Explain()
		require.NoError(t, err)
		require.Contains(t, text, tc.want)
	}
	require.Equal(t, want, sortedRows(t, left.Join(frame.Broadcast(right), on, frame.Inner)))
	require.Equal(t, want, sortedRows(t, left.Hint(frame.HintMerge).Join(right, on, frame.Inner)))

	_, err = left.Hint("fastest").Count(ctx)
	require.ErrorIs(t, err, frame.ErrInvalidInput)
	require.ErrorContains(t, err, `unknown hint "fastest"`)
}
