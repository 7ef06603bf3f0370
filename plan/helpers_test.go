package plan

import (
	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/io/memtable"
)

// Schemas of the test tables. The tables hold no rows: the analyzer only
// looks at schemas.
var (
	factSchema = arrow.NewSchema([]arrow.Field{
		{Name: "entity", Type: arrow.BinaryTypes.String},
		{Name: "grp", Type: arrow.PrimitiveTypes.Int64},
		{Name: "metric", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "qty", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "day", Type: arrow.FixedWidthTypes.Date32},
	}, nil)
	dimSchema = arrow.NewSchema([]arrow.Field{
		{Name: "grp", Type: arrow.PrimitiveTypes.Int32},
		{Name: "dim_key", Type: arrow.BinaryTypes.String},
		{Name: "weight", Type: arrow.PrimitiveTypes.Float64},
	}, nil)
	// otherSchema mirrors fact's first columns with narrower or
	// incompatible types, for Union tests.
	otherSchema = arrow.NewSchema([]arrow.Field{
		{Name: "name", Type: arrow.BinaryTypes.String},
		{Name: "g", Type: arrow.PrimitiveTypes.Int16},
		{Name: "m", Type: arrow.PrimitiveTypes.Float32},
		{Name: "q", Type: arrow.PrimitiveTypes.Int64},
		{Name: "d", Type: arrow.FixedWidthTypes.Date32},
	}, nil)
	mapSchema = arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "tags", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
	}, nil)
)

func emptyTable(name string, s *arrow.Schema) *memtable.Table {
	t, err := memtable.New(name, s, nil)
	if err != nil {
		panic(err)
	}
	return t
}

var (
	factTable  = emptyTable("fact", factSchema)
	dimTable   = emptyTable("dim", dimSchema)
	otherTable = emptyTable("other", otherSchema)
	listTable  = emptyTable("lists", mapSchema)
)

// pb chains plan constructors in tests, carrying the first error along, so
// a named plan reads top-down like the tree it builds.
type pb struct {
	n   Node
	err error
}

func scan(t *memtable.Table, alias string) pb {
	s, err := NewScan(t, alias)
	return pb{s, err}
}

func (b pb) then(f func(Node) (Node, error)) pb {
	if b.err != nil {
		return b
	}
	n, err := f(b.n)
	return pb{n, err}
}

func (b pb) pushdown(cols []int, filters ...expr.Expr) pb {
	return b.then(func(n Node) (Node, error) { return n.(*Scan).WithPushdown(cols, filters) })
}

func (b pb) project(es ...expr.Expr) pb {
	return b.then(func(n Node) (Node, error) { return NewProject(n, es) })
}

func (b pb) filter(p expr.Expr) pb {
	return b.then(func(n Node) (Node, error) { return NewFilter(n, p) })
}

func (b pb) agg(group []expr.Expr, aggs ...expr.Expr) pb {
	return b.then(func(n Node) (Node, error) { return NewAggregate(n, group, aggs) })
}

func (b pb) join(r pb, typ JoinType, filter expr.Expr, keys ...JoinKey) pb {
	if r.err != nil {
		return r
	}
	return b.then(func(n Node) (Node, error) { return NewJoin(n, r.n, typ, keys, filter) })
}

func (b pb) sort(keys ...SortKey) pb {
	return b.then(func(n Node) (Node, error) { return NewSort(n, keys) })
}

func (b pb) limit(offset, count int64) pb {
	return b.then(func(n Node) (Node, error) { return NewLimit(n, offset, count) })
}

func (b pb) distinct() pb {
	return b.then(func(n Node) (Node, error) { return NewDistinct(n) })
}

func union(bs ...pb) pb {
	ins := make([]Node, len(bs))
	for i, b := range bs {
		if b.err != nil {
			return b
		}
		ins[i] = b.n
	}
	u, err := NewUnion(ins...)
	return pb{u, err}
}

// key is a join key pair.
func key(l, r expr.Expr) JoinKey { return JoinKey{Left: l, Right: r} }

// es lists expressions.
func es(e ...expr.Expr) []expr.Expr { return e }

var (
	col  = expr.Col
	qcol = expr.QualifiedCol
	lit  = expr.Lit
)
