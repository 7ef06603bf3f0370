package eval

import (
	"bytes"
	"math"
	"unicode"
	"unicode/utf8"

	"github.com/grainql/grain/expr"
)

// strFuncNode is a string function: lower, upper, length, substring,
// concat, contains, starts_with, ends_with, like. Every argument is
// evaluated; a NULL argument gives NULL. Strings are processed as Arrow
// offsets and bytes.
type strFuncNode struct {
	base
	fn    expr.Func
	args  []node
	vecs  []*vec
	valid [2]scratch
	sb    strBuilder
	out   vec
	// constant LIKE pattern, analysed once
	likeConst bool
	likeShape likeShape
	likeLit   []byte
	likePat   []byte
}

// newStringFunc builds a string function node; a literal LIKE pattern is
// classified here once.
func newStringFunc(b base, fn expr.Func, args []node) node {
	n := &strFuncNode{base: b, fn: fn, args: args, vecs: make([]*vec, len(args))}
	if fn == expr.FnLike {
		if lit, ok := args[1].(*litNode); ok && !lit.v.null {
			n.likeConst = true
			n.likePat = lit.v.str(0)
			n.likeShape, n.likeLit = analyzeLike(n.likePat)
		}
	}
	return n
}

// eval evaluates every argument, then the function on the rows
// where none is NULL.
func (f *strFuncNode) eval(ec *evalCtx, sel []int32) (*vec, error) {
	scalar := true
	var valid []byte
	for k, a := range f.args {
		v, err := evalNode(ec, a, sel)
		if err != nil {
			return nil, err
		}
		f.vecs[k] = v
	}
	for k, v := range f.vecs {
		if v.scalar && v.null {
			return nullScalar, nil
		}
		scalar = scalar && v.scalar
		valid = andValid(&f.valid[k%2], valid, vectorValid(v), ec.n)
	}
	// All-scalar arguments give one scalar result, computed once.
	if scalar {
		sel = nil
	}
	out := &f.out
	*out = vec{scalar: scalar, valid: valid}
	n := rowsOf(ec, out)
	// rows to compute: live and valid (NULL rows are skipped)
	live := func(i int) bool { return valid == nil || getBit(valid, i) == 1 }
	switch f.fn {
	case expr.FnLength:
		out.raw, out.owned = f.outValues(ec, scalar)
		o := typed[int64](out.raw)
		forRows(sel, n, func(i int) { o[i] = int64(utf8.RuneCount(f.vecs[0].str(i))) })
		return out, nil
	case expr.FnContains, expr.FnStartsWith, expr.FnEndsWith, expr.FnLike:
		out.raw = f.vals.bytes(n)
		f.predicate(out.raw, sel, n, live)
		return out, nil
	}
	// String results are appended row by row; NULL rows stay empty.
	f.sb.reset(n)
	forRows(sel, n, func(i int) {
		if !live(i) {
			return
		}
		f.sb.start(i)
		f.sb.data = f.transform(f.sb.data, i)
		f.sb.commit(i)
	})
	return out, f.sb.finish(out, n)
}

// predicate computes the boolean functions.
func (f *strFuncNode) predicate(o []byte, sel []int32, n int, live func(int) bool) {
	s, t := f.vecs[0], f.vecs[1]
	switch f.fn {
	case expr.FnContains:
		forRows(sel, n, func(i int) { o[i] = b2u8(bytes.Contains(s.str(i), t.str(i))) })
	case expr.FnStartsWith:
		forRows(sel, n, func(i int) { o[i] = b2u8(bytes.HasPrefix(s.str(i), t.str(i))) })
	case expr.FnEndsWith:
		forRows(sel, n, func(i int) { o[i] = b2u8(bytes.HasSuffix(s.str(i), t.str(i))) })
	default:
		// A literal pattern was classified once (equal, prefix, suffix,
		// contains or general); a column of patterns is matched row by
		// row without compiling.
		if f.likeConst {
			forRows(sel, n, func(i int) { o[i] = b2u8(likeConst(f.likeShape, f.likeLit, f.likePat, s.str(i))) })
			return
		}
		forRows(sel, n, func(i int) {
			if live(i) {
				o[i] = b2u8(likeMatch(s.str(i), t.str(i)))
			}
		})
	}
}

