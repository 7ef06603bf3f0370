package eval

import (
	"context"
	"fmt"
	"math"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/expr"
)

// Evaluator computes one compiled expression over batches of the schema it
// was compiled for.
//
// An Evaluator keeps reusable scratch buffers, so it is used by one
// goroutine at a time; compile one per task.
type Evaluator interface {
	// Type is the type of the result.
	Type() arrow.DataType
	// Eval computes the expression for the live rows of b. The result has
	// b.NumRows() physical rows; only positions in b.Sel (or all when Sel
	// is nil) are meaningful. The caller releases the array. Errors wrap
	// expr.ErrOverflow or expr.ErrDivideByZero (raised for live rows only)
	// and name the failing expression.
	Eval(ctx context.Context, b exec.Batch, mem memory.Allocator) (arrow.Array, error)
}

// Compile turns a type-checked expression into an evaluator bound to the
// input schema. It fails with the expression's type error, or an error
// wrapping expr.ErrType for aggregates and unsupported column types.
func Compile(e expr.Expr, schema *arrow.Schema) (Evaluator, error) {
	e = expr.StripAlias(e)
	c := &compiler{schema: schema}
	root, err := c.compile(e)
	if err != nil {
		return nil, err
	}
	root.info().root = true
	ev := &evaluator{root: root, schema: schema}
	if col, ok := root.(*colNode); ok {
		ev.passIdx = col.idx
	} else {
		ev.passIdx = -1
	}
	return ev, nil
}

type evaluator struct {
	root    node
	schema  *arrow.Schema
	passIdx int // input column returned as is, or -1
	ec      evalCtx
	checked *arrow.Schema // last batch schema found equal to schema
}

// checkSchema verifies that a batch has the schema the expression was
// compiled for (kernels read its buffers as the compiled types).
func (ev *evaluator) checkSchema(rec arrow.Record) error {
	s := rec.Schema()
	if s == ev.schema || s == ev.checked {
		return nil
	}
	if s.NumFields() != ev.schema.NumFields() {
		return fmt.Errorf("%w: batch has %d columns, expression compiled for %d", expr.ErrType, s.NumFields(), ev.schema.NumFields())
	}
	for i, f := range s.Fields() {
		if !arrow.TypeEqual(f.Type, ev.schema.Field(i).Type) {
			return fmt.Errorf("%w: batch column %d is %s, expression compiled for %s", expr.ErrType, i, f.Type, ev.schema.Field(i).Type)
		}
	}
	ev.checked = s
	return nil
}

var _ Evaluator = (*evaluator)(nil)

// Type returns the result type.
func (ev *evaluator) Type() arrow.DataType { return ev.root.info().t }

// Eval implements Evaluator.
func (ev *evaluator) Eval(ctx context.Context, b exec.Batch, mem memory.Allocator) (arrow.Array, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := ev.checkSchema(b.Rec); err != nil {
		return nil, err
	}
	// A bare column is the input array itself, selection or not.
	if ev.passIdx >= 0 {
		col := b.Rec.Column(ev.passIdx)
		col.Retain()
		return col, nil
	}
	// end releases the root's buffer if an error left it unclaimed.
	ec := ev.begin(b, mem)
	defer ev.end()
	v, err := evalNode(ec, ev.root, b.Sel)
	if err != nil {
		return nil, err
	}
	return materialize(ec, v, ev.root.info())
}

// begin prepares the evaluation context for one batch.
func (ev *evaluator) begin(b exec.Batch, mem memory.Allocator) *evalCtx {
	ec := &ev.ec
	ec.rec, ec.n, ec.mem = b.Rec, b.NumRows(), mem
	return ec
}

// end releases what an Eval left behind (the root buffer after an error).
func (ev *evaluator) end() {
	ec := &ev.ec
	if ec.owned != nil {
		ec.owned.Release()
		ec.owned = nil
	}
	ec.rec = nil
}

