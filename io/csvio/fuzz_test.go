package csvio

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/io/source"
)

// fuzzSeeds are small hand-written inputs covering the grammar's corners.
var fuzzSeeds = []string{
	"a,b\n1,x\n2,y\n",
	"a,b\n1,\"x\ny\"\n2,\"\"\"\"\n",
	"a,b\r\n1,x\r\n",
	"a,b\r1,x\r2,y",
	"\xEF\xBB\xBFa,b\n1,\"q\"\n",
	"a\n1\n\n3\n",
	"a,b\n1\n2,3,4\n",
	"a,b\n1,\"x\"y\n",
	"a,b\n1,\"unterminated\n",
	"x,y,z\n2020-01-01,2020-01-01 10:00:00.5,true\n,,\n",
	"n;s\n1;'a;''b'\n",
	"a,b\n1.5,NA\nnan,inf\n",
	"a,b,c\n\"\",,\"\"\n",
	"\n\n\n",
	"\"",
	"a,\"b\nc\",d\n\"1\",2,3\n",
}

func FuzzCSV(f *testing.F) {
	small, err := os.ReadFile(duckdbSmall)
	require.NoError(f, err)
	// The first lines of the file: mutating all 70 KB makes each run slow.
	head := small[:bytes.IndexByte(small[3000:], '\n')+3001]
	f.Add(head, uint8(1))
	f.Add(head, uint8(1|2|4<<5))
	for i, s := range fuzzSeeds {
		f.Add([]byte(s), uint8(i*37))
	}
	f.Fuzz(func(t *testing.T, data []byte, flags uint8) {
		opts := DefaultReadOptions()
		opts.Header = flags&1 != 0
		opts.SkipMalformed = flags&2 != 0
		if flags&4 != 0 {
			opts.Delimiter = ';'
		}
		if flags&8 != 0 {
			opts.Quote = '\''
		}
		if flags&16 != 0 {
			opts.NullValues = []string{"", "NA"}
		}
		opts.SampleRows = 1 + int(flags>>5) // small samples leave rows that fail to parse
		checkCSV(t, data, opts)
	})
}

// checkCSV reads data with opts, whole and cut into tiny splits, and checks
// that both agree, that records match the schema, and that writing the
// rows and reading them back gives the same rows.
func checkCSV(t *testing.T, data []byte, opts ReadOptions) {
	dir := t.TempDir()
	path := filepath.Join(dir, "in.csv")
	require.NoError(t, os.WriteFile(path, data, 0o644))
	ctx := context.Background()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	opts.SplitBytes = -1
	whole, err := Open(ctx, []string{path}, opts)
	if err != nil {
		require.True(t, errors.Is(err, ErrMalformed), "unexpected error kind: %v", err)
		return
	}
	schema := whole.Schema()
	want, wantErr := scanChecked(t, whole, mem)

	opts.SplitBytes = max(3, int64(len(data))/16) // many tiny splits
	cut, err := Open(ctx, []string{path}, opts)
	require.NoError(t, err)
	require.True(t, schema.Equal(cut.Schema()))
	got, gotErr := scanChecked(t, cut, mem)
	if wantErr != nil || gotErr != nil { // rows read before the error depend on batching
		require.Error(t, wantErr)
		require.Error(t, gotErr)
		require.Equal(t, wantErr.Error(), gotErr.Error())
		require.True(t, errors.Is(wantErr, ErrMalformed) || errors.Is(wantErr, ErrSchemaMismatch), "%v", wantErr)
		return
	}
	require.Equal(t, want, got)
	require.Equal(t, whole.SkippedRows(), cut.SkippedRows())

	// Write the rows and read them back with the same schema.
	splits, err := whole.Splits(ctx, source.ScanRequest{BatchSize: 5})
	require.NoError(t, err)
	var recs []arrow.Record
	for _, sp := range splits {
		r, err := sp.Open(ctx, mem)
		require.NoError(t, err)
		for {
			rec, err := r.Next(ctx)
			if err != nil {
				break
			}
			recs = append(recs, rec)
		}
		require.NoError(t, r.Close())
	}
	// Write through the writer's core, not Write: its fsync would
	// dominate the fuzzer's time.
	var buf bytes.Buffer
	cfg, err := DefaultWriteOptions().config()
	require.NoError(t, err)
	w := &csvWriter{cfg: cfg, schema: schema, out: &buf}
	w.writeHeader()
	for _, r := range recs {
		require.NoError(t, w.writeRecord(r))
		r.Release()
	}
	out := filepath.Join(dir, "out.csv")
	require.NoError(t, os.WriteFile(out, buf.Bytes(), 0o644))
	back := DefaultReadOptions()
	back.Schema = schema
	again, err := Open(ctx, []string{out}, back)
	require.NoError(t, err)
	rows, err := scanRows(ctx, again, source.ScanRequest{}, mem)
	require.NoError(t, err)
	require.Equal(t, want, rows)
}

// scanChecked reads every row of ds, checking each record against the
// schema, and returns the rows and the first error.
func scanChecked(t *testing.T, ds *Dataset, mem memory.Allocator) ([]string, error) {
	ctx := context.Background()
	splits, err := ds.Splits(ctx, source.ScanRequest{BatchSize: 4})
	require.NoError(t, err)
	var rows []string
	for _, sp := range splits {
		r, err := sp.Open(ctx, mem)
		if err != nil {
			return rows, err
		}
		for {
			rec, err := r.Next(ctx)
			if err != nil {
				r.Close()
				if errors.Is(err, io.EOF) {
					break
				}
				return rows, err
			}
			require.True(t, rec.Schema().Equal(ds.Schema()))
			require.Positive(t, rec.NumRows())
			for i, col := range rec.Columns() {
				require.Equal(t, int(rec.NumRows()), col.Len())
				require.True(t, arrow.TypeEqual(ds.Schema().Field(i).Type, col.DataType()))
			}
			rows = append(rows, renderRows(rec)...)
			rec.Release()
		}
	}
	return rows, nil
}

func TestCheckCSVOnDuckDBSmall(t *testing.T) {
	small, err := os.ReadFile(duckdbSmall)
	require.NoError(t, err)
	opts := DefaultReadOptions()
	opts.SkipMalformed = true
	checkCSV(t, small, opts)
	opts.SampleRows = 1 // columns NULL in the first row are read as strings
	opts.SkipMalformed = false
	checkCSV(t, small, opts)
}

func TestFuzzSeeds(t *testing.T) {
	// The seeds run under plain go test too (FuzzCSV does as well); this
	// adds every flag combination for the hand-written inputs.
	for _, s := range fuzzSeeds {
		for _, flags := range []int{0, 1, 2, 3, 5, 9, 17, 27, 31} {
			opts := DefaultReadOptions()
			opts.Header = flags&1 != 0
			opts.SkipMalformed = flags&2 != 0
			if flags&4 != 0 {
				opts.Delimiter = ';'
			}
			if flags&8 != 0 {
				opts.Quote = '\''
			}
			if flags&16 != 0 {
				opts.NullValues = []string{"", "NA"}
			}
			opts.SampleRows = 1
			checkCSV(t, []byte(s), opts)
		}
	}
}
