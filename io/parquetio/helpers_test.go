package parquetio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/io/source"
)

const testdata = "../../testdata/parquet"

// newMem returns a checked allocator that the test checks for leaks at
// its end.
func newMem(t testing.TB) *memory.CheckedAllocator {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return mem
}

// scanResult is every row a scan returned, as Go values (nil: NULL).
type scanResult struct {
	schema  *arrow.Schema
	rows    [][]any
	batches int
}

// scan reads every split of a request.
func scan(t testing.TB, mem memory.Allocator, src source.Source, req source.ScanRequest) scanResult {
	t.Helper()
	res, err := tryScan(mem, src, req, true)
	require.NoError(t, err)
	return res
}

// tryScan reads every split of a request, keeping the rows when keep is
// set (else only counting batches).
func tryScan(mem memory.Allocator, src source.Source, req source.ScanRequest, keep bool) (scanResult, error) {
	ctx := context.Background()
	splits, err := src.Splits(ctx, req)
	if err != nil {
		return scanResult{}, err
	}
	var res scanResult
	for _, sp := range splits {
		r, err := sp.Open(ctx, mem)
		if err != nil {
			return res, err
		}
		for {
			rec, err := r.Next(ctx)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				r.Close()
				return res, err
			}
			if res.schema == nil {
				res.schema = rec.Schema()
			}
			res.batches++
			if keep {
				res.rows = append(res.rows, recordRows(rec)...)
			}
			rec.Release()
		}
		if err := r.Close(); err != nil {
			return res, err
		}
	}
	return res, nil
}

// recordRows converts a record to rows of Go values.
func recordRows(rec arrow.Record) [][]any {
	rows := make([][]any, rec.NumRows())
	for i := range rows {
		rows[i] = make([]any, rec.NumCols())
		for c, col := range rec.Columns() {
			rows[i][c] = value(col, i)
		}
	}
	return rows
}

// value returns element i of an array as the Go value literals use.
func value(a arrow.Array, i int) any {
	if a.IsNull(i) {
		return nil
	}
	switch a := a.(type) {
	case *array.Boolean:
		return a.Value(i)
	case *array.Int8:
		return a.Value(i)
	case *array.Int16:
		return a.Value(i)
	case *array.Int32:
		return a.Value(i)
	case *array.Int64:
		return a.Value(i)
	case *array.Uint8:
		return a.Value(i)
	case *array.Uint16:
		return a.Value(i)
	case *array.Uint32:
		return a.Value(i)
	case *array.Uint64:
		return a.Value(i)
	case *array.Float32:
		return a.Value(i)
	case *array.Float64:
		return a.Value(i)
	case *array.String:
		return a.Value(i)
	case *array.Binary:
		return append([]byte{}, a.Value(i)...)
	case *array.Date32:
		return a.Value(i)
	case *array.Timestamp:
		return a.Value(i)
	case *array.Time32:
		return a.Value(i)
	case *array.Time64:
		return a.Value(i)
	}
	panic(fmt.Sprintf("test: no value for %T", a))
}

// csvField is one field of an expected CSV file.
type csvField struct {
	text   string
	quoted bool
}

// readExpected parses an expected CSV file, keeping the difference between
// an empty unquoted field (NULL) and "" (the empty string).
func readExpected(t testing.TB, path string) (header []string, rows [][]csvField) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	s := string(data)
	var row []csvField
	for i := 0; i < len(s); {
		var f csvField
		if s[i] == '"' {
			f.quoted = true
			i++
			var sb strings.Builder
			for i < len(s) {
				if s[i] == '"' {
					if i+1 < len(s) && s[i+1] == '"' {
						sb.WriteByte('"')
						i += 2
						continue
					}
					i++
					break
				}
				sb.WriteByte(s[i])
				i++
			}
			f.text = sb.String()
		} else {
			j := i
			for j < len(s) && s[j] != ',' && s[j] != '\n' && s[j] != '\r' {
				j++
			}
			f.text = s[i:j]
			i = j
		}
		row = append(row, f)
		if i < len(s) && s[i] == ',' {
			i++
			continue
		}
		for i < len(s) && (s[i] == '\r' || s[i] == '\n') {
			i++
		}
		if header == nil {
			for _, h := range row {
				header = append(header, h.text)
			}
		} else {
			rows = append(rows, row)
		}
		row = nil
	}
	return header, rows
}

// matchExpected reports how a value differs from its expected CSV text.
func matchExpected(t arrow.DataType, got any, want csvField) error {
	if want.text == "" && !want.quoted {
		if got != nil {
			return fmt.Errorf("got %v, want NULL", got)
		}
		return nil
	}
	if got == nil {
		return fmt.Errorf("got NULL, want %q", want.text)
	}
	switch g := got.(type) {
	case string:
		if g != want.text {
			return fmt.Errorf("got %q, want %q", g, want.text)
		}
		return nil
	case float32, float64:
		f := toF64(g)
		w, err := strconv.ParseFloat(want.text, 64)
		if err != nil {
			return err
		}
		tol := 1e-9 * math.Max(1, math.Abs(w))
		if _, ok := g.(float32); ok {
			tol = 1e-6 * math.Max(1, math.Abs(w))
		}
		if math.Abs(f-w) > tol {
			return fmt.Errorf("got %v, want %v", f, w)
		}
		return nil
	case arrow.Date32:
		if g.FormattedString() != want.text {
			return fmt.Errorf("got %s, want %s", g.FormattedString(), want.text)
		}
		return nil
	case arrow.Timestamp:
		unit := t.(*arrow.TimestampType).Unit
		w, err := time.Parse("2006-01-02 15:04:05.999999999", want.text)
		if err != nil {
			return err
		}
		if !g.ToTime(unit).Equal(w) {
			return fmt.Errorf("got %s, want %s", g.ToTime(unit), w)
		}
		return nil
	}
	if fmt.Sprint(got) != want.text {
		return fmt.Errorf("got %v, want %s", got, want.text)
	}
	return nil
}

func toF64(v any) float64 {
	switch x := v.(type) {
	case float32:
		return float64(x)
	case float64:
		return x
	}
	return math.NaN()
}

func td(name string) string { return filepath.Join(testdata, name) }

func openDS(t testing.TB, opts ReadOptions, paths ...string) *Dataset {
	t.Helper()
	d, err := Open(context.Background(), paths, opts)
	require.NoError(t, err)
	return d
}
