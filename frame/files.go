package frame

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/io/csvio"
	"github.com/grainql/grain/io/ipcio"
	"github.com/grainql/grain/io/parquetio"
	"github.com/grainql/grain/io/source"
	"github.com/grainql/grain/plan"
)

// ReadParquet returns a DataFrame over Parquet files: paths are files,
// globs or directories (hive-style key=value directories become partition
// columns). Footers are read now, for the schema and statistics; data is
// read by actions, only the columns and row groups the query needs.
func (s *Session) ReadParquet(paths []string, opts parquetio.ReadOptions) *DataFrame {
	step := fmt.Sprintf("ReadParquet(%v)", paths)
	ds, err := parquetio.Open(context.Background(), paths, opts)
	if err != nil {
		return failed(s, step, err)
	}
	return s.fromSource(step, ds)
}

// ReadCSV returns a DataFrame over CSV files (see csvio.ReadOptions; start
// from csvio.DefaultReadOptions()).
func (s *Session) ReadCSV(paths []string, opts csvio.ReadOptions) *DataFrame {
	step := fmt.Sprintf("ReadCSV(%v)", paths)
	ds, err := csvio.Open(context.Background(), paths, opts)
	if err != nil {
		return failed(s, step, err)
	}
	return s.fromSource(step, ds)
}

// ReadIPC returns a DataFrame over Arrow IPC files or streams.
func (s *Session) ReadIPC(paths []string, opts ipcio.ReadOptions) *DataFrame {
	step := fmt.Sprintf("ReadIPC(%v)", paths)
	ds, err := ipcio.Open(context.Background(), paths, opts)
	if err != nil {
		return failed(s, step, err)
	}
	return s.fromSource(step, ds)
}

// FromSource returns a DataFrame scanning src, any implementation of the
// scan contract (a file dataset opened by the caller, to inspect its
// counters afterwards, or a source of the program's own).
func (s *Session) FromSource(src source.Source) *DataFrame {
	return s.fromSource("FromSource("+src.Name()+")", src)
}

// fromSource scans src under a generated qualifier ("df1", "df2"…).
func (s *Session) fromSource(step string, src source.Source) *DataFrame {
	if s.err != nil {
		return failed(s, step, s.err)
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return failed(s, step, ErrSessionClosed)
	}
	s.nextID++
	name := fmt.Sprintf("df%d", s.nextID)
	s.mu.Unlock()
	scan, err := plan.NewScan(src, name)
	if err != nil {
		return failed(s, step, err)
	}
	return &DataFrame{s: s, node: scan}
}

// WriteParquet runs the query and writes its result as Parquet files under
// dir (one file, or hive-style directories with PartitionBy). The write is
// atomic: files appear only when the whole result was written.
func (df *DataFrame) WriteParquet(ctx context.Context, dir string, opts parquetio.WriteOptions) (*parquetio.WriteResult, error) {
	var res *parquetio.WriteResult
	err := df.write(ctx, "WriteParquet", func(schema *arrow.Schema, next func(context.Context) (arrow.Record, error)) error {
		var err error
		res, err = parquetio.Write(ctx, dir, schema, next, opts)
		return err
	})
	return res, err
}

// WriteCSV runs the query and writes its result as one CSV file at path,
// atomically.
func (df *DataFrame) WriteCSV(ctx context.Context, path string, opts csvio.WriteOptions) error {
	return df.write(ctx, "WriteCSV", func(schema *arrow.Schema, next func(context.Context) (arrow.Record, error)) error {
		return csvio.Write(ctx, path, schema, next, opts)
	})
}

// WriteIPC runs the query and writes its result as one Arrow IPC file (or
// stream) at path, atomically.
func (df *DataFrame) WriteIPC(ctx context.Context, path string, opts ipcio.WriteOptions) error {
	return df.write(ctx, "WriteIPC", func(schema *arrow.Schema, next func(context.Context) (arrow.Record, error)) error {
		return ipcio.Write(ctx, path, schema, next, opts)
	})
}

// write runs the query and hands its records to a format writer, which
// pulls them with next (io.EOF at the end) and releases each one.
func (df *DataFrame) write(ctx context.Context, action string, sink func(*arrow.Schema, func(context.Context) (arrow.Record, error)) error) error {
	q, err := df.start(ctx, action)
	if err != nil {
		return err
	}
	var runErr error
	next := func(ctx context.Context) (arrow.Record, error) {
		rec, err := q.next(ctx)
		if err != nil && !errors.Is(err, io.EOF) {
			runErr = err
		}
		return rec, err
	}
	if err := sink(q.out, next); err != nil {
		if runErr != nil {
			return runErr // q.next already closed the query
		}
		return q.fail(err)
	}
	return q.finish()
}
