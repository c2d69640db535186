//go:build !linux

package publish

import (
	"fmt"
	"os"
)

// syncFiles makes the data of the given files durable before they are
// renamed into place: without syncfs(2), one fsync per file.
func syncFiles(dir string, paths []string) error {
	for _, p := range paths {
		f, err := os.OpenFile(p, os.O_RDWR, 0)
		if err != nil {
			return fmt.Errorf("sync %s: %w", p, err)
		}
		err = f.Sync()
		f.Close()
		if err != nil {
			return fmt.Errorf("sync %s: %w", p, err)
		}
	}
	return nil
}

// syncDirs makes renames and unlinks in the given directories durable:
// one fsync per directory.
func syncDirs(_ string, dirs []string) error {
	for _, d := range dirs {
		if err := syncDir(d); err != nil {
			return err
		}
	}
	return nil
}

// renameFile renames a temp file over a published path (os.Rename replaces
// an existing file on every platform).
func renameFile(from, to string) error { return os.Rename(from, to) }

// dropCache does nothing: the page-cache advice is Linux's (sync_linux.go).
func dropCache(string) {}

func dropCacheFD(int) {}

func closeFile(int) {}

// heldFileBudget is 0: without dropCache, holding files open buys nothing.
func heldFileBudget() int { return 0 }

// createFile creates path (which must not exist) and writes data to it;
// if that fails after creating the file, it removes it. Nothing is synced;
// keep is never offered the file (heldFileBudget is 0).
func createFile(path string, data []byte, perm os.FileMode, _ func(fd int) bool) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return fmt.Errorf("create: %w", err)
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

// streamNew is false: files are held in memory until written whole, so
// openNew, writeAll and closeNew are never called.
const streamNew = false

func openNew(path string, _ os.FileMode) (int, error) {
	return -1, fmt.Errorf("create %s: streaming not supported here", path)
}

func writeAll(int, string, []byte) error { return fmt.Errorf("streaming not supported here") }

func closeNew(int, string, error, func(int) bool) error {
	return fmt.Errorf("streaming not supported here")
}

// startWriteback does nothing: the early writeback is Linux's
// (sync_linux.go); the fsync after it does the work.
func startWriteback(*os.File, int64, int64) {}
