package server

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"fmt"
	"hash"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/agendafeed/agendafeed/internal/publish"
)

// maxMemBody is the largest file kept in memory after its first request;
// larger files are checked against their hash once per version (stamp.go) and then
// sent from descriptors of the checked file (largeBody).
const maxMemBody = 1 << 20

// table is the servable files of one manifest version, with their response
// headers computed once.
type table struct {
	version   int64
	generated time.Time
	files     map[string]*entry
	revs      map[string]int64
}

// entry is one servable representation set: identity and gzip.
//
// A table has an entry per published file, 105,000 for 1,000 series of 100
// sessions, and most (the per-session .ics) are rarely requested: so an
// entry holds what every lookup needs, and builds its response headers
// on its first request (hdrs). Built eagerly they took ~35 MB of the
// daemon's live heap at that size, which the garbage collector's headroom
// doubled in resident memory.
type entry struct {
	dir, rel string // the file is dir/rel; both "" for in-memory variants
	size     int64
	etag     string
	ctype    string
	modTime  time.Time // truncated to seconds, as HTTP dates are; zero: none to send

	h    atomic.Pointer[headers]
	mu   sync.Mutex
	body atomic.Pointer[[]byte] // identity bytes, loaded on first use (≤ maxMemBody)
	gz   atomic.Pointer[gzBody] // gzip bytes, computed on first use
	// files holds open descriptions of the file body was read from and
	// checked against the manifest, for sendfile (fdpool.go); set with
	// body. budget is the server's bound on idle descriptions.
	files  atomic.Pointer[filePool]
	budget *fdBudget
	// mismatch is the file last found at the path whose bytes are not the
	// manifest's (a large file; the publisher renamed a newer version
	// over it, or it was changed in place): served without validators,
	// and not hashed again while its stamp holds.
	mismatch atomic.Pointer[fileStamp]
	// retired is set when a new table no longer holds the entry.
	retired atomic.Bool
	// mem bounds the bytes that body and gz keep (nil for variants, which
	// their caches bound); used is the entry's mark for its CLOCK, set by
	// requests served from them. ring and kept are mem's, under its lock:
	// the entry's index in its ring (-1 when out) and the bytes counted.
	mem  *memBudget
	used atomic.Bool
	ring int
	kept int64
}

// headers are an entry's response header values, each a one-element
// slice set as is into every response (never modified).
type headers struct {
	etagGz                                string
	hType, hETag, hETagGz, hLastMod, hLen []string
}

// hdrs returns the entry's headers, building them on first use.
func (e *entry) hdrs() *headers {
	if h := e.h.Load(); h != nil {
		return h
	}
	h := &headers{etagGz: gzipETag(e.etag)}
	h.hType = []string{e.ctype}
	h.hETag = []string{e.etag}
	h.hETagGz = []string{h.etagGz}
	if !e.modTime.IsZero() {
		h.hLastMod = []string{e.modTime.Format(http.TimeFormat)}
	}
	h.hLen = []string{strconv.FormatInt(e.size, 10)}
	if !e.h.CompareAndSwap(nil, h) {
		return e.h.Load() // built by another request meanwhile: the same values
	}
	return h
}

// path returns the file's path ("" for an in-memory variant).
func (e *entry) path() string {
	if e.rel == "" {
		return ""
	}
	return filepath.Join(e.dir, filepath.FromSlash(e.rel))
}

type gzBody struct {
	b    []byte
	hLen []string
	use  bool // false when gzip does not make it smaller
	// pool is, for a large file, the pool of the verified file the body
	// was compressed from: the body holds while the entry keeps that pool
	// and the file is unchanged, so that "<sha>" and "<sha>-gz" never
	// decode to different bytes. nil for bodies from memory, which hold.
	pool *filePool
}

func newEntry(dir, rel string, fi publish.FileInfo, ctype string) *entry {
	return &entry{
		dir:     dir,
		rel:     rel,
		size:    fi.Size,
		etag:    fi.ETag,
		ctype:   ctype,
		modTime: fi.Modified.UTC().Truncate(time.Second),
		ring:    -1,
	}
}

// memEntry is an entry whose bytes are in memory (a subscriber variant).
func memEntry(b []byte, ctype string, modified time.Time) *entry {
	sum := sha256.Sum256(b)
	e := newEntry("", "", publish.FileInfo{ETag: publish.ETagOf(sum[:]), Size: int64(len(b)), Modified: modified}, ctype)
	e.body.Store(&b)
	return e
}

// gzipETag derives the gzip representation's ETag from the identity one:
// "abc" -> "abc-gz". Distinct, so caches never confuse the two.
func gzipETag(etag string) string {
	if strings.HasSuffix(etag, `"`) && len(etag) >= 2 {
		return etag[:len(etag)-1] + `-gz"`
	}
	return etag
}

