package frame

import (
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
)

// FromRecords builds a DataFrame over Arrow records that share one schema.
// The session retains the records (zero-copy) until Close; the caller keeps
// its own references and may release them at once. At least one record is
// needed to know the schema; an empty table has a record with zero rows.
func (s *Session) FromRecords(recs ...arrow.Record) *DataFrame {
	const step = "FromRecords"
	if len(recs) == 0 {
		return failed(s, step, invalidInput("no records (an empty DataFrame needs one record with zero rows to give the schema)"))
	}
	for i, r := range recs {
		if r == nil {
			return failed(s, step, invalidInput("record %d is nil", i))
		}
	}
	return s.fromRecords(step, recs[0].Schema(), recs)
}

// FromTable builds a DataFrame over an Arrow table. The session retains the
// table's column chunks (zero-copy) until Close; the caller keeps its own
// reference to the table.
func (s *Session) FromTable(tbl arrow.Table) *DataFrame {
	const step = "FromTable"
	if tbl == nil {
		return failed(s, step, invalidInput("table is nil"))
	}
	tr := array.NewTableReader(tbl, -1)
	defer tr.Release()
	var recs []arrow.Record
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	for tr.Next() {
		r := tr.Record()
		r.Retain()
		recs = append(recs, r)
	}
	if err := tr.Err(); err != nil {
		return failed(s, step, fmt.Errorf("%w: read table: %w", ErrInvalidInput, err))
	}
	return s.fromRecords(step, tbl.Schema(), recs)
}

// FromColumns builds a DataFrame from named columns of Go values, all of the
// same length and with distinct names:
//
//	df := s.FromColumns(
//		frame.Strings("city", []string{"Oslo", "Lima"}),
//		frame.NullableCol("temp", []*float64{frame.Ptr(3.5), nil}),
//	)
//
// The values are copied into Arrow memory from the session's allocator.
func (s *Session) FromColumns(cols ...Series) *DataFrame {
	return s.fromSeries("FromColumns", cols)
}

// fromSeries builds the columns into one record and registers it.
func (s *Session) fromSeries(step string, cols []Series) *DataFrame {
	if len(cols) == 0 {
		return failed(s, step, invalidInput("no columns"))
	}
	if s.err != nil {
		return failed(s, step, s.err)
	}
	fields := make([]arrow.Field, len(cols))
	seen := map[string]bool{}
	for i, c := range cols {
		if c.build == nil {
			return failed(s, step, invalidInput("column %d is a zero Series; build it with Col or NullableCol", i+1))
		}
		if seen[c.name] {
			return failed(s, step, invalidInput("duplicate column name %q", c.name))
		}
		seen[c.name] = true
		if c.n != cols[0].n {
			return failed(s, step, invalidInput("column %q has %d values, column %q has %d", c.name, c.n, cols[0].name, cols[0].n))
		}
		fields[i] = arrow.Field{Name: c.name, Type: c.typ, Nullable: c.nullable}
	}
	arrs := make([]arrow.Array, len(cols))
	for i, c := range cols {
		arrs[i] = c.build(s.cfg.Allocator)
		defer arrs[i].Release()
	}
	schema := arrow.NewSchema(fields, nil)
	rec := array.NewRecord(schema, arrs, int64(cols[0].n))
	defer rec.Release()
	return s.fromRecords(step, schema, []arrow.Record{rec})
}

// fromRecords registers recs as a table of the session.
func (s *Session) fromRecords(step string, schema *arrow.Schema, recs []arrow.Record) *DataFrame {
	for i, r := range recs {
		if !r.Schema().Equal(schema) {
			return failed(s, step, invalidInput("record %d has schema %s, want %s", i, r.Schema(), schema))
		}
	}
	node, err := s.addTable(schema, recs)
	if err != nil {
		return failed(s, step, err)
	}
	return &DataFrame{s: s, node: node}
}
