package server

import (
	"bytes"
	"crypto/sha256"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/internal/publish"
)

const bigPath = "big/calendar.ics"

// replaceFile renames other bytes over the published path, as the
// publisher does, without moving the manifest: what the server sees
// between the publisher's rename and its manifest swap, or for good when
// a file is changed behind the daemon's back.
func replaceFile(t *testing.T, f *fixture, path string, b []byte) {
	t.Helper()
	tmp := filepath.Join(f.dir, ".replace.tmp")
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(f.dir, filepath.FromSlash(path))); err != nil {
		t.Fatal(err)
	}
}

// sameSizeEdit returns b with bytes changed but its length kept, as an
// edit of a title of the same length does.
func sameSizeEdit(b []byte, n int) []byte {
	c := bytes.Clone(b)
	for i := 100; i < len(c); i += 4096 {
		c[i] = byte('a' + n%26)
	}
	return c
}

// checkValidator fails if w carries a strong ETag that is not the hash of
// its body, or, when the ETag is there, a body that is not want.
func checkValidator(t *testing.T, w *httptest.ResponseRecorder, want []byte, wantETag string) {
	t.Helper()
	code, body := w.Code, w.Body.Bytes()
	etag := ""
	if v := w.Header()["Etag"]; len(v) > 0 {
		etag = v[0]
	}
	if code != 200 {
		t.Fatalf("status %d", code)
	}
	if etag == "" {
		if lm := w.Header()["Last-Modified"]; len(lm) > 0 {
			t.Errorf("Last-Modified %q without an ETag: it describes other bytes", lm)
		}
		return
	}
	sum := sha256.Sum256(body)
	if etag != publish.ETagOf(sum[:]) || etag != wantETag || !bytes.Equal(body, want) {
		t.Errorf("ETag %q does not match the %d bytes sent (their hash %s; the manifest's %s)", etag, len(body), publish.ETagOf(sum[:]), wantETag)
	}
}

// A large file (served from disk, not memory) is sent with its ETag only
// when its bytes are the manifest's: never the bytes of a file renamed
// over it under the stale ETag.
func TestLargeFileNeverServedWithStaleETag(t *testing.T) {
	t.Run("replaced before the first request", func(t *testing.T) {
		bothFrontsWith(t, fixtureConfig{large: true}, func(t *testing.T, f *fixture) {
			want, fi := f.file(t, bigPath)
			if len(want) <= maxMemBody {
				t.Fatalf("file of %d bytes is not large", len(want))
			}
			other := sameSizeEdit(want, 1)
			replaceFile(t, f, bigPath, other)
			for range 2 { // the second from the mismatch remembered, not hashed again
				w := f.do(t, "GET", "/"+bigPath)
				checkValidator(t, w, want, fi.ETag)
				if !bytes.Equal(w.Body.Bytes(), other) || w.Header().Get("Etag") != "" {
					t.Errorf("got %d bytes, etag %q; want the bytes on disk without an ETag", w.Body.Len(), w.Header().Get("Etag"))
				}
			}
			// Put back, as a repair would: a new inode, checked afresh.
			replaceFile(t, f, bigPath, want)
			w := f.do(t, "GET", "/"+bigPath)
			if w.Header().Get("Etag") != fi.ETag || !bytes.Equal(w.Body.Bytes(), want) {
				t.Errorf("manifest's bytes back: etag %q, %d bytes", w.Header().Get("Etag"), w.Body.Len())
			}
		})
	})
	t.Run("replaced after it was verified", func(t *testing.T) {
		bothFrontsWith(t, fixtureConfig{large: true}, func(t *testing.T, f *fixture) {
			want, fi := f.file(t, bigPath)
			w := f.do(t, "GET", "/"+bigPath)
			checkValidator(t, w, want, fi.ETag)
			if w.Header().Get("Etag") != fi.ETag {
				t.Fatalf("normal case: etag %q, want %q", w.Header().Get("Etag"), fi.ETag)
			}
			// Many same-size edits renamed over it, with requests
			// between: the reviewer's 12 MB calendar under edits.
			for i := range 20 {
				replaceFile(t, f, bigPath, sameSizeEdit(want, i))
				w := f.do(t, "GET", "/"+bigPath)
				checkValidator(t, w, want, fi.ETag)
			}
			// Deleted after it was verified: its checked bytes are still
			// at hand (an open description keeps the inode).
			if err := os.Remove(filepath.Join(f.dir, bigPath)); err != nil {
				t.Fatal(err)
			}
			w = f.do(t, "GET", "/"+bigPath)
			checkValidator(t, w, want, fi.ETag)
		})
	})
	t.Run("unchanged keeps its validators and 304s", func(t *testing.T) {
		bothFrontsWith(t, fixtureConfig{large: true}, func(t *testing.T, f *fixture) {
			want, fi := f.file(t, bigPath)
			for range 3 {
				w := f.do(t, "GET", "/"+bigPath)
				if w.Code != 200 || w.Header().Get("Etag") != fi.ETag || w.Header().Get("Last-Modified") == "" || !bytes.Equal(w.Body.Bytes(), want) {
					t.Errorf("GET: %d, etag %q, Last-Modified %q, %d bytes", w.Code, w.Header().Get("Etag"), w.Header().Get("Last-Modified"), w.Body.Len())
				}
				if w := f.do(t, "HEAD", "/"+bigPath); w.Code != 200 || w.Header().Get("Etag") != fi.ETag {
					t.Errorf("HEAD: %d, etag %q", w.Code, w.Header().Get("Etag"))
				}
			}
			if w := f.do(t, "GET", "/"+bigPath, "If-None-Match", fi.ETag); w.Code != 304 || w.Header().Get("Etag") != fi.ETag {
				t.Errorf("conditional GET: %d, etag %q; want 304", w.Code, w.Header().Get("Etag"))
			}
		})
	})
}

