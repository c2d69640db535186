package publish

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// tempMarker is part of every temporary file's name: ".<name>.tmp-<random>".
// A published file never starts with a dot, so a temp file can never be
// mistaken for one, and a crash leaves only names that cleanTemps removes.
const tempMarker = ".tmp-"

// WriteFile writes data to dir/name atomically: it writes a temporary file
// in the same directory, syncs and closes it, renames it over the final
// name and syncs the directory. A reader, or a crash at any moment, sees the
// old file or the new one, never a part of either.
func WriteFile(dir, name string, data []byte, perm os.FileMode) error {
	return writeFileFunc(dir, name, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// writeFileFunc is WriteFile for content written by write, which may be
// large (the manifest): it streams into the temp file, asking the kernel to start writing
// each part to disk as it arrives (startWriteback), so the fsync at the end
// waits for little; the file is dropped from the page cache once durable.
func writeFileFunc(dir, name string, perm os.FileMode, write func(io.Writer) error) error {
	tn, err := tempName(name)
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, tn)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return fmt.Errorf("temp for %s: %w", name, err)
	}
	ew := &earlyWriter{f: f}
	err = write(ew)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("temp for %s: %w", name, err)
	}
	final := filepath.Join(dir, name)
	if err := os.Rename(tmp, final); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("publish %s: %w", name, err)
	}
	dropCache(final)
	return syncDir(dir)
}

// earlyWriter writes to f and starts the writeback of what it wrote.
type earlyWriter struct {
	f   *os.File
	off int64
}

func (w *earlyWriter) Write(b []byte) (int, error) {
	n, err := w.f.Write(b)
	if n > 0 {
		startWriteback(w.f, w.off, int64(n))
		w.off += int64(n)
	}
	return n, err
}

// tempName returns the temporary name for a file called name.
func tempName(name string) (string, error) {
	var b [tempRandom / 2]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("temp name: %w", err)
	}
	return "." + name + tempMarker + hex.EncodeToString(b[:]), nil
}

// tempRandom is how many hex digits of randomness end a temp name.
const tempRandom = 16

// isTempName reports whether a base name is one of our temporary files:
// ".<name>.tmp-" and exactly tempRandom lowercase hex digits, as tempName
// makes them. The start-up cleaning walks the whole output directory,
// the owner's own directories in it too, so a looser test would delete
// their files (".draft.tmp-1", say).
func isTempName(base string) bool {
	i := strings.LastIndex(base, tempMarker)
	if !strings.HasPrefix(base, ".") || i < 1 {
		return false
	}
	random := base[i+len(tempMarker):]
	if len(random) != tempRandom {
		return false
	}
	for _, c := range random {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// writeTemp writes data to a new temporary file beside dir/name and returns
// its path. The caller must make the data durable before renaming (the
// publisher does it for a whole batch with one syncfs).
func writeTemp(dir, name string, data []byte, perm os.FileMode, keep func(fd int) bool) (string, error) {
	tn, err := tempName(name)
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, tn)
	if err := createFile(path, data, perm, keep); err != nil {
		return "", fmt.Errorf("temp for %s: %w", name, err)
	}
	return path, nil
}

// syncDir fsyncs a directory so that a rename or unlink in it is durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync dir %s: %w", dir, err)
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("sync dir %s: %w", dir, err)
	}
	return nil
}

// cleanTemps removes the temporary files and staged series directories a
// killed process left under dir. They are never at a published path, so
// removing them loses nothing.
func cleanTemps(dir string) (int, error) {
	n := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if !isTempName(d.Name()) {
			return nil
		}
		if d.IsDir() {
			if err := os.RemoveAll(path); err != nil {
				return err
			}
			n++
			return fs.SkipDir
		}
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		n++
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("clean temp files in %s: %w", dir, err)
	}
	return n, nil
}

// removeEmptyDirs removes dir and the directories under it, deepest first,
// as far as they are empty; a directory holding a file stays.
func removeEmptyDirs(dir string) {
	var dirs []string
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			dirs = append(dirs, path)
		}
		return nil
	})
	for _, d := range slices.Backward(dirs) {
		os.Remove(d) // fails, harmlessly, on a directory with entries
	}
}
