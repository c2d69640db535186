// Package publishtest owns the fakes that exercise the publisher without the
// store or the real renderers: an in-memory Source, a generated Source that
// builds large agendas on demand (for benchmarks and load programs), and a
// Renderer whose output has a realistic size (about 300 bytes per session
// per format) and can check itself.
package publishtest

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"strings"
	"sync"
	"time"

	"github.com/agendafeed/agendafeed/feeds"
	"github.com/agendafeed/agendafeed/internal/agenda"
	"github.com/agendafeed/agendafeed/internal/publish"
)

// Source is an in-memory publish.Source, safe for concurrent use.
type Source struct {
	mu    sync.Mutex
	snaps map[string]agenda.Snapshot
	// RevisionCalls and SnapshotCalls count calls, for tests.
	RevisionCalls, SnapshotCalls int
}

// NewSource returns a Source holding snaps.
func NewSource(snaps ...agenda.Snapshot) *Source {
	s := &Source{snaps: map[string]agenda.Snapshot{}}
	for _, sn := range snaps {
		s.Put(sn)
	}
	return s
}

// Put adds or replaces a series.
func (s *Source) Put(snap agenda.Snapshot) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.snaps[snap.Series.Slug] = snap
}

// Remove deletes a series.
func (s *Source) Remove(slug string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.snaps, slug)
}

// Get returns a series.
func (s *Source) Get(slug string) agenda.Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.snaps[slug]
}

// Revisions implements publish.Source.
func (s *Source) Revisions(ctx context.Context) (map[string]int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.RevisionCalls++
	out := make(map[string]int64, len(s.snaps))
	for slug, sn := range s.snaps {
		out[slug] = sn.Series.Revision
	}
	return out, nil
}

// Snapshot implements publish.Source.
func (s *Source) Snapshot(ctx context.Context, slug string) (agenda.Snapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.SnapshotCalls++
	sn, ok := s.snaps[slug]
	if !ok {
		return agenda.Snapshot{}, fmt.Errorf("series %q: %w", slug, agenda.ErrNotFound)
	}
	return sn, nil
}

// GenSource is a publish.Source of Series series with Sessions sessions
// each, built on demand from the slug and revision, so that it holds no
// agenda in memory (as the SQLite store holds none).
type GenSource struct {
	mu       sync.Mutex
	revs     map[string]int64
	Sessions int
}

// NewGenSource returns a GenSource of n series ("s0000", ...) at revision 1.
func NewGenSource(series, sessions int) *GenSource {
	g := &GenSource{revs: map[string]int64{}, Sessions: sessions}
	for i := range series {
		g.revs[fmt.Sprintf("s%04d", i)] = 1
	}
	return g
}

// Bump moves a series to a new revision, changing its content.
func (g *GenSource) Bump(slug string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.revs[slug]++
}

// Revisions implements publish.Source.
func (g *GenSource) Revisions(ctx context.Context) (map[string]int64, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return maps.Clone(g.revs), nil
}

// Snapshot implements publish.Source.
func (g *GenSource) Snapshot(ctx context.Context, slug string) (agenda.Snapshot, error) {
	g.mu.Lock()
	rev, ok := g.revs[slug]
	g.mu.Unlock()
	if !ok {
		return agenda.Snapshot{}, fmt.Errorf("series %q: %w", slug, agenda.ErrNotFound)
	}
	return MakeSnapshot(slug, rev, g.Sessions), nil
}

// MakeSnapshot builds a series at a revision with n sessions whose text
// depends on the revision.
func MakeSnapshot(slug string, rev int64, n int) agenda.Snapshot {
	base := time.Date(2025, 11, 17, 0, 0, 0, 0, time.UTC)
	sn := agenda.Snapshot{Series: agenda.Series{
		Slug: slug, Title: "Series " + slug, Zone: "Europe/Madrid", Language: "en",
		Revision: rev, Updated: base.Add(time.Duration(rev) * time.Minute),
	}}
	sn.Sessions = make([]agenda.Session, n)
	for i := range n {
		day := base.AddDate(0, 0, i/8)
		sn.Sessions[i] = agenda.Session{
			UID:         fmt.Sprintf("%s-%d@example.org", slug, i),
			Series:      slug,
			Key:         fmt.Sprintf("k%d", i),
			Title:       fmt.Sprintf("Session %d of %s, revision %d", i, slug, rev),
			Description: fmt.Sprintf("A debate on urban policy number %d with mayors and experts; revision %d of series %s.", i, rev, slug),
			Start:       agenda.NewWallTime(day.Year(), day.Month(), day.Day(), 9+i%8, 0, 0),
			End:         agenda.NewWallTime(day.Year(), day.Month(), day.Day(), 10+i%8, 0, 0),
			Zone:        "Europe/Madrid",
			Venue:       "Room " + fmt.Sprint(i%12),
			Status:      agenda.StatusConfirmed,
			Sequence:    rev,
		}
	}
	return sn
}

