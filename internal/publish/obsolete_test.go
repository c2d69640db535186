package publish_test

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/internal/publish"
	"github.com/agendafeed/agendafeed/internal/publish/publishtest"
)

// diskObsolete reads the Obsolete list of the manifest on disk.
func diskObsolete(t *testing.T, dir string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, publish.ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	var m publish.Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m.Obsolete
}

func checkGone(t *testing.T, dir, when string, paths ...string) {
	t.Helper()
	for _, path := range paths {
		if _, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(path))); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: %s is still on disk (%v)", when, path, err)
		}
	}
}

// A pass that removes a series but cannot write its manifest leaves the
// series' files on disk, unlisted by the manifest it serves. They are
// still deleted: by the next pass that writes a manifest, and, if the
// process dies before it deletes them, by the next New (the manifest it
// wrote marks them obsolete).
func TestObsoleteDeletedAfterFailedManifest(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	src := publishtest.NewSource(publishtest.MakeSnapshot("madrid", 1, 2), publishtest.MakeSnapshot("tunis", 1, 2))
	r := &publishtest.Renderer{PerSession: 50}
	c := newClock()
	p := newPublisher(t, dir, src, r, c)
	pass(t, p, false)
	var tunis []string
	for path, fi := range p.Manifest().Files {
		if fi.Series == "tunis" {
			tunis = append(tunis, path)
		}
	}
	slices.Sort(tunis)

	// A non-empty directory at the manifest's name: the rename that would
	// replace it fails.
	mpath := filepath.Join(dir, publish.ManifestName)
	if err := os.Remove(mpath); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(mpath, "in-the-way"), 0o755); err != nil {
		t.Fatal(err)
	}
	src.Remove("tunis")
	c.Add(time.Minute)
	if _, err := p.Pass(ctx, false); err == nil {
		t.Fatal("a pass wrote its manifest over a non-empty directory")
	}
	if _, listed := p.Manifest().Files["tunis/calendar.ics"]; listed {
		t.Fatal("the manifest served after the failed pass still lists tunis")
	}

	if err := os.RemoveAll(mpath); err != nil {
		t.Fatal(err)
	}
	c.Add(time.Minute)
	res := pass(t, p, false)
	checkGone(t, dir, "after the pass that wrote the manifest", append(tunis, "tunis")...)
	if res.FilesRemoved != len(tunis) {
		t.Errorf("the pass removed %d files, want tunis' %d", res.FilesRemoved, len(tunis))
	}
	checkConsistent(t, dir, p.Manifest())
	// The series directory too, as "<slug>/".
	if got, want := diskObsolete(t, dir), slices.Sorted(slices.Values(append(tunis, "tunis/"))); !slices.Equal(got, want) {
		t.Errorf("the manifest on disk marks %q obsolete, want %q", got, want)
	}

	// Killed after that manifest, before the deletions: New deletes them.
	for _, path := range tunis {
		full := filepath.Join(dir, filepath.FromSlash(path))
		os.MkdirAll(filepath.Dir(full), 0o755)
		if err := os.WriteFile(full, []byte("left by a killed pass"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	closePublisher(t, p)
	p = newPublisher(t, dir, src, r, c)
	checkGone(t, dir, "after a restart", append(tunis, "tunis")...)
	checkConsistent(t, dir, p.Manifest())
	if res := pass(t, p, false); res.FilesWritten != 0 || res.FilesRemoved != 0 {
		t.Errorf("pass after the restart: %+v", res)
	}
}

// A pass that drops a session and panics once the interim manifest (which
// no longer lists its calendar) is served leaves that calendar on disk:
// the next pass deletes it, and a restart after that finds nothing to do.
func TestObsoleteDeletedAfterPanic(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	src := publishtest.NewSource(publishtest.MakeSnapshot("madrid", 1, 3))
	r := &publishtest.Renderer{PerSession: 50}
	c := newClock()
	p := newPublisher(t, dir, src, r, c)
	pass(t, p, false)
	const k1 = "madrid/sessions/k1.ics"

	explode := true
	r.Combining = func() {
		if !explode {
			return
		}
		// Once the series files are served without k1 (the committer
		// stores the interim manifest on its own goroutine).
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			if _, listed := p.Manifest().Files[k1]; !listed {
				panic("all-series files exploded")
			}
		}
		panic("the interim manifest was never served")
	}
	snap := publishtest.MakeSnapshot("madrid", 2, 3)
	snap.Sessions = slices.Delete(snap.Sessions, 1, 2) // k1
	src.Put(snap)
	c.Add(time.Minute)
	_, err := p.Pass(ctx, false)
	var pe *publish.PanicError
	if !errors.As(err, &pe) || pe.Value != "all-series files exploded" {
		t.Fatalf("pass: %v, want the renderer's panic", err)
	}

	explode = false
	c.Add(time.Minute)
	pass(t, p, false)
	checkGone(t, dir, "after the pass that followed the panic", k1)
	checkConsistent(t, dir, p.Manifest())

	closePublisher(t, p)
	p = newPublisher(t, dir, src, r, c)
	if res := pass(t, p, false); res.FilesWritten != 0 {
		t.Errorf("pass after the restart wrote %d files", res.FilesWritten)
	}
	checkGone(t, dir, "after a restart", k1)
	checkConsistent(t, dir, p.Manifest())
}

// The same, restarted right after the panic: the manifest on disk still
// lists k1 at the old revision, so the series is rendered again and k1
// deleted.
func TestObsoleteDeletedAfterPanicAndRestart(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	src := publishtest.NewSource(publishtest.MakeSnapshot("madrid", 1, 3))
	r := &publishtest.Renderer{PerSession: 50}
	c := newClock()
	p := newPublisher(t, dir, src, r, c)
	pass(t, p, false)
	const k1 = "madrid/sessions/k1.ics"

	r.Combining = func() { panic("all-series files exploded") }
	snap := publishtest.MakeSnapshot("madrid", 2, 3)
	snap.Sessions = slices.Delete(snap.Sessions, 1, 2)
	src.Put(snap)
	c.Add(time.Minute)
	var pe *publish.PanicError
	if _, err := p.Pass(ctx, false); !errors.As(err, &pe) {
		t.Fatalf("pass: %v, want the renderer's panic", err)
	}
	closePublisher(t, p)

	r.Combining = nil
	p = newPublisher(t, dir, src, r, c)
	pass(t, p, false)
	checkGone(t, dir, "after a restart and a pass", k1)
	checkConsistent(t, dir, p.Manifest())
}

// A file that cannot be deleted stays marked obsolete, and the next pass,
// even one with nothing to render, tries again.
func TestObsoleteRetriedUntilDeleted(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	src := publishtest.NewSource(publishtest.MakeSnapshot("madrid", 1, 3))
	p := newPublisher(t, dir, src, &publishtest.Renderer{PerSession: 50}, newClock())
	pass(t, p, false)
	const k1 = "madrid/sessions/k1.ics"

	// In its place, something unlink(2) refuses: a non-empty directory.
	full := filepath.Join(dir, filepath.FromSlash(k1))
	if err := os.Remove(full); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(full, "in-the-way"), 0o755); err != nil {
		t.Fatal(err)
	}
	snap := publishtest.MakeSnapshot("madrid", 2, 3)
	snap.Sessions = slices.Delete(snap.Sessions, 1, 2)
	src.Put(snap)
	if _, err := p.Pass(ctx, false); err == nil {
		t.Fatalf("pass deleted a non-empty directory at %s", k1)
	}
	if got := diskObsolete(t, dir); !slices.Equal(got, []string{k1}) {
		t.Errorf("the manifest on disk marks %q obsolete, want %s", got, k1)
	}

	if err := os.RemoveAll(full); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(full, []byte("stale"), 0o644); err != nil {
		t.Fatal(err)
	}
	if res := pass(t, p, false); res.FilesRemoved != 1 || res.SeriesRendered != 0 {
		t.Errorf("pass with nothing to render: %+v, want %s removed", res, k1)
	}
	checkGone(t, dir, "after the retry", k1)
	checkConsistent(t, dir, p.Manifest())
}
