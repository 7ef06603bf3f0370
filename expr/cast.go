package expr

import (
	"github.com/apache/arrow/go/v17/arrow"
)

// Cast converts a value to another type. Supported: between numeric types
// (out-of-range integers raise ErrOverflow; float to integer truncates),
// numeric or boolean or date/timestamp to string, string to numeric, boolean,
// date32 or timestamp (unparsable strings give NULL, as Spark's non-ANSI
// mode does), boolean to and from numeric, date32 to and from timestamp.
type Cast struct {
	Expr Expr
	To   arrow.DataType
}

func (c *Cast) String() string { return "CAST(" + c.Expr.String() + " AS " + c.To.String() + ")" }

func (c *Cast) Children() []Expr { return []Expr{c.Expr} }
func (c *Cast) WithChildren(ch []Expr) Expr {
	mustArity("cast", ch, 1)
	return &Cast{Expr: Unwrap(ch[0]), To: c.To}
}
func (*Cast) isExpr() {}

// Type returns To when the conversion is supported.
func (c *Cast) Type(in *arrow.Schema) (arrow.DataType, error) {
	from, err := c.Expr.Type(in)
	if err != nil {
		return nil, err
	}
	if !CanCast(from, c.To) {
		return nil, typeErr(c, "cannot cast %s to %s", from, c.To)
	}
	return c.To, nil
}

// CanCast reports whether Cast supports converting from to to.
func CanCast(from, to arrow.DataType) bool {
	if arrow.TypeEqual(from, to) || IsNullType(from) {
		return true
	}
	scalar := func(t arrow.DataType) bool {
		return IsNumeric(t) || t.ID() == arrow.BOOL
	}
	switch {
	case scalar(from) && scalar(to):
		return true
	case IsString(to):
		return scalar(from) || IsTemporal(from) || IsString(from)
	case IsString(from):
		return scalar(to) || IsTemporal(to)
	case IsTemporal(from) && IsTemporal(to):
		return true
	}
	return false
}
