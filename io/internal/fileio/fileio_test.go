package fileio

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestExpand(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"b.csv", "a.CSV", "sub/c.csv", "sub/.hidden.csv", "_tmp/d.csv", "x.txt"} {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte("12345"), 0o644))
	}
	files, err := Expand([]string{dir, filepath.Join(dir, "x.txt"), filepath.Join(dir, "b.csv")}, []string{".csv"})
	require.NoError(t, err)
	var names []string
	for _, f := range files {
		rel, _ := filepath.Rel(dir, f.Path)
		names = append(names, rel)
		require.Equal(t, int64(5), f.Size)
	}
	require.Equal(t, []string{"a.CSV", "b.csv", "sub/c.csv", "x.txt"}, names)

	files, err = Expand([]string{filepath.Join(dir, "*.csv")}, nil)
	require.NoError(t, err)
	require.Len(t, files, 1)

	// A hidden directory named explicitly is read.
	files, err = Expand([]string{filepath.Join(dir, "_tmp")}, []string{".csv"})
	require.NoError(t, err)
	require.Len(t, files, 1)

	for _, bad := range [][]string{nil, {""}, {filepath.Join(dir, "nope")}, {filepath.Join(dir, "*.parquet")}, {filepath.Join(dir, "sub", ".hidden.csv*")}} {
		_, err := Expand(bad, []string{".csv"})
		require.ErrorIs(t, err, ErrNoFiles, "%v", bad)
	}
}

func TestWriteCommitAndCleanup(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "out", "f")
	write := func(s string) WriteFunc {
		return func(w io.Writer, _ *os.File) error { _, err := io.WriteString(w, s); return err }
	}
	read := func() string {
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		return string(b)
	}
	require.NoError(t, Write(ctx, path, ErrorIfExists, write("one")))
	require.Equal(t, "one", read())
	require.NoError(t, os.Chmod(path, 0o600))

	// A file created by someone else while writing is not clobbered.
	err := Write(ctx, filepath.Join(dir, "out", "g"), ErrorIfExists, func(w io.Writer, _ *os.File) error {
		return os.WriteFile(filepath.Join(dir, "out", "g"), []byte("theirs"), 0o644)
	})
	require.ErrorIs(t, err, ErrPathExists)
	b, err := os.ReadFile(filepath.Join(dir, "out", "g"))
	require.NoError(t, err)
	require.Equal(t, "theirs", string(b))

	// Append sees the existing file; Overwrite keeps its permissions.
	require.NoError(t, Write(ctx, path, Append, func(w io.Writer, existing *os.File) error {
		require.NotNil(t, existing)
		if _, err := io.Copy(w, existing); err != nil {
			return err
		}
		_, err := io.WriteString(w, "+two")
		return err
	}))
	require.Equal(t, "one+two", read())
	st, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm())

	// A panic in the writer removes the temporary file and leaves the old one.
	func() {
		defer func() { require.NotNil(t, recover()) }()
		_ = Write(ctx, path, Overwrite, func(io.Writer, *os.File) error { panic("boom") })
	}()
	require.Equal(t, "one+two", read())

	ctx2, cancel := context.WithCancel(ctx)
	err = Write(ctx2, path, Overwrite, func(w io.Writer, _ *os.File) error { cancel(); return nil })
	require.ErrorIs(t, err, context.Canceled)
	require.Equal(t, "one+two", read())

	err = Write(ctx, filepath.Join(dir, "out"), Overwrite, write("x"))
	require.Error(t, err, "a directory is not replaced")
	require.Error(t, Write(ctx, path, SaveMode(9), write("x")))
	require.False(t, SaveMode(9).Valid())
	require.Equal(t, "append", Append.String())

	entries, err := os.ReadDir(filepath.Join(dir, "out"))
	require.NoError(t, err)
	require.Len(t, entries, 2, "only f and g, no temporary files")
}
