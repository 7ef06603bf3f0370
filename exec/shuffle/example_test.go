package shuffle_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/exec/shuffle"
)

// Example shuffles the rows of two map tasks into three partitions by key
// and reads each partition back.
func Example() {
	dir, _ := os.MkdirTemp("", "grain-spill-")
	defer os.RemoveAll(dir)
	env := exec.NewEnv(memory.NewGoAllocator(), nil, 0)
	env.SpillDir = dir // the scheduler creates one per query

	schema := arrow.NewSchema([]arrow.Field{{Name: "k", Type: arrow.PrimitiveTypes.Int64}}, nil)
	x, err := shuffle.New(shuffle.Config{Partitions: 3, Keys: []int{0}, Schema: schema, Name: "exchange 1"}, env)
	if err != nil {
		panic(err)
	}
	defer x.Release()

	ctx := context.Background()
	for m, keys := range [][]int64{{1, 2, 3, 4}, {4, 5, 6, 1}} {
		b := array.NewInt64Builder(env.Mem)
		b.AppendValues(keys, nil)
		col := b.NewArray()
		rec := array.NewRecord(schema, []arrow.Array{col}, int64(len(keys)))
		w := x.Writer(m)
		if err := w.Write(ctx, exec.Batch{Rec: rec}); err != nil {
			panic(err)
		}
		if err := w.Close(ctx); err != nil {
			panic(err)
		}
		rec.Release()
		col.Release()
		b.Release()
	}

	for p := range x.Partitions() {
		op := x.Reader(p)
		if err := op.Open(ctx); err != nil {
			panic(err)
		}
		var keys []int64
		for {
			b, err := op.Next(ctx)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				panic(err)
			}
			keys = append(keys, b.Column(0).(*array.Int64).Int64Values()...)
			b.Release()
		}
		_ = op.Close()
		fmt.Printf("partition %d: %v (%d rows written)\n", p, keys, x.Stats().Partitions[p].Rows)
	}
	// Output:
	// partition 0: [5 6] (2 rows written)
	// partition 1: [2 3] (2 rows written)
	// partition 2: [1 4 4 1] (4 rows written)
}
