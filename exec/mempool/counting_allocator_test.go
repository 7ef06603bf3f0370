package mempool_test

import (
	"sync"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/grainql/grain/exec/mempool"
	"github.com/stretchr/testify/require"
)

func TestCountingAllocatorCounts(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	a := mempool.NewCountingAllocator(mem)

	b1 := a.Allocate(100)
	require.Len(t, b1, 100)
	b2 := a.Allocate(300)
	require.Equal(t, int64(400), a.Live())
	require.Equal(t, int64(400), a.Peak())

	b1 = a.Reallocate(1000, b1)
	require.Len(t, b1, 1000)
	require.Equal(t, int64(1300), a.Live())
	b1 = a.Reallocate(50, b1)
	require.Equal(t, int64(350), a.Live())
	require.Equal(t, int64(1300), a.Peak())

	a.Free(b2)
	a.Free(b1)
	require.Zero(t, a.Live())
	require.Equal(t, int64(1300), a.Peak())
	require.Equal(t, 0, mem.CurrentAlloc())
}

func TestCountingAllocatorWithBuilder(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	a := mempool.NewCountingAllocator(mem)

	bld := array.NewInt64Builder(a)
	defer bld.Release()
	for i := range 10_000 {
		bld.Append(int64(i))
	}
	bld.AppendNull()
	require.Equal(t, int64(mem.CurrentAlloc()), a.Live())

	arr := bld.NewInt64Array()
	require.Equal(t, 10_001, arr.Len())
	require.Equal(t, int64(9_999), arr.Value(9_999))
	require.True(t, arr.IsNull(10_000))
	require.GreaterOrEqual(t, a.Live(), int64(10_001*8), "values buffer is counted")
	require.Equal(t, int64(mem.CurrentAlloc()), a.Live())
	require.GreaterOrEqual(t, a.Peak(), a.Live())

	arr.Release()
	require.Zero(t, a.Live())
	require.Positive(t, a.Peak())
}

func TestCountingAllocatorConcurrent(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	a := mempool.NewCountingAllocator(mem)
	const goroutines, iters, size = 8, 500, 64

	var wg sync.WaitGroup
	for range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range iters {
				b := a.Allocate(size)
				b = a.Reallocate(2*size, b)
				a.Free(b)
			}
		}()
	}
	wg.Wait()
	require.Zero(t, a.Live())
	require.GreaterOrEqual(t, a.Peak(), int64(2*size))
	require.LessOrEqual(t, a.Peak(), int64(goroutines*2*size))
}
