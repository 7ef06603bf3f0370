package expr

import (
	"sort"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
)

// QualifierKey is the arrow.Field metadata key holding the name of the
// relation a column comes from. Scans set it from the table or DataFrame
// alias; joins keep it, so "f.grp" and "d.grp" stay distinguishable.
const QualifierKey = "grain.qualifier"

// FieldQualifier returns the relation qualifier stored on a field, or "".
func FieldQualifier(f arrow.Field) string {
	if i := f.Metadata.FindKey(QualifierKey); i >= 0 {
		return f.Metadata.Values()[i]
	}
	return ""
}

// WithQualifier returns f carrying qualifier q ("" removes it).
func WithQualifier(f arrow.Field, q string) arrow.Field {
	keys, vals := []string{}, []string{}
	for i, k := range f.Metadata.Keys() {
		if k != QualifierKey {
			keys = append(keys, k)
			vals = append(vals, f.Metadata.Values()[i])
		}
	}
	if q != "" {
		keys = append(keys, QualifierKey)
		vals = append(vals, q)
	}
	if len(keys) == 0 {
		f.Metadata = arrow.Metadata{}
	} else {
		f.Metadata = arrow.NewMetadata(keys, vals)
	}
	return f
}

// Resolve finds the index of the field c refers to in schema s. It returns a
// *ColumnError wrapping ErrUnknownColumn (with suggestions) or
// ErrAmbiguousColumn.
func Resolve(s *arrow.Schema, c *Column) (int, error) {
	idx := match(s, c.Qualifier, c.Name)
	if len(idx) == 0 && c.Qualifier == "" {
		if q, n, ok := strings.Cut(c.Name, "."); ok {
			idx = match(s, q, n)
		}
	}
	switch len(idx) {
	case 1:
		return idx[0], nil
	case 0:
		return -1, unknownColumn(s, c)
	default:
		qs := make([]string, len(idx))
		for i, j := range idx {
			qs[i] = FieldQualifier(s.Field(j))
		}
		return -1, &ColumnError{Name: c.String(), Qualifiers: qs, ambiguous: true}
	}
}

func match(s *arrow.Schema, qualifier, name string) []int {
	var idx []int
	for i, f := range s.Fields() {
		if f.Name == name && (qualifier == "" || FieldQualifier(f) == qualifier) {
			idx = append(idx, i)
		}
	}
	return idx
}

func unknownColumn(s *arrow.Schema, c *Column) error {
	want := strings.ToLower(c.Name)
	type cand struct {
		name string
		dist int
	}
	var cands []cand
	var avail []string
	seen := map[string]bool{}
	for _, f := range s.Fields() {
		full := f.Name
		if q := FieldQualifier(f); q != "" && c.Qualifier != "" {
			full = q + "." + f.Name
		}
		if seen[full] {
			continue
		}
		seen[full] = true
		avail = append(avail, full)
		d := editDistance(want, strings.ToLower(f.Name))
		limit := 2
		if len(want) <= 3 {
			limit = 1
		}
		if d <= limit || (len(want) >= 3 && strings.Contains(strings.ToLower(f.Name), want)) {
			cands = append(cands, cand{full, d})
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].dist < cands[j].dist })
	var sugg []string
	for i := 0; i < len(cands) && i < 3; i++ {
		sugg = append(sugg, cands[i].name)
	}
	return &ColumnError{Name: c.String(), Suggestions: sugg, Available: avail}
}

// editDistance is the Levenshtein distance between a and b (bytes).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
