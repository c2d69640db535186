package server

import (
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/agendafeed/agendafeed/internal/publish"
)

// Why a published file can be missing: someone deleted the output
// directory, or a file in it, while the daemon runs (a cleanup job, an
// operator). Passes do not notice, since they compare what they render
// with the manifest, not with the disk. So the server answers such a file
// 503 with Retry-After, rather than a 500 that looks permanent, says so in
// /healthz, and asks for a repair (Options.OnMissing) once per file per
// manifest version: a burst of requests, or a crawler walking a deleted
// directory, must not flood the log nor ask for a pass per request.

// missingRetryAfter is the Retry-After of a missing file's 503, in
// seconds: a repair pass is debounced, then renders every series.
const missingRetryAfter = "10"

var hRetryAfter = []string{missingRetryAfter}

// missingFiles is the published files found missing on disk.
type missingFiles struct {
	mu    sync.Mutex
	paths map[string]int64 // published path -> manifest version it was found missing under
	n     atomic.Int64     // len(paths), read without the lock on every request
}

// note records path as missing under manifest version v, and reports
// whether that is news: the first time under v.
func (m *missingFiles) note(path string, v int64) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if seen, ok := m.paths[path]; ok && seen == v {
		return false
	}
	if m.paths == nil {
		m.paths = map[string]int64{}
	}
	m.paths[path] = v
	m.n.Store(int64(len(m.paths)))
	return true
}

// found clears path: it was served again.
func (m *missingFiles) found(path string) {
	if m.n.Load() == 0 || path == "" { // "": a variant, in memory only
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.paths, path)
	m.n.Store(int64(len(m.paths)))
}

// recheck drops the paths that t no longer lists or that exist again
// (repaired, whether or not a request has seen it since), and returns how
// many are left.
func (m *missingFiles) recheck(t *table) int {
	if m.n.Load() == 0 {
		return 0
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for p := range m.paths {
		e, listed := t.files[p]
		if !listed {
			delete(m.paths, p)
			continue
		}
		if _, err := os.Stat(e.path()); !errors.Is(err, fs.ErrNotExist) {
			delete(m.paths, p)
		}
	}
	m.n.Store(int64(len(m.paths)))
	return len(m.paths)
}

// fileMissing answers a request for entry e, whose file is not on disk:
// 503 with Retry-After, no validators and nothing a cache may keep. The
// first time per manifest version it logs, counts and asks for a repair.
func (s *Server) fileMissing(o resp, reqPath string, e *entry, err error) (int, int64) {
	v := s.table.Load().version
	if s.missing.note(e.rel, v) {
		s.metrics.missingFile(s.missing.n.Load())
		s.log.Warn("published file missing on disk; repair requested", "path", e.rel, "manifest_version", v, "err", err)
		if s.onMissing != nil {
			s.onMissing(e.rel)
		}
	}
	o.drop("Etag")
	o.drop("Last-Modified")
	o.header("Cache-Control", hNoStore)
	o.header("Retry-After", hRetryAfter)
	o.header("Content-Type", hText)
	msg := reqPath + " is missing on disk; a repair has been requested: retry in " + missingRetryAfter + " seconds\n"
	o.header("Content-Length", []string{strconv.Itoa(len(msg))})
	return http.StatusServiceUnavailable, o.send(http.StatusServiceUnavailable, []byte(msg))
}

// missingHealth is /healthz's word on the published files: "" when the
// output directory and the manifest are there and no published file is
// known to be missing.
func (s *Server) missingHealth() string {
	t := s.current()
	if msg := s.outputHealth(t); msg != "" {
		return msg
	}
	n := s.missing.recheck(t)
	s.metrics.missingNow(int64(n))
	if n == 0 {
		return ""
	}
	msg := "published files missing: " + strconv.Itoa(n)
	if s.onMissing != nil {
		msg += ", repair requested"
	}
	return msg
}

// outputHealth checks, with one stat each, that the output directory and
// the manifest are on disk, and asks for a repair the first time per
// manifest version that one is not: behind nginx no request reaches the
// server to find a file missing, and a deleted directory takes every file
// with it. Each file is not looked at: at 100,000 files a probe would
// stat them all.
func (s *Server) outputHealth(t *table) string {
	if t.version == 0 {
		return "" // nothing published yet: nothing to be missing
	}
	var what, msg string
	if fi, err := os.Stat(s.dir); err != nil || !fi.IsDir() {
		what, msg = ".", "output directory missing"
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			msg = "output directory unreadable"
		}
	} else if _, err := os.Stat(filepath.Join(s.dir, publish.ManifestName)); err != nil {
		what, msg = publish.ManifestName, "manifest "+publish.ManifestName+" missing"
		if !errors.Is(err, fs.ErrNotExist) {
			msg = "manifest " + publish.ManifestName + " unreadable"
		}
	}
	if what == "" {
		return ""
	}
	if s.onMissing == nil {
		return msg
	}
	if s.outputReported.Swap(t.version) != t.version {
		s.log.Warn(msg+"; repair requested", "dir", s.dir, "manifest_version", t.version)
		s.onMissing(what)
	}
	return msg + ", repair requested"
}
