package server

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/agendafeed/agendafeed/internal/publish"
	"github.com/agendafeed/agendafeed/internal/publish/publishtest"
)

// midFixture publishes a calendar between the write buffer and maxMemBody
// (kept in memory, sent from its file) and serves it on a loopback port.
func midFixture(t *testing.T) (f *fixture, src *publishtest.Source) {
	t.Helper()
	f = &fixture{dir: t.TempDir(), logs: &syncBuffer{}}
	src = publishtest.NewSource(publishtest.MakeSnapshot("mid", 1, 20))
	pub, err := publish.New(publish.Options{Dir: f.dir, Source: src, Renderer: &publishtest.Renderer{PerSession: 5 << 10}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pub.Pass(context.Background(), false); err != nil {
		t.Fatal(err)
	}
	f.pub, f.src = pub, src
	if f.srv, err = New(Options{Dir: f.dir, Files: pub}); err != nil {
		t.Fatal(err)
	}
	f.listen(t)
	if fi := pub.Manifest().Files["mid/calendar.ics"]; fi.Size < writeBuffer || fi.Size > maxMemBody {
		t.Fatalf("calendar of %d bytes is not between %d and %d", fi.Size, writeBuffer, maxMemBody)
	}
	return f, src
}

// deletedOpen counts this process's descriptors open on deleted files
// under dir (Linux: /proc/self/fd).
func deletedOpen(t *testing.T, dir string) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc/self/fd: %v", err)
	}
	n := 0
	for _, e := range ents {
		l, err := os.Readlink(filepath.Join("/proc/self/fd", e.Name()))
		if err == nil && strings.HasPrefix(l, dir) && strings.HasSuffix(l, " (deleted)") {
			n++
		}
	}
	return n
}

