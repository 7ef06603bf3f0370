package iotest

import (
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/grainql/grain/io/source"
)

// ReadAll scans every split of src with up to workers goroutines and
// returns the number of rows read. Records are released as they arrive.
func ReadAll(ctx context.Context, src source.Source, req source.ScanRequest, mem memory.Allocator, workers int) (int64, error) {
	splits, err := src.Splits(ctx, req)
	if err != nil {
		return 0, err
	}
	var (
		rows  atomic.Int64
		next  atomic.Int64
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(splits) {
					return
				}
				n, err := readSplit(ctx, splits[i], mem)
				rows.Add(n)
				if err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	return rows.Load(), first
}

func readSplit(ctx context.Context, sp source.Split, mem memory.Allocator) (int64, error) {
	r, err := sp.Open(ctx, mem)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	var n int64
	for {
		rec, err := r.Next(ctx)
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n += rec.NumRows()
		rec.Release()
	}
}

// CPUTime returns the user and system CPU time the process has used. Benchmarks
// report throughput per CPU second beside wall-clock throughput, since the
// latter depends on what else the machine runs.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
