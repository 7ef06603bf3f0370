package expr

import (
	"github.com/apache/arrow/go/v17/arrow"
)

// BinaryOp is the operator of a Binary expression.
type BinaryOp uint8

// Binary operators.
const (
	OpAdd BinaryOp = iota
	OpSub
	OpMul
	OpDiv // integer division truncates toward zero; float division follows IEEE
	OpMod // sign of the dividend, as in Go, SQL and Spark
	OpEq
	OpNotEq
	OpLt
	OpLtEq
	OpGt
	OpGtEq
	OpAnd // three-valued: false AND NULL = false
	OpOr  // three-valued: true OR NULL = true
)

var binaryOpText = [...]string{"+", "-", "*", "/", "%", "=", "!=", "<", "<=", ">", ">=", "AND", "OR"}

func (op BinaryOp) String() string { return binaryOpText[op] }

// IsArithmetic reports whether op is + - * / %.
func (op BinaryOp) IsArithmetic() bool { return op <= OpMod }

// IsComparison reports whether op is = != < <= > >=.
func (op BinaryOp) IsComparison() bool { return op >= OpEq && op <= OpGtEq }

// IsLogical reports whether op is AND or OR.
func (op BinaryOp) IsLogical() bool { return op == OpAnd || op == OpOr }

// Binary is an arithmetic, comparison or logical operation on two operands.
//
// Arithmetic promotes both operands to CommonNumeric; date32 ± integer adds
// days and yields date32. Integer overflow and integer division by zero are
// errors (ErrOverflow, ErrDivideByZero) at run time. Comparisons need
// operands of a common type and yield boolean. AND/OR need booleans.
type Binary struct {
	Op          BinaryOp
	Left, Right Expr
}

// NewBinary builds a binary expression.
func NewBinary(op BinaryOp, l, r Expr) E {
	return wrap(&Binary{Op: op, Left: Unwrap(l), Right: Unwrap(r)})
}

func (b *Binary) String() string {
	return operand(b.Left) + " " + b.Op.String() + " " + operand(b.Right)
}

// operand renders a child, parenthesising compound children so the text is
// unambiguous without precedence rules.
func operand(e Expr) string {
	switch e.(type) {
	case *Binary, *Unary, *In, *Alias:
		return "(" + e.String() + ")"
	}
	return e.String()
}

func (b *Binary) Children() []Expr { return []Expr{b.Left, b.Right} }
func (b *Binary) WithChildren(ch []Expr) Expr {
	mustArity("binary", ch, 2)
	return &Binary{Op: b.Op, Left: Unwrap(ch[0]), Right: Unwrap(ch[1])}
}
func (*Binary) isExpr() {}

// Type derives the result type; see Binary for the rules.
func (b *Binary) Type(in *arrow.Schema) (arrow.DataType, error) {
	lt, err := b.Left.Type(in)
	if err != nil {
		return nil, err
	}
	rt, err := b.Right.Type(in)
	if err != nil {
		return nil, err
	}
	switch {
	case b.Op.IsArithmetic():
		return arithmeticType(b, lt, rt)
	case b.Op.IsComparison():
		if _, ok := CommonType(lt, rt); !ok {
			return nil, typeErr(b, "cannot compare %s with %s", lt, rt)
		}
		if !b.Op.isEquality() && !IsOrderable(lt) {
			return nil, typeErr(b, "%s values have no order", lt)
		}
		return arrow.FixedWidthTypes.Boolean, nil
	default:
		if !isBoolish(lt) || !isBoolish(rt) {
			return nil, typeErr(b, "%s needs boolean operands, got %s and %s", b.Op, lt, rt)
		}
		return arrow.FixedWidthTypes.Boolean, nil
	}
}

func (op BinaryOp) isEquality() bool { return op == OpEq || op == OpNotEq }

func isBoolish(t arrow.DataType) bool { return t.ID() == arrow.BOOL || IsNullType(t) }

func arithmeticType(b *Binary, lt, rt arrow.DataType) (arrow.DataType, error) {
	if t, ok := CommonNumeric(lt, rt); ok {
		if IsNullType(t) {
			return arrow.PrimitiveTypes.Int64, nil
		}
		return t, nil
	}
	// date ± days
	if (b.Op == OpAdd || b.Op == OpSub) && lt.ID() == arrow.DATE32 && (IsInteger(rt) || IsNullType(rt)) {
		return lt, nil
	}
	if b.Op == OpAdd && rt.ID() == arrow.DATE32 && IsInteger(lt) {
		return rt, nil
	}
	return nil, typeErr(b, "cannot apply %s to %s and %s", b.Op, lt, rt)
}

// UnaryOp is the operator of a Unary expression.
type UnaryOp uint8

// Unary operators.
const (
	OpNot       UnaryOp = iota // three-valued: NOT NULL = NULL
	OpNeg                      // arithmetic negation; -MinInt64 overflows
	OpIsNull                   // never NULL
	OpIsNotNull                // never NULL
)

// Unary is a one-operand operation.
type Unary struct {
	Op   UnaryOp
	Expr Expr
}

func (u *Unary) String() string {
	switch u.Op {
	case OpNot:
		return "NOT " + operand(u.Expr)
	case OpNeg:
		return "-" + operand(u.Expr)
	case OpIsNull:
		return operand(u.Expr) + " IS NULL"
	default:
		return operand(u.Expr) + " IS NOT NULL"
	}
}

func (u *Unary) Children() []Expr { return []Expr{u.Expr} }
func (u *Unary) WithChildren(ch []Expr) Expr {
	mustArity("unary", ch, 1)
	return &Unary{Op: u.Op, Expr: Unwrap(ch[0])}
}
func (*Unary) isExpr() {}

// Type derives the result type: boolean for NOT and the null tests, the
// operand's numeric type for negation.
func (u *Unary) Type(in *arrow.Schema) (arrow.DataType, error) {
	t, err := u.Expr.Type(in)
	if err != nil {
		return nil, err
	}
	switch u.Op {
	case OpNot:
		if !isBoolish(t) {
			return nil, typeErr(u, "NOT needs a boolean, got %s", t)
		}
		return arrow.FixedWidthTypes.Boolean, nil
	case OpNeg:
		if IsNullType(t) {
			return arrow.PrimitiveTypes.Int64, nil
		}
		if !IsNumeric(t) {
			return nil, typeErr(u, "cannot negate %s", t)
		}
		return t, nil
	default:
		return arrow.FixedWidthTypes.Boolean, nil
	}
}
