package publish

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestCreateFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s001.ics")
	for _, sync := range []bool{false, true} {
		os.Remove(path)
		data := []byte("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
		if err := createFile(path, data, 0o640, sync); err != nil {
			t.Fatalf("sync %v: %v", sync, err)
		}
		b, err := os.ReadFile(path)
		if err != nil || string(b) != string(data) {
			t.Errorf("sync %v: read %q %v", sync, b, err)
		}
		if fi, _ := os.Stat(path); fi.Mode().Perm()&^0o022 != 0o640&^0o022 {
			t.Errorf("sync %v: perm %v", sync, fi.Mode().Perm())
		}
	}

	// A file already there is an error, and is left as it was.
	err := createFile(path, []byte("other"), 0o644, false)
	if !errors.Is(err, fs.ErrExist) {
		t.Errorf("over an existing file: %v, want fs.ErrExist", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n" {
		t.Errorf("existing file changed to %q", b)
	}
	var pe *fs.PathError
	if !errors.As(err, &pe) || pe.Path != path {
		t.Errorf("error %v does not name %s", err, path)
	}

	// An empty file, and one in a missing directory.
	if err := createFile(filepath.Join(dir, "empty"), nil, 0o644, false); err != nil {
		t.Errorf("empty file: %v", err)
	}
	if err := createFile(filepath.Join(dir, "missing", "f"), []byte("x"), 0o644, false); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("in a missing directory: %v, want fs.ErrNotExist", err)
	}
}
