package publish_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/internal/publish"
	"github.com/agendafeed/agendafeed/internal/publish/publishtest"
)

// publishedTree reads every published file under dir (no dot name on the
// way: not the manifest, the lock, the journal or temp files).
func publishedTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), ".") && path != dir {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		out[filepath.ToSlash(rel)] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// checkSameTree fails unless got holds the files of want, byte for byte.
func checkSameTree(t *testing.T, got, want map[string][]byte) {
	t.Helper()
	for _, path := range slices.Sorted(maps.Keys(want)) {
		b, ok := got[path]
		switch {
		case !ok:
			t.Errorf("%s: missing", path)
		case !bytes.Equal(b, want[path]):
			t.Errorf("%s: %d bytes differ from a fresh generate's %d", path, len(b), len(want[path]))
		}
	}
	for path := range got {
		if _, ok := want[path]; !ok {
			t.Errorf("%s: on disk, not in a fresh generate", path)
		}
	}
}

// freshTree is what a generate into an empty directory publishes.
func freshTree(t *testing.T, src publish.Source, r publish.Renderer) map[string][]byte {
	t.Helper()
	dir := t.TempDir()
	p := newPublisher(t, dir, src, r, newClock())
	pass(t, p, false)
	closePublisher(t, p)
	return publishedTree(t, dir)
}

// A published file missing on disk is rewritten by a forced pass (a
// restart's first, generate -force) and by Repair; and so is the whole
// output directory after an rm -rf, by any pass (the directory is locked
// anew). Before, a pass
// compared renders with the manifest alone, called the missing files
// unchanged and wrote a manifest listing them.
func TestMissingFilesRestored(t *testing.T) {
	const lost = "m0002/rss.xml"
	tests := []struct {
		name   string
		remove func(dir string) error
		edit   bool // an edit to another series before the pass
		run    func(p *publish.Publisher) (publish.Result, error)
	}{
		{"one file, forced pass", removeOne(lost), false, forced},
		{"one file, repair", removeOne(lost), false, repair},
		{"one file, repair after an edit", removeOne(lost), true, repair},
		{"one of the all-series files, repair", removeOne("calendar.ics"), false, repair},
		{"output dir, plain pass", os.RemoveAll, false, plain},
		{"output dir, plain pass after an edit", os.RemoveAll, true, plain},
		{"output dir, forced pass", os.RemoveAll, false, forced},
		{"output dir, repair", os.RemoveAll, false, repair},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "public")
			src := publishtest.NewSource()
			for i := range 4 {
				src.Put(publishtest.MakeSnapshot(fmt.Sprintf("m%04d", i), 1, 3))
			}
			r := &publishtest.Renderer{PerSession: 50}
			c := newClock()
			p := newPublisher(t, dir, src, r, c)
			pass(t, p, false)

			if err := tt.remove(dir); err != nil {
				t.Fatal(err)
			}
			if tt.edit {
				src.Put(publishtest.MakeSnapshot("m0001", 2, 4))
			}
			c.Add(time.Minute)
			res, err := tt.run(p)
			if err != nil {
				t.Fatalf("pass: %v", err)
			}
			if res.FilesRepaired == 0 {
				t.Errorf("pass: %+v, want files repaired", res)
			}
			checkSameTree(t, publishedTree(t, dir), freshTree(t, src, r))
			checkConsistent(t, dir, p.Manifest())
			if m := diskManifest(t, dir); !maps.EqualFunc(m.Files, p.Manifest().Files, func(a, b publish.FileInfo) bool { return a.ETag == b.ETag }) {
				t.Errorf("the manifest on disk differs from the one served")
			}
			if res := pass(t, p, true); res.FilesWritten != 0 {
				t.Errorf("forced pass after the repair: %+v", res)
			}
		})
	}
}

// The manifest alone deleted (the files left) is written again by the
// next pass, even one with nothing to render: /healthz reports it missing
// until then, and a restart without it would publish from scratch.
func TestDeletedManifestWrittenAgain(t *testing.T) {
	for _, tt := range []struct {
		name string
		run  func(p *publish.Publisher) (publish.Result, error)
	}{{"plain pass", plain}, {"repair", repair}} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			src := publishtest.NewSource(publishtest.MakeSnapshot("madrid", 1, 2))
			p := newPublisher(t, dir, src, &publishtest.Renderer{PerSession: 50}, newClock())
			pass(t, p, false)
			if err := os.Remove(filepath.Join(dir, publish.ManifestName)); err != nil {
				t.Fatal(err)
			}
			if _, err := tt.run(p); err != nil {
				t.Fatal(err)
			}
			m := diskManifest(t, dir)
			if !maps.EqualFunc(m.Files, p.Manifest().Files, func(a, b publish.FileInfo) bool { return a.ETag == b.ETag }) || m.Version != p.Manifest().Version {
				t.Errorf("the manifest on disk (version %d, %d files) differs from the one served (version %d, %d files)",
					m.Version, len(m.Files), p.Manifest().Version, len(p.Manifest().Files))
			}
		})
	}
}

func removeOne(path string) func(dir string) error {
	return func(dir string) error { return os.Remove(filepath.Join(dir, filepath.FromSlash(path))) }
}

