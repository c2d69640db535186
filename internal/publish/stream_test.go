package publish_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agendafeed/agendafeed/internal/agenda"
	"github.com/agendafeed/agendafeed/internal/publish"
	"github.com/agendafeed/agendafeed/internal/publish/publishtest"
)

// TestStreamingMatchesCombined runs the same passes with the fake renderer
// and its streaming twin (whose builder fails its outputs if a series comes
// out of slug order or twice) and wants the same files, each series read
// once per pass, and no spill file left (checkConsistent).
func TestStreamingMatchesCombined(t *testing.T) {
	slugs := make([]string, 40)
	for i := range slugs {
		slugs[i] = fmt.Sprintf("s%02d", (i*17)%40) // Revisions order is not slug order
	}
	tests := []struct {
		name      string
		change    func(src *publishtest.Source)
		force     bool
		wantReads int
	}{
		{"first pass", nil, false, 40},
		{"forced", func(*publishtest.Source) {}, true, 40},
		{"one series moved", func(src *publishtest.Source) { src.Put(publishtest.MakeSnapshot("s07", 2, 4)) }, false, 40},
		{"three moved, one removed", func(src *publishtest.Source) {
			src.Put(publishtest.MakeSnapshot("s00", 2, 1))
			src.Put(publishtest.MakeSnapshot("s21", 2, 2))
			src.Put(publishtest.MakeSnapshot("s39", 2, 1))
			src.Remove("s10")
		}, false, 39},
		{"one added", func(src *publishtest.Source) { src.Put(publishtest.MakeSnapshot("s15a", 1, 2)) }, false, 41},
		{"nothing moved", func(*publishtest.Source) {}, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			manifests := map[string]publish.Manifest{}
			for _, streaming := range []bool{false, true} {
				src := publishtest.NewSource()
				for i, slug := range slugs {
					src.Put(publishtest.MakeSnapshot(slug, 1, 1+i%4))
				}
				var r publish.Renderer = &publishtest.Renderer{PerSession: 50}
				if streaming {
					r = &publishtest.StreamingRenderer{Renderer: publishtest.Renderer{PerSession: 50}}
				}
				dir := t.TempDir()
				c := newClock()
				p, err := publish.New(publish.Options{Dir: dir, Source: src, Renderer: r, Now: c.Now, Workers: 2})
				if err != nil {
					t.Fatal(err)
				}
				if tt.change != nil {
					pass(t, p, false)
					tt.change(src)
					src.SnapshotCalls = 0
				}
				pass(t, p, tt.force)
				if src.SnapshotCalls != tt.wantReads {
					t.Errorf("streaming %v: %d snapshots read, want %d", streaming, src.SnapshotCalls, tt.wantReads)
				}
				checkConsistent(t, dir, p.Manifest())
				manifests[fmt.Sprint(streaming)] = p.Manifest()
			}
			a, b := manifests["false"], manifests["true"]
			if !maps.EqualFunc(a.Files, b.Files, func(x, y publish.FileInfo) bool { return x.ETag == y.ETag && x.Size == y.Size }) || a.Combined != b.Combined {
				t.Errorf("streaming and combined passes published different files")
			}
		})
	}
}

// TestStreamingFailures: a series that fails to render is read again for
// the all-series files; a builder that fails leaves the all-series files
// as they were, reports it, and the next pass writes them.
func TestStreamingFailures(t *testing.T) {
	src := publishtest.NewSource()
	for _, slug := range []string{"a", "b", "c", "d"} {
		src.Put(publishtest.MakeSnapshot(slug, 1, 2))
	}
	r := &publishtest.StreamingRenderer{Renderer: publishtest.Renderer{PerSession: 50, Panic: "b"}}
	dir := t.TempDir()
	p := newPublisher(t, dir, src, r, newClock())
	if _, err := p.Pass(context.Background(), false); err == nil {
		t.Fatal("pass with a panicking series: no error")
	}
	m := p.Manifest()
	if _, ok := m.Revisions["b"]; ok || !m.Combined || len(m.Revisions) != 3 {
		t.Errorf("revisions %v, combined %v: want a, c, d and the all-series files", m.Revisions, m.Combined)
	}
	checkConsistent(t, dir, m)

	r.Panic, r.FailAdd = "", "c"
	src.Put(publishtest.MakeSnapshot("a", 2, 3))
	_, err := p.Pass(context.Background(), false)
	if err == nil || !strings.Contains(err.Error(), "failing as asked") {
		t.Fatalf("pass with a failing Add: err %v", err)
	}
	if m := p.Manifest(); m.Combined || m.Revisions["a"] != 2 || m.Revisions["b"] != 1 {
		t.Errorf("revisions %v, combined %v: want a at 2, b published, no all-series files", m.Revisions, m.Combined)
	}
	checkConsistent(t, dir, p.Manifest())

	r.FailAdd = ""
	pass(t, p, false)
	if m := p.Manifest(); !m.Combined {
		t.Error("all-series files not written once Add works")
	}
	checkConsistent(t, dir, p.Manifest())
}

