package publish_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/internal/publish"
	"github.com/agendafeed/agendafeed/internal/publish/publishtest"
)

// An edited series is served as soon as its files are published, before
// the all-series files are rendered: for a large installation those take
// seconds, which an edit would otherwise wait for. The test holds the pass
// where the all-series files are about to be listed or, with a streaming
// builder, where it adds a series that did not move and comes before the
// edited one, and looks at what the publisher serves meanwhile.
func TestSeriesServedBeforeAllSeriesFiles(t *testing.T) {
	for _, tc := range []struct {
		name      string
		streaming bool
	}{{"streaming", true}, {"all at once", false}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			// "tunis" is last in slug order: the streaming builder adds
			// every other series before it.
			src, base, sr, r := threeSeries(tc.streaming)
			p := newPublisher(t, dir, src, r, newClock())
			pass(t, p, false)
			before := p.Manifest()

			src.Put(publishtest.MakeSnapshot("tunis", 2, 3))
			var during publish.Manifest
			// Checked while the pass is held: the files must hold the
			// bytes the served manifest hashes at that moment.
			hold := func() {
				during = waitServed(t, p, "tunis", 2)
				checkListed(t, dir, during)
				if disk := diskManifest(t, dir); disk.Version != before.Version {
					t.Errorf("the manifest on disk moved during the pass: version %d, want %d", disk.Version, before.Version)
				}
			}
			if sr != nil {
				sr.Adding = func(slug string) {
					if slug == "madrid" {
						hold()
					}
				}
			} else {
				base.Combining = hold
			}
			pass(t, p, false)
			after := p.Manifest()

			if during.Version != before.Version+1 || during.Combined {
				t.Errorf("while the all-series files render: version %d, combined %v; want %d, false", during.Version, during.Combined, before.Version+1)
			}
			if during.Revisions["lyon"] != 1 || during.Revisions["madrid"] != 1 {
				t.Errorf("while the all-series files render: revisions %v", during.Revisions)
			}
			for _, path := range []string{"tunis/calendar.ics", "tunis/sessions/k2.ics"} {
				fi, ok := during.Files[path]
				if !ok || fi.ETag == before.Files[path].ETag || fi.Revision != 2 {
					t.Errorf("while the all-series files render: %s is %+v; want the new file", path, fi)
				}
			}
			if got, want := during.Files["calendar.ics"], before.Files["calendar.ics"]; got.ETag != want.ETag {
				t.Errorf("while the all-series files render: calendar.ics %s; want the old one, %s, still in place", got.ETag, want.ETag)
			}

			if after.Version != during.Version+1 || !after.Combined || after.Revisions["tunis"] != 2 {
				t.Errorf("after the pass: version %d, combined %v, revisions %v", after.Version, after.Combined, after.Revisions)
			}
			if after.Files["calendar.ics"].ETag == before.Files["calendar.ics"].ETag {
				t.Errorf("after the pass: the all-series calendar did not change")
			}
			checkConsistent(t, dir, after)
			if disk := diskManifest(t, dir); disk.Version != after.Version {
				t.Errorf("manifest on disk: version %d, want %d", disk.Version, after.Version)
			}
		})
	}
}

// A pass that dies after serving its series files leaves the next pass to
// render the all-series files and write the manifest.
func TestPanicAfterSeriesServed(t *testing.T) {
	dir := t.TempDir()
	src := publishtest.NewSource(publishtest.MakeSnapshot("madrid", 1, 2), publishtest.MakeSnapshot("tunis", 1, 2))
	sr := &publishtest.StreamingRenderer{}
	p := newPublisher(t, dir, src, sr, newClock())
	pass(t, p, false)
	first := p.Manifest()

	src.Put(publishtest.MakeSnapshot("tunis", 2, 3))
	sr.Combining = func() {
		waitServed(t, p, "tunis", 2)
		panic("all-series files exploded")
	}
	_, err := p.Pass(context.Background(), false)
	var pe *publish.PanicError
	if !errors.As(err, &pe) {
		t.Fatalf("err %v, want a PanicError", err)
	}
	m := p.Manifest()
	if m.Revisions["tunis"] != 2 || m.Combined {
		t.Errorf("after the panic: revisions %v, combined %v; want tunis at 2, the all-series files out of date", m.Revisions, m.Combined)
	}
	if disk := diskManifest(t, dir); disk.Version != first.Version || disk.Revisions["tunis"] != 1 {
		t.Errorf("after the panic, on disk: version %d, revisions %v; want the first pass's", disk.Version, disk.Revisions)
	}
	checkListed(t, dir, m)

	sr.Combining = nil
	res := pass(t, p, false)
	if res.SeriesRendered != 0 || res.FilesWritten != 6 {
		t.Errorf("next pass: %+v; want only the 6 all-series files written", res)
	}
	m = p.Manifest()
	if !m.Combined || m.Revisions["tunis"] != 2 {
		t.Errorf("next pass: combined %v, revisions %v", m.Combined, m.Revisions)
	}
	checkConsistent(t, dir, m)
	if disk := diskManifest(t, dir); disk.Version != m.Version || !disk.Combined || disk.Revisions["tunis"] != 2 {
		t.Errorf("next pass, on disk: version %d (want %d), combined %v, revisions %v", disk.Version, m.Version, disk.Combined, disk.Revisions)
	}
}

