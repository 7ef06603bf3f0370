package parquetio

import (
	"bytes"
	"cmp"
	"math"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/expr"
)

// Pruning with footer statistics and partition values.
//
// Pushed filters compile into a tree of predicates over dataset fields.
// canMatch answers "may some row of this unit satisfy the predicate?" from
// the unit's statistics; it answers true whenever it cannot prove false, so
// a filter it does not understand never removes data. Understood: column
// op literal for = != < <= > >= (either side), IN lists, IS [NOT] NULL,
// and AND/OR of those. Comparisons are done in the type the executor
// promotes both sides to (expr.CommonType), so min and max stay bounds
// after the conversion (it is monotonic).
//
// Floats: Grain orders NaN above every number and NaN = NaN (Spark's
// semantics), and Parquet statistics leave NaN out, so a row group whose
// max is 5 may still hold a NaN that satisfies x > 7. Float columns are
// therefore never pruned by > or >= (or !=), only by <, <=, = and IN,
// which NaN never satisfies for a non-NaN literal.

// domain is the type comparisons of a predicate are evaluated in.
type domain uint8

const (
	dInt domain = iota
	dUint
	dFloat32
	dFloat64
	dString // strings and binary, compared bytewise
	dBool
	dTemporal // date32, timestamps and times of one type, compared raw
)

// scalar is a value converted to a domain.
type scalar struct {
	i int64
	u uint64
	f float64
	s string
}

func domainOf(t arrow.DataType) (domain, bool) {
	switch {
	case expr.IsSignedInt(t):
		return dInt, true
	case expr.IsUnsignedInt(t):
		return dUint, true
	case t.ID() == arrow.FLOAT32:
		return dFloat32, true
	case t.ID() == arrow.FLOAT64:
		return dFloat64, true
	}
	switch t.ID() {
	case arrow.STRING, arrow.LARGE_STRING, arrow.BINARY, arrow.LARGE_BINARY:
		return dString, true
	case arrow.BOOL:
		return dBool, true
	case arrow.DATE32, arrow.TIMESTAMP, arrow.TIME32, arrow.TIME64:
		return dTemporal, true
	}
	return 0, false
}

// toScalar converts a Go value of the kind literals and statistics use.
func toScalar(v any, d domain) (scalar, bool) {
	switch d {
	case dInt:
		if i, ok := asInt(v); ok {
			return scalar{i: i}, true
		}
		if u, ok := asUint(v); ok && u <= math.MaxInt64 {
			return scalar{i: int64(u)}, true
		}
	case dUint:
		if u, ok := asUint(v); ok {
			return scalar{u: u}, true
		}
	case dFloat32, dFloat64:
		f, ok := asFloat(v)
		if !ok || math.IsNaN(f) {
			return scalar{}, false
		}
		if d == dFloat32 {
			f = float64(float32(f))
		}
		return scalar{f: f}, true
	case dString:
		switch x := v.(type) {
		case string:
			return scalar{s: x}, true
		case []byte:
			return scalar{s: string(x)}, true
		}
	case dBool:
		if b, ok := v.(bool); ok {
			if b {
				return scalar{i: 1}, true
			}
			return scalar{}, true
		}
	case dTemporal:
		switch x := v.(type) {
		case arrow.Date32:
			return scalar{i: int64(x)}, true
		case arrow.Timestamp:
			return scalar{i: int64(x)}, true
		case arrow.Time32:
			return scalar{i: int64(x)}, true
		case arrow.Time64:
			return scalar{i: int64(x)}, true
		}
	}
	return scalar{}, false
}

func asInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int8:
		return int64(x), true
	case int16:
		return int64(x), true
	case int32:
		return int64(x), true
	case int64:
		return x, true
	}
	return 0, false
}

func asUint(v any) (uint64, bool) {
	switch x := v.(type) {
	case uint8:
		return uint64(x), true
	case uint16:
		return uint64(x), true
	case uint32:
		return uint64(x), true
	case uint64:
		return x, true
	}
	return 0, false
}

func asFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float32:
		return float64(x), true
	case float64:
		return x, true
	}
	if i, ok := asInt(v); ok {
		return float64(i), true
	}
	if u, ok := asUint(v); ok {
		return float64(u), true
	}
	return 0, false
}

