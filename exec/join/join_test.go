package join_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/exec/join"
	"github.com/grainql/grain/exec/mempool"
)

var allTypes = []join.Type{join.Inner, join.Left, join.Right, join.Full, join.Semi, join.Anti, join.Cross}

// keyKinds are the key shapes of the differential test.
var keyKinds = map[string][]arrow.DataType{
	"int64":  {arrow.PrimitiveTypes.Int64},
	"int32":  {arrow.PrimitiveTypes.Int32},
	"string": {arrow.BinaryTypes.String},
	"multi":  {arrow.PrimitiveTypes.Int64, arrow.BinaryTypes.String},
	// float64 keys include NaNs with different payloads, -0 and +0.
	"float64": {arrow.PrimitiveTypes.Float64},
	"bool":    {arrow.FixedWidthTypes.Boolean},
	"mixed":   {arrow.FixedWidthTypes.Boolean, arrow.PrimitiveTypes.Float64, arrow.PrimitiveTypes.Int32},
}

// dataset is one randomly generated pair of join inputs.
type dataset struct {
	left, right  *arrow.Schema
	lrows, rrows []row
	nk           int // key columns, first on both sides
	lv, rw       int // residual columns: left "v", right "w" (row indexes)
}

// genDataset makes inputs with keys of the given types: few distinct keys
// (duplicates and fan-out on both sides), about 10% NULLs everywhere.
func genDataset(rng *rand.Rand, types []arrow.DataType, nl, nr int) dataset {
	return genDatasetDomain(rng, types, nl, nr, 1+rng.IntN(8))
}

