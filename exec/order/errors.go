package order

import "errors"

// ErrInvalidKey is wrapped by the error NewSort and NewTopK return for a
// sort key that names a column outside the input schema.
var ErrInvalidKey = errors.New("invalid sort key")

// ErrUnsupportedType is wrapped by the error NewSort and NewTopK return for
// a sort key whose column type has no defined order.
var ErrUnsupportedType = errors.New("unsupported sort key type")

// ErrInvalidInput is wrapped by the error NewMerge returns when it has no
// inputs, or inputs whose column types differ.
var ErrInvalidInput = errors.New("invalid merge input")

// ErrInvalidLimit is wrapped by the error a top-k or limit returns for a
// negative row count or offset.
var ErrInvalidLimit = errors.New("invalid limit")

// ErrTooManyRows is wrapped by the error a sort returns when its input
// holds more rows than one in-memory sort can index (2^31-1).
var ErrTooManyRows = errors.New("too many rows to sort in memory")
