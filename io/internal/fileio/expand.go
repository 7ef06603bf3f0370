package fileio

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// ErrNoFiles reports a path, glob or directory that names no file to read.
var ErrNoFiles = errors.New("no files")

// File is one file of a dataset.
type File struct {
	Path string
	Size int64
}

// Expand resolves paths into files. Each entry is a file (read whatever its
// name), a glob (filepath.Match syntax; matches sorted by name) or a
// directory, walked recursively for files whose name ends with one of exts
// (case-insensitive). Walking skips files and directories whose name starts
// with "." or "_" (hidden files, _SUCCESS markers); so does a glob.
// A file listed twice is read once. An entry that names no file is an
// error wrapping ErrNoFiles.
func Expand(paths []string, exts []string) ([]File, error) {
	if len(paths) == 0 {
		return nil, fmt.Errorf("%w: no paths given", ErrNoFiles)
	}
	var out []File
	seen := map[string]bool{}
	add := func(p string, size int64) {
		if !seen[p] {
			seen[p] = true
			out = append(out, File{Path: p, Size: size})
		}
	}
	for _, p := range paths {
		files, err := expandOne(p, exts)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			add(f.Path, f.Size)
		}
	}
	return out, nil
}

// expandOne resolves one entry of Expand.
func expandOne(p string, exts []string) ([]File, error) {
	if p == "" {
		return nil, fmt.Errorf("%w: empty path", ErrNoFiles)
	}
	if strings.ContainsAny(p, "*?[") {
		return expandGlob(p)
	}
	st, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoFiles, err)
	}
	if !st.IsDir() {
		return []File{{Path: p, Size: st.Size()}}, nil
	}
	var out []File
	err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if path != p && hidden(d.Name()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() || !hasExt(d.Name(), exts) {
			return nil
		}
		st, err := os.Stat(path)
		if err != nil {
			return err
		}
		if st.Mode().IsRegular() {
			out = append(out, File{Path: path, Size: st.Size()})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list directory %s: %w", p, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: directory %s holds no file ending in %s", ErrNoFiles, p, strings.Join(exts, ", "))
	}
	return out, nil
}

// expandGlob resolves a glob to the regular files it matches.
func expandGlob(p string) ([]File, error) {
	matches, err := filepath.Glob(p)
	if err != nil {
		return nil, fmt.Errorf("%w: bad pattern %q: %w", ErrNoFiles, p, err)
	}
	sort.Strings(matches)
	var out []File
	for _, m := range matches {
		if hidden(filepath.Base(m)) {
			continue
		}
		st, err := os.Stat(m)
		if err != nil {
			return nil, fmt.Errorf("stat %s: %w", m, err)
		}
		if st.Mode().IsRegular() {
			out = append(out, File{Path: m, Size: st.Size()})
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: pattern %q matches no file", ErrNoFiles, p)
	}
	return out, nil
}

func hidden(name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")
}

func hasExt(name string, exts []string) bool {
	lower := strings.ToLower(name)
	for _, e := range exts {
		if strings.HasSuffix(lower, e) {
			return true
		}
	}
	return false
}
