package hashtable

import "github.com/apache/arrow/go/v17/arrow"

// NonNullRows returns the live rows of cols (sel == nil means rows 0..n-1,
// otherwise the rows in sel) in which no column is null, as a selection
// vector written into out (grown if needed). Join probes and builds use it to
// drop rows whose keys can never match, since Table treats null as an
// ordinary key value.
//
// When no column has a null, NonNullRows returns sel itself, which is nil
// when sel is nil: "every row is live", as in exec.Batch. Otherwise the
// result is non-nil, even when empty.
func NonNullRows(cols []arrow.Array, sel []int32, n int, out []int32) []int32 {
	var vbuf [4]validity
	vs := vbuf[:0]
	for _, arr := range cols {
		if v := validityOf(arr); v.bits != nil {
			vs = append(vs, v)
		}
	}
	if len(vs) == 0 {
		return sel
	}
	live := liveRows(sel, n)
	if out == nil {
		out = make([]int32, 0, live)
	}
	out = resize(out, live)
	// Branch-free: always write the row, advance only when it is kept.
	m := 0
	for i := range live {
		r := rowAt(sel, i)
		keep := 1
		for _, v := range vs {
			j := uint(v.off) + uint(r)
			keep &= int(v.bits[j>>3]>>(j&7)) & 1
		}
		out[m] = r
		m += keep
	}
	return out[:m]
}
