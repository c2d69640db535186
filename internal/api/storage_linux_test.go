package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/feeds"
	"github.com/agendafeed/agendafeed/internal/asnobody"
	"github.com/agendafeed/agendafeed/internal/importer"
	"github.com/agendafeed/agendafeed/internal/store"
)

// storageEnv names, in the re-executed test binary, the directory holding
// the databases to write to.
const storageEnv = "AGENDAFEED_TEST_API_STORAGE"

// A write to a database the daemon's user cannot write, the file or its
// directory, answers 503 with the store's message, which names the file and
// the fix; not a bare 500, and no Retry-After: retrying does not help until
// an operator acts. Permissions do not stop root, so as root the writes run
// in this test binary re-executed as nobody (uid 65534).
func TestWriteToReadOnlyDatabase(t *testing.T) {
	if base := os.Getenv(storageEnv); base != "" {
		probeReadOnlyWrites(t, base)
		return
	}
	base := t.TempDir()
	for _, dir := range []string{"rwdir", "rodir"} {
		if err := os.Mkdir(filepath.Join(base, dir), 0o755); err != nil {
			t.Fatal(err)
		}
		ta := apiOn(t, filepath.Join(base, dir, "agenda.db"), store.Options{Create: true})
		ta.must(t, http.StatusCreated, req{method: "POST", path: "/api/v1/series", token: writeToken, body: seriesBody})
		if err := ta.db.Close(); err != nil {
			t.Fatal(err)
		}
	}
	modes := []struct {
		path string
		mode os.FileMode
	}{
		{filepath.Join(base, "rwdir", "agenda.db"), 0o444}, {filepath.Join(base, "rwdir"), 0o777},
		{filepath.Join(base, "rodir", "agenda.db"), 0o444}, {filepath.Join(base, "rodir"), 0o555},
	}
	t.Cleanup(func() { os.Chmod(filepath.Join(base, "rodir"), 0o755) })
	if os.Geteuid() != 0 {
		for _, m := range modes {
			if err := os.Chmod(m.path, m.mode); err != nil {
				t.Fatal(err)
			}
		}
		probeReadOnlyWrites(t, base)
		return
	}
	// The binary and every directory above the databases must be usable by
	// nobody: t.TempDir's directories are 0700.
	bin := filepath.Join(base, "api.test")
	asnobody.CopyTestBinary(t, bin)
	modes = append(modes, struct {
		path string
		mode os.FileMode
	}{filepath.Dir(base), 0o755}, struct {
		path string
		mode os.FileMode
	}{base, 0o755})
	for _, m := range modes {
		if err := os.Chmod(m.path, m.mode); err != nil {
			t.Fatal(err)
		}
	}
	asnobody.RunTest(t, bin, base, "TestWriteToReadOnlyDatabase", storageEnv+"="+base)
}

func probeReadOnlyWrites(t *testing.T, base string) {
	for _, tt := range []struct {
		dir  string
		opts store.Options
		want []string
	}{
		// The file read-only, its directory writable: SQLite opens it for
		// reading and refuses the first write.
		{"rwdir", store.Options{}, []string{
			filepath.Join(base, "rwdir", "agenda.db") + " cannot be written: the file is read-only for this user",
			"make it writable by this user, or run as its owner"}},
		// The directory read-only: opened immutable, every write refused.
		{"rodir", store.Options{ReadOnlyFallback: true}, []string{
			filepath.Join(base, "rodir", "agenda.db") + " is open for reading only: its directory " + filepath.Join(base, "rodir") + " cannot be written",
			"make " + filepath.Join(base, "rodir") + " writable by this user, or run as its owner"}},
	} {
		t.Run(tt.dir, func(t *testing.T) {
			ta := apiOn(t, filepath.Join(base, tt.dir, "agenda.db"), tt.opts)
			ta.must(t, http.StatusOK, req{method: "GET", path: "/api/v1/series/debates", token: readToken})
			w := ta.do(t, req{method: "POST", path: "/api/v1/series", token: writeToken,
				body: strings.Replace(seriesBody, `"debates"`, `"other"`, 1)})
			checkStorageRefusal(t, w, http.StatusServiceUnavailable, tt.want)
		})
	}
}

