package eval

import (
	"bytes"
	"unicode/utf8"
)

// LIKE: % matches any run of characters, _ one character, a backslash
// makes the next character literal (a trailing backslash matches itself).
// A character is one rune as utf8.DecodeRune reads it, so every invalid
// byte is a character of its own.

// likeTok reads the pattern token at p[i:]: kind '%', '_' or 'c' (literal
// character lit), and its width in the pattern.
func likeTok(p []byte, i int) (kind byte, lit []byte, w int) {
	switch c := p[i]; {
	case c == '%' || c == '_':
		return c, nil, 1
	case c == '\\' && i+1 < len(p):
		_, cw := utf8.DecodeRune(p[i+1:])
		return 'c', p[i+1 : i+1+cw], 1 + cw
	}
	_, cw := utf8.DecodeRune(p[i:])
	return 'c', p[i : i+cw], cw
}

// likeMatch matches s against pattern p greedily, backtracking only to the
// last %: O(len(s) * len(p)) in the worst case, no allocation.
func likeMatch(s, p []byte) bool {
	// si/pi walk s and p; starP is the pattern position after the last %
	// seen and starS the subject position that % currently stops at.
	si, pi := 0, 0
	starP, starS := -1, 0
	for si < len(s) {
		if pi < len(p) {
			kind, lit, w := likeTok(p, pi)
			_, sw := utf8.DecodeRune(s[si:])
			switch {
			case kind == '%':
				starP, starS = pi+w, si
				pi += w
				continue
			case kind == '_' || (sw == len(lit) && bytes.Equal(s[si:si+sw], lit)):
				si += sw
				pi += w
				continue
			}
		}
		// Mismatch: let the last % swallow one more character and retry
		// from there; without a % the match fails.
		if starP < 0 {
			return false
		}
		_, sw := utf8.DecodeRune(s[starS:])
		starS += sw
		si, pi = starS, starP
	}
	// The subject is consumed: what is left of the pattern must be %s.
	for pi < len(p) {
		kind, _, w := likeTok(p, pi)
		if kind != '%' {
			return false
		}
		pi += w
	}
	return true
}

// likeShape classifies a constant pattern for a faster test.
type likeShape uint8

const (
	likeGeneral likeShape = iota
	likeEqual
	likePrefix
	likeSuffix
	likeContains
)

// analyzeLike recognises 'lit', 'lit%', '%lit' and '%lit%' where lit has
// no wildcard and is valid UTF-8 (so byte tests respect character
// boundaries). It returns the unescaped literal.
func analyzeLike(p []byte) (likeShape, []byte) {
	var lit []byte
	lead, trail := false, false
	i := 0
	for i < len(p) {
		kind, l, w := likeTok(p, i)
		switch {
		case kind == '_':
			return likeGeneral, nil
		case kind == '%' && len(lit) == 0 && !trail:
			lead = true
		case kind == '%':
			trail = true
		case trail:
			return likeGeneral, nil
		default:
			lit = append(lit, l...)
		}
		i += w
	}
	if !utf8.Valid(lit) {
		return likeGeneral, nil
	}
	switch {
	case lead && trail, lead && len(lit) == 0:
		return likeContains, lit
	case lead:
		return likeSuffix, lit
	case trail:
		return likePrefix, lit
	}
	return likeEqual, lit
}

// likeConst tests s against an analysed constant pattern.
func likeConst(shape likeShape, lit, pattern, s []byte) bool {
	switch shape {
	case likeEqual:
		return bytes.Equal(s, lit)
	case likePrefix:
		return bytes.HasPrefix(s, lit)
	case likeSuffix:
		return bytes.HasSuffix(s, lit)
	case likeContains:
		return bytes.Contains(s, lit)
	}
	return likeMatch(s, pattern)
}
