package publish_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/internal/publish"
	"github.com/agendafeed/agendafeed/internal/publish/publishtest"
)

// writeFiles writes each path (relative to dir, '/'-separated) with its
// own path as its content.
func writeFiles(t *testing.T, dir string, paths ...string) {
	t.Helper()
	for _, path := range paths {
		full := filepath.Join(dir, filepath.FromSlash(path))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(path), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// checkKept checks that each path still holds what writeFiles wrote.
func checkKept(t *testing.T, dir, when string, paths ...string) {
	t.Helper()
	for _, path := range paths {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(path)))
		if err != nil || string(b) != path {
			t.Errorf("%s: the owner's %s: %q, %v; want it untouched", when, path, b, err)
		}
	}
}

// seriesFiles lists, sorted, the files the manifest lists for slug.
func seriesFiles(m publish.Manifest, slug string) []string {
	var out []string
	for path, fi := range m.Files {
		if fi.Series == slug {
			out = append(out, path)
		}
	}
	slices.Sort(out)
	return out
}

// Removing a series deletes the files the publisher wrote for it and its
// temp files, then its directories as far as they are empty. The
// owner's files in the series directory (docs/publishing.md allows them;
// post bodies link img/a.png beside the page) stay, with the
// directories holding them, and the pass says which directory it kept.
func TestRemovedSeriesKeepsOwnersFiles(t *testing.T) {
	// A temp file a killed pass left in the series directory.
	const leftover = "tunis/sessions/.k0.ics.tmp-0123456789abcdef"
	for _, tc := range []struct {
		name  string
		owner []string // files of the owner's under tunis/
		empty []string // empty directories of the owner's under tunis/
		kept  int      // files that stay: -1 when the directory goes
	}{
		{name: "nothing of the owner's", kept: -1},
		{name: "a file beside the page", owner: []string{"tunis/notes.txt"}, kept: 1},
		{name: "images in a directory of their own", owner: []string{"tunis/img/logo.png", "tunis/img/a/b.png"}, kept: 2},
		{name: "a file among the session calendars", owner: []string{"tunis/sessions/mine.ics"}, kept: 1},
		{name: "names like a temp file's", owner: []string{"tunis/.draft.tmp-1", "tunis/img/.x.tmp-0123456789ABCDEF"}, kept: 2},
		{name: "an empty directory", empty: []string{"tunis/upload"}, kept: 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			src := publishtest.NewSource(publishtest.MakeSnapshot("madrid", 1, 2), publishtest.MakeSnapshot("tunis", 1, 3))
			r := &publishtest.Renderer{}
			c := newClock()
			p := newPublisher(t, dir, src, r, c)
			pass(t, p, false)
			tunis := seriesFiles(p.Manifest(), "tunis")
			writeFiles(t, dir, tc.owner...)
			writeFiles(t, dir, leftover)
			for _, d := range tc.empty {
				if err := os.MkdirAll(filepath.Join(dir, filepath.FromSlash(d)), 0o755); err != nil {
					t.Fatal(err)
				}
			}

			src.Remove("tunis")
			c.Add(time.Minute)
			res := pass(t, p, false)
			checkGone(t, dir, "after the removal", append(tunis, leftover)...)
			checkKept(t, dir, "after the removal", tc.owner...)
			for _, d := range tc.empty {
				if fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(d))); err != nil || !fi.IsDir() {
					t.Errorf("the owner's empty directory %s: %v", d, err)
				}
			}
			if res.FilesRemoved != len(tunis) {
				t.Errorf("removed %d files, want tunis' %d", res.FilesRemoved, len(tunis))
			}
			var want []publish.KeptDir
			if tc.kept >= 0 {
				want = []publish.KeptDir{{Dir: filepath.Join(dir, "tunis"), Files: tc.kept}}
			} else {
				checkGone(t, dir, "after the removal", "tunis")
			}
			if !reflect.DeepEqual(res.Kept, want) {
				t.Errorf("Kept = %+v, want %+v", res.Kept, want)
			}
			if tc.kept < 0 {
				// Only the owner's leftovers would make it stay.
				if _, err := os.Lstat(filepath.Join(dir, "tunis", "sessions")); err == nil {
					t.Error("tunis/sessions stayed")
				}
			}

			// Told once: the next pass has nothing left to do.
			c.Add(time.Minute)
			if res := pass(t, p, false); res.Kept != nil || res.FilesRemoved != 0 {
				t.Errorf("the pass after: %+v", res)
			}
			// A restart (whose start-up cleaning walks the owner's
			// directories too) deletes nothing of theirs either.
			closePublisher(t, p)
			p = newPublisher(t, dir, src, r, c)
			pass(t, p, true)
			checkKept(t, dir, "after a restart", tc.owner...)
		})
	}
}

// A process killed after the manifest that drops a series, before every
// file of it was deleted, leaves the rest to the next start: that deletes
// them, keeps the owner's files, and the first pass tells what it kept.
func TestRemovedSeriesConvergesAfterCrash(t *testing.T) {
	dir := t.TempDir()
	src := publishtest.NewSource(publishtest.MakeSnapshot("madrid", 1, 2), publishtest.MakeSnapshot("tunis", 1, 3))
	r := &publishtest.Renderer{}
	c := newClock()
	p := newPublisher(t, dir, src, r, c)
	pass(t, p, false)
	tunis := seriesFiles(p.Manifest(), "tunis")
	owner := []string{"tunis/notes.txt", "tunis/img/logo.png"}
	writeFiles(t, dir, owner...)

	src.Remove("tunis")
	c.Add(time.Minute)
	pass(t, p, false)
	// As if killed between two deletions: half the files still there.
	writeFiles(t, dir, tunis[:len(tunis)/2]...)
	closePublisher(t, p)

	p = newPublisher(t, dir, src, r, c)
	checkGone(t, dir, "after the restart", tunis...)
	checkKept(t, dir, "after the restart", owner...)
	res := pass(t, p, false)
	if want := []publish.KeptDir{{Dir: filepath.Join(dir, "tunis"), Files: len(owner)}}; !reflect.DeepEqual(res.Kept, want) {
		t.Errorf("first pass after the restart: Kept = %+v, want %+v", res.Kept, want)
	}
}

