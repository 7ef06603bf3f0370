package enginetest

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/grainql/grain/internal/reference"
	"github.com/grainql/grain/io/memtable"
)

// FactSchema and DimSchema are the shapes of the two generated tables. They
// share the key columns k and g, so joins have keys with duplicates and
// NULLs on both sides.
var (
	FactSchema = arrow.NewSchema([]arrow.Field{
		{Name: "k", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "g", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "v", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "i", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	}, nil)
	DimSchema = arrow.NewSchema([]arrow.Field{
		{Name: "k", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "g", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "w", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "d", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	}, nil)
)

var groups = []string{"", "a", "b", "c", "dd", "é"}

// randomValue returns a value for a field, NULL with probability 1/8.
func randomValue(rng *rand.Rand, t arrow.DataType) any {
	if rng.IntN(8) == 0 {
		return nil
	}
	switch t.ID() {
	case arrow.INT64:
		return int64(rng.IntN(7) - 1)
	case arrow.INT32:
		return int32(rng.IntN(200) - 100)
	case arrow.STRING:
		return groups[rng.IntN(len(groups))]
	case arrow.FLOAT64:
		switch rng.IntN(40) {
		case 0:
			return math.NaN()
		case 1:
			return math.Copysign(0, -1)
		}
		return float64(rng.IntN(2000)-1000) / 8
	case arrow.DATE32:
		return arrow.Date32(19000 + rng.IntN(30))
	case arrow.BOOL:
		return rng.IntN(2) == 0
	}
	panic(fmt.Sprintf("internal error: no generator for %s", t))
}

// RandomTable builds a memtable of n random rows split into records of
// random sizes. The caller releases the table.
func RandomTable(mem memory.Allocator, rng *rand.Rand, name string, schema *arrow.Schema, n int) (*memtable.Table, error) {
	var recs []arrow.Record
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	for done := 0; done < n; {
		size := min(n-done, 1+rng.IntN(n))
		rows := make([]reference.Row, size)
		for i := range rows {
			rows[i] = make(reference.Row, schema.NumFields())
			for c, f := range schema.Fields() {
				rows[i][c] = randomValue(rng, f.Type)
			}
		}
		rec, err := reference.RecordFromRows(mem, schema, rows)
		if err != nil {
			return nil, err
		}
		recs = append(recs, rec)
		done += size
	}
	return memtable.New(name, schema, recs)
}
