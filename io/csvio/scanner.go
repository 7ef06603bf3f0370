package csvio

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// maxRecordBytes bounds one record, so that an unterminated quote cannot
// pull a whole file into memory.
const maxRecordBytes = 256 << 20

// readBufSize is the initial input buffer of a scanner.
const readBufSize = 256 << 10

// errTooLarge reports a record longer than maxRecordBytes.
var errTooLarge = fmt.Errorf("record longer than %d MiB", maxRecordBytes>>20)

// parse results.
const (
	parsed   = iota // a record is ready
	atEOF           // no more records
	needMore        // the record continues past the buffered input
)

// fieldRef locates a field in the input buffer or, for a quoted field with
// doubled quotes, in the scratch buffer that holds it unescaped.
type fieldRef struct {
	start, end int
	scratch    bool // in the scratch buffer
	quoted     bool // the field was quoted
}

// scanner splits CSV input into records (RFC 4180 plus lone CR line ends).
// A record is parsed in place in the input buffer; when it runs past the
// buffered bytes the buffer is compacted or grown and the record parsed
// again from its start, so parsing needs no resumable state.
//
// A quote starts a quoted field only at the start of a field; elsewhere it
// is data. Characters after a closing quote other than a delimiter or line
// end make the record malformed (bad is set); the record is still
// delimited as if those characters were unquoted data, so the next record
// is found. boundaries.go relies on exactly these rules.
type scanner struct {
	r       io.Reader
	buf     []byte
	pos     int   // start of the unread input in buf
	end     int   // end of the buffered input
	eof     bool  // r is exhausted
	err     error // read error or errTooLarge
	delim   byte
	quote   byte
	quoting bool
	stop    [256]bool // bytes that end an unquoted field
	line    int64     // 1-based line number of buf[pos]
	base    int64     // input offset of buf[0]

	// The last record; fields are valid until the next call to next.
	refs    []fieldRef
	scratch []byte
	recLine int64  // line where the record starts
	bad     string // why the record is malformed, or ""
	blank   bool   // the record is an empty line
}

// newScanner returns a scanner of r whose first line is line. size, if
// positive, is the input length, used to keep buffers of short inputs small.
func newScanner(r io.Reader, cfg *readConfig, line, size int64) *scanner {
	n := readBufSize
	if size > 0 && size < readBufSize {
		n = max(int(size)+1, 4096)
	}
	s := &scanner{r: r, buf: make([]byte, n), delim: cfg.delim, quote: cfg.quote, quoting: cfg.quoting, line: line}
	s.stop[cfg.delim] = true
	s.stop['\n'] = true
	s.stop['\r'] = true
	return s
}

// next parses the next record into fields. It returns false at the end of
// the input or on a read error (s.err).
func (s *scanner) next() bool {
	for {
		switch s.parse() {
		case parsed:
			return true
		case atEOF:
			return false
		}
		if !s.fill() {
			return false
		}
	}
}

// skipBOM drops a UTF-8 byte order mark at the start of the input.
func (s *scanner) skipBOM() {
	for s.end-s.pos < 3 && !s.eof {
		if !s.fill() {
			return
		}
	}
	if bytes.HasPrefix(s.buf[s.pos:s.end], bom) {
		s.pos += len(bom)
	}
}

var bom = []byte{0xEF, 0xBB, 0xBF}

// offset returns the input offset of the next unread byte.
func (s *scanner) offset() int64 { return s.base + int64(s.pos) }

