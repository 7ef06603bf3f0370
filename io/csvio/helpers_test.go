package csvio

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/io/internal/iotest"
	"github.com/grainql/grain/io/source"
)

// writeFile writes content to a new file in a test directory.
func writeFile(t testing.TB, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	return p
}

// checkedMem returns an allocator that fails the test if anything leaks.
func checkedMem(t *testing.T) *memory.CheckedAllocator {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return mem
}

// scanRows and renderRows render rows as text for comparisons.
var (
	scanRows   = iotest.ScanRows
	renderRows = iotest.RenderRows
	recordsOf  = iotest.RecordsOf
)

// readString opens content as a CSV file with opts and returns its schema
// and rendered rows.
func readString(t *testing.T, content string, opts ReadOptions) (*arrow.Schema, []string, error) {
	t.Helper()
	p := writeFile(t, "data.csv", content)
	ds, err := Open(context.Background(), []string{p}, opts)
	if err != nil {
		return nil, nil, err
	}
	rows, err := scanRows(context.Background(), ds, source.ScanRequest{BatchSize: 3}, checkedMem(t))
	return ds.Schema(), rows, err
}

// typeNames lists a schema's column types.
func typeNames(s *arrow.Schema) []string {
	out := make([]string, s.NumFields())
	for i, f := range s.Fields() {
		out[i] = f.Name + ":" + f.Type.String()
	}
	return out
}