func plain(p *publish.Publisher) (publish.Result, error)  { return p.Pass(context.Background(), false) }
func forced(p *publish.Publisher) (publish.Result, error) { return p.Pass(context.Background(), true) }
func repair(p *publish.Publisher) (publish.Result, error) { return p.Repair(context.Background()) }

// A file overwritten in place: at another size a forced pass restores it
// (an lstat tells); at the same size only Repair, which hashes every file
// on disk, does.
func TestAlteredFileRestored(t *testing.T) {
	tests := []struct {
		name  string
		delta int // bytes added to the file
		run   func(p *publish.Publisher) (publish.Result, error)
	}{
		{"other size, forced pass", 1, forced},
		{"same size, repair", 0, repair},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			src := publishtest.NewSource(publishtest.MakeSnapshot("madrid", 1, 2))
			r := &publishtest.Renderer{PerSession: 50}
			p := newPublisher(t, dir, src, r, newClock())
			pass(t, p, false)
			path := filepath.Join(dir, "madrid", "feed.json")
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, bytes.Repeat([]byte("x"), len(b)+tt.delta), 0o644); err != nil {
				t.Fatal(err)
			}
			if res := pass(t, p, false); res.FilesWritten != 0 {
				t.Errorf("a pass with nothing to render wrote %d files", res.FilesWritten)
			}
			res, err := tt.run(p)
			if err != nil {
				t.Fatal(err)
			}
			if res.FilesWritten != 1 || res.FilesRepaired != 1 {
				t.Errorf("pass: %+v, want the one file repaired", res)
			}
			checkSameTree(t, publishedTree(t, dir), freshTree(t, src, r))
		})
	}
}

// After rm -rf of the output directory the daemon's flock is on a
// deleted file: its next pass locks the new directory, so that another
// publisher (generate) is refused there; and if another publisher took
// the new directory first, the pass fails saying so and writes nothing.
func TestReplacedOutputDirIsLockedAgain(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no flock here")
	}
	dir := filepath.Join(t.TempDir(), "public")
	src := publishtest.NewSource(publishtest.MakeSnapshot("madrid", 1, 2))
	r := &publishtest.Renderer{PerSession: 50}
	p := newPublisher(t, dir, src, r, newClock())
	pass(t, p, false)
	want := publishedTree(t, dir)

	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	pass(t, p, false)
	_, err := publish.New(publish.Options{Dir: dir, Source: src, Renderer: r})
	checkRefused(t, err, dir)
	checkSameTree(t, publishedTree(t, dir), want)

	// Another publisher gets there first.
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	other := newPublisher(t, dir, src, r, newClock())
	_, err = p.Pass(context.Background(), false)
	if err == nil || !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), "was replaced") {
		t.Fatalf("pass into a directory another publisher holds: %v, want an error saying so", err)
	}
	if got := publishedTree(t, dir); len(got) != 0 {
		t.Errorf("the refused pass wrote %d files", len(got))
	}
	// That one publishes and exits; the daemon takes the directory over.
	pass(t, other, false)
	closePublisher(t, other)
	pass(t, p, false)
	_, err = publish.New(publish.Options{Dir: dir, Source: src, Renderer: r})
	checkRefused(t, err, dir)
	checkSameTree(t, publishedTree(t, dir), want)
	checkConsistent(t, dir, p.Manifest())
}

// Killed after a pass renamed an edited series' files into place, before
// its manifest was written; the edit is then undone while no daemon runs
// (the CLI). The render of the reverted series equals the manifest on
// disk, which hashes the bytes before the edit, so the next process used
// to leave the edited file in place for good. The journal names replaced
// files too now, and New has them compared with their render.
func TestKilledBeforeManifestThenReverted(t *testing.T) {
	for _, force := range []bool{false, true} {
		t.Run(fmt.Sprintf("force=%v", force), func(t *testing.T) {
			dir := t.TempDir()
			c := newClock()
			snap := publishtest.MakeSnapshot("madrid", 1, 0)
			snap.Series.Title = "Before the edit"
			src := publishtest.NewSource(snap)
			r := titleRenderer{}
			p := newPublisher(t, dir, src, r, c)
			pass(t, p, false)
			want := publishedTree(t, dir)

			snap.Series.Title = "The edit"
			snap.Series.Revision = 2
			src.Put(snap)
			publish.SetBeforeManifest(p, func() { panic("killed") })
			c.Add(time.Minute)
			var pe *publish.PanicError
			if _, err := p.Pass(context.Background(), false); !errors.As(err, &pe) {
				t.Fatalf("pass: %v, want the hook's panic", err)
			}
			if b, _ := os.ReadFile(filepath.Join(dir, "madrid", "calendar.ics")); string(b) != "The edit" {
				t.Fatalf("the killed pass left %q, want the edit renamed into place", b)
			}
			closePublisher(t, p)

			snap.Series.Title = "Before the edit"
			snap.Series.Revision = 3
			src.Put(snap)
			c.Add(time.Minute)
			p = newPublisher(t, dir, src, r, c)
			res := pass(t, p, force)
			if res.FilesRepaired != 2 {
				t.Errorf("pass: %+v, want both files repaired", res)
			}
			checkSameTree(t, publishedTree(t, dir), want)
			checkConsistent(t, dir, p.Manifest())
			if _, err := os.Stat(filepath.Join(dir, ".pending")); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("journal left after the pass: %v", err)
			}
		})
	}
}
