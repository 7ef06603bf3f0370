package reference

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/io/source"
	"github.com/grainql/grain/plan"
)

// EvalPlan evaluates a logical plan naively, row by row, and returns the
// plan's output schema with every output row. It defines the results the
// engine must produce (up to row order where the plan has no Sort, and float
// rounding in sums):
//
//   - Scan reads every row of the Source through Splits and Open (all
//     columns, a plain Go allocator), keeps the rows for which every pushed
//     filter is true, then applies the pushed projection.
//   - Project and Filter evaluate expressions with EvalExpr, row by row; a
//     filter keeps rows whose predicate is true (not false, not NULL).
//   - Aggregate groups rows by the canonical key of the group-by values:
//     NULLs form one group, NaNs one group, -0 and +0 one group. Groups come
//     out in order of first appearance; a global aggregate (no group-by)
//     returns exactly one row, also over an empty input. COUNT(*) counts
//     rows, COUNT(x) non-NULL values. SUM of integers is exact and must fit
//     int64 (unsigned inputs: uint64) as a total, else expr.ErrOverflow; SUM
//     of floats adds float64 in input order. AVG is float64 (integer sums
//     exact, divided once). MIN/MAX follow Compare (NaN greatest). DISTINCT
//     aggregates distinct non-NULL values. Over no non-NULL value COUNT is 0
//     and the others NULL.
//   - Join runs nested loops over every pair. Keys compare in
//     plan.Join.KeyType with Compare (NaN = NaN, -0 = +0); a NULL key never
//     matches unless NullsEqual (then NULL matches NULL only); the residual
//     filter, over the concatenated row, is part of the match, so it never
//     drops preserved rows of outer joins. Output in left-row order, then
//     (Right, Full) the unmatched right rows; Semi/Anti emit each left row at
//     most once. Keys are evaluated for every row of both sides, the
//     residual only for pairs whose keys match.
//   - Sort is a stable multi-key sort with Compare, honouring Desc and
//     NullsFirst per key (NULL placement does not flip with Desc).
//   - Limit skips Offset rows then keeps Count (all with plan.NoLimit).
//   - Distinct keeps the first row of each canonical row key (the grouping
//     equality of Aggregate).
//   - Union concatenates its inputs in order, casting each column whose type
//     differs from the output type with the rules of CAST.
//
// Errors from expressions (expr.ErrOverflow, expr.ErrDivideByZero, …) are
// returned as they come; every row an operator reads is evaluated, so an
// error in any row fails the plan. ctx is checked once per scanned record and
// once per outer row of a join.
func EvalPlan(ctx context.Context, n plan.Node) (schema *arrow.Schema, rows []Row, err error) {
	rows, err = evalNode(ctx, n)
	if err != nil {
		return nil, nil, err
	}
	return n.Schema(), rows, nil
}

// evalNode dispatches on the node kind.
func evalNode(ctx context.Context, n plan.Node) ([]Row, error) {
	switch n := n.(type) {
	case *plan.Scan:
		return evalScan(ctx, n)
	case *plan.Project:
		return evalProject(ctx, n)
	case *plan.Filter:
		in, err := evalNode(ctx, n.Input)
		if err != nil {
			return nil, err
		}
		return filterRows(in, n.Pred, n.Input.Schema())
	case *plan.Aggregate:
		return evalAggregate(ctx, n)
	case *plan.Join:
		return evalJoin(ctx, n)
	case *plan.Sort:
		return evalSort(ctx, n)
	case *plan.Limit:
		return evalLimit(ctx, n)
	case *plan.Distinct:
		return evalDistinct(ctx, n)
	case *plan.Union:
		return evalUnion(ctx, n)
	}
	return nil, fmt.Errorf("reference: plan node %T: %w", n, ErrUnsupported)
}

// evalScan reads every split of the source, filters and projects.
func evalScan(ctx context.Context, s *plan.Scan) ([]Row, error) {
	splits, err := s.Source.Splits(ctx, source.ScanRequest{})
	if err != nil {
		return nil, fmt.Errorf("reference: scan %s: %w", s.Name(), err)
	}
	var all []Row
	for _, sp := range splits {
		rows, err := readSplit(ctx, sp)
		if err != nil {
			return nil, fmt.Errorf("reference: scan %s: split %s: %w", s.Name(), sp, err)
		}
		all = append(all, rows...)
	}
	for _, f := range s.Filters {
		if all, err = filterRows(all, f, s.FullSchema()); err != nil {
			return nil, err
		}
	}
	if s.Columns == nil {
		return all, nil
	}
	out := make([]Row, len(all))
	for i, r := range all {
		out[i] = make(Row, len(s.Columns))
		for j, c := range s.Columns {
			out[i][j] = r[c]
		}
	}
	return out, nil
}

