package expr

import (
	"github.com/apache/arrow/go/v17/arrow"
)

// AggFunc names an aggregate function.
type AggFunc uint8

// Aggregate functions. All ignore NULL inputs. Over no non-NULL input, COUNT
// is 0 and the others are NULL.
const (
	AggCount AggFunc = iota // count(x) counts non-NULL values; count(*) when Arg is nil
	AggSum                  // int → int64 (ErrOverflow), uint → uint64, float → float64
	AggMin
	AggMax
	AggAvg // float64
)

var aggNames = [...]string{"count", "sum", "min", "max", "avg"}

func (f AggFunc) String() string { return aggNames[f] }

// Agg is an aggregate function call. It may appear only in the aggregate
// list of an aggregation (possibly under an Alias).
type Agg struct {
	Func     AggFunc
	Arg      Expr // nil for count(*)
	Distinct bool // aggregate distinct values only
}

// Count counts the non-NULL values of x.
func Count(x Expr) E { return wrap(&Agg{Func: AggCount, Arg: Unwrap(x)}) }

// CountStar counts rows.
func CountStar() E { return wrap(&Agg{Func: AggCount}) }

// CountDistinct counts the distinct non-NULL values of x.
func CountDistinct(x Expr) E { return wrap(&Agg{Func: AggCount, Arg: Unwrap(x), Distinct: true}) }

// Sum adds the values of x.
func Sum(x Expr) E { return wrap(&Agg{Func: AggSum, Arg: Unwrap(x)}) }

// Min is the smallest value of x.
func Min(x Expr) E { return wrap(&Agg{Func: AggMin, Arg: Unwrap(x)}) }

// Max is the largest value of x.
func Max(x Expr) E { return wrap(&Agg{Func: AggMax, Arg: Unwrap(x)}) }

// Avg is the mean of x, as float64.
func Avg(x Expr) E { return wrap(&Agg{Func: AggAvg, Arg: Unwrap(x)}) }

func (a *Agg) String() string {
	switch {
	case a.Arg == nil:
		return a.Func.String() + "(*)"
	case a.Distinct:
		return a.Func.String() + "(DISTINCT " + a.Arg.String() + ")"
	default:
		return a.Func.String() + "(" + a.Arg.String() + ")"
	}
}

func (a *Agg) Children() []Expr {
	if a.Arg == nil {
		return nil
	}
	return []Expr{a.Arg}
}

func (a *Agg) WithChildren(ch []Expr) Expr {
	if a.Arg == nil {
		mustArity("count(*)", ch, 0)
		return a
	}
	mustArity(a.Func.String(), ch, 1)
	return &Agg{Func: a.Func, Arg: Unwrap(ch[0]), Distinct: a.Distinct}
}
func (*Agg) isExpr() {}

// Type derives the aggregate's result type from its argument's.
func (a *Agg) Type(in *arrow.Schema) (arrow.DataType, error) {
	if a.Arg == nil {
		return arrow.PrimitiveTypes.Int64, nil
	}
	t, err := a.Arg.Type(in)
	if err != nil {
		return nil, err
	}
	return AggResultType(a, t)
}

// AggResultType returns the result type of aggregate a over input type t.
func AggResultType(a *Agg, t arrow.DataType) (arrow.DataType, error) {
	switch a.Func {
	case AggCount:
		return arrow.PrimitiveTypes.Int64, nil
	case AggSum:
		switch {
		case IsSignedInt(t), IsNullType(t):
			return arrow.PrimitiveTypes.Int64, nil
		case IsUnsignedInt(t):
			return arrow.PrimitiveTypes.Uint64, nil
		case IsFloat(t):
			return arrow.PrimitiveTypes.Float64, nil
		}
		return nil, typeErr(a, "cannot sum %s", t)
	case AggAvg:
		if !IsNumeric(t) && !IsNullType(t) {
			return nil, typeErr(a, "cannot average %s", t)
		}
		return arrow.PrimitiveTypes.Float64, nil
	default:
		if !IsOrderable(t) {
			return nil, typeErr(a, "%s values have no order", t)
		}
		return t, nil
	}
}

// ContainsAgg reports whether e contains an aggregate call.
func ContainsAgg(e Expr) bool {
	found := false
	Inspect(e, func(n Expr) bool {
		if _, ok := n.(*Agg); ok {
			found = true
		}
		return !found
	})
	return found
}
