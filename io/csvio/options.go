package csvio

import (
	"fmt"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/io/internal/fileio"
)

// SaveMode says what Write does when the destination exists. It is shared with
// Grain's other file formats.
type SaveMode = fileio.SaveMode

// Save modes (see SaveMode).
const (
	ErrorIfExists = fileio.ErrorIfExists // fail with ErrPathExists (default)
	Overwrite     = fileio.Overwrite     // replace the file
	Append        = fileio.Append        // add rows after the existing ones
	Ignore        = fileio.Ignore        // keep the existing file, write nothing
)

// NoQuote, as ReadOptions.Quote, turns quoting off: quote characters are
// ordinary data.
const NoQuote rune = -1

// Defaults used for zero-valued options.
const (
	DefaultSampleRows = 1000
	DefaultSplitBytes = 32 << 20
	// DefaultBatchSize is the number of rows per record when a ScanRequest
	// leaves BatchSize at zero.
	DefaultBatchSize = 4096
)

// ReadOptions configure Open. Start from DefaultReadOptions: the zero value
// means "no header line". Other zero fields take the defaults shown.
type ReadOptions struct {
	// Header says the first line of every file holds column names. Without
	// a header, columns are named column_1, column_2…
	Header bool
	// Delimiter separates fields; a single ASCII character ('\t', ';', '|'…).
	// Zero means ','.
	Delimiter rune
	// Quote encloses fields holding delimiters, quotes or line breaks; a
	// quote inside a quoted field is doubled (RFC 4180). Zero means '"';
	// NoQuote disables quoting.
	Quote rune
	// NullValues are the unquoted field texts read as NULL. Nil means the
	// empty field only. A quoted field is never NULL: "" is the empty string.
	NullValues []string
	// Schema, if set, gives the column names and types; the header line,
	// if any, must have as many fields and is otherwise ignored. Supported
	// types: int8…int64, uint8…uint64, float32, float64, bool, utf8,
	// date32 and timestamp (any unit). Nil means infer (see SampleRows).
	Schema *arrow.Schema
	// SampleRows is how many rows schema inference reads (from the first
	// files). Zero means DefaultSampleRows; negative means every row.
	// Each column gets the narrowest of int64, float64, bool, date32,
	// timestamp[µs, UTC] and utf8 that parses every non-NULL sampled value;
	// a column with no such value is utf8.
	SampleRows int
	// SkipMalformed drops malformed rows (wrong field count, unparsable
	// value) instead of failing; Dataset.SkippedRows counts them.
	SkipMalformed bool
	// SplitBytes is the target size of a scan split. Files larger than
	// this are cut at record boundaries (found by a quick pre-scan) so
	// that several tasks can read one file. Zero means DefaultSplitBytes;
	// negative means one split per file.
	SplitBytes int64
}

// DefaultReadOptions returns the options for a comma-separated file with a
// header line and inferred types.
func DefaultReadOptions() ReadOptions {
	return ReadOptions{Header: true, Delimiter: ',', Quote: '"', SampleRows: DefaultSampleRows, SplitBytes: DefaultSplitBytes}
}

// WriteOptions configure Write. Start from DefaultWriteOptions: the zero
// value writes no header line. Other zero fields take the defaults shown.
type WriteOptions struct {
	// Mode says what to do when the file exists; zero is ErrorIfExists.
	Mode SaveMode
	// Header writes the column names as the first line. When appending to
	// a non-empty file the header must match and is not repeated.
	Header bool
	// Delimiter separates fields; zero means ','.
	Delimiter rune
	// Quote encloses fields that need it; zero means '"'. Quoting cannot
	// be turned off when writing.
	Quote rune
	// NullString is written for NULL (default: nothing, the empty field).
	// Values that would read back as NULL, such as the empty string, are
	// quoted.
	NullString string
}

// DefaultWriteOptions returns comma-separated output with a header line,
// NULL as the empty field, failing if the file exists.
func DefaultWriteOptions() WriteOptions {
	return WriteOptions{Header: true, Delimiter: ',', Quote: '"'}
}

// readConfig is ReadOptions checked and with defaults applied.
type readConfig struct {
	header     bool
	delim      byte
	quote      byte
	quoting    bool
	nulls      []string
	sampleRows int
	skip       bool
	splitBytes int64
}

func (o ReadOptions) config() (readConfig, error) {
	c := readConfig{header: o.Header, skip: o.SkipMalformed, quoting: o.Quote != NoQuote}
	var err error
	if c.delim, err = asciiOption("delimiter", o.Delimiter, ','); err != nil {
		return c, err
	}
	if c.quoting {
		if c.quote, err = asciiOption("quote", o.Quote, '"'); err != nil {
			return c, err
		}
		if c.quote == c.delim {
			return c, fmt.Errorf("%w: quote and delimiter are both %q", ErrInvalidOption, c.quote)
		}
	}
	c.nulls = o.NullValues
	if c.nulls == nil {
		c.nulls = []string{""}
	}
	c.sampleRows = o.SampleRows
	if c.sampleRows == 0 {
		c.sampleRows = DefaultSampleRows
	}
	c.splitBytes = o.SplitBytes
	if c.splitBytes == 0 {
		c.splitBytes = DefaultSplitBytes
	}
	return c, nil
}

// writeConfig is WriteOptions checked and with defaults applied.
type writeConfig struct {
	mode   SaveMode
	header bool
	delim  byte
	quote  byte
	null   string
}

func (o WriteOptions) config() (writeConfig, error) {
	c := writeConfig{mode: o.Mode, header: o.Header, null: o.NullString}
	if !o.Mode.Valid() {
		return c, fmt.Errorf("%w: save mode %v", ErrInvalidOption, o.Mode)
	}
	var err error
	if c.delim, err = asciiOption("delimiter", o.Delimiter, ','); err != nil {
		return c, err
	}
	if c.quote, err = asciiOption("quote", o.Quote, '"'); err != nil {
		return c, err
	}
	if c.quote == c.delim {
		return c, fmt.Errorf("%w: quote and delimiter are both %q", ErrInvalidOption, c.quote)
	}
	if strings.ContainsAny(c.null, string([]byte{c.delim, c.quote, '\n', '\r'})) {
		return c, fmt.Errorf("%w: null string %q holds a delimiter, quote or line break", ErrInvalidOption, c.null)
	}
	return c, nil
}

// asciiOption checks a delimiter or quote: one ASCII character other than
// a line break. Zero selects def.
func asciiOption(name string, r rune, def byte) (byte, error) {
	if r == 0 {
		return def, nil
	}
	if r < 0 || r >= 0x80 || r == '\n' || r == '\r' {
		return 0, fmt.Errorf("%w: %s %q must be one ASCII character other than a line break", ErrInvalidOption, name, r)
	}
	return byte(r), nil
}