// checkStorageRefusal checks a write refused because of the storage: the
// status, no Retry-After, and the store's message in the body.
func checkStorageRefusal(t *testing.T, rec *httptest.ResponseRecorder, status int, want []string) {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d; body:\n%s", rec.Code, status, rec.Body.String())
	}
	if got := rec.Header().Get("Retry-After"); got != "" {
		t.Errorf("Retry-After: %q, want none", got)
	}
	var b errorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil {
		t.Fatal(err)
	}
	for _, s := range want {
		if !strings.Contains(b.Error, s) {
			t.Errorf("error = %q, want it to say %q", b.Error, s)
		}
	}
}

// apiOn is newTestAPI on the database at path, opened with opts.
func apiOn(t testing.TB, path string, opts store.Options) *testAPI {
	t.Helper()
	opts.UIDDomain = "test.example"
	opts.Now = func() time.Time { return time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC) }
	db, err := store.Open(context.Background(), path, opts)
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	var n atomic.Int64
	h, err := New(Options{Store: db, Tokens: testTokens(), Layout: feeds.NewLayout(baseURL),
		Trigger: func() { n.Add(1) },
		Import:  importer.Options{DefaultZone: "Europe/Madrid", DefaultLanguage: "en"}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return &testAPI{h: h, db: db, path: path, triggers: &n}
}

// copyTestBinary copies this test binary to dst, where nobody can run it.

// fullEnv names, in the re-executed test binary, the directory to mount a
// small tmpfs on.
const fullEnv = "AGENDAFEED_TEST_API_FULL"

// A write that finds the disk holding the database full answers 507 with
// the store's message, without Retry-After. The disk is a 1 MiB tmpfs,
// filled up, mounted in a mount namespace of this test binary re-executed:
// that needs root (CAP_SYS_ADMIN), and the test skips without it.
func TestWriteToFullDisk(t *testing.T) {
	if dir := os.Getenv(fullEnv); dir != "" {
		probeFullDisk(t, dir)
		return
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root, to mount a small file system")
	}
	dir := filepath.Join(t.TempDir(), "small")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestWriteToFullDisk$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), fullEnv+"="+dir)
	// Go makes the new namespace's mounts private: the tmpfs is never
	// seen outside the child, and goes away with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNS}
	out, err := cmd.CombinedOutput()
	if strings.Contains(string(out), "mount tmpfs:") {
		t.Skipf("cannot mount a file system here:\n%s", out)
	}
	if err != nil {
		t.Fatalf("writes on a full disk: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "--- PASS") {
		t.Fatalf("writes on a full disk did not run:\n%s", out)
	}
}

func probeFullDisk(t *testing.T, dir string) {
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=1m,mode=0755"); err != nil {
		t.Fatalf("mount tmpfs: %v", err)
	}
	ta := apiOn(t, filepath.Join(dir, "agenda.db"), store.Options{Create: true})
	ta.must(t, http.StatusCreated, req{method: "POST", path: "/api/v1/series", token: writeToken, body: seriesBody})
	f, err := os.Create(filepath.Join(dir, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	block := make([]byte, 4096)
	for {
		if _, err := f.Write(block); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("fill the disk: %v", err)
			}
			break
		}
	}
	w := ta.do(t, req{method: "POST", path: "/api/v1/series", token: writeToken,
		body: strings.Replace(seriesBody, `"debates"`, `"other"`, 1)})
	checkStorageRefusal(t, w, http.StatusInsufficientStorage, []string{"the disk holding the database is full"})
	// Nothing was written, and the database works again once there is
	// space.
	if err := f.Truncate(0); err != nil {
		t.Fatal(err)
	}
	ta.must(t, http.StatusNotFound, req{method: "GET", path: "/api/v1/series/other", token: readToken})
	ta.must(t, http.StatusCreated, req{method: "POST", path: "/api/v1/series", token: writeToken,
		body: strings.Replace(seriesBody, `"debates"`, `"other"`, 1)})
}
