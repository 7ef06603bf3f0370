package parquetio

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// foundFile is a data file and the raw partition values of its directories.
type foundFile struct {
	path   string
	keys   []string  // partition column names, outermost first
	values []*string // their values (nil: NULL)
}

// discover expands paths (files, directories searched recursively, glob
// patterns) into data files sorted by path. Files and directories whose
// names start with '.', or with '_' and contain no '=', are skipped inside
// directories, as Spark skips _SUCCESS, _temporary and .crc files.
func discover(paths []string) ([]foundFile, error) {
	seen := map[string]bool{}
	var files []foundFile
	add := func(path, base string) error {
		abs, err := filepath.Abs(path)
		if err != nil {
			return err
		}
		if seen[abs] {
			return nil
		}
		seen[abs] = true
		ff := foundFile{path: path}
		rel, err := filepath.Rel(base, filepath.Dir(path))
		if err != nil {
			return err
		}
		if rel != "." {
			for _, seg := range strings.Split(filepath.ToSlash(rel), "/") {
				if k, v, ok := parseSegment(seg); ok {
					ff.keys = append(ff.keys, k)
					ff.values = append(ff.values, v)
				}
			}
		}
		files = append(files, ff)
		return nil
	}
	for _, p := range paths {
		if hasMeta(p) {
			matches, err := filepath.Glob(p)
			if err != nil {
				return nil, fmt.Errorf("parquet: pattern %q: %w", p, err)
			}
			base := globBase(p)
			for _, m := range matches {
				if err := addPath(m, base, add); err != nil {
					return nil, err
				}
			}
			continue
		}
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("parquet: %w", err)
		}
		base := p
		if !st.IsDir() {
			base = filepath.Dir(p)
		}
		if err := addPath(p, base, add); err != nil {
			return nil, err
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%w in %s", ErrNoFiles, strings.Join(paths, ", "))
	}
	slices.SortFunc(files, func(a, b foundFile) int { return strings.Compare(a.path, b.path) })
	return files, checkLayout(files)
}

// addPath adds a file, or every data file under a directory.
func addPath(p, base string, add func(path, base string) error) error {
	st, err := os.Stat(p)
	if err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	if !st.IsDir() {
		return add(p, base)
	}
	return filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("parquet: %w", err)
		}
		if path != p && hidden(d.Name()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			if st, err := os.Stat(path); err != nil || !st.Mode().IsRegular() {
				return nil
			}
		} else if !d.Type().IsRegular() {
			return nil
		}
		return add(path, base)
	})
}

// hidden reports names readers skip: ".x", and "_x" unless it is a
// partition directory like "_k=v".
func hidden(name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") && !strings.Contains(name, "=")
}

func hasMeta(p string) bool { return strings.ContainsAny(p, "*?[") }

// globBase is the directory part of a pattern before its first wildcard.
func globBase(p string) string {
	i := strings.IndexAny(p, "*?[")
	dir := filepath.Dir(p[:i] + "x")
	return dir
}

// checkLayout requires every file to sit under the same partition columns.
func checkLayout(files []foundFile) error {
	first := files[0]
	for _, f := range files[1:] {
		if !slices.Equal(f.keys, first.keys) {
			return fmt.Errorf("%w: conflicting partition directories: %s has (%s) but %s has (%s)",
				ErrSchemaMismatch, first.path, strings.Join(first.keys, ", "), f.path, strings.Join(f.keys, ", "))
		}
	}
	seen := map[string]bool{}
	for _, k := range first.keys {
		if seen[k] {
			return fmt.Errorf("%w: partition column %q appears twice in %s", ErrSchemaMismatch, k, first.path)
		}
		seen[k] = true
	}
	return nil
}
