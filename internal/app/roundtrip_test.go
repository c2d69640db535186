package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/internal/agenda"
	"github.com/agendafeed/agendafeed/internal/importer"
	"github.com/agendafeed/agendafeed/internal/publish"
	"github.com/agendafeed/agendafeed/internal/store"
)

// setClock is a clock a test moves by hand.
type setClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *setClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *setClock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// readTree returns every file under dir by its slash path, but the
// manifest (see TestExportImportPublishesSameBytes).
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".") {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func readManifest(t *testing.T, dir string) publish.Manifest {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, publish.ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	var m publish.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// A database restored from its export publishes the same bytes as the one
// exported: every DTSTAMP and LAST-MODIFIED, Atom <updated>, JSON Feed
// date_modified and RSS lastBuildDate as they were, so that no ETag moves
// and no subscriber sees every item as modified. Edits at fixed times make
// the series', sessions' and posts' last changes all differ from their
// creation and from the import's own time. In YAML and JSON.
//
// The manifest is left out of the comparison: its generated and modified
// times are when the new output directory was written, and its version and
// revisions count that directory's and database's own passes and edits.
// The ETag it gives each file is compared instead.
func TestExportImportPublishesSameBytes(t *testing.T) {
	ctx := context.Background()
	day := func(d int, h int) time.Time { return time.Date(2026, 3, d, h, 17, 23, 0, time.UTC) }
	clock := &setClock{t: day(1, 9)}
	open := func(dir string) *App {
		a, err := Open(ctx, Options{Config: testConfig(t, dir), Now: clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { a.Close() })
		return a
	}
	src := open(t.TempDir())
	loadDemo(t, src)
	db := src.DB()

	// A session edited, one added then edited, a post edited, the series
	// retitled, each on a day of its own.
	clock.set(day(2, 10))
	s, err := db.SessionByKey(ctx, "open-policy-debates", "smart-cities-pillars")
	if err != nil {
		t.Fatal(err)
	}
	s.Venue = "Hall 2"
	if _, err := db.PutSession(ctx, s, store.Any); err != nil {
		t.Fatal(err)
	}
	clock.set(day(3, 11))
	added := s
	added.UID, added.Key, added.Title, added.Sequence = "", "follow-up", "Follow-up", 0
	added.People = added.People[:2]
	if _, err := db.PutSession(ctx, added, store.Absent); err != nil {
		t.Fatal(err)
	}
	clock.set(day(4, 12))
	added, err = db.SessionByKey(ctx, "open-policy-debates", "follow-up")
	if err != nil {
		t.Fatal(err)
	}
	added.Description = "Moved online."
	if _, err := db.PutSession(ctx, added, store.Any); err != nil {
		t.Fatal(err)
	}
	clock.set(day(5, 13))
	p, err := db.Post(ctx, "cities-are-listening", "smart-recovery-write-up")
	if err != nil {
		t.Fatal(err)
	}
	p.Summary += " Updated."
	if _, err := db.PutPost(ctx, p, store.Any); err != nil {
		t.Fatal(err)
	}
	clock.set(day(6, 14))
	sr, err := db.Series(ctx, "cities-are-listening")
	if err != nil {
		t.Fatal(err)
	}
	sr.Title += " (2020)"
	if _, err := db.PutSeries(ctx, sr, store.Any); err != nil {
		t.Fatal(err)
	}

	clock.set(day(7, 15))
	if _, err := src.Pass(ctx, true); err != nil {
		t.Fatal(err)
	}
	want := readTree(t, src.Config().OutputDir)
	wantManifest := readManifest(t, src.Config().OutputDir)

	list, err := db.ListSeries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []struct {
		name   string
		encode func(*bytes.Buffer, agenda.Snapshot) error
	}{
		{"export.yaml", func(b *bytes.Buffer, s agenda.Snapshot) error { return importer.Encode(b, s) }},
		{"export.json", func(b *bytes.Buffer, s agenda.Snapshot) error { return importer.EncodeJSON(b, s) }},
	} {
		t.Run(format.name, func(t *testing.T) {
			clock.set(day(7, 15))
			var docs []agenda.Snapshot
			for _, sr := range list {
				snap, err := db.Snapshot(ctx, sr.Slug)
				if err != nil {
					t.Fatal(err)
				}
				var buf bytes.Buffer
				if err := format.encode(&buf, snap); err != nil {
					t.Fatal(err)
				}
				doc, err := importer.Parse(sr.Slug+"-"+format.name, buf.Bytes(), importer.Options{
					DefaultZone: "Europe/Madrid", DefaultLanguage: "en", Now: clock.Now})
				if err != nil {
					t.Fatal(err)
				}
				docs = append(docs, doc)
			}
			// Restored later the same day: the import's own time must
			// show nowhere.
			clock.set(day(7, 16))
			dst := open(t.TempDir())
			if _, err := dst.DB().Import(ctx, docs); err != nil {
				t.Fatal(err)
			}
			if _, err := dst.Pass(ctx, true); err != nil {
				t.Fatal(err)
			}
			got := readTree(t, dst.Config().OutputDir)
			for name, w := range want {
				g, ok := got[name]
				switch {
				case !ok:
					t.Errorf("%s: not published after the restore", name)
				case !bytes.Equal(g, w):
					t.Errorf("%s differs after the restore:\n%s", name, firstLineDiff(g, w))
				}
			}
			for name := range got {
				if _, ok := want[name]; !ok {
					t.Errorf("%s: published only after the restore", name)
				}
			}
			gotManifest := readManifest(t, dst.Config().OutputDir)
			for name, w := range wantManifest.Files {
				if g := gotManifest.Files[name]; g.ETag != w.ETag {
					t.Errorf("manifest: %s has ETag %s after the restore, want %s", name, g.ETag, w.ETag)
				}
			}
		})
	}
}

// firstLineDiff shows where got and want first differ: the line, and some
// bytes either side (lines of feed.json are whole items).
func firstLineDiff(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := range min(len(g), len(w)) {
		if g[i] == w[i] {
			continue
		}
		at := 0
		for at < len(g[i]) && at < len(w[i]) && g[i][at] == w[i][at] {
			at++
		}
		around := func(s string) string { return s[max(0, at-60):min(len(s), at+60)] }
		return fmt.Sprintf("line %d, byte %d\n got: %s\nwant: %s", i+1, at+1, around(g[i]), around(w[i]))
	}
	return "one is a prefix of the other"
}
