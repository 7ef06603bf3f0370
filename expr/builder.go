package expr

import "github.com/apache/arrow/go/v17/arrow"

// Add is e + o.
func (e E) Add(o Expr) E { return NewBinary(OpAdd, e, o) }

// Sub is e - o.
func (e E) Sub(o Expr) E { return NewBinary(OpSub, e, o) }

// Mul is e * o.
func (e E) Mul(o Expr) E { return NewBinary(OpMul, e, o) }

// Div is e / o (integer division for integers).
func (e E) Div(o Expr) E { return NewBinary(OpDiv, e, o) }

// Mod is e % o.
func (e E) Mod(o Expr) E { return NewBinary(OpMod, e, o) }

// Eq is e = o.
func (e E) Eq(o Expr) E { return NewBinary(OpEq, e, o) }

// NotEq is e != o.
func (e E) NotEq(o Expr) E { return NewBinary(OpNotEq, e, o) }

// Lt is e < o.
func (e E) Lt(o Expr) E { return NewBinary(OpLt, e, o) }

// LtEq is e <= o.
func (e E) LtEq(o Expr) E { return NewBinary(OpLtEq, e, o) }

// Gt is e > o.
func (e E) Gt(o Expr) E { return NewBinary(OpGt, e, o) }

// GtEq is e >= o.
func (e E) GtEq(o Expr) E { return NewBinary(OpGtEq, e, o) }

// And is e AND o.
func (e E) And(o Expr) E { return NewBinary(OpAnd, e, o) }

// Or is e OR o.
func (e E) Or(o Expr) E { return NewBinary(OpOr, e, o) }

// Not is NOT e.
func (e E) Not() E { return Not(e) }

// Neg is -e.
func (e E) Neg() E { return wrap(&Unary{Op: OpNeg, Expr: Unwrap(e)}) }

// IsNull is e IS NULL.
func (e E) IsNull() E { return wrap(&Unary{Op: OpIsNull, Expr: Unwrap(e)}) }

// IsNotNull is e IS NOT NULL.
func (e E) IsNotNull() E { return wrap(&Unary{Op: OpIsNotNull, Expr: Unwrap(e)}) }

// In is e IN (list...).
func (e E) In(list ...Expr) E { return wrap(&In{Expr: Unwrap(e), List: unwrapAll(list)}) }

// NotIn is e NOT IN (list...).
func (e E) NotIn(list ...Expr) E {
	return wrap(&In{Expr: Unwrap(e), List: unwrapAll(list), Negated: true})
}

// Between is lo <= e AND e <= hi.
func (e E) Between(lo, hi Expr) E { return e.GtEq(lo).And(e.LtEq(hi)) }

// Cast converts e to type t.
func (e E) Cast(t arrow.DataType) E { return wrap(&Cast{Expr: Unwrap(e), To: t}) }

// As names e.
func (e E) As(name string) E { return wrap(&Alias{Expr: Unwrap(e), Name: name}) }

// Not is NOT e.
func Not(e Expr) E { return wrap(&Unary{Op: OpNot, Expr: Unwrap(e)}) }

// And joins predicates with AND (true when there are none).
func And(preds ...Expr) E {
	if len(preds) == 0 {
		return Lit(true)
	}
	out := wrap(Unwrap(preds[0]))
	for _, p := range preds[1:] {
		out = out.And(p)
	}
	return out
}
