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
	data := []byte("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
	if err := createFile(path, data, 0o640, nil); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil || string(b) != string(data) {
		t.Errorf("read %q %v", b, err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm()&^0o022 != 0o640&^0o022 {
		t.Errorf("perm %v", fi.Mode().Perm())
	}

	// A file already there is an error, and is left as it was.
	err = createFile(path, []byte("other"), 0o644, nil)
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
	if err := createFile(filepath.Join(dir, "empty"), nil, 0o644, nil); err != nil {
		t.Errorf("empty file: %v", err)
	}
	if err := createFile(filepath.Join(dir, "missing", "f"), []byte("x"), 0o644, nil); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("in a missing directory: %v, want fs.ErrNotExist", err)
	}
}