func compareScalars(a, b scalar, d domain) int {
	switch d {
	case dUint:
		return cmp.Compare(a.u, b.u)
	case dFloat32, dFloat64:
		return cmp.Compare(a.f, b.f)
	case dString:
		return cmp.Compare(a.s, b.s)
	}
	return cmp.Compare(a.i, b.i)
}

// compareValues orders two Go values of one column (nil when not
// comparable); Stats uses it to combine chunk minima and maxima.
func compareValues(t arrow.DataType, a, b any) (int, bool) {
	d, ok := domainOf(t)
	if !ok {
		return 0, false
	}
	x, ok1 := toScalar(a, d)
	y, ok2 := toScalar(b, d)
	if !ok1 || !ok2 {
		if ab, ok := a.([]byte); ok {
			if bb, ok := b.([]byte); ok {
				return bytes.Compare(ab, bb), true
			}
		}
		return 0, false
	}
	return compareScalars(x, y, d), true
}

// unitStats answers statistics questions about one unit of data (a row
// group, or a file when only partition values are known).
type unitStats interface {
	rows() int64
	// field returns the null count (-1 unknown) and min and max (nil
	// unknown) of a dataset field.
	field(i int) (nulls int64, min, max any)
}

// pred is a compiled filter.
type pred interface {
	canMatch(u unitStats) bool
}

type andPred []pred
type orPred []pred

func (p andPred) canMatch(u unitStats) bool {
	for _, c := range p {
		if !c.canMatch(u) {
			return false
		}
	}
	return true
}

func (p orPred) canMatch(u unitStats) bool {
	for _, c := range p {
		if c.canMatch(u) {
			return true
		}
	}
	return false
}

// cmpPred is field op literal.
type cmpPred struct {
	field int
	op    expr.BinaryOp
	lit   scalar
	d     domain
	nan   bool // the field is a float column, which may hold NaN
}

// inPred is field IN (non-NULL literals).
type inPred struct {
	field int
	lits  []scalar
	d     domain
}

// nullPred is field IS NULL (isNull) or IS NOT NULL.
type nullPred struct {
	field  int
	isNull bool
}

// bounds converts a unit's min and max for field; ok is false when they are
// unknown. allNull reports a unit whose every row is NULL in the field.
func bounds(u unitStats, field int, d domain) (lo, hi scalar, allNull, ok bool) {
	nulls, mn, mx := u.field(field)
	if nulls >= 0 && nulls == u.rows() {
		return lo, hi, true, false
	}
	if mn == nil || mx == nil {
		return lo, hi, false, false
	}
	lo, ok1 := toScalar(mn, d)
	hi, ok2 := toScalar(mx, d)
	return lo, hi, false, ok1 && ok2
}

func (p *cmpPred) canMatch(u unitStats) bool {
	lo, hi, allNull, ok := bounds(u, p.field, p.d)
	if allNull {
		return false // a comparison with NULL is never true
	}
	if !ok {
		return true
	}
	float := p.nan
	cl, ch := compareScalars(p.lit, lo, p.d), compareScalars(p.lit, hi, p.d)
	switch p.op {
	case expr.OpEq:
		return cl >= 0 && ch <= 0
	case expr.OpNotEq:
		return float || !(cl == 0 && ch == 0)
	case expr.OpLt: // some x < lit iff min < lit
		return cl > 0
	case expr.OpLtEq:
		return cl >= 0
	case expr.OpGt:
		return float || ch < 0
	case expr.OpGtEq:
		return float || ch <= 0
	}
	return true
}

func (p *inPred) canMatch(u unitStats) bool {
	lo, hi, allNull, ok := bounds(u, p.field, p.d)
	if allNull {
		return false
	}
	if !ok {
		return true
	}
	for _, l := range p.lits {
		if compareScalars(l, lo, p.d) >= 0 && compareScalars(l, hi, p.d) <= 0 {
			return true
		}
	}
	return false
}

func (p *nullPred) canMatch(u unitStats) bool {
	nulls, _, _ := u.field(p.field)
	if nulls < 0 {
		return true
	}
	if p.isNull {
		return nulls > 0
	}
	return nulls < u.rows()
}

