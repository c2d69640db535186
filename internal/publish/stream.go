package publish

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

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

// close releases the builder and deletes its spill files.
func (s *stream) close() {
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
		if s.err != nil {
			continue // nothing more to add; keep the window moving
		}
		if !have {
			if err := ctx.Err(); err != nil {
				s.err = err
				continue
			}
			var err error
			snap, err = st.p.src.Snapshot(ctx, slug)
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
	return st.writeCombined(s.b.Outputs(), revs)
}
