package plan

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/expr"
)

func TestInspectOrder(t *testing.T) {
	n := must(t, namedPlans["everything"]())
	var kinds []string
	Inspect(n, func(n Node) bool {
		kinds = append(kinds, n.String()[:4])
		_, isJoin := n.(*Join)
		return !isJoin // skip the join's inputs
	})
	require.Equal(t, []string{"Limi", "Sort", "Aggr", "Filt", "Join"}, kinds)
}

func TestTransformUnchangedReturnsSameNode(t *testing.T) {
	n := must(t, namedPlans["everything"]())
	out, err := Transform(n, func(n Node) (Node, error) { return n, nil })
	require.NoError(t, err)
	require.True(t, out == n)
	out, err = TransformDown(n, func(n Node) (Node, error) { return n, nil })
	require.NoError(t, err)
	require.True(t, out == n)
}

func TestTransformRewritesAndRevalidates(t *testing.T) {
	n := must(t, scan(factTable, "").filter(col("qty").Gt(lit(1))).limit(0, 5))
	// Push a projection into the scan: the schema above changes accordingly.
	out, err := Transform(n, func(n Node) (Node, error) {
		if s, ok := n.(*Scan); ok {
			return s.WithPushdown([]int{3, 0}, nil)
		}
		return n, nil
	})
	require.NoError(t, err)
	require.Equal(t, "Limit: 5\n  Filter: qty > 1\n    Scan: fact projection=[qty, entity]\n", Format(out))
	require.Equal(t, 2, out.Schema().NumFields())
	require.Equal(t, 5, n.Schema().NumFields(), "original untouched")

	// Pruning a column the filter needs fails in WithChildren.
	_, err = Transform(n, func(n Node) (Node, error) {
		if s, ok := n.(*Scan); ok {
			return s.WithPushdown([]int{0}, nil)
		}
		return n, nil
	})
	require.ErrorIs(t, err, expr.ErrUnknownColumn)

	// Errors from f stop the walk.
	boom := errors.New("boom")
	_, err = TransformDown(n, func(Node) (Node, error) { return nil, boom })
	require.ErrorIs(t, err, boom)
}

func TestTransformDownSeesReplacementChildren(t *testing.T) {
	// Remove every Limit top-down; the walk continues below the removed node.
	n := must(t, scan(factTable, "").limit(0, 5).limit(1, 2).distinct())
	out, err := TransformDown(n, func(n Node) (Node, error) {
		for {
			l, ok := n.(*Limit)
			if !ok {
				return n, nil
			}
			n = l.Input
		}
	})
	require.NoError(t, err)
	require.Equal(t, "Distinct\n  Scan: fact\n", Format(out))
}
