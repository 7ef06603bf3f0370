package plan

import (
	"fmt"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/io/source"
)

// Scan reads a Source. Its output is the rows of the source that satisfy
// every pushed filter, restricted to the pushed projection.
//
// Filters are conjuncts over the full (unprojected) source schema: they may
// reference columns the projection drops. The constructor rewrites their
// column references to the source's own field names, so they can be handed
// to the source unchanged as source.ScanRequest.Filters. Because sources
// treat pushed filters as hints, the physical planner must read the filter
// columns, re-apply the filters and then project.
type Scan struct {
	// Source is the data being scanned.
	Source source.Source
	// Alias qualifies the output fields ("" keeps the source's fields as
	// they are).
	Alias string
	// Columns are indexes into Source.Schema(), in output order; nil means
	// every column. A non-nil empty slice reads no column (row counts only).
	Columns []int
	// Filters are the pushed conjuncts, over bare source column names.
	Filters []expr.Expr

	full   *arrow.Schema // source schema with qualifiers, before projection
	schema *arrow.Schema
}

var _ Node = (*Scan)(nil)

// NewScan scans every column of src. A non-empty alias becomes the
// qualifier of every output field.
func NewScan(src source.Source, alias string) (*Scan, error) {
	if src == nil {
		return nil, invalidf("scan", "source is nil")
	}
	fields := src.Schema().Fields()
	if alias != "" {
		for i := range fields {
			fields[i] = expr.WithQualifier(fields[i], alias)
		}
	}
	full := arrow.NewSchema(fields, nil)
	return &Scan{Source: src, Alias: alias, full: full, schema: full}, nil
}

// WithPushdown returns a copy of s that reads only cols (indexes into
// Source.Schema(), nil for all) and keeps only rows matching every filter.
// Filters resolve against FullSchema (qualified names are accepted) and must
// be boolean without aggregates; they replace s.Filters.
func (s *Scan) WithPushdown(cols []int, filters []expr.Expr) (*Scan, error) {
	out := &Scan{Source: s.Source, Alias: s.Alias, full: s.full}
	n := s.full.NumFields()
	if cols != nil {
		seen := make([]bool, n)
		out.Columns = make([]int, len(cols))
		fields := make([]arrow.Field, len(cols))
		for i, c := range cols {
			if c < 0 || c >= n {
				return nil, invalidf("scan", "column index %d out of range [0, %d)", c, n)
			}
			if seen[c] {
				return nil, invalidf("scan", "column %q projected twice", s.full.Field(c).Name)
			}
			seen[c] = true
			out.Columns[i] = c
			fields[i] = s.full.Field(c)
		}
		out.schema = arrow.NewSchema(fields, nil)
	} else {
		out.schema = s.full
	}
	for _, f := range filters {
		nf, err := s.normalizeFilter(f)
		if err != nil {
			return nil, err
		}
		out.Filters = append(out.Filters, nf)
	}
	return out, nil
}

// normalizeFilter checks a pushed filter and rewrites its column references
// to the bare names of the source fields they resolve to.
func (s *Scan) normalizeFilter(f expr.Expr) (expr.Expr, error) {
	f, err := checkPredicate("scan", "pushed filter", f, s.full)
	if err != nil {
		return nil, err
	}
	raw := s.Source.Schema()
	return expr.Transform(f, func(e expr.Expr) (expr.Expr, error) {
		c, ok := e.(*expr.Column)
		if !ok {
			return e, nil
		}
		i, err := expr.Resolve(s.full, c)
		if err != nil {
			return nil, fmt.Errorf("scan: %w", err)
		}
		bare := &expr.Column{Name: raw.Field(i).Name}
		if j, err := expr.Resolve(raw, bare); err != nil || j != i {
			return nil, invalidf("scan", "source %s has several columns named %q", s.Source.Name(), bare.Name)
		}
		return bare, nil
	})
}

// Name is the alias, or the source's name when there is none.
func (s *Scan) Name() string {
	if s.Alias != "" {
		return s.Alias
	}
	return s.Source.Name()
}

// FullSchema is the source schema with the alias applied, before the pushed
// projection. Pushed filters resolve against it.
func (s *Scan) FullSchema() *arrow.Schema { return s.full }

// Schema is the output schema: FullSchema restricted to Columns.
func (s *Scan) Schema() *arrow.Schema { return s.schema }

// Children is empty: a scan is a leaf.
func (s *Scan) Children() []Node { return nil }

// WithChildren accepts no children and returns s.
func (s *Scan) WithChildren(ch []Node) (Node, error) {
	if err := checkArity("scan", ch, 0); err != nil {
		return nil, err
	}
	return s, nil
}

// Exprs returns the pushed filters.
func (s *Scan) Exprs() []expr.Expr { return s.Filters }

// String is "Scan: name [AS alias] [projection=[…]] [filters=[…]]".
func (s *Scan) String() string {
	var sb strings.Builder
	sb.WriteString("Scan: " + s.Source.Name())
	if s.Alias != "" && s.Alias != s.Source.Name() {
		sb.WriteString(" AS " + s.Alias)
	}
	if s.Columns != nil {
		names := make([]string, len(s.Columns))
		for i, c := range s.Columns {
			names[i] = s.full.Field(c).Name
		}
		sb.WriteString(" projection=[" + strings.Join(names, ", ") + "]")
	}
	if len(s.Filters) > 0 {
		sb.WriteString(" filters=[" + joinExprs(s.Filters) + "]")
	}
	return sb.String()
}

func (*Scan) isNode() {}

// joinExprs renders expressions separated by ", ".
func joinExprs(es []expr.Expr) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.String()
	}
	return strings.Join(parts, ", ")
}
