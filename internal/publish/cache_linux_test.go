package publish_test

import (
	"os"
	"path/filepath"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/agendafeed/agendafeed/internal/publish/publishtest"
)

// residentPages counts the pages of a file that are in the page cache,
// without reading it (mmap and mincore fault nothing in).
func residentPages(t *testing.T, path string) (resident, total int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() == 0 {
		return 0, 0
	}
	m, err := unix.Mmap(int(f.Fd()), 0, int(fi.Size()), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Munmap(m)
	page := os.Getpagesize()
	vec := make([]byte, (len(m)+page-1)/page)
	if _, _, errno := unix.Syscall(unix.SYS_MINCORE, uintptr(unsafe.Pointer(&m[0])), uintptr(len(m)), uintptr(unsafe.Pointer(&vec[0]))); errno != 0 {
		t.Fatalf("mincore %s: %v", path, errno)
	}
	for _, v := range vec {
		if v&1 != 0 {
			resident++
		}
	}
	return resident, len(vec)
}

// A pass leaves what it published out of the page cache once it is
// durable (dropCache), both files renamed into place one by one and a
// series directory published whole.
func TestPublishedFilesLeaveThePageCache(t *testing.T) {
	dir := t.TempDir()
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	if st.Type == unix.TMPFS_MAGIC || st.Type == unix.RAMFS_MAGIC {
		t.Skipf("%s is on tmpfs, whose pages are the files themselves: run with TMPDIR on a disk filesystem", dir)
	}
	src := publishtest.NewSource(publishtest.MakeSnapshot("madrid", 1, 12), publishtest.MakeSnapshot("tunis", 1, 3))
	r := &publishtest.Renderer{PerSession: 20 << 10}
	c := newClock()
	p := newPublisher(t, dir, src, r, c)
	pass(t, p, false)
	// A second revision of one series is published file by file, over
	// the files already there.
	src.Put(publishtest.MakeSnapshot("tunis", 2, 4))
	pass(t, p, false)

	m := p.Manifest()
	if len(m.Files) < 20 {
		t.Fatalf("only %d files published", len(m.Files))
	}
	var resident, total int
	for path := range m.Files {
		r, n := residentPages(t, filepath.Join(dir, filepath.FromSlash(path)))
		if r != 0 {
			t.Errorf("%s: %d of %d pages still in the page cache", path, r, n)
		}
		resident += r
		total += n
	}
	if total == 0 {
		t.Fatal("no pages checked")
	}
	t.Logf("%d of %d pages of %d published files in the page cache", resident, total, len(m.Files))
}