// genDatasetDomain is genDataset with keys drawn from domain distinct
// values per column.
func genDatasetDomain(rng *rand.Rand, types []arrow.DataType, nl, nr, domain int) dataset {
	var lf, rf []arrow.Field
	for i, dt := range types {
		lf = append(lf, arrow.Field{Name: fmt.Sprintf("lk%d", i), Type: dt, Nullable: true})
		rf = append(rf, arrow.Field{Name: fmt.Sprintf("rk%d", i), Type: dt, Nullable: true})
	}
	lf = append(lf, arrow.Field{Name: "v", Type: arrow.PrimitiveTypes.Int64, Nullable: true})
	rf = append(rf,
		arrow.Field{Name: "w", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		arrow.Field{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true})
	d := dataset{left: arrow.NewSchema(lf, nil), right: arrow.NewSchema(rf, nil), nk: len(types)}
	d.lv, d.rw = d.nk, d.nk
	key := func(dt arrow.DataType) any {
		if rng.IntN(10) == 0 {
			return nil
		}
		k := rng.IntN(domain)
		switch dt.ID() {
		case arrow.INT32:
			return int32(k)
		case arrow.STRING:
			return fmt.Sprintf("k%d", k)
		case arrow.FLOAT64:
			// Two NaN payloads and -0 are as frequent as any other key.
			switch rng.IntN(domain + 3) {
			case domain:
				return math.NaN()
			case domain + 1:
				return math.Float64frombits(0xfff8000000000123)
			case domain + 2:
				return math.Copysign(0, -1)
			}
			return float64(k) / 2
		case arrow.BOOL:
			return k%2 == 0
		}
		return int64(k)
	}
	num := func() any {
		if rng.IntN(10) == 0 {
			return nil
		}
		return int64(rng.IntN(10))
	}
	for range nl {
		r := row{}
		for _, dt := range types {
			r = append(r, key(dt))
		}
		d.lrows = append(d.lrows, append(r, num()))
	}
	for range nr {
		r := row{}
		for _, dt := range types {
			r = append(r, key(dt))
		}
		var s any = fmt.Sprintf("s%d", rng.IntN(1000))
		if rng.IntN(10) == 0 {
			s = nil
		}
		d.rrows = append(d.rrows, append(r, num(), s))
	}
	return d
}

// uniqueRight keeps the first right row of every key (NULL patterns
// included), so the build keys are unique.
func (d *dataset) uniqueRight() {
	seen := map[string]bool{}
	var kept []row
	for _, r := range d.rrows {
		k := formatRow(r[:d.nk])
		if !seen[k] {
			seen[k] = true
			kept = append(kept, r)
		}
	}
	d.rrows = kept
}

// nestedLoop is the oracle: a nested-loop join with SQL semantics.
func nestedLoop(d dataset, spec join.Spec, residual bool) []string {
	keysMatch := func(l, r row) bool {
		for i := range spec.LeftKeys {
			lv, rv := l[spec.LeftKeys[i]], r[spec.RightKeys[i]]
			if lv == nil || rv == nil {
				if spec.NullsEqual && lv == nil && rv == nil {
					continue
				}
				return false
			}
			if !keyEqual(lv, rv) {
				return false
			}
		}
		return true
	}
	nulls := func(n int) row { return make(row, n) }
	hit := make([]bool, len(d.rrows))
	var out []string
	for _, l := range d.lrows {
		any := false
		for j, r := range d.rrows {
			if !keysMatch(l, r) || (residual && !residualHolds(l[d.lv], r[d.rw])) {
				continue
			}
			any, hit[j] = true, true
			if spec.Type != join.Semi && spec.Type != join.Anti {
				out = append(out, formatRow(append(slices.Clone(l), r...)))
			}
		}
		switch {
		case spec.Type == join.Semi && any, spec.Type == join.Anti && !any:
			out = append(out, formatRow(l))
		case (spec.Type == join.Left || spec.Type == join.Full) && !any:
			out = append(out, formatRow(append(slices.Clone(l), nulls(len(d.right.Fields()))...)))
		}
	}
	if spec.Type == join.Right || spec.Type == join.Full {
		for j, r := range d.rrows {
			if !hit[j] {
				out = append(out, formatRow(append(nulls(len(d.left.Fields())), r...)))
			}
		}
	}
	slices.Sort(out)
	return out
}

// keyEqual is key equality of non-NULL values: Go equality (so -0 equals
// +0), except that all NaNs are equal.
func keyEqual(a, b any) bool {
	if x, ok := a.(float64); ok {
		y := b.(float64)
		return x == y || (math.IsNaN(x) && math.IsNaN(y))
	}
	return a == b
}

// sizes picks input sizes; the first seeds cover the edge cases.
func sizes(seed int, rng *rand.Rand) (int, int) {
	switch seed {
	case 0:
		return 0, 1 + rng.IntN(30)
	case 1:
		return 1 + rng.IntN(60), 0
	case 2:
		return 0, 0
	case 3:
		return 1, 1
	}
	return rng.IntN(200), rng.IntN(60)
}

// TestDifferential compares every join type against the nested-loop oracle
// over random inputs: each key shape, NULL keys, duplicate keys on both
// sides, empty inputs and batches, selection vectors, three batch sizes,
// with and without NullsEqual and a residual, with duplicate or unique build
// keys, through NewHashJoin and through Build + NewProbe.
func TestDifferential(t *testing.T) {
	kinds := []string{"int64", "int32", "string", "multi", "float64", "mixed"}
	for _, typ := range allTypes {
		for _, nullsEqual := range []bool{false, true} {
			if typ == join.Cross && nullsEqual {
				continue // no keys: NullsEqual means nothing
			}
			for _, residual := range []bool{false, true} {
				for _, bs := range []int{1, 7, 1024} {
					name := fmt.Sprintf("%s/nullsEqual=%v/residual=%v/bs=%d", typ, nullsEqual, residual, bs)
					t.Run(name, func(t *testing.T) {
						for seed := range 8 {
							rng := rand.New(rand.NewPCG(uint64(seed), uint64(bs)+uint64(typ)<<8))
							kind := kinds[(seed+int(typ))%len(kinds)]
							nl, nr := sizes(seed, rng)
							if typ == join.Cross {
								nl = min(nl, 50) // every pair is output
							}
							runCase(t, rng, typ, kind, nullsEqual, residual, bs, nl, nr, seed%2 == 1, seed >= 6)
						}
					})
				}
			}
		}
	}
}

// runCase runs one join and compares it with the oracle.
func runCase(t *testing.T, rng *rand.Rand, typ join.Type, kind string, nullsEqual, residual bool,
	bs, nl, nr int, viaTable, unique bool) {
	t.Helper()
	ctx := context.Background()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	pool := mempool.NewGreedy(1 << 30)
	env := exec.NewEnv(mem, pool, bs)

	d := genDataset(rng, keyKinds[kind], nl, nr)
	if unique {
		d.uniqueRight()
		nr = len(d.rrows)
	}
	spec := join.Spec{Type: typ, NullsEqual: nullsEqual}
	if typ != join.Cross {
		for i := range d.nk {
			spec.LeftKeys = append(spec.LeftKeys, i)
			spec.RightKeys = append(spec.RightKeys, i)
		}
	}
	if residual {
		spec.Residual = &int64Less{l: d.lv, r: d.left.NumFields() + d.rw}
	}
	want := nestedLoop(d, spec, residual)

	left := newSource(t, mem, d.left, d.lrows, rng)
	right := newSource(t, mem, d.right, d.rrows, rng)
	m := &exec.Metrics{}
	var op exec.Operator
	if viaTable {
		tbl, err := join.Build(ctx, right, spec.RightKeys, env, m)
		require.NoError(t, err)
		require.Equal(t, 1, right.Closes(), "Build closes its input")
		require.Equal(t, nr, tbl.Rows())
		op, err = join.NewProbe(left, tbl, spec, env, m)
		require.NoError(t, err)
		tbl.Release()
	} else {
		var err error
		op, err = join.NewHashJoin(left, right, spec, env, m)
		require.NoError(t, err)
	}
	require.True(t, op.Schema().Equal(join.OutputSchema(typ, d.left, d.right)))
	got := drain(t, ctx, op, bs)
	require.Equal(t, want, got, "kind=%s nl=%d nr=%d viaTable=%v", kind, nl, nr, viaTable)

	require.Equal(t, int64(len(got)), m.Counter("output rows").Value.Load())
	require.Equal(t, int64(nl), m.Counter("probe rows").Value.Load())
	require.Equal(t, int64(nr), m.Counter("build rows").Value.Load())
	require.Equal(t, 1, left.Closes())
	require.Zero(t, pool.Reserved(), "reservations left after Close")
}
