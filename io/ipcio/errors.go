package ipcio

import (
	"errors"
	"fmt"

	"github.com/grainql/grain/io/internal/fileio"
)

// Sentinel errors of package ipcio; check them with errors.Is.
var (
	// ErrCorruptFile reports a file that is not valid Arrow IPC: bad magic,
	// lengths beyond the end of the file, metadata or buffers that do not
	// add up. The message names the file.
	ErrCorruptFile = errors.New("corrupt arrow ipc file")
	// ErrSchemaMismatch reports files of one dataset with different
	// schemas, or records given to Write that do not match its schema.
	ErrSchemaMismatch = errors.New("schema mismatch")
	// ErrUnsupportedType reports a column type Grain does not read from IPC
	// (unions, views, run-end encoded and extension types).
	ErrUnsupportedType = errors.New("unsupported type")
	// ErrDictionaryReplacement reports records given to Write in the file
	// format whose dictionary for a column differs from the first record's:
	// the Arrow file format holds one dictionary per column. The stream
	// format allows replacements.
	ErrDictionaryReplacement = errors.New("dictionary replacement in the arrow file format")
	// ErrInvalidOption reports an option value that cannot be used.
	ErrInvalidOption = errors.New("invalid option")
	// ErrNoFiles reports paths that name no file to read.
	ErrNoFiles = fileio.ErrNoFiles
	// ErrPathExists reports a destination that exists under ErrorIfExists.
	ErrPathExists = fileio.ErrPathExists
)

// corrupt returns an error wrapping ErrCorruptFile that names path. The
// cause is kept as text only: arrow's errors for truncated input wrap
// io.EOF, and a scan must never mistake a corrupt file for its end.
func corrupt(path string, err error) error {
	return fmt.Errorf("ipc: %w: %s: %v", ErrCorruptFile, path, err)
}

// guard runs f, turning a panic (arrow's reader panics on some corrupt
// input) into an error wrapping ErrCorruptFile.
func guard(path string, f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = corrupt(path, fmt.Errorf("%v", r))
		}
	}()
	return f()
}
