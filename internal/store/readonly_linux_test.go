package store

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// roEnv names, in the re-executed test binary, the database to probe.
const roEnv = "AGENDAFEED_TEST_READONLY_DB"

// A database in a directory this user cannot write is readable with
// ReadOnlyFallback while no -wal file exists, and every other case fails
// with an error naming the file and the directory. Permissions do not stop
// root, so as root the probe runs in this test binary re-executed as
// nobody (uid 65534).
func TestOpenReadOnlyDirectory(t *testing.T) {
	if path := os.Getenv(roEnv); path != "" {
		probeReadOnly(t, path)
		return
	}
	base := t.TempDir()
	dir := filepath.Join(base, "db")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "agenda.db")
	db := openTestDB(t, path, newClock())
	mustPutSeries(t, db, madrid())
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-wal"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("-wal left after Close: %v", err)
	}
	if err := os.Chmod(path, 0o444); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })

	if os.Geteuid() != 0 {
		probeReadOnly(t, path)
		return
	}
	// The binary and every directory above the database must be usable by
	// nobody: t.TempDir's directories are 0700.
	bin := filepath.Join(base, "store.test")
	copyFile(t, bin)
	for _, d := range []string{filepath.Dir(base), base} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(bin, "-test.run=^TestOpenReadOnlyDirectory$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), roEnv+"="+path)
	cmd.Dir = base
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("probe as nobody: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "--- PASS") {
		t.Fatalf("probe as nobody did not run:\n%s", out)
	}
}

func copyFile(t *testing.T, dst string) {
	t.Helper()
	src, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

func probeReadOnly(t *testing.T, path string) {
	ctx := context.Background()
	dir := filepath.Dir(path)
	if f, err := os.Create(filepath.Join(dir, "probe")); err == nil {
		f.Close()
		t.Fatalf("%s is writable: the probe would prove nothing", dir)
	}

	// Without the fallback (the daemon): an error naming file and directory.
	_, err := Open(ctx, path, Options{})
	if !errors.Is(err, ErrReadOnlyDir) || !strings.Contains(err.Error(), "cannot open "+path+": its directory "+dir+" cannot be written") {
		t.Fatalf("Open without ReadOnlyFallback: %v, want ErrReadOnlyDir naming %s and %s", err, path, dir)
	}

	db, err := Open(ctx, path, Options{ReadOnlyFallback: true})
	if err != nil {
		t.Fatalf("Open with ReadOnlyFallback: %v", err)
	}
	defer db.Close()
	ss, err := db.ListSeries(ctx)
	if err != nil || len(ss) != 1 || ss[0].Slug != "uclg-debates" {
		t.Fatalf("ListSeries = %v, %v; want the one series", ss, err)
	}
	if err := db.Check(ctx); err != nil {
		t.Errorf("Check: %v", err)
	}
	s := madrid()
	s.Title = "Renamed"
	if _, err := db.PutSeries(ctx, s, Any); !errors.Is(err, ErrReadOnlyDir) ||
		!strings.Contains(err.Error(), path+" is open for reading only: its directory "+dir+" cannot be written") {
		t.Errorf("PutSeries: %v, want ErrReadOnlyDir naming %s", err, path)
	}
	if _, err := os.Stat(path + "-wal"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a -wal file appeared: %v", err)
	}
}
