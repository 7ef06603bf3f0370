package plan

import (
	"fmt"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/expr"
)

// JoinKey is one equality condition of a Join: Left is evaluated over the
// left input, Right over the right input, and rows match when the values are
// equal in their common type (expr.CommonType).
type JoinKey struct {
	Left, Right expr.Expr
}

// String is "l = r".
func (k JoinKey) String() string { return k.Left.String() + " = " + k.Right.String() }

// Join combines two inputs.
//
// Rows match when every key pair is equal and the residual Filter (over the
// concatenated left and right schemas) is true. A NULL key never matches
// unless NullsEqual is set, in which case NULL equals NULL. Outer joins pad
// unmatched rows of the preserved side with NULLs; the residual filter is
// part of the match condition, so it never removes preserved rows.
//
// The output schema is the left fields then the right fields (Semi and Anti:
// the left fields only); the fields of a NULL-supplying side become nullable.
// Qualifiers are kept, so a name both sides share must be qualified in
// expressions above the join (expr.ErrAmbiguousColumn otherwise).
type Join struct {
	Left, Right Node
	Type        JoinType
	On          []JoinKey
	Filter      expr.Expr // residual condition; nil when there is none
	NullsEqual  bool
	Hint        JoinHint

	keyTypes []arrow.DataType
	both     *arrow.Schema // left ++ right, nullability unchanged
	schema   *arrow.Schema
}

var _ Node = (*Join)(nil)

// NewJoin checks the keys (each side over its own input, with a common
// type), the residual filter (boolean, over both inputs) and builds the
// output schema. Cross joins take no keys.
func NewJoin(left, right Node, typ JoinType, on []JoinKey, filter expr.Expr) (*Join, error) {
	return newJoin(left, right, typ, on, filter, false, JoinHint{})
}

func newJoin(left, right Node, typ JoinType, on []JoinKey, filter expr.Expr, nullsEqual bool, hint JoinHint) (*Join, error) {
	if err := checkArity("join", []Node{left, right}, 2); err != nil {
		return nil, err
	}
	if !typ.valid() {
		return nil, invalidf("join", "unknown join type %d", typ)
	}
	if typ == JoinCross && len(on) > 0 {
		return nil, invalidf("join", "a cross join takes no keys, got %d", len(on))
	}
	if err := hint.check(typ, len(on)); err != nil {
		return nil, err
	}
	j := &Join{Left: left, Right: right, Type: typ, NullsEqual: nullsEqual, Hint: hint}
	if err := j.checkKeys(on); err != nil {
		return nil, err
	}
	j.both = concatSchemas(left.Schema(), right.Schema(), false, false)
	if filter != nil {
		f, err := checkPredicate("join", "filter", filter, j.both)
		if err != nil {
			return nil, err
		}
		j.Filter = f
	}
	switch {
	case typ.LeftOnly():
		j.schema = left.Schema()
	default:
		j.schema = concatSchemas(left.Schema(), right.Schema(), typ.PadsLeft(), typ.PadsRight())
	}
	return j, nil
}

// checkKeys resolves each key pair on its own side and records the type the
// pair is compared in.
func (j *Join) checkKeys(on []JoinKey) error {
	j.On = make([]JoinKey, len(on))
	j.keyTypes = make([]arrow.DataType, len(on))
	for i, k := range on {
		l, lt, err := checkExpr(fmt.Sprintf("join: left key %d", i+1), "key", k.Left, j.Left.Schema())
		if err != nil {
			return err
		}
		r, rt, err := checkExpr(fmt.Sprintf("join: right key %d", i+1), "key", k.Right, j.Right.Schema())
		if err != nil {
			return err
		}
		t, ok := expr.CommonType(lt, rt)
		if !ok {
			return fmt.Errorf("join: %w", &expr.TypeError{
				Expr: JoinKey{l, r}.String(),
				Msg:  fmt.Sprintf("key %s is %s and key %s is %s, with no common type", l, lt, r, rt),
			})
		}
		j.On[i] = JoinKey{Left: l, Right: r}
		j.keyTypes[i] = t
	}
	return nil
}

// concatSchemas appends b's fields to a's, making a side's fields nullable
// when it is NULL-supplying.
func concatSchemas(a, b *arrow.Schema, nullA, nullB bool) *arrow.Schema {
	fields := make([]arrow.Field, 0, a.NumFields()+b.NumFields())
	for _, f := range a.Fields() {
		f.Nullable = f.Nullable || nullA
		fields = append(fields, f)
	}
	for _, f := range b.Fields() {
		f.Nullable = f.Nullable || nullB
		fields = append(fields, f)
	}
	return arrow.NewSchema(fields, nil)
}

// WithHint returns a copy of j carrying hint h, or ErrInvalidPlan when h is
// contradictory or does not fit the join.
func (j *Join) WithHint(h JoinHint) (*Join, error) {
	return newJoin(j.Left, j.Right, j.Type, j.On, j.Filter, j.NullsEqual, h)
}

// WithNullsEqual returns a copy of j in which NULL keys match each other
// (v true) or never match (v false, the SQL default).
func (j *Join) WithNullsEqual(v bool) *Join {
	c := *j
	c.NullsEqual = v
	return &c
}

// KeyType returns the common type key pair i is compared in. When a side's
// key has another type, the executor casts it to this type first.
func (j *Join) KeyType(i int) arrow.DataType { return j.keyTypes[i] }

// CombinedSchema is the left fields then the right fields, nullability
// unchanged: the schema the residual filter is evaluated over.
func (j *Join) CombinedSchema() *arrow.Schema { return j.both }

// Schema is the output schema described on Join.
func (j *Join) Schema() *arrow.Schema { return j.schema }

// Children is the left then the right input.
func (j *Join) Children() []Node { return []Node{j.Left, j.Right} }

// WithChildren re-analyzes keys and filter over new inputs, keeping the
// type, NullsEqual and the hint.
func (j *Join) WithChildren(ch []Node) (Node, error) {
	if err := checkArity("join", ch, 2); err != nil {
		return nil, err
	}
	return newJoin(ch[0], ch[1], j.Type, j.On, j.Filter, j.NullsEqual, j.Hint)
}

// Exprs returns the key pairs interleaved (left 1, right 1, left 2, …)
// followed by the residual filter when there is one.
func (j *Join) Exprs() []expr.Expr {
	out := make([]expr.Expr, 0, 2*len(j.On)+1)
	for _, k := range j.On {
		out = append(out, k.Left, k.Right)
	}
	if j.Filter != nil {
		out = append(out, j.Filter)
	}
	return out
}

// String is "Join: type [on [l = r, …]] [filter=[…]] [nulls_equal] [hint]".
func (j *Join) String() string {
	var sb strings.Builder
	sb.WriteString("Join: " + j.Type.String())
	if len(j.On) > 0 {
		keys := make([]string, len(j.On))
		for i, k := range j.On {
			keys[i] = k.String()
		}
		sb.WriteString(" on [" + strings.Join(keys, ", ") + "]")
	}
	if j.Filter != nil {
		sb.WriteString(" filter=[" + j.Filter.String() + "]")
	}
	if j.NullsEqual {
		sb.WriteString(" nulls_equal")
	}
	if !j.Hint.IsZero() {
		sb.WriteString(" " + j.Hint.String())
	}
	return sb.String()
}

func (*Join) isNode() {}
