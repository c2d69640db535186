package publish_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/feeds"
	"github.com/agendafeed/agendafeed/internal/publish"
	"github.com/agendafeed/agendafeed/internal/publish/publishtest"
)

const crashEnv = "AGENDAFEED_PUBLISH_CRASH_HELPER"

func TestMain(m *testing.M) {
	if dir := os.Getenv(crashEnv); dir != "" {
		crashHelper(dir)
		os.Exit(0)
	}
	if dir := os.Getenv(lockEnv); dir != "" {
		lockHelper(dir)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// crashHelper loops passes for ever over a source whose series change,
// lose and gain sessions, disappear and come back on every pass. Revisions
// are wall-clock nanoseconds, so they keep increasing across restarts and
// a file can be told to be newer than the manifest entry.
func crashHelper(dir string) {
	src := publishtest.NewSource()
	p, err := publish.New(publish.Options{Dir: dir, Source: src, Renderer: &publishtest.StreamingRenderer{Renderer: publishtest.Renderer{PerSession: 4000}}})
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		os.Exit(3)
	}
	// Start from what is published, so series removed by this process
	// really are removed from the output.
	for slug := range p.Manifest().Revisions {
		src.Put(publishtest.MakeSnapshot(slug, time.Now().UnixNano(), 3))
	}
	for {
		for i := range 6 {
			slug := fmt.Sprintf("series-%d", i)
			switch rand.IntN(4) {
			case 0: // unchanged
			case 1:
				src.Remove(slug)
			default:
				src.Put(publishtest.MakeSnapshot(slug, time.Now().UnixNano(), 1+rand.IntN(12)))
			}
		}
		if _, err := p.Pass(context.Background(), false); err != nil {
			fmt.Fprintln(os.Stderr, "helper pass:", err)
			os.Exit(4)
		}
	}
}

// TestCrashSafety SIGKILLs a process looping passes at random moments and
// checks after every kill the invariant stated in the package doc:
//
//  1. every file at a published path (not a temp file, not the manifest)
//     is the complete output of one render (its trailer checksum holds);
//  2. the manifest parses;
//  3. every file it lists exists, and either has exactly the listed hash
//     and size, or is complete and newer: rendered from a later revision
//     (series files) or complete (all-series files, which have no
//     revision of their own);
//  4. temp files are only ever named .<name>.tmp-<random>, and staged
//     series directories .<slug>.tmp-<random>.
//
// Finally a clean New and pass leave no temp file and an exact manifest.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(1, uint64(time.Now().UnixNano())))
	kills, passesSeen, temps := 30, 0, 0
	for i := range kills {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), crashEnv+"="+dir)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Mostly mid-pass; the first runs long enough to publish something.
		wait := time.Duration(20+rng.IntN(250)) * time.Millisecond
		if i == 0 {
			wait = 500 * time.Millisecond
		}
		time.Sleep(wait)
		cmd.Process.Signal(syscall.SIGKILL)
		err := cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
			t.Fatalf("helper exited by itself (%v): %s", err, stderr.String())
		}
		v, n := checkCrashInvariant(t, dir)
		temps += n
		if v > 0 {
			passesSeen++
		}
	}
	t.Logf("%d kills, %d with a manifest, %d temp files left in all", kills, passesSeen, temps)
	if passesSeen == 0 {
		t.Fatalf("no kill happened after a completed pass; the test proves nothing")
	}

	p, err := publish.New(publish.Options{Dir: dir, Source: publishtest.NewSource(), Renderer: &publishtest.Renderer{}})
	if err != nil {
		t.Fatal(err)
	}
	if _, n := checkCrashInvariant(t, dir); n != 0 {
		t.Errorf("%d temp files remain after New", n)
	}
	if _, err := p.Pass(context.Background(), false); err != nil { // removes every series
		t.Fatal(err)
	}
	checkConsistent(t, dir, p.Manifest())
}

// checkCrashInvariant returns the manifest version (0 if none) and the
// number of temp files.
func checkCrashInvariant(t *testing.T, dir string) (int64, int) {
	t.Helper()
	temps := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if strings.HasPrefix(name, ".") {
				// A staged series directory: its files may be torn.
				if !strings.Contains(name, ".tmp-") {
					t.Errorf("unexpected dot directory %s", path)
				}
				temps++
				return fs.SkipDir
			}
			return nil
		}
		if strings.HasPrefix(name, ".") {
			if name == publish.ManifestName || name == ".pending" || name == publish.LockName {
				return nil
			}
			if !strings.Contains(name, ".tmp-") {
				t.Errorf("unexpected dot file %s", path)
			}
			{
				temps++
			}
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if _, err := publishtest.Check(b); err != nil {
			t.Errorf("published file %s is not complete: %v", path, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, publish.ManifestName))
	if os.IsNotExist(err) {
		return 0, temps
	}
	var m publish.Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("manifest does not parse: %v", err)
	}
	for path, fi := range m.Files {
		b, err := os.ReadFile(filepath.Join(dir, path))
		if err != nil {
			t.Errorf("manifest v%d lists %s: %v", m.Version, path, err)
			continue
		}
		if publish.ETagOf(sha(b)) == fi.ETag && int64(len(b)) == fi.Size {
			continue
		}
		rev, err := publishtest.Check(b)
		switch {
		case err != nil:
			t.Errorf("%s: %v", path, err)
		case fi.Series != "" && rev <= fi.Revision:
			t.Errorf("%s differs from manifest v%d but is not newer (rev %d, listed %d)", path, m.Version, rev, fi.Revision)
		case fi.Series == "" && fi.Kind != feeds.Kind(filepath.Base(path)):
			t.Errorf("%s: kind %s", path, fi.Kind)
		}
	}
	return m.Version, temps
}