// compileFilters turns pushed conjuncts into one predicate (nil when none
// is understood).
func compileFilters(s *arrow.Schema, filters []expr.Expr) pred {
	var out andPred
	for _, f := range filters {
		if p := compile(s, f); p != nil {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// compile returns nil for filters it does not understand, which then
// prune nothing.
func compile(s *arrow.Schema, e expr.Expr) pred {
	switch n := expr.Unwrap(e).(type) {
	case *expr.Binary:
		switch n.Op {
		case expr.OpAnd:
			l, r := compile(s, n.Left), compile(s, n.Right)
			switch {
			case l == nil:
				return r
			case r == nil:
				return l
			}
			return andPred{l, r}
		case expr.OpOr:
			l, r := compile(s, n.Left), compile(s, n.Right)
			if l == nil || r == nil {
				return nil
			}
			return orPred{l, r}
		}
		if n.Op.IsComparison() {
			return compileCmp(s, n)
		}
	case *expr.In:
		if !n.Negated {
			return compileIn(s, n)
		}
	case *expr.Unary:
		if n.Op == expr.OpIsNull || n.Op == expr.OpIsNotNull {
			if f, _, ok := column(s, n.Expr); ok {
				return &nullPred{field: f, isNull: n.Op == expr.OpIsNull}
			}
		}
	}
	return nil
}

// flipped maps lit op col to col op' lit.
var flipped = map[expr.BinaryOp]expr.BinaryOp{
	expr.OpEq: expr.OpEq, expr.OpNotEq: expr.OpNotEq,
	expr.OpLt: expr.OpGt, expr.OpLtEq: expr.OpGtEq,
	expr.OpGt: expr.OpLt, expr.OpGtEq: expr.OpLtEq,
}

func compileCmp(s *arrow.Schema, b *expr.Binary) pred {
	colSide, litSide, op := b.Left, b.Right, b.Op
	if _, ok := expr.Unwrap(colSide).(*expr.Literal); ok {
		colSide, litSide, op = b.Right, b.Left, flipped[b.Op]
	}
	f, ct, ok := column(s, colSide)
	if !ok {
		return nil
	}
	lit, ok := literal(litSide)
	if !ok {
		return nil
	}
	d, ok := commonDomain(ct, lit.DataType)
	if !ok {
		return nil
	}
	v, ok := toScalar(lit.Value, d)
	if !ok {
		return nil
	}
	return &cmpPred{field: f, op: op, lit: v, d: d, nan: expr.IsFloat(ct)}
}

func compileIn(s *arrow.Schema, n *expr.In) pred {
	f, ct, ok := column(s, n.Expr)
	if !ok {
		return nil
	}
	p := &inPred{field: f}
	for _, item := range n.List {
		lit, ok := literal(item)
		if !ok {
			return nil
		}
		if lit.IsNull() {
			continue // never equal to anything
		}
		d, ok := commonDomain(ct, lit.DataType)
		if !ok || (len(p.lits) > 0 && d != p.d) {
			return nil
		}
		v, ok := toScalar(lit.Value, d)
		if !ok {
			return nil
		}
		p.d = d
		p.lits = append(p.lits, v)
	}
	return p
}

// column resolves e as a column of s.
func column(s *arrow.Schema, e expr.Expr) (int, arrow.DataType, bool) {
	c, ok := expr.Unwrap(e).(*expr.Column)
	if !ok {
		return 0, nil, false
	}
	i, err := expr.Resolve(s, c)
	if err != nil {
		return 0, nil, false
	}
	return i, s.Field(i).Type, true
}

// literal returns e as a valid literal.
func literal(e expr.Expr) (*expr.Literal, bool) {
	l, ok := expr.Unwrap(e).(*expr.Literal)
	if !ok || l.Err != nil || l.DataType == nil {
		return nil, false
	}
	return l, true
}

// commonDomain is the domain of the type a column and a literal compare in.
func commonDomain(col, lit arrow.DataType) (domain, bool) {
	if expr.IsNullType(lit) {
		return 0, false
	}
	t, ok := expr.CommonType(col, lit)
	if !ok {
		return 0, false
	}
	return domainOf(t)
}
