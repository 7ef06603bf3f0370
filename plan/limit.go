package plan

import (
	"strconv"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/expr"
)

// NoLimit is the Count of a Limit that only skips rows.
const NoLimit = -1

// Limit skips the first Offset rows of its input and returns at most Count
// of the rest (all of them when Count is NoLimit). Over an unsorted input
// which rows are returned is unspecified.
type Limit struct {
	Input  Node
	Offset int64
	Count  int64
}

var _ Node = (*Limit)(nil)

// NewLimit checks offset >= 0 and count >= 0 or count == NoLimit.
func NewLimit(input Node, offset, count int64) (*Limit, error) {
	if err := checkArity("limit", []Node{input}, 1); err != nil {
		return nil, err
	}
	if offset < 0 {
		return nil, invalidf("limit", "negative offset %d", offset)
	}
	if count < NoLimit {
		return nil, invalidf("limit", "negative count %d", count)
	}
	return &Limit{Input: input, Offset: offset, Count: count}, nil
}

// Schema is the input's schema.
func (l *Limit) Schema() *arrow.Schema { return l.Input.Schema() }

// Children is the input.
func (l *Limit) Children() []Node { return []Node{l.Input} }

// WithChildren returns a copy over a new input.
func (l *Limit) WithChildren(ch []Node) (Node, error) {
	if err := checkArity("limit", ch, 1); err != nil {
		return nil, err
	}
	return NewLimit(ch[0], l.Offset, l.Count)
}

// Exprs is empty.
func (l *Limit) Exprs() []expr.Expr { return nil }

// String is "Limit: n", "Limit: n offset=m" or "Limit: all offset=m".
func (l *Limit) String() string {
	s := "Limit: all"
	if l.Count != NoLimit {
		s = "Limit: " + strconv.FormatInt(l.Count, 10)
	}
	if l.Offset > 0 {
		s += " offset=" + strconv.FormatInt(l.Offset, 10)
	}
	return s
}

func (*Limit) isNode() {}
