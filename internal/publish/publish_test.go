package publish_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/feeds"
	"github.com/agendafeed/agendafeed/internal/agenda"
	"github.com/agendafeed/agendafeed/internal/publish"
	"github.com/agendafeed/agendafeed/internal/publish/publishtest"
)

// Compile-time checks that the fakes satisfy the interfaces.
var (
	_ publish.Source   = (*publishtest.Source)(nil)
	_ publish.Source   = (*publishtest.GenSource)(nil)
	_ publish.Renderer = (*publishtest.Renderer)(nil)
)

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newClock() *clock { return &clock{t: time.Date(2025, 11, 17, 10, 0, 0, 0, time.UTC)} }

func newPublisher(t *testing.T, dir string, src publish.Source, r publish.Renderer, c *clock) *publish.Publisher {
	t.Helper()
	p, err := publish.New(publish.Options{Dir: dir, Source: src, Renderer: r, Now: c.Now})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// closePublisher closes p, as a process that stops does, so that another
// Publisher can open its directory.
func closePublisher(t *testing.T, p *publish.Publisher) {
	t.Helper()
	if err := p.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

func pass(t *testing.T, p *publish.Publisher, force bool) publish.Result {
	t.Helper()
	res, err := p.Pass(context.Background(), force)
	if err != nil {
		t.Fatalf("Pass: %v", err)
	}
	return res
}

// diskState maps every file under dir to its mtime.
func diskState(t *testing.T, dir string) map[string]time.Time {
	t.Helper()
	out := map[string]time.Time{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		out[filepath.ToSlash(rel)] = info.ModTime()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// checkConsistent verifies that the manifest lists exactly the published
// files, each with its real hash and size.
func checkConsistent(t *testing.T, dir string, m publish.Manifest) {
	t.Helper()
	onDisk := diskState(t, dir)
	delete(onDisk, publish.ManifestName)
	delete(onDisk, publish.LockName)
	checkListed(t, dir, m)
	for path, fi := range m.Files {
		if fi.ContentType != fi.Kind.ContentType() || fi.Path != path {
			t.Errorf("%s: content type %q path %q", path, fi.ContentType, fi.Path)
		}
		delete(onDisk, path)
	}
	for path := range onDisk {
		t.Errorf("file %s on disk is not in the manifest", path)
	}
}

func sha(b []byte) []byte { s := sha256.Sum256(b); return s[:] }

func TestPassPublishesAndSkipsUnchanged(t *testing.T) {
	dir := t.TempDir()
	c := newClock()
	src := publishtest.NewSource(
		publishtest.MakeSnapshot("madrid", 1, 3),
		publishtest.MakeSnapshot("tunis", 1, 2),
	)
	r := &publishtest.Renderer{PerSession: 100}
	p := newPublisher(t, dir, src, r, c)

	res := pass(t, p, false)
	// 5 series files + sessions per series, 6 combined files.
	if want := (5 + 3) + (5 + 2) + 6; res.FilesWritten != want || res.SeriesRendered != 2 {
		t.Fatalf("first pass: %+v, want %d files written, 2 series", res, want)
	}
	m1 := p.Manifest()
	checkConsistent(t, dir, m1)
	if m1.Files["madrid/calendar.ics"].ContentType != "text/calendar; charset=utf-8" {
		t.Errorf("content type %q", m1.Files["madrid/calendar.ics"].ContentType)
	}
	disk1 := diskState(t, dir)

	// Nothing changed: nothing is read beyond revisions, nothing written.
	c.Add(time.Hour)
	src.SnapshotCalls = 0
	res = pass(t, p, false)
	if !reflect.DeepEqual(res, publish.Result{Started: c.Now()}) || src.SnapshotCalls != 0 {
		t.Errorf("no-change pass: %+v, %d snapshots read", res, src.SnapshotCalls)
	}
	m2 := p.Manifest()
	if m2.Version != m1.Version || !m2.Generated.Equal(m1.Generated) {
		t.Errorf("manifest changed on a no-change pass: %d -> %d", m1.Version, m2.Version)
	}
	if disk2 := diskState(t, dir); !mapsEqual(disk1, disk2) {
		t.Errorf("files touched by a no-change pass")
	}

	// Forced: everything rendered, nothing rewritten, Modified kept.
	c.Add(time.Hour)
	res = pass(t, p, true)
	if res.FilesWritten != 0 || res.FilesUnchanged != 21 || res.SeriesRendered != 2 {
		t.Errorf("forced pass: %+v", res)
	}
	for path, fi := range p.Manifest().Files {
		if old := m1.Files[path]; old.ETag != fi.ETag || !old.Modified.Equal(fi.Modified) {
			t.Errorf("%s changed on a forced pass: %+v -> %+v", path, old, fi)
		}
	}
	if disk3 := diskState(t, dir); !mapsEqual(disk1, disk3) {
		t.Errorf("files rewritten by a forced pass")
	}
	// ... and no new manifest: every entry is the one it had (also after
	// a restart, which reads them back from disk).
	if m3 := p.Manifest(); m3.Version != m1.Version {
		t.Errorf("a forced pass that changed nothing moved the manifest: version %d -> %d", m1.Version, m3.Version)
	}
	closePublisher(t, p)
	p = newPublisher(t, dir, src, r, c)
	if res := pass(t, p, true); res.FilesWritten != 0 || p.Manifest().Version != m1.Version {
		t.Errorf("forced pass after a restart: %+v, manifest version %d -> %d", res, m1.Version, p.Manifest().Version)
	}
}

func mapsEqual(a, b map[string]time.Time) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || !w.Equal(v) {
			return false
		}
	}
	return true
}

func TestChangedRemovedSeriesAndSessions(t *testing.T) {
	dir := t.TempDir()
	c := newClock()
	src := publishtest.NewSource(
		publishtest.MakeSnapshot("madrid", 1, 3),
		publishtest.MakeSnapshot("tunis", 1, 2),
		publishtest.MakeSnapshot("lima", 1, 1),
	)
	p := newPublisher(t, dir, src, &publishtest.Renderer{PerSession: 50}, c)
	pass(t, p, false)
	m1 := p.Manifest()
	disk1 := diskState(t, dir)

	c.Add(time.Minute)
	src.Put(publishtest.MakeSnapshot("madrid", 2, 2)) // session k2 dropped
	src.Remove("lima")
	res := pass(t, p, false)
	if res.SeriesRendered != 1 {
		t.Errorf("rendered %d series, want 1", res.SeriesRendered)
	}
	// madrid: 5 + 2 sessions; combined: 6 (opml lists series, others hold sessions).
	if res.FilesWritten != 7+6 {
		t.Errorf("written %d, want 13", res.FilesWritten)
	}
	if want := 1 + (5 + 1); res.FilesRemoved != want { // madrid's k2, lima's files
		t.Errorf("removed %d, want %d", res.FilesRemoved, want)
	}
	m2 := p.Manifest()
	checkConsistent(t, dir, m2)
	if _, err := os.Stat(filepath.Join(dir, "lima")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("lima's directory still there: %v", err)
	}
	if _, ok := m2.Revisions["lima"]; ok || m2.Revisions["madrid"] != 2 {
		t.Errorf("revisions %v", m2.Revisions)
	}
	disk2 := diskState(t, dir)
	for path, mt := range disk1 {
		if strings.HasPrefix(path, "tunis/") && !disk2[path].Equal(mt) {
			t.Errorf("unchanged series file %s rewritten", path)
		}
	}
	if fi := m2.Files["madrid/calendar.ics"]; !fi.Modified.Equal(c.Now()) || fi.ETag == m1.Files["madrid/calendar.ics"].ETag || fi.Revision != 2 {
		t.Errorf("madrid calendar not updated: %+v", fi)
	}
	// One for the manifest served once madrid's files were published,
	// one for the pass's own (TestSeriesServedBeforeAllSeriesFiles).
	if m2.Version != m1.Version+2 {
		t.Errorf("version %d -> %d, want two more", m1.Version, m2.Version)
	}
}

// titleRenderer renders only the series title: a revision that changes
// nothing visible must leave the bytes, ETag and Modified alone.
type titleRenderer struct{}

func (titleRenderer) SeriesOutputs(s agenda.Snapshot) []publish.Output {
	return []publish.Output{{Path: s.Series.Slug + "/calendar.ics", Kind: feeds.Calendar, Render: func(w io.Writer) error {
		_, err := io.WriteString(w, s.Series.Title)
		return err
	}}}
}

func (titleRenderer) CombinedOutputs(snaps []agenda.Snapshot) []publish.Output {
	return []publish.Output{{Path: "index.html", Kind: feeds.Page, Render: func(w io.Writer) error {
		for _, s := range snaps {
			fmt.Fprintln(w, s.Series.Title)
		}
		return nil
	}}}
}

func TestRevisionWithSameBytesKeepsModified(t *testing.T) {
	dir := t.TempDir()
	c := newClock()
	snap := publishtest.MakeSnapshot("madrid", 1, 0)
	src := publishtest.NewSource(snap)
	p := newPublisher(t, dir, src, titleRenderer{}, c)
	pass(t, p, false)
	before := p.Manifest().Files["madrid/calendar.ics"]
	mtime := diskState(t, dir)["madrid/calendar.ics"]

	c.Add(time.Hour)
	snap.Series.Revision = 2
	src.Put(snap)
	res := pass(t, p, false)
	if res.SeriesRendered != 1 || res.FilesWritten != 0 || res.FilesUnchanged != 2 {
		t.Errorf("pass: %+v", res)
	}
	after := p.Manifest().Files["madrid/calendar.ics"]
	if after.ETag != before.ETag || !after.Modified.Equal(before.Modified) || after.Revision != 2 {
		t.Errorf("before %+v after %+v", before, after)
	}
	if !diskState(t, dir)["madrid/calendar.ics"].Equal(mtime) {
		t.Errorf("file rewritten")
	}
	if p.Manifest().Revisions["madrid"] != 2 {
		t.Errorf("revision not recorded")
	}
}

func TestNewReloadsManifestAndCleansUp(t *testing.T) {
	dir := t.TempDir()
	c := newClock()
	src := publishtest.NewSource(publishtest.MakeSnapshot("madrid", 1, 2))
	r := &publishtest.Renderer{PerSession: 50}
	p := newPublisher(t, dir, src, r, c)
	pass(t, p, false)
	m1 := p.Manifest()

	// Leave what a killed process leaves: temp files, and an obsolete file.
	stale := []string{".calendar.ics.tmp-0011223344556677", "madrid/.rss.xml.tmp-00000000000000aa", "madrid/sessions/.k0.ics.tmp-00000000000000bb"}
	for _, s := range stale {
		if err := os.WriteFile(filepath.Join(dir, s), []byte("half"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var raw map[string]any
	b, _ := os.ReadFile(filepath.Join(dir, publish.ManifestName))
	json.Unmarshal(b, &raw)
	raw["obsolete"] = []string{"madrid/sessions/gone.ics", "madrid/calendar.ics"} // the listed one must stay
	os.WriteFile(filepath.Join(dir, "madrid/sessions/gone.ics"), []byte("old"), 0o644)
	b, _ = json.Marshal(raw)
	os.WriteFile(filepath.Join(dir, publish.ManifestName), b, 0o644)

	c.Add(time.Hour)
	closePublisher(t, p)
	p2 := newPublisher(t, dir, src, r, c)
	m2 := p2.Manifest()
	if m2.Version != m1.Version || len(m2.Files) != len(m1.Files) {
		t.Fatalf("reloaded manifest differs: %d files v%d, want %d v%d", len(m2.Files), m2.Version, len(m1.Files), m1.Version)
	}
	for path, fi := range m1.Files {
		got := m2.Files[path]
		if got.ETag != fi.ETag || !got.Modified.Equal(fi.Modified) || got.ContentType != fi.ContentType || got.Path != path {
			t.Errorf("%s: reloaded %+v, want %+v", path, got, fi)
		}
	}
	for _, s := range append(stale, "madrid/sessions/gone.ics") {
		if _, err := os.Stat(filepath.Join(dir, s)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s not removed by New: %v", s, err)
		}
	}
	if res := pass(t, p2, false); res.FilesWritten != 0 || res.SeriesRendered != 0 {
		t.Errorf("pass after restart: %+v", res)
	}
	checkConsistent(t, dir, p2.Manifest())
}

func TestNewRejectsBrokenManifest(t *testing.T) {
	dir := t.TempDir()
	for _, body := range []string{`{"files":`, `{"files":{"../etc/passwd":{}}}`} {
		os.WriteFile(filepath.Join(dir, publish.ManifestName), []byte(body), 0o644)
		_, err := publish.New(publish.Options{Dir: dir, Source: publishtest.NewSource(), Renderer: titleRenderer{}})
		if err == nil {
			t.Errorf("manifest %s accepted", body)
		}
	}
}

// badRenderer returns whatever paths it is given.
type badRenderer struct{ series, combined []string }

func (b badRenderer) SeriesOutputs(agenda.Snapshot) []publish.Output     { return outputs(b.series) }
func (b badRenderer) CombinedOutputs([]agenda.Snapshot) []publish.Output { return outputs(b.combined) }

func outputs(paths []string) []publish.Output {
	var outs []publish.Output
	for _, p := range paths {
		outs = append(outs, publish.Output{Path: p, Kind: feeds.Calendar, Render: func(w io.Writer) error {
			_, err := io.WriteString(w, "x")
			return err
		}})
	}
	return outs
}

func TestRendererPathsAreChecked(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    badRenderer
		want string
	}{
		{"traversal", badRenderer{series: []string{"madrid/../../x"}}, "dot-dot"},
		{"absolute", badRenderer{series: []string{"/etc/x"}}, "relative"},
		{"hidden", badRenderer{series: []string{"madrid/.manifest.json"}}, "dot"},
		{"other series", badRenderer{series: []string{"tunis/calendar.ics"}}, "outside the series"},
		{"twice", badRenderer{series: []string{"madrid/a.ics", "madrid/a.ics"}}, "twice"},
		{"combined in series dir", badRenderer{series: []string{"madrid/a.ics"}, combined: []string{"madrid/x.ics"}}, "inside a series"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			src := publishtest.NewSource(publishtest.MakeSnapshot("madrid", 1, 0))
			p := newPublisher(t, dir, src, tc.r, newClock())
			_, err := p.Pass(context.Background(), false)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want it to mention %q", err, tc.want)
			}
			if _, err := os.Stat(filepath.Join(filepath.Dir(dir), "x")); err == nil {
				t.Errorf("wrote outside the output dir")
			}
			checkConsistent(t, dir, p.Manifest())
		})
	}
}

func TestPanicInRendererIsAnError(t *testing.T) {
	dir := t.TempDir()
	src := publishtest.NewSource(publishtest.MakeSnapshot("madrid", 1, 1), publishtest.MakeSnapshot("tunis", 1, 1))
	r := &publishtest.Renderer{Panic: "tunis"}
	p := newPublisher(t, dir, src, r, newClock())
	_, err := p.Pass(context.Background(), false)
	var pe *publish.PanicError
	if !errors.As(err, &pe) || !strings.Contains(pe.Error(), "exploded on tunis") {
		t.Fatalf("err %v, want a PanicError", err)
	}
	m := p.Manifest()
	if _, ok := m.Revisions["tunis"]; ok || m.Revisions["madrid"] != 1 {
		t.Errorf("revisions %v: want madrid published, tunis not", m.Revisions)
	}
	checkConsistent(t, dir, m)
	r.Panic = ""
	if res := pass(t, p, false); res.SeriesRendered != 1 {
		t.Errorf("retry rendered %d series", res.SeriesRendered)
	}
}

func TestLargeOutputStreams(t *testing.T) {
	// 60 sessions x 100 KB: the calendar (6 MB) is past the in-memory limit.
	dir := t.TempDir()
	src := publishtest.NewSource(publishtest.MakeSnapshot("big", 1, 60))
	r := &publishtest.Renderer{PerSession: 100 << 10}
	p := newPublisher(t, dir, src, r, newClock())
	pass(t, p, false)
	m := p.Manifest()
	if fi := m.Files["big/calendar.ics"]; fi.Size < 5<<20 {
		t.Fatalf("calendar only %d bytes", fi.Size)
	}
	checkConsistent(t, dir, m)
	for path := range m.Files {
		b, _ := os.ReadFile(filepath.Join(dir, path))
		if _, err := publishtest.Check(b); err != nil {
			t.Errorf("%s: %v", path, err)
		}
	}
	// Unchanged large output: not rewritten, no temp file left.
	if res := pass(t, p, true); res.FilesWritten != 0 {
		t.Errorf("forced pass wrote %d", res.FilesWritten)
	}
	checkConsistent(t, dir, p.Manifest())
}

func TestConcurrentPassesSerialise(t *testing.T) {
	dir := t.TempDir()
	src := publishtest.NewGenSource(20, 5)
	p := newPublisher(t, dir, src, &publishtest.Renderer{PerSession: 50}, newClock())
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			src.Bump(fmt.Sprintf("s%04d", i))
			if _, err := p.Pass(context.Background(), i%2 == 0); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	pass(t, p, false)
	m := p.Manifest()
	checkConsistent(t, dir, m)
	revs, _ := src.Revisions(context.Background())
	for slug, rev := range revs {
		if m.Revisions[slug] != rev {
			t.Errorf("%s at %d, want %d", slug, m.Revisions[slug], rev)
		}
	}
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	for _, data := range []string{"first", "second, longer", ""} {
		if err := publish.WriteFile(dir, "f.txt", []byte(data), 0o640); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(dir, "f.txt"))
		if err != nil || string(b) != data {
			t.Errorf("read %q %v, want %q", b, err, data)
		}
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{"f.txt"}) {
		t.Errorf("dir holds %v", names)
	}
	if fi, _ := os.Stat(filepath.Join(dir, "f.txt")); fi.Mode().Perm() != 0o640 {
		t.Errorf("perm %v", fi.Mode().Perm())
	}
	if err := publish.WriteFile(filepath.Join(dir, "missing"), "f", nil, 0o644); err == nil {
		t.Errorf("no error writing into a missing dir")
	}
}

// TestPassReadsEachSeriesOnce: the all-series step reuses the snapshots the
// series step read, and reads only the series that did not move.
func TestPassReadsEachSeriesOnce(t *testing.T) {
	tests := []struct {
		name      string
		change    func(src *publishtest.Source)
		force     bool
		wantReads int
	}{
		{"first pass", nil, false, 3},
		{"forced", func(*publishtest.Source) {}, true, 3},
		{"one series moved", func(src *publishtest.Source) { src.Put(publishtest.MakeSnapshot("tunis", 2, 1)) }, false, 3},
		{"one series removed", func(src *publishtest.Source) { src.Remove("lima") }, false, 2},
		{"nothing moved", func(*publishtest.Source) {}, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClock()
			src := publishtest.NewSource(
				publishtest.MakeSnapshot("madrid", 1, 3),
				publishtest.MakeSnapshot("tunis", 1, 2),
				publishtest.MakeSnapshot("lima", 1, 1),
			)
			dir := t.TempDir()
			p := newPublisher(t, dir, src, &publishtest.Renderer{PerSession: 50}, c)
			if tt.change != nil {
				pass(t, p, false)
				tt.change(src)
				src.SnapshotCalls = 0
			}
			pass(t, p, tt.force)
			if src.SnapshotCalls != tt.wantReads {
				t.Errorf("%d snapshots read, want %d", src.SnapshotCalls, tt.wantReads)
			}
			checkConsistent(t, dir, p.Manifest())
		})
	}
}

