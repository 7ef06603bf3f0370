package agg

import (
	"errors"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/expr"
)

// ErrInvalidSpec reports an aggregation spec that does not fit its input: a
// column index out of range, DISTINCT outside Single mode, an unknown mode
// or function, or Final-mode state columns of the wrong types. Type errors
// of the aggregate itself (summing strings) wrap expr.ErrType instead.
var ErrInvalidSpec = errors.New("invalid aggregation spec")

// ErrResultTooLarge reports string or binary results of one output batch
// whose bytes exceed the 32-bit offsets of their Arrow type.
var ErrResultTooLarge = errors.New("result exceeds the offset range of its type")

// Mode says what an aggregation consumes and produces. A two-phase
// aggregation runs Partial on each input partition, exchanges the partial
// states by group key and merges them with Final; Single does both at once.
type Mode uint8

const (
	// Single turns raw input rows into final values.
	Single Mode = iota
	// Partial turns raw input rows into partial states (see StateFields).
	Partial
	// Final merges partial states into final values.
	Final
)

var modeNames = [...]string{"single", "partial", "final"}

// String returns "single", "partial" or "final".
func (m Mode) String() string {
	if int(m) < len(modeNames) {
		return modeNames[m]
	}
	return fmt.Sprintf("mode(%d)", m)
}

// AggSpec is one aggregate of an aggregation.
type AggSpec struct {
	// Func is the aggregate function.
	Func expr.AggFunc
	// Input is the column index of the argument in the input, or -1 for
	// count(*). In Final mode it is the index of the aggregate's first
	// partial-state column; the aggregate reads StateWidth(Func)
	// consecutive columns from there.
	Input int
	// Distinct aggregates distinct argument values only (count(DISTINCT x),
	// sum(DISTINCT x), ...). Only Single mode supports it: DISTINCT
	// aggregates do not decompose into mergeable states.
	Distinct bool
	// Name is the output column name. In Partial mode the state columns are
	// named after it (see StateFields).
	Name string
}

// Spec describes a hash aggregation. The planner puts a projection below
// the aggregate, so keys and arguments are plain input columns.
type Spec struct {
	// GroupBy lists the group-key column indexes of the input. Empty means
	// a global aggregate, which outputs exactly one row.
	GroupBy []int
	// Aggs are the aggregates, in output order.
	Aggs []AggSpec
	// Mode says whether the input holds raw rows or partial states.
	Mode Mode
	// SizeHint is the expected number of groups, from statistics; 0 means
	// unknown. When the pool grants the memory up front, the hash table and
	// accumulators are presized for it, which saves rehashing (a large win
	// beyond a million groups). It never changes the result.
	SizeHint int
	// SkipPartial makes a Partial-mode aggregation adaptive: when it does
	// not reduce its input, it stops aggregating and passes rows through
	// as partial states (see SkipPartial). The zero value enables it with
	// the defaults; other modes ignore it.
	SkipPartial SkipPartial
}

// StateWidth is the number of partial-state columns of an aggregate: 2 for
// avg (sum and count), 1 for the others.
func StateWidth(f expr.AggFunc) int {
	if f == expr.AggAvg {
		return 2
	}
	return 1
}

// StateFields describes the partial-state columns of every aggregate of
// spec over input schema in, flattened in aggregate order: sum → [sum]
// (int64, uint64 or float64), count → [count int64], avg → [sum float64,
// count int64], min/max → [value] of the input type. Single-column states
// take the aggregate's name; avg's take Name+"_sum" and Name+"_count". The
// counts are never NULL; the other states are NULL for groups without a
// non-NULL input value.
//
// in is the raw input (as in Single or Partial mode). The planner uses
// these fields to build Partial → exchange → Final pipelines and eager
// pre-aggregation below joins.
func StateFields(spec Spec, in *arrow.Schema) ([]arrow.Field, error) {
	var out []arrow.Field
	for i, a := range spec.Aggs {
		t, err := argType(a, in)
		if err != nil {
			return nil, fmt.Errorf("aggregate %d (%s): %w", i, a.Name, err)
		}
		fs, err := stateFieldsOf(a, t)
		if err != nil {
			return nil, fmt.Errorf("aggregate %d (%s): %w", i, a.Name, err)
		}
		out = append(out, fs...)
	}
	return out, nil
}

// OutputSchema is the schema of the aggregation's output: the group-by
// fields of the input (metadata included), then one column per aggregate
// (Single and Final) or the state columns (Partial).
func OutputSchema(spec Spec, in *arrow.Schema) (*arrow.Schema, error) {
	if err := checkSpec(spec, in); err != nil {
		return nil, err
	}
	fields := make([]arrow.Field, 0, len(spec.GroupBy)+len(spec.Aggs))
	for _, g := range spec.GroupBy {
		fields = append(fields, in.Field(g))
	}
	if spec.Mode == Partial {
		st, err := StateFields(spec, in)
		if err != nil {
			return nil, err
		}
		return arrow.NewSchema(append(fields, st...), nil), nil
	}
	for i, a := range spec.Aggs {
		t, err := resultType(a, spec.Mode, in)
		if err != nil {
			return nil, fmt.Errorf("aggregate %d (%s): %w", i, a.Name, err)
		}
		fields = append(fields, arrow.Field{Name: a.Name, Type: t, Nullable: a.Func != expr.AggCount})
	}
	return arrow.NewSchema(fields, nil), nil
}

