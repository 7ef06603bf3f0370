package optimize

import (
	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/plan"
)

// SimplifyExpressions folds constants and simplifies boolean logic in every
// expression of a node:
//
//   - literal arithmetic (1 + 2 → 3), negation, comparisons, IN lists,
//     IS [NOT] NULL and numeric casts of literals are computed;
//   - NULL propagates: x + NULL and x = NULL become a typed NULL;
//   - x AND false → false, x AND true → x, x OR true → true,
//     x OR false → x (either operand order), NOT NOT x → x,
//     NOT (a < b) → a >= b (the engine's order is total: NaN is the
//     greatest value, so the negation is exact), NOT (x IS NULL) →
//     x IS NOT NULL;
//   - CASE branches with a literal false or NULL condition are dropped, a
//     leading literal true branch is taken; COALESCE drops NULL literals;
//   - a cast to the operand's own type is removed.
//
// Correctness. Every rewrite keeps the expression's type exactly (a folded
// literal has the expression's type; a checked re-derivation rejects any
// rewrite that would change it) and keeps errors: folding never computes
// an operation that would fail (1/0 stays 1/0 and raises ErrDivideByZero at
// run time; an overflowing sum stays), and an operand is dropped (x AND
// false, x + NULL) only when it cannot raise an error (mayFail), since the
// executor would evaluate it. Dropping the right operand of false AND x is
// always allowed: AND does not evaluate it. Output names are kept: a
// simplified projection or aggregate item is aliased with its old name.
//
// It does not simplify across nodes; eliminate_filter then acts on filters
// that became literals.
type SimplifyExpressions struct{}

// Name is "simplify_expressions".
func (SimplifyExpressions) Name() string { return "simplify_expressions" }

// Order is BottomUp.
func (SimplifyExpressions) Order() Order { return BottomUp }

