package publish

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// held reports how many files are held.
func (h *heldFiles) held() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.fds)
}

// isOpen reports whether fd is an open descriptor of this process.
func isOpen(fd int) bool {
	_, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
	return err == nil
}

func TestHeldFiles(t *testing.T) {
	dir := t.TempDir()
	h := heldFiles{max: 2}
	var fds []int
	create := func(name string) {
		t.Helper()
		keep := h.keeper(name)
		kept := false
		err := createFile(filepath.Join(dir, name), []byte("x"), 0o644, func(fd int) bool {
			kept = keep(fd)
			if kept {
				fds = append(fds, fd)
			}
			return kept
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	create("a")
	create("b")
	create("c") // over the budget: closed as written
	if h.held() != 2 || len(fds) != 2 {
		t.Fatalf("held %d files (%d kept), want 2", h.held(), len(fds))
	}
	for _, fd := range fds {
		if !isOpen(fd) {
			t.Fatalf("held descriptor %d is closed", fd)
		}
	}

	// drop closes a held file, and drops one not held by its path.
	h.drop(dir, "a")
	h.drop(dir, "c")
	if isOpen(fds[0]) {
		t.Error("drop left a held file open")
	}
	if h.held() != 1 {
		t.Errorf("held %d after drop, want 1", h.held())
	}
	h.closeAll()
	if h.held() != 0 || isOpen(fds[1]) {
		t.Errorf("closeAll: %d held, descriptor open %v", h.held(), isOpen(fds[1]))
	}

	// A budget of 0 holds nothing: createFile closes the file itself.
	if (&heldFiles{}).keeper("d") != nil {
		t.Error("a zero budget offers a keeper")
	}
	for _, name := range []string{"a", "b", "c"} {
		if b, err := os.ReadFile(filepath.Join(dir, name)); err != nil || string(b) != "x" {
			t.Errorf("%s: %q %v", name, b, err)
		}
	}
}
