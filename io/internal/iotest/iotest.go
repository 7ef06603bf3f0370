package iotest

import (
	"context"
	"errors"
	"io"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/grainql/grain/io/source"
)

// Null is how RenderRows shows a NULL value.
const Null = "∅"

// ScanRows reads every split of src in order and renders its rows with
// RenderRows. It returns the rows read so far and the first error; every
// record and reader is released and closed.
func ScanRows(ctx context.Context, src source.Source, req source.ScanRequest, mem memory.Allocator) ([]string, error) {
	splits, err := src.Splits(ctx, req)
	if err != nil {
		return nil, err
	}
	var rows []string
	for _, sp := range splits {
		r, err := sp.Open(ctx, mem)
		if err != nil {
			return rows, err
		}
		for {
			rec, err := r.Next(ctx)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				r.Close()
				return rows, err
			}
			rows = append(rows, RenderRows(rec)...)
			rec.Release()
		}
		if err := r.Close(); err != nil {
			return rows, err
		}
	}
	return rows, nil
}

// RenderRows renders each row of rec as its values (arrow's ValueStr)
// joined by "|", NULL as Null.
func RenderRows(rec arrow.Record) []string {
	out := make([]string, rec.NumRows())
	var sb strings.Builder
	for i := range out {
		sb.Reset()
		for c, col := range rec.Columns() {
			if c > 0 {
				sb.WriteByte('|')
			}
			if col.IsNull(i) {
				sb.WriteString(Null)
			} else {
				sb.WriteString(col.ValueStr(i))
			}
		}
		out[i] = sb.String()
	}
	return out
}

// RecordsOf returns a next function, as the format writers take, that
// yields recs in order and then io.EOF. It retains each record it hands
// out, since the writer releases it.
func RecordsOf(recs ...arrow.Record) func(context.Context) (arrow.Record, error) {
	i := 0
	return func(context.Context) (arrow.Record, error) {
		if i == len(recs) {
			return nil, io.EOF
		}
		i++
		recs[i-1].Retain()
		return recs[i-1], nil
	}
}