// checkSpec validates the mode, the column indexes and DISTINCT.
func checkSpec(spec Spec, in *arrow.Schema) error {
	if spec.Mode > Final {
		return fmt.Errorf("agg: %s: %w", spec.Mode, ErrInvalidSpec)
	}
	if err := spec.SkipPartial.check(); err != nil {
		return err
	}
	for _, g := range spec.GroupBy {
		if g < 0 || g >= in.NumFields() {
			return fmt.Errorf("agg: group-by column %d of %d: %w", g, in.NumFields(), ErrInvalidSpec)
		}
	}
	for i, a := range spec.Aggs {
		if a.Func > expr.AggAvg {
			return fmt.Errorf("agg: aggregate %d (%s): function %d: %w", i, a.Name, a.Func, ErrInvalidSpec)
		}
		if a.Distinct && spec.Mode != Single {
			return fmt.Errorf("agg: aggregate %d (%s): distinct aggregates need single mode, not %s: %w",
				i, a.Name, spec.Mode, ErrInvalidSpec)
		}
		width := 1
		if spec.Mode == Final {
			width = StateWidth(a.Func)
		}
		switch {
		case a.Input == -1 && a.Func == expr.AggCount && spec.Mode != Final:
		case a.Input < 0 || a.Input+width > in.NumFields():
			return fmt.Errorf("agg: aggregate %d (%s): input column %d of %d: %w",
				i, a.Name, a.Input, in.NumFields(), ErrInvalidSpec)
		}
	}
	return nil
}

// argType returns the type of a's argument in the raw input, or nil for
// count(*).
func argType(a AggSpec, in *arrow.Schema) (arrow.DataType, error) {
	if a.Input == -1 && a.Func == expr.AggCount {
		return nil, nil
	}
	if a.Input < 0 || a.Input >= in.NumFields() {
		return nil, fmt.Errorf("input column %d of %d: %w", a.Input, in.NumFields(), ErrInvalidSpec)
	}
	return in.Field(a.Input).Type, nil
}

// exprAgg returns the expression form of a, for expr's type rules and
// error messages.
func exprAgg(a AggSpec, name string) *expr.Agg {
	e := &expr.Agg{Func: a.Func, Distinct: a.Distinct}
	if a.Input >= 0 || a.Func != expr.AggCount {
		e.Arg = expr.Unwrap(expr.Col(name))
	}
	return e
}

// stateFieldsOf returns the state columns of a over argument type t (nil
// for count(*)).
func stateFieldsOf(a AggSpec, t arrow.DataType) ([]arrow.Field, error) {
	if t == nil {
		return []arrow.Field{{Name: a.Name, Type: arrow.PrimitiveTypes.Int64}}, nil
	}
	rt, err := expr.AggResultType(exprAgg(a, a.Name), t)
	if err != nil {
		return nil, err
	}
	switch a.Func {
	case expr.AggCount:
		return []arrow.Field{{Name: a.Name, Type: arrow.PrimitiveTypes.Int64}}, nil
	case expr.AggAvg:
		return []arrow.Field{
			{Name: a.Name + "_sum", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
			{Name: a.Name + "_count", Type: arrow.PrimitiveTypes.Int64},
		}, nil
	default: // sum: the result type; min/max: the input type
		return []arrow.Field{{Name: a.Name, Type: rt, Nullable: true}}, nil
	}
}

// resultType returns the output type of a in Single or Final mode.
func resultType(a AggSpec, mode Mode, in *arrow.Schema) (arrow.DataType, error) {
	if mode == Final {
		return finalType(a, in)
	}
	t, err := argType(a, in)
	if err != nil || t == nil {
		return arrow.PrimitiveTypes.Int64, err
	}
	return expr.AggResultType(exprAgg(a, in.Field(a.Input).Name), t)
}

// finalType checks the state columns of a in a Final input and returns the
// result type they produce.
func finalType(a AggSpec, in *arrow.Schema) (arrow.DataType, error) {
	st := in.Field(a.Input).Type
	bad := func(want string) error {
		return fmt.Errorf("state column %d is %s, want %s: %w", a.Input, st, want, ErrInvalidSpec)
	}
	switch a.Func {
	case expr.AggCount:
		if st.ID() != arrow.INT64 {
			return nil, bad("int64")
		}
		return st, nil
	case expr.AggSum:
		switch st.ID() {
		case arrow.INT64, arrow.UINT64, arrow.FLOAT64:
			return st, nil
		}
		return nil, bad("int64, uint64 or float64")
	case expr.AggAvg:
		if st.ID() != arrow.FLOAT64 {
			return nil, bad("float64")
		}
		if ct := in.Field(a.Input + 1).Type; ct.ID() != arrow.INT64 {
			return nil, fmt.Errorf("state column %d is %s, want int64: %w", a.Input+1, ct, ErrInvalidSpec)
		}
		return arrow.PrimitiveTypes.Float64, nil
	default:
		if !expr.IsOrderable(st) {
			return nil, bad("an orderable type")
		}
		return st, nil
	}
}