// Small batches publish what one batch publishes; a panic on the pass's
// own goroutine while batches are being synced and renamed (the builder's
// Add, here) leaves no temp file and a consistent manifest, and the next
// pass publishes everything.
func TestBatchesInFlight(t *testing.T) {
	mkSource := func() *publishtest.Source {
		src := publishtest.NewSource()
		for i := range 30 {
			src.Put(publishtest.MakeSnapshot(fmt.Sprintf("s%02d", i), 1, 1+i%3))
		}
		return src
	}
	files := func(m publish.Manifest) map[string]string {
		out := map[string]string{}
		for path, fi := range m.Files {
			out[path] = fi.ETag
		}
		return out
	}
	var want map[string]string
	// Batches by count of files, and by bytes (each series' files hold
	// 600-1,800 bytes).
	for _, batch := range []struct {
		files int
		bytes int64
	}{{0, 0}, {1, 0}, {7, 0}, {0, 1}, {0, 3000}} {
		dir := t.TempDir()
		p, err := publish.New(publish.Options{Dir: dir, Source: mkSource(), BatchFiles: batch.files, BatchBytes: batch.bytes,
			Renderer: &publishtest.StreamingRenderer{Renderer: publishtest.Renderer{PerSession: 50}}})
		if err != nil {
			t.Fatal(err)
		}
		res := pass(t, p, false)
		m := p.Manifest()
		checkConsistent(t, dir, m)
		if res.FilesWritten != len(m.Files) {
			t.Errorf("batch %+v: %d files written, manifest lists %d", batch, res.FilesWritten, len(m.Files))
		}
		if want == nil {
			want = files(m)
		} else if got := files(m); !maps.Equal(got, want) {
			t.Errorf("batch %+v: published files differ from one batch's", batch)
		}
	}

	dir := t.TempDir()
	r := &publishtest.StreamingRenderer{Renderer: publishtest.Renderer{PerSession: 50}, PanicAdd: "s25"}
	p, err := publish.New(publish.Options{Dir: dir, Source: mkSource(), Renderer: r, BatchFiles: 1, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Pass(context.Background(), false)
	var pe *publish.PanicError
	if !errors.As(err, &pe) || !strings.Contains(pe.Error(), "builder exploded on s25") {
		t.Fatalf("err %v, want the builder's PanicError", err)
	}
	// What the manifest lists is intact, and nothing half-done remains:
	// no temp or spill file. Files the committer had already renamed into
	// place are complete, and journaled for New to remove.
	m := p.Manifest()
	for path, fi := range m.Files {
		if b, err := os.ReadFile(filepath.Join(dir, path)); err != nil || publish.ETagOf(sha(b)) != fi.ETag {
			t.Errorf("%s: listed in the manifest but not intact (%v)", path, err)
		}
	}
	for path := range diskState(t, dir) {
		if strings.Contains(path, ".tmp-") {
			t.Errorf("temp file %s left after the panic", path)
		}
	}
	r.PanicAdd = ""
	pass(t, p, false)
	if got := files(p.Manifest()); !maps.Equal(got, want) {
		t.Errorf("after the retry: %d files, want the %d of a clean pass", len(got), len(want))
	}
	checkConsistent(t, dir, p.Manifest())
}

// panicSource panics when the series named in panicOn is read.
type panicSource struct {
	*publishtest.Source
	panicOn string
}

func (s *panicSource) Snapshot(ctx context.Context, slug string) (agenda.Snapshot, error) {
	if slug == s.panicOn {
		panic("source exploded on " + slug)
	}
	return s.Source.Snapshot(ctx, slug)
}

// The series that did not move are read ahead on a goroutine of their
// own: a panic there fails the all-series files with a *PanicError, keeps
// the process alive and the published files consistent, and the next pass
// publishes them.
func TestReadAheadPanic(t *testing.T) {
	src := &panicSource{Source: publishtest.NewSource()}
	for i := range 12 {
		src.Put(publishtest.MakeSnapshot(fmt.Sprintf("s%02d", i), 1, 2))
	}
	dir := t.TempDir()
	p := newPublisher(t, dir, src, &publishtest.StreamingRenderer{Renderer: publishtest.Renderer{PerSession: 50}}, newClock())
	pass(t, p, false)
	src.Put(publishtest.MakeSnapshot("s03", 2, 3))
	src.panicOn = "s07" // not moved: read ahead
	_, err := p.Pass(context.Background(), false)
	var pe *publish.PanicError
	if !errors.As(err, &pe) || !strings.Contains(pe.Error(), "source exploded on s07") {
		t.Fatalf("err %v, want the read-ahead's PanicError", err)
	}
	m := p.Manifest()
	if m.Combined || m.Revisions["s03"] != 2 {
		t.Errorf("after the panic: combined %v, s03 at %d; want the all-series files marked stale and s03 published", m.Combined, m.Revisions["s03"])
	}
	checkConsistent(t, dir, m)
	src.panicOn = ""
	pass(t, p, false)
	if m := p.Manifest(); !m.Combined {
		t.Error("the next pass did not publish the all-series files")
	}
	checkConsistent(t, dir, p.Manifest())
}
