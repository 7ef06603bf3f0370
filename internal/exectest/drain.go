package exectest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/exec"
)

// CheckBatch checks b against the Operator.Next contract of an operator
// with the given schema: b is non-empty, has that schema and a strictly
// increasing selection within its record, and holds at most maxRows live
// rows when maxRows > 0.
func CheckBatch(b exec.Batch, schema *arrow.Schema, maxRows int) error {
	switch {
	case b.Rec == nil:
		return errors.New("batch without a record")
	case b.Len() == 0:
		return errors.New("empty batch")
	case maxRows > 0 && b.Len() > maxRows:
		return fmt.Errorf("batch of %d rows, batch size %d", b.Len(), maxRows)
	case !b.Rec.Schema().Equal(schema):
		return fmt.Errorf("batch schema %s, want %s", b.Rec.Schema(), schema)
	}
	for i, r := range b.Sel {
		if r < 0 || int(r) >= b.NumRows() || (i > 0 && r <= b.Sel[i-1]) {
			return fmt.Errorf("selection %v not increasing within %d rows", b.Sel, b.NumRows())
		}
	}
	return nil
}

// ReadAll reads an opened op until io.EOF, checks every batch with
// CheckBatch, passes it to fn and releases it. It returns nil at the end
// of the stream and otherwise the first error of Next, the check or fn.
// It does not close op.
func ReadAll(ctx context.Context, op exec.Operator, maxRows int, fn func(exec.Batch) error) error {
	for {
		b, err := op.Next(ctx)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		err = CheckBatch(b, op.Schema(), maxRows)
		if err == nil {
			err = fn(b)
		}
		b.Release()
		if err != nil {
			return err
		}
	}
}

// Drain opens op, reads it with ReadAll and closes it, also when Open or
// a read fails. The error joins the read error with Close's.
func Drain(ctx context.Context, op exec.Operator, maxRows int, fn func(exec.Batch) error) (err error) {
	defer func() { err = errors.Join(err, op.Close()) }()
	if err := op.Open(ctx); err != nil {
		return err
	}
	return ReadAll(ctx, op, maxRows, fn)
}

// DrainStrings drains op with Drain and returns its live rows rendered by
// RowString, in output order.
func DrainStrings(ctx context.Context, op exec.Operator, maxRows int) ([]string, error) {
	var rows []string
	err := Drain(ctx, op, maxRows, func(b exec.Batch) error {
		rows = append(rows, RowStrings(b)...)
		return nil
	})
	return rows, err
}

// RowStrings renders the live rows of b with RowString.
func RowStrings(b exec.Batch) []string {
	out := make([]string, b.Len())
	for i := range out {
		out[i] = RowString(b.Rec, b.Row(i))
	}
	return out
}

// RowString renders physical row i of rec as its values joined by "|",
// with NULL for nulls and arrow's ValueStr text otherwise.
func RowString(rec arrow.Record, i int) string {
	parts := make([]string, rec.NumCols())
	for c, col := range rec.Columns() {
		if col.IsNull(i) {
			parts[c] = "NULL"
			continue
		}
		parts[c] = col.ValueStr(i)
	}
	return strings.Join(parts, "|")
}