// With no idle description and the path naming another file, a pool reads
// its anchor: the verified bytes. The anchor outlives the pool's close
// while a body still reads it, then is closed and leaves the budget.
func TestFilePoolAnchor(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	want := bytes.Repeat([]byte("verified "), 1000)
	if err := os.WriteFile(path, want, 0o644); err != nil {
		t.Fatal(err)
	}
	a, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := a.Stat()
	budget := &fdBudget{max: 10}
	p := newFilePool(path, stampOf(fi), budget)
	if !p.setAnchor(a) {
		t.Fatal("no anchor within the budget")
	}
	if err := os.WriteFile(path+".new", bytes.Repeat([]byte("REPLACED "), 1000), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path+".new", path); err != nil {
		t.Fatal(err)
	}
	b1, b2 := p.body(nil, int64(len(want))), p.body(nil, int64(len(want)))
	if _, ok := b1.(*anchorBody); !ok {
		t.Fatalf("body is %T; want the anchor's", b1)
	}
	p.close() // the table dropped the entry while two bodies are in flight
	for _, b := range []io.ReadCloser{b1, b2} {
		got, err := io.ReadAll(b)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("anchor body: %d bytes, %v; want the verified bytes", len(got), err)
		}
		b.Close()
		b.Close() // harmless
	}
	if n := budget.idle.Load(); n != 0 {
		t.Errorf("budget holds %d descriptions after the pool closed", n)
	}
	if _, err := a.Stat(); err == nil {
		t.Errorf("anchor still open after the pool closed and its bodies returned")
	}
	if b := p.body(nil, 1); b != nil {
		t.Errorf("closed pool gave a body")
	}
	// A spent budget gives no anchor.
	full := &fdBudget{max: 0}
	if newFilePool(path, stampOf(fi), full).setAnchor(a) || full.idle.Load() != 0 {
		t.Errorf("anchor beyond the budget")
	}
}

// writeInPlace rewrites the published file through its own inode, as
// `cp other published` or `dd conv=notrunc` do, and dates it apart from
// the checked version: a write within the file system's timestamp
// granularity that keeps the size would otherwise look unchanged.
func writeInPlace(t *testing.T, f *fixture, path string, b []byte, n int) {
	t.Helper()
	p := filepath.Join(f.dir, filepath.FromSlash(path))
	before, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil { // O_TRUNC: the same inode
		t.Fatal(err)
	}
	when := time.Unix(1_000_000_000+int64(n), 0)
	if err := os.Chtimes(p, when, when); err != nil {
		t.Fatal(err)
	}
	if after, err := os.Stat(p); err != nil || !os.SameFile(before, after) {
		t.Fatalf("not written in place: %v", err)
	}
}

// checkFraming fails unless a 200's Content-Length is the length of the
// body sent, and its validators, if any, are the manifest's for want.
func checkFraming(t *testing.T, w *httptest.ResponseRecorder, want []byte, wantETag string) {
	t.Helper()
	if cl := w.Header().Get("Content-Length"); cl != strconv.Itoa(w.Body.Len()) {
		t.Errorf("Content-Length %q, %d bytes sent", cl, w.Body.Len())
	}
	checkValidator(t, w, want, wantETag)
}

