package publish_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/agendafeed/agendafeed/internal/publish"
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
// series directory published whole; through the descriptors the pass
// held, by path when it holds none, and both when some files are past
// its budget.
func TestPublishedFilesLeaveThePageCache(t *testing.T) {
	for _, budget := range []int{-1, 0, 5} {
		t.Run(fmt.Sprintf("budget %d", budget), func(t *testing.T) {
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
			if budget >= 0 {
				publish.SetHeldBudget(p, budget)
			}
			pass(t, p, false)
			// A second revision of one series is published file by
			// file, over the files already there.
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
		})
	}
}

// A pass closes every file it held open, also when it is abandoned (a
// panic on its own goroutine) with batches of held files not yet
// published, which are deleted.
func TestPassLeavesNoDescriptorOpen(t *testing.T) {
	for _, budget := range []int{-1, 3} {
		t.Run(fmt.Sprintf("budget %d", budget), func(t *testing.T) {
			src := publishtest.NewSource()
			for i := range 30 {
				src.Put(publishtest.MakeSnapshot(fmt.Sprintf("s%02d", i), 1, 1+i%3))
			}
			r := &publishtest.StreamingRenderer{Renderer: publishtest.Renderer{PerSession: 50}, PanicAdd: "s25"}
			p, err := publish.New(publish.Options{Dir: t.TempDir(), Source: src, Renderer: r, BatchFiles: 1, Workers: 2})
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			before := openFDs(t) // the publisher's own: its lock file
			if budget >= 0 {
				publish.SetHeldBudget(p, budget)
			}
			var pe *publish.PanicError
			if _, err := p.Pass(context.Background(), false); !errors.As(err, &pe) {
				t.Fatalf("err %v, want the builder's PanicError", err)
			}
			if n := openFDs(t); n != before {
				t.Errorf("%d descriptors open after the abandoned pass, %d before", n, before)
			}
			r.PanicAdd = ""
			pass(t, p, false)
			if n := openFDs(t); n != before {
				t.Errorf("%d descriptors open after a full pass, %d before", n, before)
			}
		})
	}
}

// openFDs counts this process's open descriptors.
func openFDs(t *testing.T) int {
	t.Helper()
	es, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(es)
}