// threeSeries is the source of three series at revision 1, lyon, madrid
// and tunis, and the renderer for it: with streaming, a
// StreamingRenderer (sr; base is its Renderer), else base itself.
func threeSeries(streaming bool) (src *publishtest.Source, base *publishtest.Renderer, sr *publishtest.StreamingRenderer, r publish.Renderer) {
	src = publishtest.NewSource(publishtest.MakeSnapshot("lyon", 1, 2), publishtest.MakeSnapshot("madrid", 1, 2), publishtest.MakeSnapshot("tunis", 1, 2))
	if streaming {
		sr = &publishtest.StreamingRenderer{}
		return src, &sr.Renderer, sr, sr
	}
	base = &publishtest.Renderer{}
	return src, base, nil, base
}

// waitServed waits until p serves series slug at revision rev, and returns
// what it serves then. The interim manifest is stored by the committer's
// goroutine once the series' batch is durable; a pass that never stores
// one fails the test after ten seconds rather than hanging.
func waitServed(t *testing.T, p *publish.Publisher, slug string, rev int64) publish.Manifest {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		m := p.Manifest()
		if m.Revisions[slug] == rev {
			return m
		}
		if time.Now().After(deadline) {
			t.Errorf("series %s at revision %d not served before the all-series files: serving %v", slug, rev, m.Revisions)
			return m
		}
		time.Sleep(time.Millisecond)
	}
}

// checkListed verifies that every file m lists holds the bytes m hashes
// (files m does not list, such as the pass's temp files, may exist).
func checkListed(t *testing.T, dir string, m publish.Manifest) {
	t.Helper()
	for path, fi := range m.Files {
		b, err := os.ReadFile(filepath.Join(dir, path))
		if err != nil {
			t.Errorf("manifest lists %s: %v", path, err)
			continue
		}
		if got := publish.ETagOf(sha(b)); got != fi.ETag || int64(len(b)) != fi.Size {
			t.Errorf("%s: etag %s size %d, manifest says %s %d", path, got, len(b), fi.ETag, fi.Size)
		}
	}
}

// diskManifest reads the manifest on disk.
func diskManifest(t *testing.T, dir string) publish.Manifest {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, publish.ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	var m publish.Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("manifest on disk: %v", err)
	}
	return m
}

// A pass told that a newer edit waits (Supersede) leaves the all-series
// files to the next pass: its series files are published and served, the
// all-series files stay as they were, marked out of date, and the next
// pass rebuilds them. Unless they are older than maxStale: then it
// rebuilds them anyway, so that a steady stream of edits cannot keep them
// stale.
func TestSupersededPassLeavesAllSeriesFiles(t *testing.T) {
	for _, tc := range []struct {
		name      string
		streaming bool
		age       time.Duration // of the all-series files when superseded
		left      bool
	}{
		{"streaming", true, 0, true},
		{"all at once", false, 0, true},
		{"streaming, stale", true, time.Minute, false},
		{"all at once, stale", false, time.Minute, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			c := newClock()
			src, base, sr, r := threeSeries(tc.streaming)
			p := newPublisher(t, dir, src, r, c)
			pass(t, p, false)
			before := p.Manifest()

			c.Add(tc.age)
			src.Put(publishtest.MakeSnapshot("tunis", 2, 3))
			if sr != nil {
				sr.Adding = func(slug string) {
					if slug == "lyon" {
						p.Supersede()
					}
				}
			} else {
				base.Combining = p.Supersede
			}
			res := pass(t, p, false)
			m := p.Manifest()
			if res.Superseded != tc.left || m.Combined == tc.left || m.Revisions["tunis"] != 2 {
				t.Errorf("superseded pass: %+v, combined %v, revisions %v; want the all-series files left: %v", res, m.Combined, m.Revisions, tc.left)
			}
			if same := m.Files["calendar.ics"].ETag == before.Files["calendar.ics"].ETag; same != tc.left {
				t.Errorf("all-series calendar unchanged: %v, want %v", same, tc.left)
			}
			checkConsistent(t, dir, m)
			if disk := diskManifest(t, dir); disk.Version != m.Version || disk.Combined != m.Combined {
				t.Errorf("manifest on disk: version %d combined %v, want %d %v", disk.Version, disk.Combined, m.Version, m.Combined)
			}

			if sr != nil {
				sr.Adding = nil
			}
			base.Combining = nil
			res = pass(t, p, false)
			if m := p.Manifest(); res.Superseded || !m.Combined {
				t.Errorf("next pass: %+v, combined %v", res, m.Combined)
			}
			if want := 0; !tc.left {
				if res.FilesWritten != want {
					t.Errorf("next pass wrote %d files, want %d", res.FilesWritten, want)
				}
			} else if res.FilesWritten != 6 {
				t.Errorf("next pass wrote %d files, want the 6 all-series files", res.FilesWritten)
			}
			checkConsistent(t, dir, p.Manifest())
		})
	}
}