// readSplit converts every record of one split to rows.
func readSplit(ctx context.Context, sp source.Split) (rows []Row, err error) {
	rd, err := sp.Open(ctx, memory.NewGoAllocator())
	if err != nil {
		return nil, err
	}
	defer func() {
		if cerr := rd.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		rec, err := rd.Next(ctx)
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return nil, err
		}
		got, err := RowsFromRecord(rec)
		rec.Release()
		if err != nil {
			return nil, err
		}
		rows = append(rows, got...)
	}
}

// filterRows keeps the rows for which pred is true.
func filterRows(rows []Row, pred expr.Expr, schema *arrow.Schema) ([]Row, error) {
	var out []Row
	for _, r := range rows {
		v, err := EvalExpr(pred, schema, r)
		if err != nil {
			return nil, fmt.Errorf("reference: filter %s: %w", pred, err)
		}
		if b, ok := v.(bool); ok && b {
			out = append(out, r)
		}
	}
	return out, nil
}

// evalProject computes one value per expression per row.
func evalProject(ctx context.Context, p *plan.Project) ([]Row, error) {
	in, err := evalNode(ctx, p.Input)
	if err != nil {
		return nil, err
	}
	es := p.Exprs()
	out := make([]Row, len(in))
	for i, r := range in {
		out[i] = make(Row, len(es))
		for j, e := range es {
			if out[i][j], err = EvalExpr(e, p.Input.Schema(), r); err != nil {
				return nil, fmt.Errorf("reference: project %s: %w", e, err)
			}
		}
	}
	return out, nil
}

// evalLimit skips Offset rows and keeps at most Count.
func evalLimit(ctx context.Context, l *plan.Limit) ([]Row, error) {
	in, err := evalNode(ctx, l.Input)
	if err != nil {
		return nil, err
	}
	if l.Offset >= int64(len(in)) {
		return nil, nil
	}
	in = in[l.Offset:]
	if l.Count != plan.NoLimit && l.Count < int64(len(in)) {
		in = in[:l.Count]
	}
	return in, nil
}

// evalDistinct keeps the first row of each canonical key.
func evalDistinct(ctx context.Context, d *plan.Distinct) ([]Row, error) {
	in, err := evalNode(ctx, d.Input)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []Row
	for _, r := range in {
		k := groupKey(r)
		if !seen[k] {
			seen[k] = true
			out = append(out, r)
		}
	}
	return out, nil
}

// evalUnion concatenates the inputs, casting columns to the output types.
func evalUnion(ctx context.Context, u *plan.Union) ([]Row, error) {
	outSchema := u.Schema()
	var out []Row
	for i, in := range u.Inputs {
		rows, err := evalNode(ctx, in)
		if err != nil {
			return nil, err
		}
		casts := u.CastColumns(i)
		for _, r := range rows {
			if len(casts) > 0 {
				r = append(Row(nil), r...)
			}
			for _, c := range casts {
				from, to := in.Schema().Field(c).Type, outSchema.Field(c).Type
				if r[c], err = coerce(r[c], from, to); err != nil {
					return nil, fmt.Errorf("reference: union input %d column %q: %w", i+1, outSchema.Field(c).Name, err)
				}
			}
			out = append(out, r)
		}
	}
	return out, nil
}

// groupKey is the canonical text of a tuple of values for grouping,
// DISTINCT and COUNT(DISTINCT): exact (no float rounding), NULL equal to
// NULL, every NaN equal, -0 equal to +0, and the Go type part of the key.
func groupKey(vals []any) string {
	var sb strings.Builder
	for i, v := range vals {
		if i > 0 {
			sb.WriteByte('|')
		}
		switch x := v.(type) {
		case nil:
			sb.WriteString("NULL")
		case float32:
			sb.WriteString("f32:" + canonFloat(float64(x), 32))
		case float64:
			sb.WriteString("f64:" + canonFloat(x, 64))
		case string:
			sb.WriteString("s:" + strconv.Quote(x))
		case []byte:
			sb.WriteString("b:" + strconv.Quote(string(x)))
		default:
			fmt.Fprintf(&sb, "%T:%v", v, v)
		}
	}
	return sb.String()
}

// canonFloat formats f exactly, with one spelling for NaN and for zero.
func canonFloat(f float64, bits int) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case f == 0:
		return "0"
	}
	return strconv.FormatFloat(f, 'g', -1, bits)
}