// A file changed in place (same inode) after it was checked is found
// before the response's headers are written: a large file is checked
// again and sent as it now is, without validators and with its own
// length; its gzip body, compressed from the old bytes, is dropped. Over
// real TCP, a stale Content-Length shows as a short body (ReadResponse
// fails).
func TestLargeFileChangedInPlace(t *testing.T) {
	bothFrontsWith(t, fixtureConfig{large: true}, func(t *testing.T, f *fixture) {
		want, fi := f.file(t, bigPath)
		gzETag := gzipETag(fi.ETag)
		// Checked, sent from the pool, and compressed.
		for range 2 {
			checkFraming(t, f.do(t, "GET", "/"+bigPath), want, fi.ETag)
		}
		if w := f.do(t, "GET", "/"+bigPath, "Accept-Encoding", "gzip"); w.Header().Get("Etag") != gzETag {
			t.Fatalf("gzip: etag %q", w.Header().Get("Etag"))
		}
		short := want[:len(want)-4096]
		edited := sameSizeEdit(want, 7)
		for i, b := range [][]byte{short, edited} {
			writeInPlace(t, f, bigPath, b, i)
			for range 2 { // the second from the mismatch remembered
				w := f.do(t, "GET", "/"+bigPath)
				checkFraming(t, w, want, fi.ETag)
				if !bytes.Equal(w.Body.Bytes(), b) || w.Header().Get("Etag") != "" {
					t.Errorf("edit %d: %d bytes, etag %q; want the %d bytes on disk without validators", i, w.Body.Len(), w.Header().Get("Etag"), len(b))
				}
				g := f.do(t, "GET", "/"+bigPath, "Accept-Encoding", "gzip")
				checkFraming(t, g, want, fi.ETag)
				if g.Header().Get("Content-Encoding") != "" || !bytes.Equal(g.Body.Bytes(), b) {
					t.Errorf("edit %d, gzip: encoding %q, etag %q, %d bytes; want the bytes on disk, as identity", i, g.Header().Get("Content-Encoding"), g.Header().Get("Etag"), g.Body.Len())
				}
				if h := f.do(t, "HEAD", "/"+bigPath); f.addr != "" && h.Header().Get("Content-Length") != strconv.Itoa(len(b)) || h.Header().Get("Etag") != "" {
					t.Errorf("edit %d, HEAD: Content-Length %q, etag %q", i, h.Header().Get("Content-Length"), h.Header().Get("Etag"))
				}
			}
		}
		// The checked bytes written back in place: checked again, served
		// with their validators, gzip too.
		writeInPlace(t, f, bigPath, want, 9)
		w := f.do(t, "GET", "/"+bigPath)
		checkFraming(t, w, want, fi.ETag)
		if w.Header().Get("Etag") != fi.ETag {
			t.Errorf("written back: etag %q, want %q", w.Header().Get("Etag"), fi.ETag)
		}
		if g := f.do(t, "GET", "/"+bigPath, "Accept-Encoding", "gzip"); g.Header().Get("Etag") != gzETag {
			t.Errorf("written back, gzip: etag %q", g.Header().Get("Etag"))
		}
	})
}

// A file kept in memory (up to maxMemBody) and sent from a description of
// the checked file is sent from memory once that file changes in place:
// the checked bytes, with their validators and length.
func TestMidSizeFileChangedInPlace(t *testing.T) {
	f, _ := midFixture(t)
	const path = "mid/calendar.ics"
	want, fi := f.file(t, path)
	for range 2 { // from memory, then from the verified file
		checkFraming(t, f.do(t, "GET", "/"+path), want, fi.ETag)
	}
	if f.srv.current().files[path].files.Load() == nil {
		t.Fatal("no verified file kept for sendfile")
	}
	for i, b := range [][]byte{want[:len(want)/2], bytes.ToUpper(want)} {
		writeInPlace(t, f, path, b, i)
		for range 2 {
			w := f.do(t, "GET", "/"+path)
			checkFraming(t, w, want, fi.ETag)
			if w.Header().Get("Etag") != fi.ETag || !bytes.Equal(w.Body.Bytes(), want) {
				t.Errorf("edit %d: %d bytes, etag %q; want the checked bytes from memory", i, w.Body.Len(), w.Header().Get("Etag"))
			}
		}
	}
	if n := f.srv.fds.idle.Load(); n != 0 {
		t.Errorf("%d descriptions of the changed file still held", n)
	}
}
