// Package memlimit owns reading the Go runtime's soft memory limit
// (GOMEMLIMIT) against the live heap, to tell when the limit has become
// too tight for the daemon.
package memlimit

import (
	"math"
	"runtime/metrics"
)

// Usage is the live heap the last collection found and the limit in force.
type Usage struct {
	Live  uint64 // bytes
	Limit int64  // bytes; math.MaxInt64 is no limit
}

// Read reads the runtime's figures.
func Read() Usage {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/gc/gomemlimit:bytes"}}
	metrics.Read(s)
	u := Usage{Limit: math.MaxInt64}
	if s[0].Value.Kind() == metrics.KindUint64 {
		u.Live = s[0].Value.Uint64()
	}
	if s[1].Value.Kind() == metrics.KindUint64 {
		u.Limit = int64(min(s[1].Value.Uint64(), math.MaxInt64))
	}
	return u
}

// Tight reports whether the live heap has passed half the limit. From there
// the limit, not GOGC, paces the garbage collector: it runs more and more
// often as the heap grows (up to half of the CPU, the runtime's cap), and
// since the limit is soft, memory grows past it anyway. Time to raise it.
func (u Usage) Tight() bool {
	return u.Limit != math.MaxInt64 && u.Limit > 0 && u.Live > uint64(u.Limit)/2
}
