package datagen

import (
	"fmt"
	"math/rand/v2"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// RowExplosion describes the seed story's data: a fine-grained fact table
// (entity × grp × fine_id) and a dimension with Fanout rows per grp.
//
// Metrics and weights are small integers stored as float64, so every sum is
// exact and the two ways of writing the query give bit-identical checksums.
type RowExplosion struct {
	Entities int    // distinct entity values
	Groups   int    // distinct grp values
	Fine     int    // fact rows per (entity, grp)
	Fanout   int    // dimension rows per grp
	DimKeys  int    // distinct dim_key values
	Seed     uint64 // random seed
}

// FactRows is the number of fact rows the configuration produces.
func (c RowExplosion) FactRows() int { return c.Entities * c.Groups * c.Fine }

// FactSchema is entity, grp, fine_id, metric.
var FactSchema = arrow.NewSchema([]arrow.Field{
	{Name: "entity", Type: arrow.PrimitiveTypes.Int64},
	{Name: "grp", Type: arrow.PrimitiveTypes.Int64},
	{Name: "fine_id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "metric", Type: arrow.PrimitiveTypes.Float64},
}, nil)

// DimSchema is grp, dim_key, weight.
var DimSchema = arrow.NewSchema([]arrow.Field{
	{Name: "grp", Type: arrow.PrimitiveTypes.Int64},
	{Name: "dim_key", Type: arrow.PrimitiveTypes.Int64},
	{Name: "weight", Type: arrow.PrimitiveTypes.Float64},
}, nil)

const recordRows = 1 << 16

// Generate builds the fact and dimension records. The caller releases them.
func (c RowExplosion) Generate(mem memory.Allocator) (fact, dim []arrow.Record, err error) {
	if c.Entities <= 0 || c.Groups <= 0 || c.Fine <= 0 || c.Fanout <= 0 || c.DimKeys <= 0 {
		return nil, nil, fmt.Errorf("datagen: every size must be positive: %+v", c)
	}
	rng := rand.New(rand.NewPCG(c.Seed, 0x9e3779b97f4a7c15))
	fb := array.NewRecordBuilder(mem, FactSchema)
	defer fb.Release()
	entity := fb.Field(0).(*array.Int64Builder)
	grp := fb.Field(1).(*array.Int64Builder)
	fine := fb.Field(2).(*array.Int64Builder)
	metric := fb.Field(3).(*array.Float64Builder)
	id := int64(0)
	for e := 0; e < c.Entities; e++ {
		for g := 0; g < c.Groups; g++ {
			for f := 0; f < c.Fine; f++ {
				entity.Append(int64(e))
				grp.Append(int64(g))
				fine.Append(id)
				metric.Append(float64(rng.IntN(100)))
				id++
				if entity.Len() == recordRows {
					fact = append(fact, fb.NewRecord())
				}
			}
		}
	}
	if entity.Len() > 0 {
		fact = append(fact, fb.NewRecord())
	}
	db := array.NewRecordBuilder(mem, DimSchema)
	defer db.Release()
	for g := 0; g < c.Groups; g++ {
		for j := 0; j < c.Fanout; j++ {
			db.Field(0).(*array.Int64Builder).Append(int64(g))
			db.Field(1).(*array.Int64Builder).Append(int64(rng.IntN(c.DimKeys)))
			db.Field(2).(*array.Float64Builder).Append(float64(1 + rng.IntN(9)))
		}
	}
	dim = append(dim, db.NewRecord())
	return fact, dim, nil
}
