package mempool

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrMemoryLimit is the sentinel every refused reservation wraps. Check it
// with errors.Is; use errors.As with *LimitError for the details.
var ErrMemoryLimit = errors.New("memory limit exceeded")

// ErrInvalidReservation reports a misuse of a reservation that Grain turns
// into an error instead of a panic: a nil reservation, a reservation passed
// to a pool it does not belong to, a negative size, or growing a reservation
// after Free.
var ErrInvalidReservation = errors.New("invalid reservation")

// maxTop is the number of consumers a LimitError lists.
const maxTop = 5

// ConsumerUsage is one reservation's share of a pool at one moment.
type ConsumerUsage struct {
	Consumer  string // name given to NewReservation
	Bytes     int64  // bytes the reservation holds
	Spillable bool   // whether its owner can spill to release memory
}

// LimitError is returned (wrapping ErrMemoryLimit) when a pool refuses a
// reservation. It is a snapshot taken at the moment of refusal.
type LimitError struct {
	Consumer  string // who asked
	Requested int64  // bytes asked for in this call
	Held      int64  // bytes the asking reservation already held
	Reserved  int64  // bytes reserved in the pool at the time
	Limit     int64  // the pool's limit; 0 for an unbounded pool
	// Share is the per-reservation cap the pool applied, or 0 when it
	// applied none. A FairSpill pool caps each spillable reservation at
	// (limit - unspillable bytes) / number of spillable reservations, so a
	// spillable consumer can be refused while the pool still has room.
	Share int64
	Top   []ConsumerUsage // largest current consumers, descending, at most 5
}

// Error describes the refusal, naming the consumer and the top consumers,
// for example:
//
//	memory limit exceeded: "hash aggregate" asked for 1.0 MiB with 7.5 MiB of 8.0 MiB reserved; top consumers: "hash join build" 4.0 MiB, "sort" 3.5 MiB
func (e *LimitError) Error() string {
	var sb strings.Builder
	sb.WriteString(ErrMemoryLimit.Error())
	sb.WriteString(": ")
	sb.WriteString(strconv.Quote(e.Consumer))
	sb.WriteString(" asked for ")
	sb.WriteString(formatBytes(e.Requested))
	sb.WriteString(" with ")
	sb.WriteString(formatBytes(e.Reserved))
	if e.Limit > 0 {
		sb.WriteString(" of ")
		sb.WriteString(formatBytes(e.Limit))
		sb.WriteString(" reserved")
	} else {
		sb.WriteString(" reserved (no limit)")
	}
	if e.Share > 0 {
		fmt.Fprintf(&sb, " (it holds %s of a %s fair share)", formatBytes(e.Held), formatBytes(e.Share))
	}
	if len(e.Top) > 0 {
		sb.WriteString("; top consumers: ")
		for i, u := range e.Top {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString(u.String())
		}
	}
	return sb.String()
}

// Unwrap returns ErrMemoryLimit, so errors.Is(err, ErrMemoryLimit) holds for
// any error that wraps a *LimitError.
func (e *LimitError) Unwrap() error { return ErrMemoryLimit }

// String formats the usage as `"name" 4.0 MiB`.
func (u ConsumerUsage) String() string {
	return strconv.Quote(u.Consumer) + " " + formatBytes(u.Bytes)
}

// byteUnits are the binary units formatBytes uses above 1 KiB.
var byteUnits = [...]string{"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}

// formatBytes renders n in binary units with one decimal: "512 B",
// "1.0 KiB", "7.5 MiB".
func formatBytes(n int64) string {
	if n < 1024 && n > -1024 {
		return strconv.FormatInt(n, 10) + " B"
	}
	v := float64(n) / 1024
	unit := 0
	for (v >= 1024 || v <= -1024) && unit < len(byteUnits)-1 {
		v /= 1024
		unit++
	}
	return strconv.FormatFloat(v, 'f', 1, 64) + " " + byteUnits[unit]
}

// invalid builds an error wrapping ErrInvalidReservation.
func invalid(consumer, format string, args ...any) error {
	return fmt.Errorf("mempool: %q: %s: %w", consumer, fmt.Sprintf(format, args...), ErrInvalidReservation)
}
