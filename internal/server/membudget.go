package server

import "sync"

// defaultMemBudget bounds the bytes of published files the server keeps
// in memory after serving them: identity bodies of files up to maxMemBody
// and gzip bodies of any size. Without a bound a crawler walking every
// file kept them all: 0.9 GB for the 5,006 files of 1,000 series, 2 GB
// once it asked for gzip too. 64 MiB holds the calendars, feeds and
// pages of the series people actually follow; the rest is read again
// (and checked against its hash) when asked for, as nginx would.
const defaultMemBudget = 64 << 20

// memBudget keeps the total of the entries' kept bodies under limit,
// evicting by CLOCK (second chance): a request marks its entry used with
// one atomic store and no lock; the lock is taken only when an entry
// keeps new bytes, and the hand then passes over the kept entries,
// clearing marks, until it finds unmarked ones to drop. Variants are not
// counted: their caches bound them.
type memBudget struct {
	limit int64

	mu   sync.Mutex
	used int64
	ring []*entry // entries with kept bytes; entry.ring is each one's index
	hand int
}

// add counts n more bytes kept by e (stored before the call: if e is
// evicted in between, the bytes are counted but not held, which only
// evicts sooner, where counting after storing could hold bytes never
// counted), then evicts until the total fits. e itself goes last, or at
// once when it alone is over the budget.
func (m *memBudget) add(e *entry, n int64) {
	if m == nil || n <= 0 {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if e.retired.Load() {
		return // loadTable dropped it: nothing will take its bytes away
	}
	if e.ring < 0 {
		e.ring = len(m.ring)
		m.ring = append(m.ring, e)
	}
	e.kept += n
	m.used += n
	if e.kept > m.limit {
		// Larger than the budget on its own: it goes, not the others.
		m.evictLocked(e)
		return
	}
	// Every entry but e may be passed twice (once to clear its mark);
	// past that only e is left to go.
	for steps := 2 * len(m.ring); m.used > m.limit && len(m.ring) > 1 && steps > 0; steps-- {
		if m.hand >= len(m.ring) {
			m.hand = 0
		}
		x := m.ring[m.hand]
		if x == e || x.used.Swap(false) {
			m.hand++
			continue
		}
		m.evictLocked(x)
	}
	if m.used > m.limit {
		m.evictLocked(e)
	}
}

// drop forgets e, which a new table no longer holds, and its bytes.
func (m *memBudget) drop(e *entry) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if e.ring >= 0 {
		m.evictLocked(e)
	}
}

// evictLocked drops x's kept bytes and takes it off the ring, moving the
// last entry into its place (the hand then looks at that one next).
func (m *memBudget) evictLocked(x *entry) {
	x.body.Store(nil)
	x.gz.Store(nil)
	m.used -= x.kept
	x.kept = 0
	last := len(m.ring) - 1
	m.ring[x.ring] = m.ring[last]
	m.ring[x.ring].ring = x.ring
	m.ring[last] = nil
	m.ring = m.ring[:last]
	x.ring = -1
}

// kept reports the bytes counted and the entries holding them.
func (m *memBudget) kept() (bytes int64, entries int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.used, len(m.ring)
}

// markUsed gives e a second chance at the next eviction; a store only when
// the mark is not already set, so that hot entries' cache lines stay
// shared between cores.
func (e *entry) markUsed() {
	if !e.used.Load() {
		e.used.Store(true)
	}
}