func TestListenerSendsMidSizeFilesFromVerifiedFile(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("checks descriptors through /proc/self/fd")
	}
	f, src := midFixture(t)
	path := filepath.Join(f.dir, "mid", "calendar.ics")
	want, _ := os.ReadFile(path)
	etag := f.pub.Manifest().Files["mid/calendar.ics"].ETag

	// One keep-alive connection: full bodies (the first from memory, the
	// rest from pooled descriptions, rewound each time), HEAD, 304 and
	// gzip in between must keep the framing right.
	client := &http.Client{Transport: &http.Transport{DisableCompression: true, MaxConnsPerHost: 1}}
	url := "http://" + f.addr + "/mid/calendar.ics"
	get := func(method string, hdr ...string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest(method, url, nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		return resp, b
	}
	// gzip first: loading the body for it must also keep the file open.
	if resp, _ := get("GET", "Accept-Encoding", "gzip"); resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("gzip: %v", resp.Header)
	}
	for i := range 6 {
		resp, b := get("GET")
		if e := f.srv.current().files["mid/calendar.ics"]; e.files.Load() == nil {
			t.Fatalf("GET %d: no open file kept for sendfile", i)
		}
		if resp.StatusCode != 200 || !bytes.Equal(b, want) || resp.Header.Get("Etag") != etag {
			t.Fatalf("GET %d: %d, %d bytes (want %d), etag %q", i, resp.StatusCode, len(b), len(want), resp.Header.Get("Etag"))
		}
		switch i % 3 {
		case 0:
			if resp, b := get("HEAD"); resp.StatusCode != 200 || len(b) != 0 || resp.ContentLength != int64(len(want)) {
				t.Fatalf("HEAD: %d, body %d, length %d", resp.StatusCode, len(b), resp.ContentLength)
			}
		case 1:
			if resp, b := get("GET", "If-None-Match", etag); resp.StatusCode != 304 || len(b) != 0 {
				t.Fatalf("304: %d, body %d", resp.StatusCode, len(b))
			}
		case 2:
			if resp, _ := get("GET", "Accept-Encoding", "gzip"); resp.Header.Get("Content-Encoding") != "gzip" {
				t.Fatalf("gzip: %v", resp.Header)
			}
		}
	}

	// The publisher renames a new version over the path and has not
	// swapped the manifest yet: the bytes served must still be the ones
	// the ETag names, not the new ones under the old ETag.
	newer := bytes.ToUpper(want)
	tmp := path + ".next"
	if err := os.WriteFile(tmp, newer, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	bodies := make(chan []byte, 8)
	for range cap(bodies) { // concurrently: past the pool's idle descriptions too
		go func() {
			c := &http.Client{Transport: &http.Transport{DisableCompression: true}}
			resp, err := c.Get(url)
			if err != nil {
				bodies <- nil
				return
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			bodies <- b
		}()
	}
	for range cap(bodies) {
		if b := <-bodies; !bytes.Equal(b, want) {
			t.Fatalf("after rename, before the manifest moved: served %d bytes that are not the verified ones", len(b))
		}
	}

	// The manifest moves: the new bytes, and the old file's descriptions
	// are closed (they would otherwise hold the deleted file).
	src.Put(publishtest.MakeSnapshot("mid", 2, 21))
	if _, err := f.pub.Pass(context.Background(), false); err != nil {
		t.Fatal(err)
	}
	now, _ := os.ReadFile(path)
	resp, b := get("GET")
	if !bytes.Equal(b, now) || resp.Header.Get("Etag") != f.pub.Manifest().Files["mid/calendar.ics"].ETag {
		t.Fatalf("after the pass: %d bytes, etag %q", len(b), resp.Header.Get("Etag"))
	}
	client.CloseIdleConnections()
	if n := deletedOpen(t, f.dir); n != 0 {
		t.Errorf("%d descriptors still open on replaced files", n)
	}
}

func TestListenerRejectsOversizedAndMalformedRequests(t *testing.T) {
	f := newFixture(t, false)
	f.srv.maxRequestBody = 1000
	f.listen(t)
	raw := func(req string) (int, string, http.Header) {
		t.Helper()
		c, err := net.Dial("tcp", f.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		io.WriteString(c, req)
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("%.40q: %v", req, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, string(b), resp.Header
	}
	for _, tc := range []struct {
		name, req string
		code      int
		msg       string
		json      bool // under /api/v1/: the API's JSON error
	}{
		{"header over the limit", "GET /madrid/calendar.ics HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("a", maxHeaderBytes) + "\r\n\r\n",
			431, "request header is over the limit of 16384 bytes", false},
		{"body over the limit", "POST /api/v1/import HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" + strings.Repeat("a", 5000),
			413, "request body is over the limit of 1000 bytes", true},
		{"body over the limit, not for the API", "POST /madrid/calendar.ics HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" + strings.Repeat("a", 5000),
			413, "request body is over the limit of 1000 bytes", false},
		{"not HTTP", "HELLO\r\n\r\n", 400, "malformed HTTP request", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body, h := raw(tc.req)
			if tc.json {
				body = apiErrorMessage(t, h.Get("Content-Type"), []byte(body))
			} else if h.Get("Content-Type") != hText[0] {
				t.Errorf("Content-Type %q, want %q", h.Get("Content-Type"), hText[0])
			}
			if code != tc.code || !strings.Contains(body, tc.msg) {
				t.Errorf("got %d %q, want %d with %q", code, body, tc.code, tc.msg)
			}
		})
	}
	// A body within the limit reaches the handler.
	if code, body, _ := raw("POST /api/v1/series HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc"); code != http.StatusTeapot || body != "api /api/v1/series" {
		t.Errorf("small body: %d %q", code, body)
	}
}

func TestDetachCopiesEveryString(t *testing.T) {
	// A request whose strings view one buffer, as fasthttpadaptor's do.
	buf := []byte("POST/api/v1/series?x=1HTTP/1.1agendafeed.testX-KeyvalueIf-Match\"s-3\"")
	at := func(i, j int) string { return b2s(buf[i:j]) }
	r := httptest.NewRequest("GET", "/", nil)
	r.Method, r.RequestURI, r.Proto, r.Host = at(0, 4), at(4, 22), at(22, 30), at(30, 45)
	r.Header = http.Header{at(45, 50): {at(50, 55)}, at(55, 63): {at(63, 68)}}
	d := detach(r, context.Background())
	for i := range buf {
		buf[i] = '#'
	}
	if d.Method != "POST" || d.RequestURI != "/api/v1/series?x=1" || d.URL.Path != "/api/v1/series" || d.URL.RawQuery != "x=1" ||
		d.Proto != "HTTP/1.1" || d.Host != "agendafeed.test" || d.Header["X-Key"][0] != "value" || d.Header["If-Match"][0] != `"s-3"` {
		t.Errorf("detached request changed with the buffer: %q %q %q %q %v", d.Method, d.RequestURI, d.Proto, d.Host, d.Header)
	}
}
