package plan

import (
	"context"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/io/source"
)

// EmptyName is the source name of an empty relation, as EXPLAIN shows it
// ("Scan: <empty>").
const EmptyName = "<empty>"

// NewEmpty returns a relation with the given schema and no rows: a Scan of
// a source that holds nothing. The optimizer puts it where it proves a
// subtree returns no rows (a filter that is always false, a limit of 0).
// Being an ordinary Scan, it needs no support of its own from the physical
// planner or the reference evaluator. Field metadata (qualifiers) is kept,
// so the relation can replace any node with the same schema.
func NewEmpty(schema *arrow.Schema) *Scan {
	s, err := NewScan(emptySource{schema: schema}, "")
	if err != nil {
		panic("internal error: empty scan: " + err.Error())
	}
	return s
}

// IsEmpty reports whether n is a relation made by NewEmpty.
func IsEmpty(n Node) bool {
	s, ok := n.(*Scan)
	if !ok {
		return false
	}
	_, ok = s.Source.(emptySource)
	return ok
}

// emptySource is a Source without rows.
type emptySource struct{ schema *arrow.Schema }

var _ source.Source = emptySource{}

// Name is EmptyName.
func (emptySource) Name() string { return EmptyName }

// Schema is the schema the relation was made with.
func (e emptySource) Schema() *arrow.Schema { return e.schema }

// Stats says exactly that there is nothing.
func (e emptySource) Stats() source.Stats {
	cols := make([]source.ColumnStats, e.schema.NumFields())
	return source.Stats{Rows: 0, Bytes: 0, Columns: cols}
}

// Splits returns no split.
func (emptySource) Splits(context.Context, source.ScanRequest) ([]source.Split, error) {
	return nil, nil
}
