package parquetio

import (
	"strconv"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
)

// partGroup is the rows of one record that go to one partition directory.
type partGroup struct {
	rel string  // "k1=v1/k2=v2", escaped
	sel []int32 // rows, increasing
}

// groupRows splits a record's rows by partition directory, in order of
// first appearance.
func (w *datasetWriter) groupRows(rec arrow.Record) []partGroup {
	var groups []partGroup
	index := map[string]int{}
	n := int(rec.NumRows())
	var key []byte
	for i := range n {
		key = key[:0]
		for j, c := range w.partIdx {
			if j > 0 {
				key = append(key, '/')
			}
			key = append(key, partitionSegment(w.schema.Field(c).Name, partitionText(rec.Column(c), i))...)
		}
		g, ok := index[string(key)]
		if !ok {
			g = len(groups)
			index[string(key)] = g
			groups = append(groups, partGroup{rel: string(key)})
		}
		groups[g].sel = append(groups[g].sel, int32(i))
	}
	return groups
}

// partitionText renders row i of a partition column (nil: NULL).
func partitionText(a arrow.Array, i int) *string {
	if a.IsNull(i) {
		return nil
	}
	var s string
	switch a := a.(type) {
	case *array.String:
		s = a.Value(i)
	case *array.Binary:
		s = string(a.Value(i))
	case *array.Int64:
		s = strconv.FormatInt(a.Value(i), 10)
	case *array.Int32:
		s = strconv.FormatInt(int64(a.Value(i)), 10)
	case *array.Boolean:
		s = strconv.FormatBool(a.Value(i))
	case *array.Date32:
		s = a.Value(i).FormattedString()
	default:
		s = formatPartitionValue(a.GetOneForMarshal(i))
	}
	return &s
}
