package frame_test

import (
	"context"
	"github.com/grainql/grain/plan"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/exec/mempool"
	"github.com/grainql/grain/frame"
)

// newSession returns a session over a checked allocator. At cleanup it
// closes the session and requires that every byte was released and that
// every query returned all of its memory reservations.
func newSession(t *testing.T, opts ...frame.Option) (*frame.Session, *memory.CheckedAllocator) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	all := append([]frame.Option{frame.WithAllocator(mem), frame.WithBatchSize(testBatchSize)}, opts...)
	s := frame.NewSession(all...)
	require.NoError(t, s.Err())
	frame.SetQueryHook(s, func(p mempool.Pool) {
		if p.Reserved() != 0 {
			t.Errorf("query ended with %d bytes reserved", p.Reserved())
		}
	})
	t.Cleanup(func() {
		require.NoError(t, s.Close())
		mem.AssertSize(t, 0)
	})
	return s, mem
}

// rows collects df and renders each row as "v1|v2|…", NULL as "null".
func rows(t *testing.T, df *frame.DataFrame) []string {
	t.Helper()
	recs, err := df.Collect(context.Background())
	require.NoError(t, err)
	var out []string
	for _, r := range recs {
		out = append(out, recordRows(r)...)
		r.Release()
	}
	return out
}

// sortedRows is rows in sorted order, for results without an order.
func sortedRows(t *testing.T, df *frame.DataFrame) []string {
	t.Helper()
	out := rows(t, df)
	slices.Sort(out)
	return out
}

func recordRows(r arrow.Record) []string {
	var out []string
	for i := 0; i < int(r.NumRows()); i++ {
		cells := make([]string, r.NumCols())
		for c, col := range r.Columns() {
			if col.IsNull(i) {
				cells[c] = "null"
			} else {
				cells[c] = col.ValueStr(i)
			}
		}
		out = append(out, strings.Join(cells, "|"))
	}
	return out
}

// schemaString renders a schema as "name:type[?]" items, "?" for nullable.
func schemaString(t *testing.T, df *frame.DataFrame) string {
	t.Helper()
	s, err := df.Schema()
	require.NoError(t, err)
	parts := make([]string, s.NumFields())
	for i, f := range s.Fields() {
		parts[i] = f.Name + ":" + f.Type.String()
		if f.Nullable {
			parts[i] += "?"
		}
	}
	return strings.Join(parts, ", ")
}

// people is a small DataFrame with NULLs in several columns:
//
//	name   city   age   score
//	ann    Oslo   34    1.5
//	bob    Lima   null  2.5
//	cid    Oslo   27    null
//	dee    null   41    4.0
//	eve    Lima   27    0.5
func people(s *frame.Session) *frame.DataFrame {
	p := frame.Ptr[int64]
	f := frame.Ptr[float64]
	str := frame.Ptr[string]
	return s.FromColumns(
		frame.Strings("name", []string{"ann", "bob", "cid", "dee", "eve"}),
		frame.NullableCol("city", []*string{str("Oslo"), str("Lima"), str("Oslo"), nil, str("Lima")}),
		frame.NullableCol("age", []*int64{p(34), nil, p(27), p(41), p(27)}),
		frame.NullableCol("score", []*float64{f(1.5), f(2.5), nil, f(4.0), f(0.5)}),
	)
}

func newChecked() *memory.CheckedAllocator {
	return memory.NewCheckedAllocator(memory.NewGoAllocator())
}

// logicalText is the EXPLAIN text of df's logical plan alone.
func logicalText(df *frame.DataFrame) (string, error) {
	p, err := df.LogicalPlan()
	if err != nil {
		return "", err
	}
	return plan.Format(p), nil
}
