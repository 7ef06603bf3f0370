package parquetio

import (
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding"
)

// chunkReader decodes one column chunk page by page with parquet-go's page
// API. The chunk's compressed bytes are fetched with one read and checked
// (checkPages) before parquet-go parses them; pages are released as soon as
// their values are copied into the batch.
type chunkReader struct {
	path  string
	name  string
	b     builder
	pages *parquet.FilePages

	page     parquet.Page
	levels   []byte          // definition levels of the page, nil when it has no NULL
	vals     encoding.Values // page values (non-NULL only)
	idx      []int32         // dictionary indexes instead of vals
	dict     encoding.Values // dictionary values
	pageRows int
	pageVals int
	rowPos   int // rows of the page consumed
	valPos   int // values of the page consumed
	rows     int64
	done     int64 // rows of the chunk consumed
}

// memReaderAt serves a column chunk fetched into memory at its file offset.
type memReaderAt struct {
	base int64
	buf  []byte
}

func (m *memReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off < m.base || off-m.base > int64(len(m.buf)) {
		return 0, io.ErrUnexpectedEOF
	}
	n := copy(p, m.buf[off-m.base:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// openChunk fetches and checks a column chunk and prepares its pages. buf
// is a reusable buffer; the returned slice may be a larger one.
func openChunk(pf *parquetFile, rg int, desc *columnDesc, rows int64, buf []byte) (*chunkReader, []byte, error) {
	var cc *parquet.FileColumnChunk
	err := guard(pf.path, func() error {
		chunks := pf.pf.RowGroups()[rg].ColumnChunks()
		var ok bool
		cc, ok = chunks[desc.leaf].(*parquet.FileColumnChunk)
		if !ok {
			return errors.New("unexpected column chunk type")
		}
		return nil
	})
	if err != nil {
		return nil, buf, err
	}
	m := &pf.md.RowGroups[rg].Columns[desc.leaf].MetaData
	if m.NumValues != rows {
		return nil, buf, corrupt(pf.path, "column %q: %d values in a row group of %d rows", desc.name, m.NumValues, rows)
	}
	start, size := chunkStart(m), m.TotalCompressedSize
	if int64(cap(buf)) < size {
		buf = make([]byte, size)
	}
	buf = buf[:size]
	if _, err := pf.r.ReadAt(buf, start); err != nil {
		return nil, buf, corrupt(pf.path, "column %q: read chunk: %w", desc.name, err)
	}
	err = guard(pf.path, func() error { return checkPages(buf, m.Codec, rows) })
	if err != nil {
		return nil, buf, asCorrupt(pf.path, fmt.Errorf("column %q: %w", desc.name, err))
	}
	c := &chunkReader{path: pf.path, name: desc.name, b: newBuilder(desc), rows: rows}
	err = guard(pf.path, func() error {
		c.pages = cc.PagesFrom(&memReaderAt{base: start, buf: buf})
		return nil
	})
	return c, buf, err
}

// read decodes the next n rows into an array allocated from mem.
func (c *chunkReader) read(mem memory.Allocator, n int) (arrow.Array, error) {
	c.b.begin(mem, n)
	if err := c.fill(n); err != nil {
		c.b.release()
		return nil, err
	}
	return c.b.finish(), nil
}

func (c *chunkReader) fill(n int) error {
	for n > 0 {
		if c.page == nil || c.rowPos == c.pageRows {
			if err := c.nextPage(); err != nil {
				return err
			}
			continue
		}
		k := min(n, c.pageRows-c.rowPos)
		var lv []byte
		nn := k
		if c.levels != nil {
			lv = c.levels[c.rowPos : c.rowPos+k]
			nn = countValid(lv)
		}
		if nn > c.pageVals-c.valPos {
			return c.corrupt("page has fewer values than its levels announce")
		}
		var err error
		if c.idx != nil {
			err = c.b.appendDict(c.dict, c.idx[c.valPos:c.valPos+nn], lv)
		} else {
			err = c.b.appendValues(c.vals, c.valPos, nn, lv)
		}
		if err != nil {
			return c.corrupt("%v", err)
		}
		c.valPos += nn
		c.rowPos += k
		c.done += int64(k)
		n -= k
	}
	return nil
}

// nextPage releases the current page and reads the next one.
func (c *chunkReader) nextPage() error {
	c.releasePage()
	var p parquet.Page
	err := guard(c.path, func() error {
		var err error
		p, err = c.pages.ReadPage()
		return err
	})
	if errors.Is(err, io.EOF) {
		return c.corrupt("column chunk ends after %d of %d rows", c.done, c.rows)
	}
	if err != nil {
		return asCorrupt(c.path, fmt.Errorf("column %q: %w", c.name, err))
	}
	c.page = p
	return guard(c.path, func() error { return c.loadPage(p) })
}

// loadPage takes the levels and values of a page and checks their sizes.
func (c *chunkReader) loadPage(p parquet.Page) error {
	c.pageRows = int(p.NumRows())
	c.pageVals = int(p.NumValues() - p.NumNulls())
	c.rowPos, c.valPos = 0, 0
	c.levels = nil
	if c.pageRows < 0 || c.pageVals < 0 || int64(c.pageRows) > c.rows-c.done {
		return c.corrupt("page of %d rows in a chunk with %d left", c.pageRows, c.rows-c.done)
	}
	if p.NumNulls() > 0 {
		c.levels = p.DefinitionLevels()
		if len(c.levels) != c.pageRows {
			return c.corrupt("page has %d definition levels for %d rows", len(c.levels), c.pageRows)
		}
		for _, l := range c.levels {
			if l > 1 {
				return c.corrupt("definition level %d in a flat column", l)
			}
		}
	} else if c.pageVals != c.pageRows {
		return c.corrupt("page has %d values for %d rows", c.pageVals, c.pageRows)
	}
	if dict := p.Dictionary(); dict != nil {
		c.dict = dict.Page().Data()
		v := p.Data()
		data, _ := v.Data()
		c.idx = castSlice[int32](data)
		if len(c.idx) < c.pageVals {
			return c.corrupt("page has %d dictionary indexes for %d values", len(c.idx), c.pageVals)
		}
		return nil
	}
	c.idx = nil
	c.vals = p.Data()
	if c.b.count(c.vals) < c.pageVals {
		return c.corrupt("page holds %d values, its header says %d", c.b.count(c.vals), c.pageVals)
	}
	return nil
}

func (c *chunkReader) corrupt(format string, args ...any) error {
	return corrupt(c.path, "column %q: %s", c.name, fmt.Sprintf(format, args...))
}

func (c *chunkReader) releasePage() {
	if c.page != nil {
		parquet.Release(c.page)
		c.page = nil
	}
}

// close releases the page reader; it is idempotent.
func (c *chunkReader) close() {
	c.releasePage()
	if c.pages != nil {
		_ = guard(c.path, c.pages.Close)
		c.pages = nil
	}
}
