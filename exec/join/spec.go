package join

import (
	"errors"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/exec"
)

// ErrInvalidSpec is wrapped by the errors NewProbe and NewHashJoin return
// for a join that cannot run as described: an unknown join type, key index
// out of range, key counts or key types that differ between the sides, keys
// on a cross join, or a table built without the payload the join needs.
var ErrInvalidSpec = errors.New("invalid join spec")

// ErrBuildTooLarge is wrapped by the error Build returns when the build side
// has more rows than 32-bit row positions can address (2^31 - 1).
var ErrBuildTooLarge = errors.New("join build side too large")

// Type is the kind of join. The left input is the probe side and the right
// input is the build side: Left, Semi and Anti preserve or filter the probe
// rows; Right and Full preserve the build rows.
type Type uint8

const (
	// Inner emits every matching pair.
	Inner Type = iota
	// Left emits every matching pair, plus each unmatched left row with a
	// NULL right side.
	Left
	// Right emits every matching pair, plus each unmatched right row with a
	// NULL left side (after the whole left input was probed).
	Right
	// Full is Left and Right together.
	Full
	// Semi emits each left row once when it has at least one match
	// (EXISTS).
	Semi
	// Anti emits each left row that has no match, including rows with a NULL
	// key (NOT EXISTS, not NOT IN).
	Anti
	// Cross emits every pair of left and right rows. It takes no keys; a
	// residual predicate, when given, filters the pairs.
	Cross
)

// String returns the SQL-ish name of the join type, as EXPLAIN prints it.
func (t Type) String() string {
	switch t {
	case Inner:
		return "inner"
	case Left:
		return "left"
	case Right:
		return "right"
	case Full:
		return "full"
	case Semi:
		return "semi"
	case Anti:
		return "anti"
	case Cross:
		return "cross"
	}
	return fmt.Sprintf("join.Type(%d)", uint8(t))
}

// preservesLeft reports whether unmatched left rows are emitted with a NULL
// right side.
func (t Type) preservesLeft() bool { return t == Left || t == Full }

// preservesRight reports whether unmatched right rows are emitted with a
// NULL left side.
func (t Type) preservesRight() bool { return t == Right || t == Full }

// filtersLeft reports whether the join emits left rows only (Semi, Anti).
func (t Type) filtersLeft() bool { return t == Semi || t == Anti }

// Spec describes one equi-join.
type Spec struct {
	// Type is the kind of join.
	Type Type
	// LeftKeys are the key column indexes in the left (probe) input.
	LeftKeys []int
	// RightKeys are the key column indexes in the right (build) input, as
	// many as LeftKeys. The planner casts keys to a common type beforehand,
	// so the key types of both sides are equal. With no keys at all every
	// pair of rows is a candidate (a nested-loop join filtered by Residual).
	RightKeys []int
	// NullsEqual makes NULL keys match each other (IS NOT DISTINCT FROM).
	// By default a row with any NULL key column never matches.
	NullsEqual bool
	// Residual is an optional predicate over the joined row (schema: the
	// left fields followed by the right fields) that a candidate pair must
	// satisfy to count as a match, as in an SQL ON clause: a left row whose
	// candidates all fail it is unmatched for Left, Full and Anti joins.
	// A Selector is used by one goroutine at a time, so each probe of a
	// shared Table needs its own.
	Residual exec.Selector
}

// OutputSchema returns the schema of a join's output. Semi and Anti joins
// return the left schema; the others return the left fields followed by
// the right fields, with the fields of a null-supplying side made nullable
// (the right side of Left, the left side of Right, both sides of Full).
func OutputSchema(t Type, left, right *arrow.Schema) *arrow.Schema {
	if t.filtersLeft() {
		return left
	}
	fields := make([]arrow.Field, 0, left.NumFields()+right.NumFields())
	fields = appendFields(fields, left, t.preservesRight())
	fields = appendFields(fields, right, t.preservesLeft())
	return arrow.NewSchema(fields, nil)
}

// appendFields appends the fields of s, made nullable when nullable is set.
func appendFields(dst []arrow.Field, s *arrow.Schema, nullable bool) []arrow.Field {
	for _, f := range s.Fields() {
		if nullable {
			f.Nullable = true
		}
		dst = append(dst, f)
	}
	return dst
}

// pairSchema is the schema of candidate pairs, which the residual sees: the
// output schema, or for Semi and Anti joins the inner join schema.
func pairSchema(t Type, left, right *arrow.Schema) *arrow.Schema {
	if t.filtersLeft() {
		return OutputSchema(Inner, left, right)
	}
	return OutputSchema(t, left, right)
}

// validate checks spec against the input schemas and returns an error
// wrapping ErrInvalidSpec when it does not fit them.
func (s *Spec) validate(left, right *arrow.Schema) error {
	if s.Type > Cross {
		return fmt.Errorf("join: unknown type %d: %w", uint8(s.Type), ErrInvalidSpec)
	}
	if len(s.LeftKeys) != len(s.RightKeys) {
		return fmt.Errorf("join: %d left keys but %d right keys: %w", len(s.LeftKeys), len(s.RightKeys), ErrInvalidSpec)
	}
	if s.Type == Cross && len(s.LeftKeys) > 0 {
		return fmt.Errorf("join: cross join with %d keys: %w", len(s.LeftKeys), ErrInvalidSpec)
	}
	if err := checkKeys("left", s.LeftKeys, left); err != nil {
		return err
	}
	if err := checkKeys("right", s.RightKeys, right); err != nil {
		return err
	}
	for i := range s.LeftKeys {
		lt, rt := left.Field(s.LeftKeys[i]).Type, right.Field(s.RightKeys[i]).Type
		if !arrow.TypeEqual(lt, rt) {
			return fmt.Errorf("join: key %d has type %s on the left and %s on the right: %w", i, lt, rt, ErrInvalidSpec)
		}
	}
	return nil
}

// checkKeys checks that every key index is a column of s.
func checkKeys(side string, keys []int, s *arrow.Schema) error {
	for i, k := range keys {
		if k < 0 || k >= s.NumFields() {
			return fmt.Errorf("join: %s key %d is column %d of %d: %w", side, i, k, s.NumFields(), ErrInvalidSpec)
		}
	}
	return nil
}

// counter returns the extra counter name of m (shared by every operator of
// one plan node), or nil when m is nil.
func counter(m *exec.Metrics, name string) *exec.Counter {
	if m == nil {
		return nil
	}
	return m.NewCounter(name)
}

// add adds n to c when c is not nil.
func add(c *exec.Counter, n int) {
	if c != nil {
		c.Value.Add(int64(n))
	}
}
