package page

import (
	"fmt"
	"io"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// Index builds the index page one series at a time, so that no caller has
// to hold every snapshot at once: Add checks the series as WriteIndex does
// and keeps only what the page shows of it (the series and its next
// session, without people, tags or text). Write gives the bytes
// WriteIndex gives for the same snapshots.
type Index struct {
	r     *Renderer
	opts  Options
	snaps []agenda.Snapshot
	err   error
}

// NewIndex returns an empty index page.
func (r *Renderer) NewIndex(opts Options) *Index { return &Index{r: r, opts: opts} }

// Add adds one series. A failure is kept: later calls return it.
func (ix *Index) Add(snap agenda.Snapshot) error {
	if ix.err != nil {
		return ix.err
	}
	sr := &snap.Series
	keep := agenda.Snapshot{Series: snap.Series}
	err := func() error {
		if sr.Slug == "" || sr.Title == "" {
			return fmt.Errorf("series %d needs a slug and a title", len(ix.snaps))
		}
		seriesLoc, err := ix.r.zones.Load(sr.Zone)
		if err != nil {
			return fmt.Errorf("series %q: zone: %w", sr.Slug, err)
		}
		sessions, err := resolveSessionsIn(nil, snap.Sessions, seriesLoc, &ix.r.zones)
		if err != nil {
			return fmt.Errorf("series %q: %w", sr.Slug, err)
		}
		// The same choice as buildIndexView: the first upcoming session
		// that still takes place.
		for _, s := range sessions {
			if s.end.After(ix.opts.AsOf) && s.s.Status != agenda.StatusCancelled {
				next := *s.s
				next.People, next.Tags, next.Description = nil, nil, ""
				// A clone: the snapshot's strings may be parts of one
				// buffer, which a kept title would keep whole, for every
				// series of the page.
				keep.Sessions = []agenda.Session{next.Clone()}
				break
			}
		}
		return nil
	}()
	if err != nil {
		ix.err = fmt.Errorf("index page: %w", err)
		return ix.err
	}
	ix.snaps = append(ix.snaps, keep)
	return nil
}

// Write writes the index page of every series added.
func (ix *Index) Write(w io.Writer) error {
	if ix.err != nil {
		return ix.err
	}
	return ix.r.WriteIndex(w, ix.snaps, ix.opts)
}