// Rewrite simplifies the expressions n owns.
func (SimplifyExpressions) Rewrite(n plan.Node, _ *Config) (plan.Node, bool, error) {
	var out plan.Node
	var err error
	switch n := n.(type) {
	case *plan.Filter:
		p, ch := simplify(n.Pred, n.Input.Schema())
		if !ch {
			return n, false, nil
		}
		out, err = plan.NewFilter(n.Input, p)
	case *plan.Project:
		es, ch := simplifyItems(n.Exprs(), n.Input.Schema())
		if !ch {
			return n, false, nil
		}
		out, err = plan.NewProject(n.Input, es)
	case *plan.Aggregate:
		in := n.Input.Schema()
		g, ch1 := simplifyItems(n.GroupBy, in)
		a, ch2 := simplifyItems(n.Aggs, in)
		if !ch1 && !ch2 {
			return n, false, nil
		}
		out, err = plan.NewAggregate(n.Input, g, a)
	case *plan.Join:
		return simplifyJoin(n)
	case *plan.Sort:
		keys := append([]plan.SortKey(nil), n.Keys...)
		changed := false
		for i, k := range keys {
			e, ch := simplify(k.Expr, n.Input.Schema())
			keys[i].Expr, changed = e, changed || ch
		}
		if !changed {
			return n, false, nil
		}
		out, err = plan.NewSort(n.Input, keys)
	case *plan.Scan:
		fs, ch := simplifyList(n.Filters, n.Source.Schema())
		if !ch {
			return n, false, nil
		}
		out, err = n.WithPushdown(n.Columns, fs)
	default:
		return n, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return out, true, nil
}

func simplifyJoin(j *plan.Join) (plan.Node, bool, error) {
	on := append([]plan.JoinKey(nil), j.On...)
	changed := false
	for i, k := range on {
		l, ch1 := simplify(k.Left, j.Left.Schema())
		r, ch2 := simplify(k.Right, j.Right.Schema())
		on[i] = plan.JoinKey{Left: l, Right: r}
		changed = changed || ch1 || ch2
	}
	filter := j.Filter
	if filter != nil {
		var ch bool
		filter, ch = simplify(filter, j.CombinedSchema())
		changed = changed || ch
	}
	if !changed {
		return j, false, nil
	}
	out, err := rebuildJoin(j, j.Left, j.Right, j.Type, on, filter)
	if err != nil {
		return nil, false, err
	}
	return out, true, nil
}

// rebuildJoin makes a join like j (NullsEqual, hint) with new inputs, type,
// keys and residual filter.
func rebuildJoin(j *plan.Join, l, r plan.Node, typ plan.JoinType, on []plan.JoinKey, filter expr.Expr) (*plan.Join, error) {
	out, err := plan.NewJoin(l, r, typ, on, filter)
	if err != nil {
		return nil, err
	}
	out = out.WithNullsEqual(j.NullsEqual)
	if j.Hint.IsZero() {
		return out, nil
	}
	return out.WithHint(j.Hint)
}

// simplifyItems simplifies projected, grouped or aggregated items, keeping
// their output names.
func simplifyItems(items []expr.Expr, s *arrow.Schema) ([]expr.Expr, bool) {
	out, changed := simplifyList(items, s)
	if !changed {
		return items, false
	}
	for i := range out {
		out[i] = named(items[i], out[i])
	}
	return out, true
}

func simplifyList(es []expr.Expr, s *arrow.Schema) ([]expr.Expr, bool) {
	out := make([]expr.Expr, len(es))
	changed := false
	for i, e := range es {
		var ch bool
		out[i], ch = simplify(e, s)
		changed = changed || ch
	}
	return out, changed
}

// simplify rewrites e bottom-up. It reports whether anything changed.
func simplify(e expr.Expr, s *arrow.Schema) (expr.Expr, bool) {
	changed := false
	out, _ := expr.Transform(e, func(n expr.Expr) (expr.Expr, error) {
		r := simplifyNode(n, s)
		if r == nil || r == n {
			return n, nil
		}
		// Safety net: a rewrite must keep the type exactly.
		t1, err1 := n.Type(s)
		t2, err2 := r.Type(s)
		if err1 != nil || err2 != nil || !arrow.TypeEqual(t1, t2) {
			return n, nil
		}
		changed = true
		return r, nil
	})
	if !changed {
		return e, false
	}
	return out, true
}

// simplifyNode returns a replacement for n (whose children are already
// simplified), or nil.
func simplifyNode(n expr.Expr, s *arrow.Schema) expr.Expr {
	switch x := n.(type) {
	case *expr.Binary:
		switch {
		case x.Op.IsLogical():
			return simplifyLogic(x, s)
		case x.Op.IsArithmetic():
			return simplifyArith(x, s)
		default:
			return simplifyCompare(x, s)
		}
	case *expr.Unary:
		return simplifyUnary(x, s)
	case *expr.Cast:
		return simplifyCast(x, s)
	case *expr.Case:
		return simplifyCase(x, s)
	case *expr.Call:
		if x.Func == expr.FnCoalesce {
			return simplifyCoalesce(x, s)
		}
	case *expr.In:
		return simplifyIn(x, s)
	}
	return nil
}

// typeOf returns e's type over s, or nil.
func typeOf(e expr.Expr, s *arrow.Schema) arrow.DataType {
	t, err := e.Type(s)
	if err != nil {
		return nil
	}
	return t
}

// nullOf returns a NULL of n's type when an operand is a NULL literal and
// every other operand can be dropped: it cannot fail, and neither can its
// conversion to the type the operation compares or computes in (ct).
func nullOf(n expr.Expr, ct arrow.DataType, s *arrow.Schema, operands ...expr.Expr) expr.Expr {
	sawNull := false
	for _, o := range operands {
		if isNullLiteral(o) {
			sawNull = true
			continue
		}
		ot := typeOf(o, s)
		if ot == nil || mayFail(o, s) || convMayFail(ot, ct) {
			return nil
		}
	}
	t := typeOf(n, s)
	if !sawNull || t == nil {
		return nil
	}
	return lit(nil, t)
}

func simplifyArith(b *expr.Binary, s *arrow.Schema) expr.Expr {
	t := typeOf(b, s)
	if t == nil || !expr.IsNumeric(t) {
		return nil // date arithmetic is left to run time
	}
	if r := nullOf(b, t, s, b.Left, b.Right); r != nil {
		return r
	}
	l, ok1 := isLiteral(b.Left)
	r, ok2 := isLiteral(b.Right)
	if !ok1 || !ok2 || l.Value == nil || r.Value == nil {
		return nil
	}
	if v, ok := foldArith(b.Op, l.Value, r.Value, t); ok {
		return lit(v, t)
	}
	return nil
}

func simplifyCompare(b *expr.Binary, s *arrow.Schema) expr.Expr {
	lt, rt := typeOf(b.Left, s), typeOf(b.Right, s)
	if lt == nil || rt == nil {
		return nil
	}
	ct, ok := expr.CommonType(lt, rt)
	if !ok {
		return nil
	}
	if r := nullOf(b, ct, s, b.Left, b.Right); r != nil {
		return r
	}
	l, ok1 := isLiteral(b.Left)
	r, ok2 := isLiteral(b.Right)
	if !ok1 || !ok2 || l.Value == nil || r.Value == nil {
		return nil
	}
	if c, ok := foldCompare(l.Value, r.Value, lt, rt); ok {
		return lit(compareResult(b.Op, c), arrow.FixedWidthTypes.Boolean)
	}
	return nil
}

// asBoolean returns e when it is boolean, a boolean NULL when e is a NULL
// literal, else nil: AND/OR are boolean even when an operand is untyped NULL.
func asBoolean(e expr.Expr, s *arrow.Schema) expr.Expr {
	if isNullLiteral(e) {
		return lit(nil, arrow.FixedWidthTypes.Boolean)
	}
	if t := typeOf(e, s); t != nil && t.ID() == arrow.BOOL {
		return e
	}
	return nil
}

// simplifyLogic applies the AND/OR identities. decisive is the value that
// decides the operation (false for AND, true for OR).
func simplifyLogic(b *expr.Binary, s *arrow.Schema) expr.Expr {
	decisive := b.Op == expr.OpOr
	l, r := b.Left, b.Right
	switch {
	case boolLiteral(l, decisive):
		return lit(decisive, arrow.FixedWidthTypes.Boolean) // r is not evaluated
	case boolLiteral(r, decisive) && !mayFail(l, s):
		return lit(decisive, arrow.FixedWidthTypes.Boolean)
	case boolLiteral(l, !decisive):
		return asBoolean(r, s)
	case boolLiteral(r, !decisive):
		return asBoolean(l, s)
	case isNullLiteral(l) && isNullLiteral(r):
		return lit(nil, arrow.FixedWidthTypes.Boolean)
	}
	return nil
}

func simplifyUnary(u *expr.Unary, s *arrow.Schema) expr.Expr {
	l, isLit := isLiteral(u.Expr)
	switch u.Op {
	case expr.OpIsNull, expr.OpIsNotNull:
		if isLit {
			return lit((l.Value == nil) == (u.Op == expr.OpIsNull), arrow.FixedWidthTypes.Boolean)
		}
	case expr.OpNeg:
		t := typeOf(u, s)
		if isLit && t != nil {
			if l.Value == nil {
				return lit(nil, t)
			}
			if v, ok := foldNeg(l.Value, t); ok {
				return lit(v, t)
			}
		}
	case expr.OpNot:
		if isLit {
			if b, ok := l.Value.(bool); ok {
				return lit(!b, arrow.FixedWidthTypes.Boolean)
			}
			return lit(nil, arrow.FixedWidthTypes.Boolean)
		}
		return simplifyNot(u.Expr, s)
	}
	return nil
}

// simplifyNot pushes NOT into its operand where that removes it.
func simplifyNot(e expr.Expr, s *arrow.Schema) expr.Expr {
	switch x := e.(type) {
	case *expr.Unary:
		switch x.Op {
		case expr.OpNot:
			return asBoolean(x.Expr, s)
		case expr.OpIsNull:
			return &expr.Unary{Op: expr.OpIsNotNull, Expr: x.Expr}
		case expr.OpIsNotNull:
			return &expr.Unary{Op: expr.OpIsNull, Expr: x.Expr}
		}
	case *expr.Binary:
		if op, ok := negated[x.Op]; ok {
			return &expr.Binary{Op: op, Left: x.Left, Right: x.Right}
		}
	}
	return nil
}

func simplifyCast(c *expr.Cast, s *arrow.Schema) expr.Expr {
	from := typeOf(c.Expr, s)
	if from == nil {
		return nil
	}
	if arrow.TypeEqual(from, c.To) {
		return c.Expr
	}
	l, ok := isLiteral(c.Expr)
	switch {
	case !ok:
		return nil
	case l.Value == nil:
		return lit(nil, c.To)
	case expr.IsNumeric(from) && expr.IsNumeric(c.To) && !(expr.IsFloat(from) && expr.IsInteger(c.To)):
		if v, ok := convertNumber(l.Value, c.To); ok {
			return lit(v, c.To)
		}
	}
	return nil
}