// hookRenderer calls hook before rendering each output.
type hookRenderer struct {
	publishtest.Renderer
	hook func(path string)
}

func (h *hookRenderer) SeriesOutputs(s agenda.Snapshot) []publish.Output {
	outs := h.Renderer.SeriesOutputs(s)
	for i := range outs {
		render, path := outs[i].Render, outs[i].Path
		outs[i].Render = func(w io.Writer) error {
			h.hook(path)
			return render(w)
		}
	}
	return outs
}

// dotEntries lists the names under dir that start with a dot, but for the
// manifest.
func dotEntries(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), ".") && d.Name() != publish.ManifestName && d.Name() != publish.LockName && path != dir {
			rel, _ := filepath.Rel(dir, path)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	return out
}

// A series published for the first time appears whole: until its staged
// directory is renamed into place, nothing is at its path. A series that
// is already published is updated file by file, and a directory that is in
// the way (not ours) makes a new series fall back to that too.
func TestNewSeriesDirectoryAppearsWhole(t *testing.T) {
	dir := t.TempDir()
	src := publishtest.NewSource(publishtest.MakeSnapshot("madrid", 1, 3))
	var mu sync.Mutex
	var during []string
	var seen map[string]bool
	r := &hookRenderer{}
	r.hook = func(path string) {
		slug, rest, _ := strings.Cut(path, "/")
		if rest != "sessions/k2.ics" {
			return
		}
		// The last output of the series: every other file is rendered.
		_, err := os.Lstat(filepath.Join(dir, slug))
		mu.Lock()
		defer mu.Unlock()
		seen[slug] = err == nil
		during, _ = filepath.Glob(filepath.Join(dir, ".*", "sessions", "k1.ics"))
	}
	p := newPublisher(t, dir, src, r, newClock())

	seen = map[string]bool{}
	if res := pass(t, p, false); res.FilesWritten != 5+3+6 {
		t.Fatalf("first pass: %+v", res)
	}
	if seen["madrid"] {
		t.Error("madrid/ existed before its last file was rendered")
	}
	if len(during) != 1 || !strings.HasPrefix(filepath.Base(filepath.Dir(filepath.Dir(during[0]))), ".madrid.tmp-") {
		t.Errorf("while rendering: %q, want madrid's files in one .madrid.tmp-* directory", during)
	}
	if left := dotEntries(t, dir); len(left) != 0 {
		t.Errorf("after the pass: %q left", left)
	}
	checkConsistent(t, dir, p.Manifest())

	// A new series next to a published one; and one whose directory is
	// already there, holding a file that is not ours.
	if err := os.MkdirAll(filepath.Join(dir, "tunis"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tunis", "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	src.Put(publishtest.MakeSnapshot("madrid", 2, 3))
	src.Put(publishtest.MakeSnapshot("lima", 1, 3))
	src.Put(publishtest.MakeSnapshot("tunis", 1, 3))
	seen = map[string]bool{}
	pass(t, p, false)
	if !seen["madrid"] || seen["lima"] || !seen["tunis"] {
		t.Errorf("directories present while their last file rendered: %v; want madrid and tunis (in place) but not lima (staged)", seen)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "tunis", "notes.txt")); string(b) != "mine" {
		t.Errorf("tunis/notes.txt: %q, %v", b, err)
	}
	os.Remove(filepath.Join(dir, "tunis", "notes.txt"))
	if left := dotEntries(t, dir); len(left) != 0 {
		t.Errorf("after the second pass: %q left", left)
	}
	checkConsistent(t, dir, p.Manifest())
}

// A render that panics half-way through a staged series leaves nothing of
// it; the series is published whole by the next pass.
func TestPanicInStagedSeries(t *testing.T) {
	dir := t.TempDir()
	src := publishtest.NewSource(publishtest.MakeSnapshot("madrid", 1, 3), publishtest.MakeSnapshot("tunis", 1, 3))
	explode := true
	r := &hookRenderer{}
	r.hook = func(path string) {
		if explode && path == "tunis/sessions/k1.ics" {
			panic("half-way")
		}
	}
	p := newPublisher(t, dir, src, r, newClock())
	var pe *publish.PanicError
	if _, err := p.Pass(context.Background(), false); !errors.As(err, &pe) {
		t.Fatalf("err %v, want a PanicError", err)
	}
	if _, err := os.Lstat(filepath.Join(dir, "tunis")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("tunis/ after the panic: %v", err)
	}
	if left := dotEntries(t, dir); len(left) != 0 {
		t.Errorf("after the panic: %q left", left)
	}
	checkConsistent(t, dir, p.Manifest())
	explode = false
	if res := pass(t, p, false); res.SeriesRendered != 1 {
		t.Errorf("retry rendered %d series", res.SeriesRendered)
	}
	checkConsistent(t, dir, p.Manifest())
}

// What a pass killed after renaming a staged directory into place, but
// before its manifest, leaves: the series directory (journaled), and
// another series' staged directory. New removes both.
func TestNewRemovesUnlistedStagedSeries(t *testing.T) {
	dir := t.TempDir()
	src := publishtest.NewSource(publishtest.MakeSnapshot("madrid", 1, 2))
	r := &publishtest.Renderer{}
	p := newPublisher(t, dir, src, r, newClock())
	pass(t, p, false)

	for _, f := range []string{"tunis/calendar.ics", "tunis/sessions/k0.ics", ".lima.tmp-000000000000000a/calendar.ics", ".lima.tmp-000000000000000a/sessions/k0.ics"} {
		path := filepath.Join(dir, filepath.FromSlash(f))
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte("complete, unlisted"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	journal := "tunis/calendar.ics\ntunis/sessions/k0.ics\ntunis/\nmadrid/\n"
	if err := os.WriteFile(filepath.Join(dir, ".pending"), []byte(journal), 0o644); err != nil {
		t.Fatal(err)
	}
	closePublisher(t, p)
	p2 := newPublisher(t, dir, src, r, newClock())
	for _, gone := range []string{"tunis", ".lima.tmp-000000000000000a", ".pending"} {
		if _, err := os.Lstat(filepath.Join(dir, gone)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s after New: %v", gone, err)
		}
	}
	checkConsistent(t, dir, p2.Manifest()) // madrid/, listed, untouched
	if len(p2.Manifest().Files) != len(p.Manifest().Files) {
		t.Errorf("manifest has %d files, want %d", len(p2.Manifest().Files), len(p.Manifest().Files))
	}
}

// combinedPanic panics while rendering one all-series file, after writing
// more than fits in memory, so that a temp file exists when it panics.
type combinedPanic struct {
	publishtest.Renderer
	path    string
	explode bool
}

func (c *combinedPanic) CombinedOutputs(snaps []agenda.Snapshot) []publish.Output {
	outs := c.Renderer.CombinedOutputs(snaps)
	for i := range outs {
		if outs[i].Path != c.path || !c.explode {
			continue
		}
		outs[i].Render = func(w io.Writer) error {
			w.Write(make([]byte, 5<<20))
			panic("all-series file exploded")
		}
	}
	return outs
}

// The all-series files render off the pass goroutine: a panic there is
// the pass's error, not the end of the process, and leaves no temp file;
// the series files are published, the all-series files next pass.
func TestPanicInAllSeriesFile(t *testing.T) {
	dir := t.TempDir()
	src := publishtest.NewSource(publishtest.MakeSnapshot("madrid", 1, 2))
	r := &combinedPanic{path: "atom.xml", explode: true}
	p := newPublisher(t, dir, src, r, newClock())
	res, err := p.Pass(context.Background(), false)
	var pe *publish.PanicError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "all-series file exploded") {
		t.Fatalf("err %v, want a PanicError", err)
	}
	m := p.Manifest()
	if m.Combined || res.FilesWritten != 5+2 || m.Revisions["madrid"] != 1 {
		t.Errorf("after the panic: combined %v, %d files written, revisions %v; want the series only", m.Combined, res.FilesWritten, m.Revisions)
	}
	if left := dotEntries(t, dir); len(left) != 0 {
		t.Errorf("after the panic: %q left", left)
	}
	checkConsistent(t, dir, m)
	r.explode = false
	if res := pass(t, p, false); res.FilesWritten != 6 || !p.Manifest().Combined {
		t.Errorf("next pass: %+v, combined %v; want the 6 all-series files", res, p.Manifest().Combined)
	}
	checkConsistent(t, dir, p.Manifest())
}

// A file that cannot be renamed into place (here: a directory is in the
// way) fails the pass, and its series keeps the revision published
// before, so that the next pass renders it again instead of believing it
// published.
func TestFailedRenameIsRetried(t *testing.T) {
	dir := t.TempDir()
	src := publishtest.NewSource(publishtest.MakeSnapshot("madrid", 1, 2), publishtest.MakeSnapshot("tunis", 1, 2))
	p := newPublisher(t, dir, src, &publishtest.Renderer{}, newClock())
	pass(t, p, false)

	obstacle := filepath.Join(dir, "madrid", "sessions", "k1.ics")
	if err := os.Remove(obstacle); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(obstacle, "in-the-way"), 0o755); err != nil {
		t.Fatal(err)
	}
	src.Put(publishtest.MakeSnapshot("madrid", 2, 2))
	src.Put(publishtest.MakeSnapshot("tunis", 2, 2))
	if _, err := p.Pass(context.Background(), false); err == nil || !strings.Contains(err.Error(), "madrid/sessions/k1.ics") {
		t.Fatalf("pass with a directory in the way: err %v", err)
	}
	m := p.Manifest()
	if m.Revisions["madrid"] != 1 || m.Revisions["tunis"] != 2 {
		t.Errorf("revisions %v: want madrid still at 1, tunis at 2", m.Revisions)
	}
	if m.Combined {
		t.Error("all-series files marked rendered after a failed pass")
	}

	if err := os.RemoveAll(obstacle); err != nil {
		t.Fatal(err)
	}
	res := pass(t, p, false)
	if res.SeriesRendered != 1 || p.Manifest().Revisions["madrid"] != 2 {
		t.Errorf("next pass: %+v, revisions %v; want madrid rendered again", res, p.Manifest().Revisions)
	}
	checkConsistent(t, dir, p.Manifest())
}

// A file that fails half-way through its render, after more than a buffer
// of it reached the disk, leaves nothing behind: new files are written
// through as they render (no earlier version to compare with), so this is
// the temp file, or the file in a staged directory, being removed.
func TestFailureMidFileLeavesNothing(t *testing.T) {
	for _, how := range []string{"error", "panic"} {
		t.Run(how, func(t *testing.T) {
			dir := t.TempDir()
			src := publishtest.NewSource(publishtest.MakeSnapshot("madrid", 1, 1))
			failing := ""
			r := &midFailRenderer{fail: func(path string) bool { return path == failing }, panics: how == "panic"}
			p := newPublisher(t, dir, src, r, newClock())
			pass(t, p, false)

			// A new series (staged) and a new session of a published one
			// (a temp file beside its path), each failing half-way.
			for _, tc := range []struct {
				snap agenda.Snapshot
				path string
			}{
				{publishtest.MakeSnapshot("tunis", 1, 1), "tunis/calendar.ics"},
				{publishtest.MakeSnapshot("madrid", 2, 2), "madrid/sessions/k1.ics"},
			} {
				failing = tc.path
				src.Put(tc.snap)
				before := p.Manifest()
				if _, err := p.Pass(context.Background(), false); err == nil {
					t.Fatalf("%s: the pass succeeded", tc.path)
				}
				if left := dotEntries(t, dir); len(left) != 0 {
					t.Errorf("%s failed: %q left", tc.path, left)
				}
				if _, err := os.Lstat(filepath.Join(dir, tc.path)); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("%s failed, yet it is there: %v", tc.path, err)
				}
				if got := p.Manifest().Revisions; got["madrid"] != before.Revisions["madrid"] {
					t.Errorf("%s failed: revisions %v, want madrid's unchanged", tc.path, got)
				}
				checkConsistent(t, dir, p.Manifest())
			}
			failing = ""
			pass(t, p, false)
			if m := p.Manifest(); m.Revisions["tunis"] != 1 || m.Revisions["madrid"] != 2 {
				t.Errorf("after the failures: revisions %v", m.Revisions)
			}
			checkConsistent(t, dir, p.Manifest())
		})
	}
}

// midFailRenderer writes 100 KB of the files fail names (more than the
// renderers' 64 KiB buffer), then fails: an error, or a panic.
type midFailRenderer struct {
	publishtest.Renderer
	fail   func(path string) bool
	panics bool
}

func (m *midFailRenderer) SeriesOutputs(s agenda.Snapshot) []publish.Output {
	outs := m.Renderer.SeriesOutputs(s)
	for i := range outs {
		render, path := outs[i].Render, outs[i].Path
		outs[i].Render = func(w io.Writer) error {
			if !m.fail(path) {
				return render(w)
			}
			if _, err := w.Write(bytes.Repeat([]byte("x"), 100<<10)); err != nil {
				return err
			}
			if m.panics {
				panic("half-way through " + path)
			}
			return fmt.Errorf("half-way through %s", path)
		}
	}
	return outs
}