// loadTable builds the table for m, reusing the entries (and their cached
// bodies) of files whose bytes did not change.
// Entries of prev that are not carried over close their open files.
func loadTable(dir string, m publish.Manifest, prev *table, budget *fdBudget, mem *memBudget) *table {
	t := &table{version: m.Version, generated: m.Generated, files: make(map[string]*entry, len(m.Files)), revs: m.Revisions}
	for p, fi := range m.Files {
		if prev != nil {
			if e, ok := prev.files[p]; ok && e.etag == fi.ETag && e.modTime.Equal(fi.Modified.UTC().Truncate(time.Second)) {
				t.files[p] = e
				continue
			}
		}
		ctype := fi.ContentType
		if ctype == "" {
			ctype = fi.Kind.ContentType()
		}
		e := newEntry(dir, p, fi, ctype)
		e.budget, e.mem = budget, mem
		t.files[p] = e
	}
	if prev != nil {
		for p, e := range prev.files {
			if t.files[p] != e {
				e.retired.Store(true) // before the load: see keep
				if fp := e.files.Load(); fp != nil {
					fp.close()
				}
				mem.drop(e)
			}
		}
	}
	return t
}

// memBody returns the file's bytes if it is small enough to keep, loading
// and checking them on first use. ok is false for large files (stream
// them). A file whose bytes no longer match the manifest (the publisher
// renamed a newer version and has not yet swapped the manifest) is not
// cached; it is returned with fresh=false so the caller serves it without
// the stale validators.
func (e *entry) memBody() (b []byte, ok, fresh bool, err error) {
	if p := e.body.Load(); p != nil {
		e.markUsed()
		return *p, true, true, nil
	}
	if e.size > maxMemBody {
		return nil, false, true, nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if p := e.body.Load(); p != nil {
		return *p, true, true, nil
	}
	f, err := os.Open(e.path())
	if err != nil {
		return nil, false, false, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, false, false, err
	}
	b = make([]byte, fi.Size())
	if _, err := io.ReadFull(f, b); err != nil {
		return nil, false, false, err
	}
	sum := sha256.Sum256(b)
	if publish.ETagOf(sum[:]) != e.etag {
		return b, true, false, nil
	}
	if e.budget != nil {
		e.keep(newFilePool(e.path(), stampOf(fi), e.budget))
	}
	e.body.Store(&b)
	e.mem.add(e, int64(len(b)))
	return b, true, true, nil
}

// verifiedFile returns the verified file's bytes as a body stream for
// sendfile, or nil when there is none (not loaded yet, a variant, or the
// path now names another file: serve the bytes in memory instead).
func (e *entry) verifiedFile(conn net.Conn) io.ReadCloser {
	fp := e.files.Load()
	if fp == nil {
		return nil
	}
	f := fp.get()
	if f == nil {
		if fp.changed.Load() {
			// Changed in place: no description of it will do again;
			// the bytes in memory are the checked ones.
			e.dropPool(fp)
		}
		return nil
	}
	return &pooledFile{f: f, n: e.size, pool: fp, conn: conn}
}

// dropPool closes fp, the verified file's pool, found changed in place,
// unless the entry has moved on to another; and the gzip body compressed
// from it, which the identity responses no longer match.
func (e *entry) dropPool(fp *filePool) {
	if e.files.CompareAndSwap(fp, nil) {
		fp.close()
	}
	if g := e.gz.Load(); g != nil && g.pool == fp {
		e.gz.CompareAndSwap(g, nil)
	}
}

// largeBody returns a large file's body. Its bytes are checked against
// the manifest's hash once per version of the file (its stamp), on first
// use; the checked file's descriptors then serve it (fdpool.go), even once
// the publisher has renamed a newer version over the path, until the
// manifest follows and the entry is replaced, or until the checked file is
// found changed in place, when it is checked again. fresh is false when
// the body is the bytes now at the path and they are not the manifest's:
// the caller sends them without the validators, which describe other
// bytes, with size as their length. A file that does not exist is an
// error wrapping fs.ErrNotExist.
func (e *entry) largeBody(conn net.Conn) (body io.ReadCloser, size int64, fresh bool, err error) {
	if fp := e.files.Load(); fp != nil {
		if b := fp.body(conn, e.size); b != nil {
			return b, e.size, true, nil
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if fp := e.files.Load(); fp != nil {
		if b := fp.body(conn, e.size); b != nil {
			return b, e.size, true, nil
		}
		if fp.changed.Load() {
			e.dropPool(fp)
		}
	}
	f, err := os.Open(e.path())
	if err != nil {
		return nil, 0, false, err
	}
	st, err := statStamp(f)
	if err != nil {
		f.Close()
		return nil, 0, false, err
	}
	if bad := e.mismatch.Load(); bad != nil && bad.matches(st) {
		return f, st.size, false, nil
	}
	ok := st.size == e.size
	if ok {
		h := sha256.New()
		if _, err := io.Copy(h, f); err != nil {
			f.Close()
			return nil, 0, false, err
		}
		ok = publish.ETagOf(h.Sum(nil)) == e.etag
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			f.Close()
			return nil, 0, false, err
		}
		// Written to while it was hashed: the hash names neither version.
		after, err := statStamp(f)
		if err != nil {
			f.Close()
			return nil, 0, false, err
		}
		if !st.matches(after) {
			return f, after.size, false, nil
		}
	}
	if !ok {
		e.mismatch.Store(&st)
		return f, st.size, false, nil
	}
	budget := e.budget
	if budget == nil {
		budget = &fdBudget{max: maxIdleFiles}
	}
	fp := newFilePool(e.path(), st, budget)
	var b io.ReadCloser = &pooledFile{f: f, n: e.size, pool: fp, conn: conn}
	if fp.setAnchor(f) {
		if b = fp.body(conn, e.size); b == nil {
			fp.close()
			return nil, 0, false, fmt.Errorf("%s: no description of the verified file", e.rel)
		}
	} // else no descriptor to spare: the pool reopens the path, checking it is still the file
	e.keep(fp)
	return b, e.size, true, nil
}

// keep sets fp as the entry's pool, unless the entry has left the table
// (loadTable closes the pools of those it drops): then fp closes as its
// descriptions return.
func (e *entry) keep(fp *filePool) {
	// A pool replaced (its file checked again) closes: its descriptions
	// would otherwise stay open, and count in the budget, for good.
	if old := e.files.Swap(fp); old != nil && old != fp {
		old.close()
	}
	if e.retired.Load() {
		fp.close()
	}
}

// gzipped returns the gzip representation, computing it on first use,
// and again once a large file's is stale (gzBody.pool).
func (e *entry) gzipped() (*gzBody, error) {
	if g := e.gz.Load(); g != nil {
		if g.pool == nil || g.pool == e.files.Load() && g.pool.fresh() {
			e.markUsed()
			return g, nil
		}
		e.gz.CompareAndSwap(g, nil)
	}
	// Small enough to keep: load it the one way that also keeps the
	// checked file open for sendfile (a first request for gzip must not
	// leave later full responses copying from memory). Larger: stream a
	// description of the checked file through the hash and the
	// compressor, as identity responses are sent: read whole first, the
	// all-series calendar of 1,000 series took 141 MB for a moment.
	var buf bytes.Buffer
	var pool *filePool
	compress := func(src io.Reader, sum hash.Hash) error {
		buf.Reset()
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		var w io.Writer = zw
		if sum != nil {
			w = io.MultiWriter(zw, sum)
		}
		if _, err := io.Copy(w, src); err != nil {
			return err
		}
		return zw.Close()
	}
	if e.size <= maxMemBody {
		b, _, fresh, err := e.memBody()
		if err != nil {
			return nil, err
		}
		if !fresh {
			return nil, fmt.Errorf("%s changed on disk", e.rel)
		}
		e.mu.Lock()
		defer e.mu.Unlock()
		if g := e.gz.Load(); g != nil {
			return g, nil
		}
		if err := compress(bytes.NewReader(b), nil); err != nil {
			return nil, err
		}
	} else {
		body, _, fresh, err := e.largeBody(nil)
		if err != nil {
			return nil, err
		}
		pool = e.files.Load()
		if !fresh || pool == nil {
			body.Close()
			return nil, fmt.Errorf("%s changed on disk", e.rel)
		}
		e.mu.Lock()
		defer e.mu.Unlock()
		if g := e.gz.Load(); g != nil {
			body.Close()
			return g, nil
		}
		sum := sha256.New()
		err = compress(io.LimitReader(body, e.size+1), sum)
		body.Close()
		if err != nil {
			return nil, err
		}
		// The stamp was checked before the read, not during it.
		if publish.ETagOf(sum.Sum(nil)) != e.etag {
			return nil, fmt.Errorf("%s changed on disk", e.rel)
		}
	}
	g := &gzBody{b: buf.Bytes(), hLen: []string{strconv.Itoa(buf.Len())}, use: int64(buf.Len()) < e.size, pool: pool}
	e.gz.Store(g)
	e.mem.add(e, int64(len(g.b)))
	return g, nil
}
