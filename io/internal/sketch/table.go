package sketch

// table is an open-addressing hash table keyed by 64-bit hashes, with a
// payload V per key (struct{} for a set, which costs no memory). The key 0
// marks an empty slot, so the hash 0 is stored as 1. The table doubles when
// an insertion finds it more than half full, so probes stay short.
type table[V any] struct {
	keys []uint64
	vals []V
	n    int // keys stored
}

// minTableSize is the initial number of slots (a power of two).
const minTableSize = 1024

func newTable[V any]() table[V] {
	return table[V]{keys: make([]uint64, minTableSize), vals: make([]V, minTableSize)}
}

// find returns the slot of h, inserting h when it is absent; added reports
// the insertion. Slots move when the table grows, so an index is valid only
// until the next call.
func (t *table[V]) find(h uint64) (slot int, added bool) {
	if h == 0 {
		h = 1
	}
	if 2*t.n > len(t.keys) {
		t.grow()
	}
	mask := uint64(len(t.keys) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		switch t.keys[i] {
		case h:
			return int(i), false
		case 0:
			t.keys[i] = h
			t.n++
			return int(i), true
		}
	}
}

// grow doubles the table and reinserts every key with its payload.
func (t *table[V]) grow() {
	keys, vals := t.keys, t.vals
	t.keys = make([]uint64, 2*len(keys))
	t.vals = make([]V, 2*len(keys))
	mask := uint64(len(t.keys) - 1)
	for j, h := range keys {
		if h == 0 {
			continue
		}
		i := h & mask
		for t.keys[i] != 0 {
			i = (i + 1) & mask
		}
		t.keys[i] = h
		t.vals[i] = vals[j]
	}
}