// A file of the series that cannot be deleted holds the directory back:
// nothing is kept or reported until it is gone, and then the
// directories go as usual: sessions/ too, though its files went in the
// earlier sweep, also when the process restarts in between.
func TestRemovedSeriesWaitsForItsFiles(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	src := publishtest.NewSource(publishtest.MakeSnapshot("madrid", 1, 2), publishtest.MakeSnapshot("tunis", 1, 3))
	r := &publishtest.Renderer{}
	c := newClock()
	p := newPublisher(t, dir, src, r, c)
	pass(t, p, false)
	tunis := seriesFiles(p.Manifest(), "tunis")

	// A non-empty directory where a published file was: unlink fails.
	stuck := "tunis/calendar.ics"
	if !slices.Contains(tunis, stuck) {
		t.Fatalf("tunis has no %s: %q", stuck, tunis)
	}
	full := filepath.Join(dir, filepath.FromSlash(stuck))
	if err := os.Remove(full); err != nil {
		t.Fatal(err)
	}
	writeFiles(t, dir, stuck+"/in-the-way")

	src.Remove("tunis")
	c.Add(time.Minute)
	res, err := p.Pass(ctx, false)
	if err == nil {
		t.Fatal("the pass deleted a non-empty directory at a file's path")
	}
	if res.Kept != nil {
		t.Errorf("Kept = %+v while a file of the series is left", res.Kept)
	}
	if _, err := os.Stat(filepath.Join(dir, "tunis", "sessions", "k0.ics")); err == nil {
		t.Error("tunis/sessions/k0.ics, which could go, is still there")
	}
	// The next pass writes a manifest that still marks every file of
	// tunis obsolete (a change makes it write one), and a restart reads it.
	src.Put(publishtest.MakeSnapshot("madrid", 2, 2))
	c.Add(time.Minute)
	if _, err := p.Pass(ctx, false); err == nil {
		t.Fatal("the pass deleted a non-empty directory at a file's path")
	}
	closePublisher(t, p)
	if err := os.RemoveAll(full); err != nil {
		t.Fatal(err)
	}
	p = newPublisher(t, dir, src, r, c)
	checkGone(t, dir, "once the file could go", "tunis")
	if res := pass(t, p, false); res.Kept != nil {
		t.Errorf("Kept = %+v, want none", res.Kept)
	}
}

// A series that stays published loses the subdirectory its removed files
// emptied: its sessions/ once session_calendars turns to served (the
// default since 2026-12-07, so on the upgrade's first pass) or once its
// last session is deleted. Left there, that empty directory held the
// series' directory back when the series was removed later, reported as
// the owner's ("kept_files=0").
func TestEmptiedSessionsDirGoes(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(src *publishtest.Source, r *publishtest.Renderer)
		owner  []string // files of the owner's under tunis/
	}{
		{name: "session calendars served", change: func(_ *publishtest.Source, r *publishtest.Renderer) { r.NoSessionFiles = true }},
		{name: "every session deleted", change: func(src *publishtest.Source, _ *publishtest.Renderer) {
			src.Put(publishtest.MakeSnapshot("tunis", 2, 0))
		}},
		{name: "a file of the owner's among the session calendars", owner: []string{"tunis/sessions/mine.ics"},
			change: func(_ *publishtest.Source, r *publishtest.Renderer) { r.NoSessionFiles = true }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			src := publishtest.NewSource(publishtest.MakeSnapshot("madrid", 1, 2), publishtest.MakeSnapshot("tunis", 1, 3))
			r := &publishtest.Renderer{}
			c := newClock()
			p := newPublisher(t, dir, src, r, c)
			pass(t, p, false)
			writeFiles(t, dir, tc.owner...)

			tc.change(src, r)
			c.Add(time.Minute)
			pass(t, p, true) // as a restart's first pass, which renders every series
			sessions := filepath.Join(dir, "tunis", "sessions")
			if _, err := os.Lstat(sessions); len(tc.owner) == 0 && err == nil {
				t.Error("tunis/sessions stayed, empty")
			} else if len(tc.owner) > 0 && err != nil {
				t.Errorf("tunis/sessions, with the owner's file: %v", err)
			}
			checkKept(t, dir, "after the change", tc.owner...)

			src.Remove("tunis")
			c.Add(time.Minute)
			res := pass(t, p, false)
			var want []publish.KeptDir
			if len(tc.owner) > 0 {
				want = []publish.KeptDir{{Dir: filepath.Join(dir, "tunis"), Files: len(tc.owner)}}
			} else {
				checkGone(t, dir, "after the removal", "tunis")
			}
			if !reflect.DeepEqual(res.Kept, want) {
				t.Errorf("Kept = %+v, want %+v", res.Kept, want)
			}
			checkKept(t, dir, "after the removal", tc.owner...)
		})
	}
}
