package publish

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// stream feeds a StreamingRenderer's CombinedBuilder during a pass: every
// series in slug order, each exactly once. Moved series are added as the
// series step renders them (the few that finish early wait in pending);
// the others are read from the source when their turn comes.
type stream struct {
	b       CombinedBuilder
	slugs   []string        // every series of the pass, sorted
	next    int             // slugs[next] is the next to add
	moved   map[string]bool // rendered by the series step
	pending map[string]seriesResult
	tokens  chan struct{} // one per moved series dispatched and not yet added
	err     error         // the first failure: the all-series files are not written
	spills  []string
	// ahead delivers the snapshots of the series that did not move, in
	// slug order, read by a goroutine of their own while the pass adds
	// (prefetch); nil when not started.
	ahead     chan prefetched
	stop      chan struct{}
	fetchDone chan struct{}
}

// prefetched is one series read ahead for the builder.
type prefetched struct {
	slug string
	snap agenda.Snapshot
	err  error
}

// prefetchWindow is how many snapshots may wait, read, for their turn.
const prefetchWindow = 4

// prefetch starts reading the series that did not move, in slug order, a
// few ahead of the builder: a pass with one series changed reads the 999
// others, which took as long as adding them (1.9 s and 1.4 s for 1,000
// series of 100 sessions) when both ran on the pass goroutine.
func (s *stream) prefetch(ctx context.Context, src Source) {
	s.ahead = make(chan prefetched, prefetchWindow)
	s.stop = make(chan struct{})
	s.fetchDone = make(chan struct{})
	go func() {
		defer close(s.fetchDone)
		defer close(s.ahead) // a receive past the last series fails, never blocks
		for _, slug := range s.slugs {
			if !agenda.ValidSlug(slug) || s.moved[slug] {
				continue
			}
			p := read(ctx, src, slug)
			select {
			case s.ahead <- p:
			case <-s.stop:
				return
			}
		}
	}()
}

// read reads one series for prefetch; a panic in the source becomes the
// series' error, a *PanicError (a panic on this goroutine would end the
// process), and the all-series files fail with it.
func read(ctx context.Context, src Source, slug string) (p prefetched) {
	p.slug = slug
	defer func() {
		if v := recover(); v != nil {
			p.err = &PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	if err := ctx.Err(); err != nil {
		p.err = err
		return p
	}
	p.snap, p.err = src.Snapshot(ctx, slug)
	return p
}

// spill returns the func that creates the builder's spill files: temp
// names in the output directory, which New deletes after a crash.
func (s *stream) spill(dir string) func() (*os.File, error) {
	return func() (*os.File, error) {
		tn, err := tempName("all-series.spill")
		if err != nil {
			return nil, err
		}
		path := filepath.Join(dir, tn)
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("create spill file: %w", err)
		}
		s.spills = append(s.spills, path)
		return f, nil
	}
}

// close stops the prefetch, releases the builder and deletes its spill
// files.
func (s *stream) close() {
	if s.stop != nil {
		close(s.stop)
		<-s.fetchDone // at most one read in flight
		s.stop = nil
	}
	s.b.Close()
	for _, path := range s.spills {
		os.Remove(path)
	}
	s.spills = nil
}

// arrived takes a series step result and adds every series whose turn has
// come.
func (s *stream) arrived(ctx context.Context, st *passState, r seriesResult) {
	if s.pending == nil {
		s.pending = map[string]seriesResult{}
	}
	r.files = nil
	s.pending[r.slug] = r
	s.advance(ctx, st, false)
}

// advance adds series in slug order up to the first moved series whose
// result has not arrived (with all, through the last series).
func (s *stream) advance(ctx context.Context, st *passState, all bool) {
	for ; s.next < len(s.slugs); s.next++ {
		slug := s.slugs[s.next]
		if !agenda.ValidSlug(slug) {
			continue
		}
		var snap agenda.Snapshot
		var have bool
		var ahead *prefetched
		if !s.moved[slug] && s.ahead != nil {
			// Taken even after a failure, so that the next series gets
			// its own snapshot.
			p, ok := <-s.ahead
			if !ok || p.slug != slug {
				p = prefetched{slug: slug, err: fmt.Errorf("read ahead %q, want %q", p.slug, slug)}
			}
			ahead = &p
		}
		if s.moved[slug] {
			r, ok := s.pending[slug]
			if !ok && !all {
				return
			}
			delete(s.pending, slug)
			if ok {
				<-s.tokens
			}
			// A series that failed is read again, as the all-series
			// step without a stream does.
			if ok && r.err == nil {
				snap, have = r.snap, true
			}
		}
		if s.err == nil && st.superseded() {
			s.err = errSuperseded
		}
		if s.err != nil {
			continue // nothing more to add; keep the window moving
		}
		if !have {
			if err := ctx.Err(); err != nil {
				s.err = err
				continue
			}
			var err error
			if ahead != nil {
				snap, err = ahead.snap, ahead.err
			} else {
				snap, err = st.p.src.Snapshot(ctx, slug)
			}
			if errors.Is(err, agenda.ErrNotFound) {
				continue // removed since Revisions; the next pass drops it
			}
			if err != nil {
				s.err = fmt.Errorf("all-series files: snapshot %s: %w", slug, err)
				continue
			}
		}
		if err := s.b.Add(snap); err != nil {
			s.err = fmt.Errorf("all-series files: %w", err)
		}
	}
}

// finishCombined adds the series not added yet and writes the all-series
// files.
func (st *passState) finishCombined(ctx context.Context, revs map[string]int64) error {
	s := st.stream
	s.advance(ctx, st, true)
	if s.err != nil {
		return s.err
	}
	if st.superseded() {
		return errSuperseded
	}
	return st.writeCombined(s.b.Outputs(), revs)
}
