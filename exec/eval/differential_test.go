package eval

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/internal/reference"
)

// errClass names the sentinel of a run-time error.
func errClass(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, expr.ErrOverflow):
		return "overflow"
	case errors.Is(err, expr.ErrDivideByZero):
		return "divzero"
	}
	return "other: " + err.Error()
}

// sameValue is exact equality of result values: same Go type, floats
// bit-equal (any NaN equals any NaN).
func sameValue(a, b any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if fmt.Sprintf("%T", a) != fmt.Sprintf("%T", b) {
		return false
	}
	switch x := a.(type) {
	case float64:
		y := b.(float64)
		return math.IsNaN(x) && math.IsNaN(y) || math.Float64bits(x) == math.Float64bits(y)
	case float32:
		y := b.(float32)
		return x != x && y != y || math.Float32bits(x) == math.Float32bits(y)
	case []byte:
		return bytes.Equal(x, b.([]byte))
	}
	return a == b
}

// liveRows lists the live rows of a batch of n rows.
func liveRows(sel []int32, n int) []int {
	var out []int
	if sel == nil {
		for i := 0; i < n; i++ {
			out = append(out, i)
		}
		return out
	}
	for _, i := range sel {
		out = append(out, int(i))
	}
	return out
}

// stats counts what the differential checks saw, to show they are not
// vacuous.
var stats struct{ values, nulls, errors, selected int }

// checkExpr compares vectorized evaluation of e (and row selection when it
// is boolean) with the reference on the live rows of rec.
func checkExpr(t testing.TB, mem memory.Allocator, e expr.Expr, rec arrow.Record, rows []reference.Row, sel []int32) {
	t.Helper()
	ctx := context.Background()
	want := make([]any, len(rows))
	wantErr := map[string]bool{}
	prep, err := reference.Prepare(e, genSchema)
	require.NoError(t, err)
	for _, i := range liveRows(sel, len(rows)) {
		v, err := prep.Eval(rows[i])
		want[i] = v
		if err != nil {
			wantErr[errClass(err)] = true
		}
	}
	ev, err := Compile(e, genSchema)
	require.NoError(t, err, "compile %s", e)
	b := exec.Batch{Rec: rec, Sel: sel}
	arr, err := ev.Eval(ctx, b, mem)
	if err != nil || len(wantErr) > 0 {
		stats.errors++
		require.Error(t, err, "%s: reference fails with %v", e, wantErr)
		require.True(t, wantErr[errClass(err)], "%s: got error %v, reference errors %v", e, err, wantErr)
	} else {
		defer arr.Release()
		wt, _ := e.Type(genSchema)
		require.True(t, arrow.TypeEqual(wt, arr.DataType()), "%s: type %s, want %s", e, arr.DataType(), wt)
		require.Equal(t, len(rows), arr.Len())
		for _, i := range liveRows(sel, len(rows)) {
			got, err := reference.Value(arr, i)
			require.NoError(t, err)
			if !sameValue(want[i], got) {
				require.Failf(t, "wrong value", "%s row %d %v: got %v (%T), want %v (%T)",
					e, i, []any(rows[i]), got, got, want[i], want[i])
			}
			if got != nil {
				stats.values++
			} else {
				stats.nulls++
			}
		}
	}
	if t, _ := e.Type(genSchema); t.ID() != arrow.BOOL {
		return
	}
	s, err := NewSelector(e, genSchema)
	require.NoError(t, err)
	picked, err := s.Select(ctx, b)
	if err != nil || len(wantErr) > 0 {
		require.Error(t, err, "select %s: reference fails with %v", e, wantErr)
		require.True(t, wantErr[errClass(err)], "select %s: got error %v, reference errors %v", e, err, wantErr)
		return
	}
	var wantRows []int32
	for _, i := range liveRows(sel, len(rows)) {
		if want[i] == true {
			wantRows = append(wantRows, int32(i))
		}
	}
	stats.selected += len(picked)
	if fmt.Sprint(wantRows) != fmt.Sprint(picked) {
		require.Failf(t, "wrong selection", "select %s: got %v, want %v", e, picked, wantRows)
	}
}

// randomSel returns nil, a random subset, or a sparse subset of n rows.
func randomSel(r decider, n int) []int32 {
	mode := r.Intn(4)
	if mode == 0 {
		return nil
	}
	sel := []int32{}
	for i := 0; i < n; i++ {
		if (mode == 1 && r.Intn(2) == 0) || (mode == 2 && r.Intn(9) == 0) || mode == 3 {
			sel = append(sel, int32(i))
		}
	}
	return sel
}

// batchOf builds a record of rows whose columns start at a non-zero offset.
func batchOf(t testing.TB, mem memory.Allocator, r decider, rows []reference.Row) arrow.Record {
	pad := r.Intn(11)
	all := append(genRows(r, pad), rows...)
	full, err := reference.RecordFromRows(mem, genSchema, all)
	require.NoError(t, err)
	defer full.Release()
	return full.NewSlice(int64(pad), int64(len(all)))
}

func TestDifferential(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	r := rand.New(rand.NewSource(1))
	g := &exprGen{r: r}
	iterations := 3000
	if testing.Short() || raceEnabled {
		iterations = 600
	}
	for it := 0; it < iterations; it += 25 {
		n := []int{1, 7, 1024}[it/25%3]
		rows := genRows(r, n)
		rec := batchOf(t, mem, r, rows)
		for k := 0; k < 25; k++ {
			e := g.gen(clsAny, 1+r.Intn(4))
			checkExpr(t, mem, e, rec, rows, nil)
			checkExpr(t, mem, e, rec, rows, randomSel(r, n))
		}
		rec.Release()
	}
	t.Logf("checked %d values, %d NULLs, %d selected rows, %d error cases", stats.values, stats.nulls, stats.selected, stats.errors)
	require.Greater(t, stats.values, 10*stats.errors, "the generated expressions should mostly succeed")
}

func FuzzEval(f *testing.F) {
	for _, seed := range []string{"", "\x00\x01\x02\x03", "hello, fuzz", "\xff\xfe\xfd\x10\x20\x30\x40\x50\x60"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		r := &byteChooser{data: data}
		g := &exprGen{r: r}
		e := g.gen(clsAny, 1+r.Intn(4))
		n := 1 + r.Intn(9)
		rows := genRows(r, n)
		rec := batchOf(t, mem, r, rows)
		defer rec.Release()
		checkExpr(t, mem, e, rec, rows, nil)
		checkExpr(t, mem, e, rec, rows, randomSel(r, n))
	})
}
