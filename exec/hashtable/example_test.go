package hashtable_test

import (
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/grainql/grain/exec/hashtable"
)

// Example groups rows by a string key and counts them, the way a hash
// aggregation uses the table: group ids index columnar accumulators.
func Example() {
	mem := memory.NewGoAllocator()
	b := array.NewStringBuilder(mem)
	defer b.Release()
	b.AppendValues([]string{"pear", "fig", "pear", "", "fig", "pear"}, []bool{true, true, true, false, true, true})
	col := b.NewArray()
	defer col.Release()

	tab, err := hashtable.New([]arrow.DataType{arrow.BinaryTypes.String}, 0)
	if err != nil {
		panic(err)
	}
	ids := tab.Insert([]arrow.Array{col}, nil, col.Len(), nil)
	counts := make([]int, tab.Len())
	for _, id := range ids {
		counts[id]++
	}
	keys, err := tab.Keys(mem, 0, tab.Len())
	if err != nil {
		panic(err)
	}
	defer keys[0].Release()
	fmt.Println("ids:", ids)
	for g, n := range counts {
		fmt.Printf("%s: %d\n", keys[0].ValueStr(g), n)
	}
	// Output:
	// ids: [0 1 0 2 1 0]
	// pear: 3
	// fig: 2
	// (null): 1
}