// Renderer is a fake publish renderer. Each file is a header line, one
// line of about PerSession bytes per session, and a trailer line holding
// the sha256 of everything before it, so that Check can tell a complete
// file from a torn one.
type Renderer struct {
	Layout     feeds.Layout
	PerSession int // bytes per session per format; default 300
	// Panic makes SeriesOutputs panic for this slug, for tests.
	Panic string
	// NoSessionFiles lists no per-session .ics, as the daemon's renderer
	// does when they are served on request.
	NoSessionFiles bool
	// Combining, when set, is called on the pass's goroutine before the
	// all-series files are listed: after every series file was rendered
	// and sent to be published.
	Combining func()
}

// SeriesOutputs lists the five series files and one .ics per session
// (unless NoSessionFiles).
func (r *Renderer) SeriesOutputs(snap agenda.Snapshot) []Output {
	if r.Panic != "" && snap.Series.Slug == r.Panic {
		panic("renderer exploded on " + snap.Series.Slug)
	}
	slug := snap.Series.Slug
	var outs []Output
	for _, k := range feeds.SeriesKinds() {
		path := r.Layout.SeriesPath(slug, k)
		outs = append(outs, Output{Path: path, Kind: k, Render: func(w io.Writer) error {
			return r.write(w, path, snap.Series.Revision, []agenda.Snapshot{snap}, -1)
		}})
	}
	for i, s := range snap.Sessions {
		if r.NoSessionFiles {
			break
		}
		path := r.Layout.SessionPath(slug, s.Key)
		outs = append(outs, Output{Path: path, Kind: feeds.Calendar, Render: func(w io.Writer) error {
			return r.write(w, path, snap.Series.Revision, []agenda.Snapshot{snap}, i)
		}})
	}
	return outs
}

// CombinedOutputs lists the all-series files.
func (r *Renderer) CombinedOutputs(snaps []agenda.Snapshot) []Output {
	if r.Combining != nil {
		r.Combining()
	}
	var outs []Output
	kinds := append(feeds.SeriesKinds(), feeds.OPML)
	for _, k := range kinds {
		path := r.Layout.SeriesPath("", k)
		outs = append(outs, Output{Path: path, Kind: k, Render: func(w io.Writer) error {
			n := -2
			if k == feeds.OPML {
				n = -3 // one line per series
			}
			return r.write(w, path, 0, snaps, n)
		}})
	}
	return outs
}

// Output is the publisher's output type.
type Output = publish.Output

// write renders: only (session index) >= 0 is one session; -1 every
// session of snaps; -2 likewise; -3 one line per series.
func (r *Renderer) write(w io.Writer, path string, rev int64, snaps []agenda.Snapshot, only int) error {
	per := r.PerSession
	if per <= 0 {
		per = 300
	}
	h := sha256.New()
	bw := bufio.NewWriterSize(io.MultiWriter(w, h), 32<<10)
	fmt.Fprintf(bw, "FAKE path=%s rev=%d\n", path, rev)
	line := func(s *agenda.Session) {
		l := fmt.Sprintf("%s|%s|%s|%s|%s|", s.UID, s.Title, s.Description, s.Start, s.Venue)
		if len(l) < per-1 {
			l += strings.Repeat("x", per-1-len(l))
		}
		bw.WriteString(l)
		bw.WriteByte('\n')
	}
	for _, sn := range snaps {
		switch {
		case only == -3:
			fmt.Fprintf(bw, "series %s rev %d\n", sn.Series.Slug, sn.Series.Revision)
		case only >= 0:
			line(&sn.Sessions[only])
		default:
			for i := range sn.Sessions {
				line(&sn.Sessions[i])
			}
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "END sha256=%s\n", hex.EncodeToString(h.Sum(nil)))
	return err
}

// Check verifies that b is one complete file written by Renderer and
// returns the revision in its header.
func Check(b []byte) (rev int64, err error) {
	body, trailer, ok := cutLastLine(b)
	if !ok || !strings.HasPrefix(trailer, "END sha256=") {
		return 0, fmt.Errorf("no trailer (%d bytes)", len(b))
	}
	sum := sha256.Sum256(body)
	if hex.EncodeToString(sum[:]) != strings.TrimPrefix(trailer, "END sha256=") {
		return 0, fmt.Errorf("checksum mismatch (%d bytes)", len(b))
	}
	var path string
	if _, err := fmt.Sscanf(string(body[:min(len(body), 300)]), "FAKE path=%s rev=%d\n", &path, &rev); err != nil {
		return 0, fmt.Errorf("bad header: %w", err)
	}
	return rev, nil
}

func cutLastLine(b []byte) ([]byte, string, bool) {
	if len(b) == 0 || b[len(b)-1] != '\n' {
		return nil, "", false
	}
	i := strings.LastIndexByte(string(b[:len(b)-1]), '\n')
	if i < 0 {
		return nil, "", false
	}
	return b[:i+1], string(b[i+1 : len(b)-1]), true
}
