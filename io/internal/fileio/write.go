package fileio

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// SaveMode says what a write does when its destination already exists.
type SaveMode int

// Save modes; their meaning follows Spark's SaveMode.
const (
	// ErrorIfExists fails with an error wrapping ErrPathExists. It is the
	// default (zero) mode.
	ErrorIfExists SaveMode = iota
	// Overwrite replaces the file.
	Overwrite
	// Append adds the new rows after the existing ones. The result is
	// written to a new file that replaces the old one, so a failed append
	// leaves the old file untouched.
	Append
	// Ignore leaves the existing file alone and reports success without
	// consuming any input.
	Ignore
)

// ErrPathExists reports a destination that exists under mode ErrorIfExists.
var ErrPathExists = errors.New("output path already exists")

// String returns the mode's name.
func (m SaveMode) String() string {
	switch m {
	case ErrorIfExists:
		return "error-if-exists"
	case Overwrite:
		return "overwrite"
	case Append:
		return "append"
	case Ignore:
		return "ignore"
	}
	return fmt.Sprintf("save-mode(%d)", int(m))
}

// Valid reports whether m is one of the declared modes.
func (m SaveMode) Valid() bool { return m >= ErrorIfExists && m <= Ignore }

// WriteFunc writes the complete new contents of a file to w. existing is
// the current file, open for reading at offset 0, when the mode is Append
// and the destination exists; otherwise it is nil.
type WriteFunc func(w io.Writer, existing *os.File) error

// Write creates or replaces path atomically according to mode: write runs
// against a buffered temporary file in path's directory (created if
// missing), which is synced and renamed over path only when write returns
// nil and ctx is still live. On any failure, cancellation or panic the
// temporary file is removed and path is left as it was. A file that
// appears at path while writing under ErrorIfExists is not clobbered.
func Write(ctx context.Context, path string, mode SaveMode, write WriteFunc) (err error) {
	if !mode.Valid() {
		return fmt.Errorf("invalid save mode %v", mode)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	st, statErr := os.Stat(path)
	exists := statErr == nil
	switch {
	case statErr != nil && !errors.Is(statErr, fs.ErrNotExist):
		return fmt.Errorf("stat %s: %w", path, statErr)
	case exists && st.IsDir():
		return fmt.Errorf("%s is a directory", path)
	case exists && mode == ErrorIfExists:
		return fmt.Errorf("%w: %s", ErrPathExists, path)
	case exists && mode == Ignore:
		return nil
	}
	perm := fs.FileMode(0o644)
	if exists {
		perm = st.Mode().Perm()
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create directory: %w", err)
	}
	var existing *os.File
	if exists && mode == Append {
		if existing, err = os.Open(path); err != nil {
			return fmt.Errorf("open existing file: %w", err)
		}
		defer existing.Close()
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("create temporary file: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(tmp, 1<<20)
	if err := write(bw, existing); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := finish(tmp, perm); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := commit(tmp.Name(), path, mode); err != nil {
		return err
	}
	committed = true
	syncDir(dir)
	return nil
}

// finish sets the final permissions, syncs and closes the temporary file.
func finish(tmp *os.File, perm fs.FileMode) error {
	if err := tmp.Chmod(perm); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	return tmp.Close()
}

// commit moves the finished temporary file to path. Under ErrorIfExists and
// Ignore it links instead of renaming, so a file created at path by someone
// else in the meantime is kept; where hard links are unsupported it falls
// back to a check followed by a rename.
func commit(tmp, path string, mode SaveMode) error {
	if mode == Overwrite || mode == Append {
		if err := os.Rename(tmp, path); err != nil {
			return fmt.Errorf("rename into place: %w", err)
		}
		return nil
	}
	lerr := os.Link(tmp, path)
	if lerr == nil {
		_ = os.Remove(tmp)
		return nil
	}
	if _, err := os.Lstat(path); err == nil {
		_ = os.Remove(tmp)
		if mode == Ignore {
			return nil
		}
		return fmt.Errorf("%w: %s", ErrPathExists, path)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("rename into place: %w (link: %v)", err, lerr)
	}
	return nil
}

// syncDir makes a rename durable; failures are ignored because the data
// itself is already synced and some file systems refuse directory syncs.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}
