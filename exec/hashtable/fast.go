package hashtable

import "github.com/apache/arrow/go/v17/arrow"

// The fast path serves tables with a single fixed-width key column, by far
// the most common GROUP BY and join key. Each slot holds the key bits
// themselves, so a probe compares one word in the slot it lands on and never
// touches the key store; the store is written only for new groups (to build
// Keys). The null key, having no key bits, gets its group id in
// Table.nullGroup instead of a slot.
//
// Per batch: key bits for all live rows (one tight typed loop), then one
// probe loop over them. Keeping hashing out of the probe loop lets the CPU
// overlap the slot loads of consecutive rows.

// fastHash places key bits in the slot array (low bits are used).
func fastHash(k uint64) uint64 { return fmix64(k) }

// insertFast is Insert for the fast path.
func (t *Table) insertFast(arr arrow.Array, sel []int32, out []uint32) {
	sc := &t.sc
	keys := sc.keyBuf(len(out))
	keyBits(t.kinds[0], arr, sel, 0, len(out), keys)
	v := validityOf(arr)
	rows := sc.rows[:0]
	slots, mask := t.slots, t.mask
	for i, k := range keys {
		if v.bits != nil && !v.valid(int(rowAt(sel, i))) {
			if t.nullGroup < 0 {
				t.nullGroup = int32(t.nextGroup())
				rows = append(rows, rowAt(sel, i))
			}
			out[i] = uint32(t.nullGroup)
			continue
		}
		pos := fastHash(k) & mask
		for {
			s := &slots[pos]
			if s.k == k && s.id != 0 {
				out[i] = s.id - 1
				break
			}
			if s.id == 0 {
				if t.needsGrow() {
					t.grow()
					slots, mask = t.slots, t.mask
					pos = fastHash(k) & mask
					continue
				}
				out[i] = t.claim(s, k)
				rows = append(rows, rowAt(sel, i))
				break
			}
			pos = (pos + 1) & mask
		}
	}
	sc.rows = rows
	if len(rows) > 0 {
		t.stores[0].appendRows(arr, rows)
	}
}

// lookupFast is Lookup for the fast path.
func (t *Table) lookupFast(sc *scratch, arr arrow.Array, sel []int32, out []int32) {
	keys := sc.keyBuf(len(out))
	keyBits(t.kinds[0], arr, sel, 0, len(out), keys)
	v := validityOf(arr)
	slots, mask := t.slots, t.mask
	for i, k := range keys {
		if v.bits != nil && !v.valid(int(rowAt(sel, i))) {
			out[i] = t.nullGroup
			continue
		}
		pos := fastHash(k) & mask
		for {
			s := &slots[pos]
			if s.k == k && s.id != 0 {
				out[i] = int32(s.id - 1)
				break
			}
			if s.id == 0 {
				out[i] = -1
				break
			}
			pos = (pos + 1) & mask
		}
	}
}