// fill moves the unread input to the front of the buffer, grows the buffer
// if it is full, and reads until it is full or the input ends.
func (s *scanner) fill() bool {
	if s.eof {
		return true
	}
	if s.pos > 0 {
		s.end = copy(s.buf, s.buf[s.pos:s.end])
		s.base += int64(s.pos)
		s.pos = 0
	}
	if s.end == len(s.buf) {
		if len(s.buf) >= maxRecordBytes {
			s.err = errTooLarge
			return false
		}
		nb := make([]byte, 2*len(s.buf))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	for s.end < len(s.buf) {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		if errors.Is(err, io.EOF) {
			s.eof = true
			return true
		}
		if err != nil {
			s.err = err
			return false
		}
	}
	return true
}

// parse tries to parse one record from the buffered input.
func (s *scanner) parse() int {
	b := s.buf[:s.end]
	p := s.pos
	s.refs, s.scratch = s.refs[:0], s.scratch[:0]
	s.bad, s.blank = "", false
	if p >= len(b) {
		if s.eof {
			return atEOF
		}
		return needMore
	}
	var nl int64
	if c := b[p]; c == '\n' || c == '\r' {
		s.blank = true
		s.addField(p, p, false, false)
	} else if res := s.parseFields(b, &p, &nl); res != parsed {
		return res
	}
	// p is at the line end or the end of the input.
	if p < len(b) {
		if b[p] == '\n' {
			p++
			nl++
		} else { // '\r', maybe followed by '\n'
			if p+1 >= len(b) && !s.eof {
				return needMore
			}
			p++
			if p < len(b) && b[p] == '\n' {
				p++
				nl++
			}
		}
	}
	s.recLine = s.line
	s.line += nl
	s.pos = p
	return parsed
}

// nfields returns the number of fields of the last record.
func (s *scanner) nfields() int { return len(s.refs) }

// field returns the content of field i of the last record and whether it
// was quoted.
func (s *scanner) field(i int) ([]byte, bool) {
	r := s.refs[i]
	if r.scratch {
		return s.scratch[r.start:r.end], r.quoted
	}
	return s.buf[r.start:r.end], r.quoted
}

// strings returns the fields of the last record as strings.
func (s *scanner) strings() []string {
	out := make([]string, len(s.refs))
	for i := range out {
		f, _ := s.field(i)
		out[i] = string(f)
	}
	return out
}

// parseFields parses the fields of a non-empty record starting at *p and
// leaves *p at its line end or the end of the input.
func (s *scanner) parseFields(b []byte, p *int, nl *int64) int {
	i := *p
	for {
		if i >= len(b) { // after a delimiter
			if !s.eof {
				return needMore
			}
			s.addField(i, i, false, false)
			break
		}
		if s.quoting && b[i] == s.quote {
			res := s.parseQuoted(b, &i, nl)
			if res != parsed {
				return res
			}
		} else {
			j := i
			for j < len(b) && !s.stop[b[j]] {
				j++
			}
			if j == len(b) && !s.eof {
				return needMore
			}
			s.addField(i, j, false, false)
			i = j
		}
		if i < len(b) && b[i] == s.delim {
			i++
			continue
		}
		break
	}
	*p = i
	return parsed
}

// parseQuoted parses the quoted field whose opening quote is at *p.
func (s *scanner) parseQuoted(b []byte, p *int, nl *int64) int {
	start := *p + 1
	i := start
	escaped := false
	sStart := len(s.scratch)
	for {
		j := bytes.IndexByte(b[i:], s.quote)
		if j < 0 {
			if !s.eof {
				return needMore
			}
			*nl += int64(bytes.Count(b[i:], newline))
			s.bad = "unterminated quoted field"
			s.addField(start, len(b), false, true)
			*p = len(b)
			return parsed
		}
		q := i + j
		*nl += int64(bytes.Count(b[i:q], newline))
		if q+1 >= len(b) && !s.eof {
			return needMore
		}
		if q+1 < len(b) && b[q+1] == s.quote { // doubled quote
			s.scratch = append(s.scratch, b[start:q+1]...)
			escaped = true
			i = q + 2
			start = i
			continue
		}
		if escaped {
			s.scratch = append(s.scratch, b[start:q]...)
			s.addField(sStart, len(s.scratch), true, true)
		} else {
			s.addField(start, q, false, true)
		}
		i = q + 1
		if i < len(b) && !s.stop[b[i]] {
			s.bad = fmt.Sprintf("unexpected %q after closing quote", b[i])
			for i < len(b) && !s.stop[b[i]] {
				i++
			}
			if i == len(b) && !s.eof {
				return needMore
			}
		}
		*p = i
		return parsed
	}
}

var newline = []byte{'\n'}

func (s *scanner) addField(start, end int, scratch, quoted bool) {
	s.refs = append(s.refs, fieldRef{start: start, end: end, scratch: scratch, quoted: quoted})
}
