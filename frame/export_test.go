package frame

import "github.com/grainql/grain/exec/mempool"

// SetQueryHook makes s call f with each query's pool after the query
// closed, so tests can check that every reservation was returned.
func SetQueryHook(s *Session, f func(mempool.Pool)) { s.queryDone = f }
