package frame

import (
	"errors"
	"fmt"
	"reflect"
)

// Sentinel errors of package frame. Errors from lower layers keep their own
// sentinels (expr.ErrUnknownColumn, expr.ErrType, mempool.ErrMemoryLimit,
// context.Canceled…), reachable with errors.Is through the wrapping below.
var (
	// ErrInvalidOption reports an option value NewSession cannot use, such
	// as a non-positive batch size. It surfaces from Session.Err and from
	// every DataFrame of the session.
	ErrInvalidOption = errors.New("invalid option")
	// ErrSessionClosed reports a DataFrame built from, or an action run on,
	// a Session after Close.
	ErrSessionClosed = errors.New("session closed")
	// ErrInvalidInput reports source data or arguments frame cannot use:
	// columns of different lengths, duplicate column names, records with
	// different schemas, a negative limit, an empty sort key list…
	ErrInvalidInput = errors.New("invalid input")
	// ErrUnsupportedType reports a Go type frame cannot turn into an Arrow
	// column (see FromStructs and Col).
	ErrUnsupportedType = errors.New("unsupported type")
	// ErrUnsupported reports a transformation the current planner cannot
	// express (for example aliasing the result of a join).
	ErrUnsupported = errors.New("unsupported")
)

// StepError is the error of a DataFrame whose construction failed. Step
// names the transformation that failed, in the form the user wrote it
// ("Filter(metrc > 10)"); Err is the cause. The error travels unchanged
// through later transformations and is returned by every action, so
//
//	frame: Filter(metrc > 10): unknown column "metrc"; did you mean "metric"?
//
// points at the step to fix. errors.Is and errors.As see through it to the
// cause.
type StepError struct {
	Step string
	Err  error
}

// Error is "frame: <step>: <cause>".
func (e *StepError) Error() string { return "frame: " + e.Step + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *StepError) Unwrap() error { return e.Err }

// FieldTypeError reports a struct field or Go value whose type frame cannot
// store in an Arrow column. It wraps ErrUnsupportedType.
type FieldTypeError struct {
	Field string       // struct field name, or the column name
	Type  reflect.Type // the offending Go type
}

// Error names the field and its type.
func (e *FieldTypeError) Error() string {
	return fmt.Sprintf("field %s of Go type %s: %v", e.Field, e.Type, ErrUnsupportedType)
}

// Unwrap returns ErrUnsupportedType.
func (e *FieldTypeError) Unwrap() error { return ErrUnsupportedType }

// invalidInput returns an error wrapping ErrInvalidInput.
func invalidInput(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidInput, fmt.Sprintf(format, args...))
}
