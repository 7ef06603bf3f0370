package frame

import (
	"strings"

	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/plan"
)

// SortKey is one ordering term of Sort. Build it with Asc or Desc and
// adjust NULL placement with NullsFirst or NullsLast.
type SortKey struct {
	e          expr.Expr
	desc       bool
	nullsFirst bool
}

// Asc orders by e ascending, NULLs first (Spark's default).
func Asc(e expr.Expr) SortKey { return SortKey{e: expr.Unwrap(e), nullsFirst: true} }

// Desc orders by e descending, NULLs last (Spark's default).
func Desc(e expr.Expr) SortKey { return SortKey{e: expr.Unwrap(e), desc: true} }

// NullsFirst returns k with NULLs placed before every value.
func (k SortKey) NullsFirst() SortKey { k.nullsFirst = true; return k }

// NullsLast returns k with NULLs placed after every value.
func (k SortKey) NullsLast() SortKey { k.nullsFirst = false; return k }

// String is "e ASC|DESC NULLS FIRST|LAST".
func (k SortKey) String() string { return k.plan().String() }

func (k SortKey) plan() plan.SortKey {
	if k.e == nil {
		return plan.SortKey{Expr: expr.Lit(nil), Desc: k.desc, NullsFirst: k.nullsFirst}
	}
	return plan.SortKey{Expr: k.e, Desc: k.desc, NullsFirst: k.nullsFirst}
}

// Sort orders the rows by keys, the first key most significant. Rows equal
// on every key come in no particular order. NaN sorts above every other
// float.
func (df *DataFrame) Sort(keys ...SortKey) *DataFrame {
	parts := make([]string, len(keys))
	exprs := make([]expr.Expr, len(keys))
	pk := make([]plan.SortKey, len(keys))
	for i, k := range keys {
		if k.e == nil {
			parts[i] = "<nil>"
		} else {
			parts[i] = k.String()
		}
		exprs[i] = k.e
		pk[i] = k.plan()
	}
	step := "Sort(" + strings.Join(parts, ", ") + ")"
	return df.derive(step, exprs, func(n plan.Node) (plan.Node, error) {
		if len(keys) == 0 {
			return nil, invalidInput("no sort keys")
		}
		return plan.NewSort(n, pk)
	})
}
