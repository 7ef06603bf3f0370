package plan

import (
	"strings"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/expr"
)

// Format renders a plan as an indented tree, one node per line (its String),
// children indented two spaces below their parent. It is the EXPLAIN text
// and the golden-file format:
//
//	Aggregate: group=[entity] aggs=[sum(metric) AS total]
//	  Join: inner on [f.grp = d.grp]
//	    Scan: fact AS f projection=[entity, grp, metric]
//	    Scan: dim AS d
func Format(n Node) string {
	var sb strings.Builder
	format(&sb, n, 0)
	return sb.String()
}

func format(sb *strings.Builder, n Node, depth int) {
	sb.WriteString(strings.Repeat("  ", depth))
	sb.WriteString(n.String())
	sb.WriteByte('\n')
	for _, c := range n.Children() {
		format(sb, c, depth+1)
	}
}

// FormatSchema renders a schema one field per line as
// "qualifier.name type [NOT NULL]", for EXPLAIN VERBOSE and golden files;
// a schema without fields is "(no columns)".
func FormatSchema(s *arrow.Schema) string {
	if s.NumFields() == 0 {
		return "(no columns)\n"
	}
	var sb strings.Builder
	for _, f := range s.Fields() {
		if q := expr.FieldQualifier(f); q != "" {
			sb.WriteString(q + ".")
		}
		sb.WriteString(f.Name + " " + f.Type.String())
		if !f.Nullable {
			sb.WriteString(" NOT NULL")
		}
		sb.WriteByte('\n')
	}
	return sb.String()
}
