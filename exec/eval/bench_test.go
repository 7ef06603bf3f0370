package eval

import (
	"context"
	"math/rand"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/expr"
)

const benchRows = 4096

// benchBatch returns a 4096-row batch with columns a and b of type t
// holding values in [0, 100).
func benchBatch(b *testing.B, t arrow.DataType) exec.Batch {
	mem := memory.NewGoAllocator()
	schema := arrow.NewSchema([]arrow.Field{{Name: "a", Type: t}, {Name: "b", Type: t}}, nil)
	rb := array.NewRecordBuilder(mem, schema)
	defer rb.Release()
	r := rand.New(rand.NewSource(1))
	for i := 0; i < benchRows; i++ {
		for c := 0; c < 2; c++ {
			switch fb := rb.Field(c).(type) {
			case *array.Int64Builder:
				fb.Append(int64(r.Intn(100)))
			case *array.Float64Builder:
				fb.Append(float64(r.Intn(100)))
			}
		}
	}
	return exec.Batch{Rec: rb.NewRecord()}
}

func reportRows(b *testing.B) {
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkFilter(b *testing.B) {
	ctx := context.Background()
	for _, t := range []arrow.DataType{arrow.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Float64} {
		lit := expr.Lit(int64(42))
		if t.ID() == arrow.FLOAT64 {
			lit = expr.Lit(42.0)
		}
		b.Run("a>42/"+t.String(), func(b *testing.B) {
			batch := benchBatch(b, t)
			defer batch.Release()
			s, err := NewSelector(expr.Col("a").Gt(lit), batch.Rec.Schema())
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := s.Select(ctx, batch); err != nil {
					b.Fatal(err)
				}
			}
			reportRows(b)
		})
	}
	b.Run("a>42/int64/plain-go", func(b *testing.B) {
		batch := benchBatch(b, arrow.PrimitiveTypes.Int64)
		defer batch.Release()
		a := batch.Rec.Column(0).(*array.Int64).Int64Values()
		sel := make([]int32, benchRows)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			k := 0
			for j, x := range a {
				sel[k] = int32(j)
				k += b2i(x > 42)
			}
		}
		reportRows(b)
	})
}

// recyclingAllocator keeps freed buffers by size for reuse, as a pooling
// query allocator would; it shows the evaluator's cost without the Go
// runtime's large-object allocation (a 4096-row int64 column is 32 KiB,
// just above the runtime's small-object limit).
type recyclingAllocator struct {
	free map[int][][]byte
}

func (r *recyclingAllocator) Allocate(size int) []byte {
	if l := r.free[size]; len(l) > 0 {
		b := l[len(l)-1]
		r.free[size] = l[:len(l)-1]
		return b
	}
	return make([]byte, size)
}

func (r *recyclingAllocator) Reallocate(size int, b []byte) []byte {
	nb := r.Allocate(size)
	copy(nb, b)
	r.Free(b)
	return nb
}

func (r *recyclingAllocator) Free(b []byte) { r.free[cap(b)] = append(r.free[cap(b)], b[:cap(b)]) }

var sink []int64

func BenchmarkProject(b *testing.B) {
	ctx := context.Background()
	allocators := []struct {
		name string
		mem  memory.Allocator
	}{{"go", memory.NewGoAllocator()}, {"recycling", &recyclingAllocator{free: map[int][][]byte{}}}}
	for _, t := range []arrow.DataType{arrow.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Float64} {
		for _, a := range allocators {
			two := expr.Lit(int64(2))
			if t.ID() == arrow.FLOAT64 {
				two = expr.Lit(2.0)
			}
			mem := a.mem
			b.Run("a*2+b/"+t.String()+"/mem="+a.name, func(b *testing.B) {
				batch := benchBatch(b, t)
				defer batch.Release()
				ev, err := Compile(expr.Col("a").Mul(two).Add(expr.Col("b")), batch.Rec.Schema())
				if err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					arr, err := ev.Eval(ctx, batch, mem)
					if err != nil {
						b.Fatal(err)
					}
					arr.Release()
				}
				reportRows(b)
			})
		}
	}
	b.Run("a*2+b/int64/plain-go-alloc", func(b *testing.B) {
		batch := benchBatch(b, arrow.PrimitiveTypes.Int64)
		defer batch.Release()
		a := batch.Rec.Column(0).(*array.Int64).Int64Values()
		c := batch.Rec.Column(1).(*array.Int64).Int64Values()
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			out := make([]int64, benchRows)
			for j := range out {
				out[j] = a[j]*2 + c[j]
			}
			sink = out
		}
		reportRows(b)
	})
	b.Run("a*2+b/int64/plain-go-reuse", func(b *testing.B) {
		batch := benchBatch(b, arrow.PrimitiveTypes.Int64)
		defer batch.Release()
		a := batch.Rec.Column(0).(*array.Int64).Int64Values()
		c := batch.Rec.Column(1).(*array.Int64).Int64Values()
		out := make([]int64, benchRows)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			for j := range out {
				out[j] = a[j]*2 + c[j]
			}
		}
		sink = out
		reportRows(b)
	})
}
