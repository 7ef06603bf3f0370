package frame

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/expr"
)

// Show runs the query and writes at most n rows of the result to w as an
// aligned text table, for example:
//
//	+------+---------+
//	| city |    temp |
//	| utf8 | float64 |
//	+------+---------+
//	| Oslo |     3.5 |
//	| Lima |    null |
//	+------+---------+
//	(2 rows)
//
// The header gives each column's name and Arrow type; a name shared by
// several columns (after a join) is shown qualified ("f.k"). NULL prints as
// "null", numbers are right-aligned, and cells longer than 40 characters are
// cut. The footer gives the total number of rows of the result, "(N rows)"
// when every row was shown and "showing first n of N rows" otherwise: Show
// drains the whole result to count it, keeping only the first n rows. A
// negative n shows every row.
func (df *DataFrame) Show(ctx context.Context, w io.Writer, n int) error {
	q, err := df.start(ctx, "Show")
	if err != nil {
		return err
	}
	var kept []arrow.Record
	defer func() {
		for _, r := range kept {
			r.Release()
		}
	}()
	var keptRows int
	var total int64
	for {
		if n < 0 || keptRows < n {
			rec, err := q.next(ctx)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return err
			}
			rows := int(rec.NumRows())
			total += int64(rows)
			if take := n - keptRows; n >= 0 && take < rows {
				kept = append(kept, rec.NewSlice(0, int64(take)))
				rec.Release()
				rows = take
			} else {
				kept = append(kept, rec)
			}
			keptRows += rows
			continue
		}
		b, err := q.nextBatch(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		total += int64(b.Len())
		b.Release()
	}
	if err := q.finish(); err != nil {
		return err
	}
	text := renderTable(df.node.Schema(), kept, keptRows, total)
	if _, err := io.WriteString(w, text); err != nil {
		return actionErr("Show", fmt.Errorf("write: %w", err))
	}
	return nil
}

// renderTable formats the shown rows of a result with schema s (qualifiers
// included) and the footer for a result of total rows.
func renderTable(s *arrow.Schema, recs []arrow.Record, shown int, total int64) string {
	var sb strings.Builder
	if s.NumFields() > 0 {
		names, types := headers(s)
		rows := make([][]string, 0, shown)
		for _, r := range recs {
			for i := 0; i < int(r.NumRows()); i++ {
				row := make([]string, r.NumCols())
				for c, col := range r.Columns() {
					row[c] = formatCell(col, i)
				}
				rows = append(rows, row)
			}
		}
		widths := make([]int, len(names))
		right := make([]bool, len(names))
		for c := range names {
			widths[c] = max(utf8.RuneCountInString(names[c]), utf8.RuneCountInString(types[c]))
			for _, row := range rows {
				widths[c] = max(widths[c], utf8.RuneCountInString(row[c]))
			}
			right[c] = rightAligned(s.Field(c).Type)
		}
		rule := ruleLine(widths)
		sb.WriteString(rule)
		writeRow(&sb, names, widths, right)
		writeRow(&sb, types, widths, right)
		sb.WriteString(rule)
		for _, row := range rows {
			writeRow(&sb, row, widths, right)
		}
		sb.WriteString(rule)
	}
	switch {
	case int64(shown) < total:
		fmt.Fprintf(&sb, "showing first %d of %d rows\n", shown, total)
	case total == 1:
		sb.WriteString("(1 row)\n")
	default:
		fmt.Fprintf(&sb, "(%d rows)\n", total)
	}
	return sb.String()
}

// headers returns the column names (qualified where a name repeats) and
// type names of s.
func headers(s *arrow.Schema) (names, types []string) {
	count := map[string]int{}
	for _, f := range s.Fields() {
		count[f.Name]++
	}
	for _, f := range s.Fields() {
		name := f.Name
		if q := expr.FieldQualifier(f); q != "" && count[f.Name] > 1 {
			name = q + "." + name
		}
		names = append(names, escapeText(name))
		types = append(types, f.Type.String())
	}
	return names, types
}

// ruleLine is "+-----+---+" for the given column widths.
func ruleLine(widths []int) string {
	var sb strings.Builder
	for _, w := range widths {
		sb.WriteString("+")
		sb.WriteString(strings.Repeat("-", w+2))
	}
	sb.WriteString("+\n")
	return sb.String()
}

// writeRow writes "| a | b |", padding each cell to its column's width.
func writeRow(sb *strings.Builder, cells []string, widths []int, right []bool) {
	for c, cell := range cells {
		pad := strings.Repeat(" ", widths[c]-utf8.RuneCountInString(cell))
		sb.WriteString("| ")
		if right[c] {
			sb.WriteString(pad + cell)
		} else {
			sb.WriteString(cell + pad)
		}
		sb.WriteString(" ")
	}
	sb.WriteString("|\n")
}
