package server

import (
	"bufio"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
)

// Why a pool of open files: sending a large body with sendfile(2) costs
// nginx an open, an fstat and a close per request, and costs Go more (os.Open
// also asks the poller about the file). An entry instead keeps a few open
// descriptions of the file whose bytes it verified against the manifest:
// a request takes one, rewinds it and sends it. Each request has its own
// description, so file offsets never clash, and the bytes sent are always
// the verified ones, even after the publisher has renamed a newer version
// over the path (the manifest, and so the ETag, follows a moment later).
//
// A description is only handed out while its file's stamp (stamp.go) is
// the one recorded when its bytes were checked: a file changed in place
// (cp over it, a write through another description) keeps its inode, so
// an open description would send the new bytes under the old validators
// and Content-Length. The check is one fstat per response, before its
// headers are written; a changed file gets no description (get), and the
// entry drops the pool and checks the file again (files.go).
//
// A large file's pool also holds an anchor: the description its bytes were
// hashed through, kept for the pool's life. When the path names another
// file (renamed over it, or deleted) and no idle description is left, a
// request reads the anchor at offsets (pread), so the bytes sent are still
// the verified ones: the inode lives as long as a description of it does.

// maxIdlePerEntry bounds each entry's idle descriptions; beyond it a
// returned description is closed.
const maxIdlePerEntry = 4

// fdBudget bounds the idle descriptions of all entries of a server, so
// that many large files cannot pin file descriptors without limit.
type fdBudget struct {
	idle atomic.Int64
	max  int64
}

// filePool is one entry's idle open descriptions of its verified file.
type filePool struct {
	path   string
	id     fileStamp // the verified file
	budget *fdBudget
	// changed is set once a description showed the verified file changed
	// in place: none of its descriptions can serve it any more.
	changed atomic.Bool

	mu      sync.Mutex
	idle    []*os.File
	closed  bool
	anchor  *os.File // nil for small files, or with no descriptor to spare
	readers int      // anchor bodies in flight: it closes after the last
}

func newFilePool(path string, id fileStamp, budget *fdBudget) *filePool {
	return &filePool{path: path, id: id, budget: budget}
}

// get returns a description of the verified file positioned at its start,
// or nil if the pool is closed, the path now names another file, or the
// verified file changed in place (then changed is set).
func (p *filePool) get() *os.File {
	p.mu.Lock()
	if p.closed || p.changed.Load() {
		p.mu.Unlock()
		return nil
	}
	if n := len(p.idle); n > 0 {
		f := p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		p.budget.idle.Add(-1)
		if !p.unchanged(f) {
			f.Close()
			return nil
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			f.Close()
			return nil
		}
		return f
	}
	p.mu.Unlock()
	f, err := os.Open(p.path)
	if err != nil {
		return nil
	}
	// The path may name another file by now (renamed over it): that is
	// not the verified file changing, so changed is left alone.
	if st, err := statStamp(f); err != nil || !p.id.matches(st) {
		f.Close()
		return nil
	}
	return f
}

// unchanged reports whether f, a description of the verified file, still
// has its stamp; if not, it marks the pool changed.
func (p *filePool) unchanged(f *os.File) bool {
	if st, err := statStamp(f); err == nil && p.id.matches(st) {
		return true
	}
	p.changed.Store(true)
	return false
}

// fresh reports whether the verified file is unchanged, as far as the
// pool can tell without a request's description: through its anchor, or
// through a description of its own.
func (p *filePool) fresh() bool {
	p.mu.Lock()
	a := p.anchor
	ok := !p.closed && !p.changed.Load() && (a == nil || p.unchanged(a))
	p.mu.Unlock()
	if !ok || a != nil {
		return ok
	}
	f := p.get()
	if f == nil {
		return false
	}
	p.put(f)
	return true
}

// setAnchor keeps f, the verified file, open for the pool's life; false
// (f is not kept) when the server's descriptor budget is spent.
func (p *filePool) setAnchor(f *os.File) bool {
	if p.budget.idle.Add(1) > p.budget.max {
		p.budget.idle.Add(-1)
		return false
	}
	p.mu.Lock()
	p.anchor = f
	p.mu.Unlock()
	return true
}

// body returns a body stream of the verified file, n bytes long: a
// description of its own (sendfile) if the pool has one or the path still
// names the file, else a reader of the anchor. nil when the pool is closed,
// or when the path names another file and there is no anchor.
func (p *filePool) body(conn net.Conn, n int64) io.ReadCloser {
	if f := p.get(); f != nil {
		return &pooledFile{f: f, n: n, pool: p, conn: conn}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || p.anchor == nil || p.changed.Load() || !p.unchanged(p.anchor) {
		return nil
	}
	p.readers++
	return &anchorBody{SectionReader: io.NewSectionReader(p.anchor, 0, n), pool: p}
}

// anchorBody reads a pool's anchor; Close releases it.
type anchorBody struct {
	*io.SectionReader
	pool *filePool
	done bool
}

func (b *anchorBody) Close() error {
	if b.done {
		return nil
	}
	b.done = true
	p := b.pool
	p.mu.Lock()
	p.readers--
	last := p.closed && p.readers == 0
	p.mu.Unlock()
	if last {
		p.closeAnchor()
	}
	return nil
}

// closeAnchor closes the anchor once the pool is closed and unread.
func (p *filePool) closeAnchor() {
	p.mu.Lock()
	a := p.anchor
	p.anchor = nil
	p.mu.Unlock()
	if a != nil {
		p.budget.idle.Add(-1)
		a.Close()
	}
}

// put returns f to the pool, or closes it when the pool is closed or full.
func (p *filePool) put(f *os.File) {
	p.mu.Lock()
	keep := !p.closed && len(p.idle) < maxIdlePerEntry
	if keep && p.budget.idle.Add(1) > p.budget.max {
		p.budget.idle.Add(-1)
		keep = false
	}
	if keep {
		p.idle = append(p.idle, f)
	}
	p.mu.Unlock()
	if !keep {
		f.Close()
	}
}

// close closes the idle descriptions and the anchor; those in use close
// when returned. Closing twice is harmless.
func (p *filePool) close() {
	p.mu.Lock()
	idle := p.idle
	p.idle, p.closed = nil, true
	unread := p.readers == 0
	p.mu.Unlock()
	if unread {
		p.closeAnchor()
	}
	p.budget.idle.Add(-int64(len(idle)))
	for _, f := range idle {
		f.Close()
	}
}

// pooledFile is a response body read from a pooled description. fasthttp
// closes a body stream when it has written it: Close returns the
// description to its pool.
type pooledFile struct {
	f    *os.File
	n    int64
	pool *filePool
	conn net.Conn // the connection it is sent on, to cork
}

func (b *pooledFile) Read(p []byte) (int, error) { return b.f.Read(p) }

// WriteTo sends the file with sendfile: with the connection's buffer (the
// headers) flushed, bufio hands the limited *os.File to the connection's
// ReadFrom. The connection is corked meanwhile, as nginx's tcp_nopush
// does, so that the headers do not leave in a segment of their own ahead
// of the body.
func (b *pooledFile) WriteTo(w io.Writer) (int64, error) {
	if tc, ok := b.conn.(*net.TCPConn); ok && setCork(tc, true) == nil {
		defer setCork(tc, false) // sends what the cork held back
	}
	if bw, ok := w.(*bufio.Writer); ok {
		if err := bw.Flush(); err != nil {
			return 0, err
		}
	}
	return io.Copy(w, &io.LimitedReader{R: b.f, N: b.n})
}

func (b *pooledFile) Close() error {
	b.pool.put(b.f)
	return nil
}
