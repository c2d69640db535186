package publish

import (
	"path/filepath"
	"sync"
)

// heldFiles keeps the files a pass created open from their creation until
// the committer has made them durable, so that dropping their pages from
// the cache (dropCache) does not open each again by path: ~5 µs of path
// walk and file setup for each of a full pass's 100,000 session files.
// At most max are held at once; past that a file is closed as it is
// written and dropped by path. Files whose batch is discarded stay held
// until the pass ends (closeAll): the pass never publishes a path twice,
// so nothing else takes their entry.
type heldFiles struct {
	mu  sync.Mutex
	fds map[string]int // by published path
	max int
}

// keeper returns the function createFile hands a new file's descriptor
// to: it keeps it under path, or declines (and createFile closes it).
func (h *heldFiles) keeper(path string) func(fd int) bool {
	if h.max <= 0 {
		return nil
	}
	return func(fd int) bool {
		h.mu.Lock()
		defer h.mu.Unlock()
		if len(h.fds) >= h.max {
			return false
		}
		if old, ok := h.fds[path]; ok {
			closeFile(old)
		}
		if h.fds == nil {
			h.fds = make(map[string]int, h.max)
		}
		h.fds[path] = fd
		return true
	}
}

// drop evicts the published file at path (relative to dir) from the page
// cache, through its held descriptor when there is one, which it closes.
func (h *heldFiles) drop(dir, path string) {
	h.mu.Lock()
	fd, ok := h.fds[path]
	if ok {
		delete(h.fds, path)
	}
	h.mu.Unlock()
	if ok {
		dropCacheFD(fd)
		closeFile(fd)
		return
	}
	dropCache(filepath.Join(dir, filepath.FromSlash(path)))
}

// closeAll closes every file still held.
func (h *heldFiles) closeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for path, fd := range h.fds {
		closeFile(fd)
		delete(h.fds, path)
	}
}
