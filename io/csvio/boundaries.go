package csvio

import (
	"bytes"
	"context"
	"errors"
	"io"
)

// boundary is the start of a record: its byte offset and 1-based line.
type boundary struct {
	off, line int64
}

// Pre-scan states, a reduced form of scanner's grammar.
const (
	bsField    = iota // at the start of a field
	bsUnquoted        // inside an unquoted field
	bsQuoted          // inside a quoted field
	bsAfterQ          // just after a quote inside a quoted field
)

// findBoundaries returns record starts of the file, the first at or after
// each multiple of step, so that splits of about step bytes can be read
// independently. It follows scanner's rules exactly: a quote opens a
// quoted field only at the start of a field (after a delimiter, a line end
// or the start of the file, past a byte order mark), line breaks inside
// quoted fields do not end records, and a boundary is only placed after a
// '\n' that ends a record. It runs at memchr speed on unquoted text.
func findBoundaries(ctx context.Context, r io.Reader, cfg *readConfig, step int64) ([]boundary, error) {
	buf := make([]byte, 1<<20)
	var (
		out    []boundary
		base   int64 // file offset of buf[0]
		line   = int64(1)
		st     = bsField
		target = step
		first  = true
	)
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		n, err := io.ReadFull(r, buf)
		if n > 0 {
			b := buf[:n]
			i := 0
			if first && bytes.HasPrefix(b, bom) {
				i = len(bom)
			}
			first = false
			counted := 0 // line counts b[:counted]
			for i < len(b) {
				var rec bool
				i, st, rec = scanStep(b, i, st, cfg)
				if off := base + int64(i); rec && off >= target {
					line += int64(bytes.Count(b[counted:i], newline))
					counted = i
					out = append(out, boundary{off: off, line: line})
					target = off + step
				}
			}
			line += int64(bytes.Count(b[counted:], newline))
			base += int64(n)
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			// Drop a boundary at the very end of the file: it starts nothing.
			if k := len(out); k > 0 && out[k-1].off >= base {
				out = out[:k-1]
			}
			return out, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// scanStep advances through b from i in state st. It returns the new
// position and state, and rec = true when it stopped just after a '\n'
// that ends a record.
func scanStep(b []byte, i, st int, cfg *readConfig) (int, int, bool) {
	switch st {
	case bsQuoted:
		j := bytes.IndexByte(b[i:], cfg.quote)
		if j < 0 {
			return len(b), bsQuoted, false
		}
		return i + j + 1, bsAfterQ, false
	case bsAfterQ:
		if b[i] == cfg.quote { // doubled quote
			return i + 1, bsQuoted, false
		}
		st = bsUnquoted // the byte at i is read as unquoted text below
	}
	seg := b[i:]
	nl := bytes.IndexByte(seg, '\n')
	if nl >= 0 {
		seg = seg[:nl]
	}
	if cfg.quoting {
		for k := 0; ; {
			q := bytes.IndexByte(seg[k:], cfg.quote)
			if q < 0 {
				break
			}
			q += k
			if q == 0 && st == bsField || q > 0 && (seg[q-1] == cfg.delim || seg[q-1] == '\r') {
				return i + q + 1, bsQuoted, false
			}
			k = q + 1
		}
	}
	if nl < 0 {
		if last := b[len(b)-1]; last == cfg.delim || last == '\r' {
			return len(b), bsField, false
		}
		return len(b), bsUnquoted, false
	}
	return i + nl + 1, bsField, true
}
