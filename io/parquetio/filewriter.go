package parquetio

import (
	"bufio"
	"fmt"
	"os"
	"reflect"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"
	"github.com/parquet-go/parquet-go/compress/snappy"
	"github.com/parquet-go/parquet-go/compress/uncompressed"
	"github.com/parquet-go/parquet-go/compress/zstd"
	"github.com/parquet-go/parquet-go/encoding"
)

// orderedGroup is a parquet group node that keeps its fields in the order
// given (parquet.Group sorts them by name), so files keep the column order
// of the Arrow schema.
type orderedGroup []parquet.Field

func (g orderedGroup) ID() int                     { return 0 }
func (g orderedGroup) String() string              { return "group" }
func (g orderedGroup) Type() parquet.Type          { return parquet.Group{}.Type() }
func (g orderedGroup) Optional() bool              { return false }
func (g orderedGroup) Repeated() bool              { return false }
func (g orderedGroup) Required() bool              { return true }
func (g orderedGroup) Leaf() bool                  { return false }
func (g orderedGroup) Fields() []parquet.Field     { return g }
func (g orderedGroup) Encoding() encoding.Encoding { return nil }
func (g orderedGroup) Compression() compress.Codec { return nil }
func (g orderedGroup) GoType() reflect.Type        { return g.asGroup().GoType() }
func (g orderedGroup) asGroup() parquet.Group {
	m := parquet.Group{}
	for _, f := range g {
		m[f.Name()] = f
	}
	return m
}

// namedField is a field of an orderedGroup.
type namedField struct {
	parquet.Node
	name string
}

func (f namedField) Name() string                           { return f.name }
func (f namedField) Value(base reflect.Value) reflect.Value { return base.FieldByName(f.name) }

// leafNode maps an Arrow type to a parquet leaf. Seconds-resolution times
// and timestamps are stored as milliseconds (Parquet has no seconds unit).
func leafNode(t arrow.DataType) (parquet.Node, error) {
	switch t.ID() {
	case arrow.BOOL:
		return parquet.Leaf(parquet.BooleanType), nil
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64:
		return parquet.Int(t.(arrow.FixedWidthDataType).BitWidth()), nil
	case arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		return parquet.Uint(t.(arrow.FixedWidthDataType).BitWidth()), nil
	case arrow.FLOAT32:
		return parquet.Leaf(parquet.FloatType), nil
	case arrow.FLOAT64:
		return parquet.Leaf(parquet.DoubleType), nil
	case arrow.STRING:
		return parquet.Encoded(parquet.String(), &parquet.RLEDictionary), nil
	case arrow.BINARY:
		return parquet.Encoded(parquet.Leaf(parquet.ByteArrayType), &parquet.RLEDictionary), nil
	case arrow.DATE32:
		return parquet.Date(), nil
	case arrow.TIMESTAMP:
		tt := t.(*arrow.TimestampType)
		return parquet.TimestampAdjusted(parquetUnit(tt.Unit), tt.TimeZone != ""), nil
	case arrow.TIME32:
		return parquet.TimeAdjusted(parquet.Millisecond, false), nil
	case arrow.TIME64:
		return parquet.TimeAdjusted(parquetUnit(t.(*arrow.Time64Type).Unit), false), nil
	}
	return nil, fmt.Errorf("%w: cannot write %s columns", ErrUnsupportedType, t)
}

func parquetUnit(u arrow.TimeUnit) parquet.TimeUnit {
	switch u {
	case arrow.Microsecond:
		return parquet.Microsecond
	case arrow.Nanosecond:
		return parquet.Nanosecond
	}
	return parquet.Millisecond
}

// parquetSchema builds the file schema of the data fields.
func parquetSchema(fields []arrow.Field) (*parquet.Schema, error) {
	g := make(orderedGroup, len(fields))
	for i, f := range fields {
		n, err := leafNode(f.Type)
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", f.Name, err)
		}
		if f.Nullable {
			n = parquet.Optional(n)
		} else {
			n = parquet.Required(n)
		}
		g[i] = namedField{Node: n, name: f.Name}
	}
	return parquet.NewSchema("grain", g), nil
}

func codec(c Compression) compress.Codec {
	switch c {
	case Zstd:
		return &zstd.Codec{}
	case Uncompressed:
		return &uncompressed.Codec{}
	}
	return &snappy.Codec{}
}

// fileWriter writes one Parquet file through parquet-go's column writers,
// flushing a row group every rowGroupRows rows.
type fileWriter struct {
	path   string // temporary path
	final  string // path after commit
	f      *os.File
	bw     *bufio.Writer
	pw     *parquet.Writer
	fields []arrow.Field
	rows   int64
	rgRows int64
	vals   []parquet.Value
	used   int64 // last use, for closing idle writers
}

func newFileWriter(path, final string, schema *parquet.Schema, fields []arrow.Field, opts *WriteOptions) (*fileWriter, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	pw := parquet.NewWriter(bw, schema,
		parquet.Compression(codec(opts.Compression)),
		parquet.CreatedBy("grain", "0", ""),
		parquet.DictionaryMaxBytes(1<<20),
	)
	return &fileWriter{path: path, final: final, f: f, bw: bw, pw: pw, fields: fields}, nil
}

