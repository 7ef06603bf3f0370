package csvio

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/io/internal/fileio"
)

// Candidate types of a column during inference, as bits of a mask.
const (
	canInt = 1 << iota
	canFloat
	canBool
	canDate
	canTimestamp
	canAll = canInt | canFloat | canBool | canDate | canTimestamp
)

// sampler infers column names and types from the first rows of a dataset.
type sampler struct {
	cfg   *readConfig
	names []string // header of the first file, or nil
	ncols int      // 0 until known
	masks []int    // candidate types per column
	seen  []bool   // whether a column had a non-NULL value
	rows  int
}

// inferSchema reads up to cfg.sampleRows rows from the first files and
// returns the inferred schema and, with a header, the header names every
// file must repeat.
func inferSchema(ctx context.Context, files []fileio.File, cfg *readConfig) (*arrow.Schema, []string, error) {
	s := &sampler{cfg: cfg}
	for _, f := range files {
		full, err := s.sampleFile(ctx, f.Path)
		if err != nil {
			return nil, nil, err
		}
		if full {
			break
		}
	}
	if s.ncols == 0 {
		return nil, nil, &ParseError{Path: files[0].Path, Line: 1, Msg: "no header or row to take the columns from"}
	}
	fields := make([]arrow.Field, s.ncols)
	names := columnNames(s.names, s.ncols)
	for i := range fields {
		fields[i] = arrow.Field{Name: names[i], Type: pickType(s.masks[i], s.seen[i]), Nullable: true}
	}
	return arrow.NewSchema(fields, nil), s.names, nil
}

// sampleFile feeds one file's rows to the sampler; full reports that
// enough rows were seen.
func (s *sampler) sampleFile(ctx context.Context, path string) (full bool, err error) {
	rc, err := openFile(path)
	if err != nil {
		return false, err
	}
	defer rc.Close()
	sc := newScanner(rc, s.cfg, 1, -1)
	sc.skipBOM()
	if s.cfg.header {
		if !nextNonBlank(sc) {
			return false, scanErr(path, sc)
		}
		if s.names == nil {
			s.names = sc.strings()
			s.start(len(s.names))
		}
	}
	for sc.next() {
		if s.ncols == 0 {
			s.start(sc.nfields())
		}
		if sc.bad != "" || sc.nfields() != s.ncols || sc.blank && s.ncols > 1 {
			continue // the reader reports or skips these rows
		}
		if err := ctx.Err(); err != nil {
			return false, err
		}
		for i := 0; i < s.ncols; i++ {
			f, quoted := sc.field(i)
			if !quoted && s.cfg.isNull(f) {
				continue
			}
			s.seen[i] = true
			s.masks[i] = narrow(s.masks[i], f)
		}
		s.rows++
		if s.cfg.sampleRows > 0 && s.rows >= s.cfg.sampleRows {
			return true, nil
		}
	}
	return false, scanErr(path, sc)
}

func (s *sampler) start(ncols int) {
	s.ncols = ncols
	s.masks = make([]int, ncols)
	for i := range s.masks {
		s.masks[i] = canAll
	}
	s.seen = make([]bool, ncols)
}

// nextNonBlank advances sc past empty lines to the next record.
func nextNonBlank(sc *scanner) bool {
	for sc.next() {
		if !sc.blank {
			return true
		}
	}
	return false
}

// narrow removes from mask the types f does not parse as.
func narrow(mask int, f []byte) int {
	if mask&canInt != 0 {
		if _, ok := parseInt(f); !ok {
			mask &^= canInt
		}
	}
	if mask&canFloat != 0 {
		if _, ok := parseFloat(f, 64); !ok {
			mask &^= canFloat
		}
	}
	if mask&canBool != 0 && !isBoolWord(f) {
		mask &^= canBool
	}
	if mask&canDate != 0 {
		if _, ok := parseDate(f); !ok {
			mask &^= canDate
		}
	}
	if mask&canTimestamp != 0 {
		if _, ok := parseTimestamp(f, arrow.Microsecond); !ok {
			mask &^= canTimestamp
		}
	}
	return mask
}

// pickType returns the narrowest type left in mask, utf8 if none is or no
// value was seen.
func pickType(mask int, seen bool) arrow.DataType {
	switch {
	case !seen:
		return arrow.BinaryTypes.String
	case mask&canInt != 0:
		return arrow.PrimitiveTypes.Int64
	case mask&canFloat != 0:
		return arrow.PrimitiveTypes.Float64
	case mask&canBool != 0:
		return arrow.FixedWidthTypes.Boolean
	case mask&canDate != 0:
		return arrow.FixedWidthTypes.Date32
	case mask&canTimestamp != 0:
		return expr.TimestampType
	}
	return arrow.BinaryTypes.String
}

// columnNames turns header fields into usable column names: an empty name
// becomes column_<i>, and a repeated name gets a suffix _2, _3… Without a
// header every column is column_<i> (1-based).
func columnNames(header []string, ncols int) []string {
	out := make([]string, ncols)
	used := map[string]bool{}
	for i := range out {
		name := ""
		if i < len(header) {
			name = header[i]
		}
		if name == "" {
			name = fmt.Sprintf("column_%d", i+1)
		}
		base := name
		for k := 2; used[name]; k++ {
			name = fmt.Sprintf("%s_%d", base, k)
		}
		used[name] = true
		out[i] = name
	}
	return out
}