// transform appends the string result of row i to d.
func (f *strFuncNode) transform(d []byte, i int) []byte {
	switch f.fn {
	case expr.FnLower:
		return mapRunes(d, f.vecs[0].str(i), unicode.ToLower, 'A', 'Z', 'a'-'A')
	case expr.FnUpper:
		return mapRunes(d, f.vecs[0].str(i), unicode.ToUpper, 'a', 'z', 'A'-'a')
	case expr.FnConcat:
		for _, v := range f.vecs {
			d = append(d, v.str(i)...)
		}
		return d
	}
	// substring
	return append(d, substring(f.vecs[0].str(i), intAt(f.args[1].info().p, f.vecs[1], i),
		intAt(f.args[2].info().p, f.vecs[2], i))...)
}

// mapRunes appends s with every rune mapped by m, as strings.Map does:
// invalid bytes become U+FFFD. ASCII letters in [lo, hi] shift by delta.
func mapRunes(d, s []byte, m func(rune) rune, lo, hi byte, delta int) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if lo <= c && c <= hi {
				c = byte(int(c) + delta)
			}
			d = append(d, c)
			i++
			continue
		}
		// An invalid byte decodes as (RuneError, 1) and is written as
		// U+FFFD, as strings.ToLower does.
		r, w := utf8.DecodeRune(s[i:])
		d = utf8.AppendRune(d, m(r))
		i += w
	}
	return d
}

// intAt reads row i of an integer vec as int64, saturating uint64 values
// above MaxInt64.
func intAt(p phys, v *vec, i int) int64 {
	if v.scalar {
		i = 0
	}
	switch p {
	case pI8:
		return int64(typed[int8](v.raw)[i])
	case pI16:
		return int64(typed[int16](v.raw)[i])
	case pI32:
		return int64(typed[int32](v.raw)[i])
	case pI64:
		return typed[int64](v.raw)[i]
	case pU8:
		return int64(v.raw[i])
	case pU16:
		return int64(typed[uint16](v.raw)[i])
	case pU32:
		return int64(typed[uint32](v.raw)[i])
	}
	return int64(min(typed[uint64](v.raw)[i], math.MaxInt64))
}

// substring implements Spark's substringSQL(pos, length) on characters: a
// positive pos is 1-based, a negative one counts from the end, 0 means 1;
// the end is computed from the unclamped start.
func substring(s []byte, pos, length int64) []byte {
	// Positions are in characters; convert to bytes only at the end.
	n := int64(utf8.RuneCount(s))
	var start int64
	switch {
	case pos > 0:
		start = pos - 1
	case pos < 0:
		start = n + pos
	}
	// Spark computes the end before clamping the start, so a negative
	// start eats into the length: substring('abc', -5, 3) is 'a'.
	end := satAdd(start, length)
	start = max(start, 0)
	end = min(end, n)
	if start >= end {
		return nil
	}
	b0, b1 := runeOffset(s, 0, start), 0
	b1 = runeOffset(s, b0, end-start)
	return s[b0:b1]
}

// runeOffset returns the byte offset k characters after byte offset from.
func runeOffset(s []byte, from int, k int64) int {
	i := from
	for ; k > 0 && i < len(s); k-- {
		if s[i] < utf8.RuneSelf {
			i++
			continue
		}
		_, w := utf8.DecodeRune(s[i:])
		i += w
	}
	return i
}

// satAdd adds with saturation at the int64 limits.
func satAdd(a, b int64) int64 {
	s := a + b
	switch {
	case a > 0 && b > 0 && s < 0:
		return math.MaxInt64
	case a < 0 && b < 0 && s >= 0:
		return math.MinInt64
	}
	return s
}