// write appends rows [lo, hi) of cols, or the rows listed in sel when it
// is not nil (then lo and hi index sel).
func (w *fileWriter) write(cols []arrow.Array, sel []int32, lo, hi int, rowGroupRows int64) error {
	for lo < hi {
		k := int(min(int64(hi-lo), rowGroupRows-w.rgRows))
		for c, arr := range cols {
			var err error
			w.vals, err = appendValues(w.vals[:0], arr, sel, lo, lo+k, c, w.fields[c].Nullable)
			if err != nil {
				return fmt.Errorf("column %q: %w", w.fields[c].Name, err)
			}
			if _, err := w.pw.ColumnWriters()[c].WriteRowValues(w.vals); err != nil {
				return fmt.Errorf("column %q: %w", w.fields[c].Name, err)
			}
		}
		w.rows += int64(k)
		w.rgRows += int64(k)
		lo += k
		if w.rgRows == rowGroupRows {
			if err := w.pw.Flush(); err != nil {
				return err
			}
			w.rgRows = 0
		}
	}
	return nil
}

// size estimates the file's size so far.
func (w *fileWriter) size() int64 { return w.pw.Size() }

// close writes the footer and closes the file.
func (w *fileWriter) close() error {
	err := w.pw.Close()
	if err == nil {
		err = w.bw.Flush()
	}
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	w.f = nil
	return err
}

// abort closes the file without finishing it.
func (w *fileWriter) abort() {
	if w.f != nil {
		w.f.Close()
		w.f = nil
	}
}

// appendValues converts rows of an Arrow array to parquet values of
// column c (sel, when set, lists the rows; lo and hi then index it).
func appendValues(dst []parquet.Value, arr arrow.Array, sel []int32, lo, hi, c int, optional bool) ([]parquet.Value, error) {
	def := 0
	if optional {
		def = 1
	}
	row := func(i int) int {
		if sel != nil {
			return int(sel[i])
		}
		return i
	}
	var mk func(r int) parquet.Value
	switch a := arr.(type) {
	case *array.Boolean:
		mk = func(r int) parquet.Value { return parquet.BooleanValue(a.Value(r)) }
	case *array.Int8:
		mk = func(r int) parquet.Value { return parquet.Int32Value(int32(a.Value(r))) }
	case *array.Int16:
		mk = func(r int) parquet.Value { return parquet.Int32Value(int32(a.Value(r))) }
	case *array.Int32:
		v := a.Int32Values()
		mk = func(r int) parquet.Value { return parquet.Int32Value(v[r]) }
	case *array.Int64:
		v := a.Int64Values()
		mk = func(r int) parquet.Value { return parquet.Int64Value(v[r]) }
	case *array.Uint8:
		mk = func(r int) parquet.Value { return parquet.Int32Value(int32(a.Value(r))) }
	case *array.Uint16:
		mk = func(r int) parquet.Value { return parquet.Int32Value(int32(a.Value(r))) }
	case *array.Uint32:
		mk = func(r int) parquet.Value { return parquet.Int32Value(int32(a.Value(r))) }
	case *array.Uint64:
		mk = func(r int) parquet.Value { return parquet.Int64Value(int64(a.Value(r))) }
	case *array.Float32:
		mk = func(r int) parquet.Value { return parquet.FloatValue(a.Value(r)) }
	case *array.Float64:
		v := a.Float64Values()
		mk = func(r int) parquet.Value { return parquet.DoubleValue(v[r]) }
	case *array.String:
		data, offs := a.ValueBytes(), a.ValueOffsets()
		base := offs[0]
		mk = func(r int) parquet.Value {
			return parquet.ByteArrayValue(data[offs[r]-base : offs[r+1]-base])
		}
	case *array.Binary:
		mk = func(r int) parquet.Value { return parquet.ByteArrayValue(a.Value(r)) }
	case *array.Date32:
		mk = func(r int) parquet.Value { return parquet.Int32Value(int32(a.Value(r))) }
	case *array.Timestamp:
		mul := int64(1)
		if a.DataType().(*arrow.TimestampType).Unit == arrow.Second {
			mul = 1000
		}
		mk = func(r int) parquet.Value { return parquet.Int64Value(int64(a.Value(r)) * mul) }
	case *array.Time32:
		mul := int32(1)
		if a.DataType().(*arrow.Time32Type).Unit == arrow.Second {
			mul = 1000
		}
		mk = func(r int) parquet.Value { return parquet.Int32Value(int32(a.Value(r)) * mul) }
	case *array.Time64:
		mk = func(r int) parquet.Value { return parquet.Int64Value(int64(a.Value(r))) }
	default:
		return dst, fmt.Errorf("%w: cannot write %s columns", ErrUnsupportedType, arr.DataType())
	}
	nulls := arr.NullN() > 0
	for i := lo; i < hi; i++ {
		r := row(i)
		if nulls && arr.IsNull(r) {
			if !optional {
				return dst, fmt.Errorf("%w: NULL in a non-nullable column", ErrSchemaMismatch)
			}
			dst = append(dst, parquet.Value{}.Level(0, 0, c))
			continue
		}
		dst = append(dst, mk(r).Level(0, def, c))
	}
	return dst, nil
}