// materialize turns the root's vec into an Arrow array of ec.n rows.
func materialize(ec *evalCtx, v *vec, b *base) (arrow.Array, error) {
	n, mem := ec.n, ec.mem
	if b.p == pNull {
		return array.NewNull(n), nil
	}
	if v.scalar {
		if v.null {
			return array.MakeArrayOfNull(mem, b.t, n), nil
		}
		return broadcast(mem, v, b, n)
	}
	// Validity is always copied (it may belong to an input column or to
	// scratch); it is an eighth of the values' size or less.
	var validity *memory.Buffer
	if v.valid != nil {
		validity = memory.NewResizableBuffer(mem)
		validity.Resize((n + 7) / 8)
		copy(validity.Bytes(), v.valid[:(n+7)/8])
		defer validity.Release()
	}
	// Without a validity bitmap there are no nulls; an unknown count with a
	// nil bitmap would make arrow count bits of a missing buffer.
	nulls := array.UnknownNullCount
	if validity == nil {
		nulls = 0
	}
	var data arrow.ArrayData
	switch {
	case b.p == pBool:
		// Booleans are one byte per row inside; Arrow wants bits.
		vals := packBits(mem, v.raw[:n])
		defer vals.Release()
		data = array.NewData(b.t, n, []*memory.Buffer{validity, vals}, nil, nulls, 0)
	case b.p.fixed():
		// The root wrote into an allocator buffer: hand it over. Views of
		// other buffers (relabelled columns) are copied.
		vals := v.owned
		if vals == nil || vals != ec.owned {
			vals = memory.NewResizableBuffer(mem)
			vals.Resize(n * b.p.width())
			copy(vals.Bytes(), v.raw[:n*b.p.width()])
		} else {
			ec.owned = nil // handed to the result
		}
		defer vals.Release()
		data = array.NewData(b.t, n, []*memory.Buffer{validity, vals}, nil, nulls, 0)
	default:
		offs, bytes, err := stringBuffers(mem, v, b.t, n)
		if err != nil {
			return nil, err
		}
		defer offs.Release()
		defer bytes.Release()
		data = array.NewData(b.t, n, []*memory.Buffer{validity, offs, bytes}, nil, nulls, 0)
	}
	defer data.Release()
	return array.MakeFromData(data), nil
}

// packBits packs one byte per row into a bitmap from mem.
func packBits(mem memory.Allocator, vals []byte) *memory.Buffer {
	buf := memory.NewResizableBuffer(mem)
	buf.Resize((len(vals) + 7) / 8)
	bm := buf.Bytes()
	clear(bm)
	for i, x := range vals {
		bm[i>>3] |= (x & 1) << (i & 7)
	}
	return buf
}

// stringBuffers copies a string vec into offsets (int32, or int64 for
// large_string) and data buffers starting at offset 0.
func stringBuffers(mem memory.Allocator, v *vec, t arrow.DataType, n int) (*memory.Buffer, *memory.Buffer, error) {
	// Column views may start at any offset; rebase to 0 while copying.
	start, end := v.offs[0], v.offs[n]
	bytes := memory.NewResizableBuffer(mem)
	bytes.Resize(int(end - start))
	copy(bytes.Bytes(), v.data[start:end])
	offs := memory.NewResizableBuffer(mem)
	if t.ID() == arrow.LARGE_STRING {
		offs.Resize(8 * (n + 1))
		o := typed[int64](offs.Bytes())
		for i := 0; i <= n; i++ {
			o[i] = int64(v.offs[i] - start)
		}
	} else {
		offs.Resize(4 * (n + 1))
		o := typed[int32](offs.Bytes())
		for i := 0; i <= n; i++ {
			o[i] = v.offs[i] - start
		}
	}
	return offs, bytes, nil
}

// broadcast builds an array of n copies of a non-NULL scalar.
func broadcast(mem memory.Allocator, v *vec, b *base, n int) (arrow.Array, error) {
	if b.p == pStr && len(v.str(0))*n > math.MaxInt32 {
		return nil, fmt.Errorf("%w: %d copies of a %d-byte string exceed 2 GiB", expr.ErrOverflow, n, len(v.str(0)))
	}
	var bufs []*memory.Buffer
	switch {
	case b.p == pBool:
		vals := memory.NewResizableBuffer(mem)
		vals.Resize((n + 7) / 8)
		fill := byte(0)
		if v.raw[0] != 0 {
			fill = 0xff
		}
		for i := range vals.Bytes() {
			vals.Bytes()[i] = fill
		}
		bufs = []*memory.Buffer{nil, vals}
	case b.p.fixed():
		w := b.p.width()
		vals := memory.NewResizableBuffer(mem)
		vals.Resize(n * w)
		out := vals.Bytes()
		for i := 0; i < n; i++ {
			copy(out[i*w:], v.raw[:w])
		}
		bufs = []*memory.Buffer{nil, vals}
	default:
		s := v.str(0)
		ln := len(s)
		bytes := memory.NewResizableBuffer(mem)
		bytes.Resize(n * ln)
		for i := 0; i < n; i++ {
			copy(bytes.Bytes()[i*ln:], s)
		}
		offs := memory.NewResizableBuffer(mem)
		if b.t.ID() == arrow.LARGE_STRING {
			offs.Resize(8 * (n + 1))
			o := typed[int64](offs.Bytes())
			for i := range o {
				o[i] = int64(i * ln)
			}
		} else {
			offs.Resize(4 * (n + 1))
			o := typed[int32](offs.Bytes())
			for i := range o {
				o[i] = int32(i * ln)
			}
		}
		bufs = []*memory.Buffer{nil, offs, bytes}
	}
	data := array.NewData(b.t, n, bufs, nil, 0, 0)
	for _, buf := range bufs {
		if buf != nil {
			buf.Release()
		}
	}
	defer data.Release()
	return array.MakeFromData(data), nil
}
