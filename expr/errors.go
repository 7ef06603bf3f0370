package expr

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors. Callers check them with errors.Is; the concrete error
// types below carry the details and are reachable with errors.As.
var (
	// ErrType reports an expression whose operand types do not fit.
	ErrType = errors.New("type mismatch")
	// ErrUnknownColumn reports a reference to a column that does not exist.
	ErrUnknownColumn = errors.New("unknown column")
	// ErrAmbiguousColumn reports an unqualified reference that matches
	// columns of more than one relation (typically after a join).
	ErrAmbiguousColumn = errors.New("ambiguous column")
	// ErrOverflow reports integer overflow during evaluation.
	ErrOverflow = errors.New("integer overflow")
	// ErrDivideByZero reports integer division or modulo by zero.
	ErrDivideByZero = errors.New("division by zero")
)

// TypeError describes a type mismatch in one expression.
type TypeError struct {
	Expr string // canonical text of the offending expression
	Msg  string // what is wrong, e.g. "cannot apply + to string and int64"
}

func (e *TypeError) Error() string {
	return fmt.Sprintf("type mismatch in %q: %s", e.Expr, e.Msg)
}

// Unwrap returns ErrType.
func (e *TypeError) Unwrap() error { return ErrType }

func typeErr(e Expr, format string, args ...any) error {
	return &TypeError{Expr: e.String(), Msg: fmt.Sprintf(format, args...)}
}

// ColumnError describes a column reference that cannot be resolved.
type ColumnError struct {
	Name        string   // the reference as written
	Suggestions []string // similar existing names (unknown columns)
	Qualifiers  []string // relations holding the name (ambiguous columns)
	Available   []string // every column of the input, for context
	ambiguous   bool
}

func (e *ColumnError) Error() string {
	var sb strings.Builder
	if e.ambiguous {
		for _, q := range e.Qualifiers {
			if q == "" {
				return fmt.Sprintf("ambiguous column %q: %d input columns have that name; alias the inputs and qualify the reference", e.Name, len(e.Qualifiers))
			}
		}
		fmt.Fprintf(&sb, "ambiguous column %q: it exists in %s; qualify it", e.Name, strings.Join(e.Qualifiers, " and "))
		for i, q := range e.Qualifiers {
			if i == 0 {
				sb.WriteString(" as ")
			} else {
				sb.WriteString(" or ")
			}
			fmt.Fprintf(&sb, "%q", q+"."+e.Name)
		}
		return sb.String()
	}
	fmt.Fprintf(&sb, "unknown column %q", e.Name)
	if len(e.Suggestions) > 0 {
		quoted := make([]string, len(e.Suggestions))
		for i, s := range e.Suggestions {
			quoted[i] = fmt.Sprintf("%q", s)
		}
		fmt.Fprintf(&sb, "; did you mean %s?", strings.Join(quoted, " or "))
	} else if len(e.Available) > 0 && len(e.Available) <= 20 {
		fmt.Fprintf(&sb, "; available: %s", strings.Join(e.Available, ", "))
	}
	return sb.String()
}

// Unwrap returns ErrUnknownColumn or ErrAmbiguousColumn.
func (e *ColumnError) Unwrap() error {
	if e.ambiguous {
		return ErrAmbiguousColumn
	}
	return ErrUnknownColumn
}
