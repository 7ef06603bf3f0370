package csvio

import (
	"errors"
	"fmt"

	"github.com/grainql/grain/io/internal/fileio"
)

// Sentinel errors of package csvio; check them with errors.Is.
var (
	// ErrMalformed reports input that is not valid CSV for the dataset: a
	// row with the wrong number of fields, a value that does not parse as
	// its column's type, an unterminated quote. The error is a *ParseError
	// that names the file and line.
	ErrMalformed = errors.New("malformed csv")
	// ErrSchemaMismatch reports files of one dataset whose headers differ,
	// a header whose field count differs from an explicit schema, or
	// records given to Write that do not match its schema.
	ErrSchemaMismatch = errors.New("schema mismatch")
	// ErrUnsupportedType reports a column type CSV cannot read or write.
	ErrUnsupportedType = errors.New("unsupported type")
	// ErrInvalidOption reports an option value that cannot be used, such as
	// a delimiter that is not a single ASCII character.
	ErrInvalidOption = errors.New("invalid option")
	// ErrNoFiles reports paths that name no file to read.
	ErrNoFiles = fileio.ErrNoFiles
	// ErrPathExists reports a destination that exists under ErrorIfExists.
	ErrPathExists = fileio.ErrPathExists
)

// ParseError describes malformed input. It wraps ErrMalformed.
type ParseError struct {
	Path   string // file being read
	Line   int64  // 1-based line where the offending row starts
	Column string // column name, when one value is at fault
	Msg    string // what is wrong
}

// Error is "csv: path:line: column "name": msg".
func (e *ParseError) Error() string {
	if e.Column != "" {
		return fmt.Sprintf("csv: %s:%d: column %q: %s", e.Path, e.Line, e.Column, e.Msg)
	}
	return fmt.Sprintf("csv: %s:%d: %s", e.Path, e.Line, e.Msg)
}

// Unwrap returns ErrMalformed.
func (e *ParseError) Unwrap() error { return ErrMalformed }
