package api

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"testing"
)

// TestListETag: every list answers with a strong ETag that is the hash of
// the body it sends, 304 with no body when If-None-Match names it, and a
// new ETag once the page it covers changes; pages of one list have ETags
// of their own.
func TestListETag(t *testing.T) {
	ta := newTestAPI(t)
	ta.seed(t)
	ta.must(t, http.StatusCreated, req{method: "POST", path: "/api/v1/series/debates/posts",
		body: `{"id": "welcome", "title": "Welcome", "published": "2021-11-01"}`})

	for _, tc := range []struct {
		name, path, write string // write: a PATCH path that changes what the list shows
		patch             string
	}{
		{"series", "/api/v1/series", "/api/v1/series/debates", `{"description": "New."}`},
		{"sessions", "/api/v1/sessions?series=debates", "/api/v1/series/debates/sessions/smart-cities", `{"venue": "Hall 7"}`},
		{"series sessions", "/api/v1/series/debates/sessions", "/api/v1/series/debates/sessions/smart-cities", `{"venue": "Hall 8"}`},
		{"posts", "/api/v1/series/debates/posts", "/api/v1/series/debates/posts/welcome", `{"summary": "Short."}`},
		{"people", "/api/v1/people", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := ta.do(t, req{method: "GET", path: tc.path, token: readToken})
			if w.Code != http.StatusOK {
				t.Fatalf("GET %s = %d %s", tc.path, w.Code, w.Body)
			}
			etag := w.Header().Get("ETag")
			sum := sha256.Sum256(w.Body.Bytes())
			if want := `"l-` + hex.EncodeToString(sum[:8]) + `"`; etag != want {
				t.Fatalf("ETag = %q, want %q (the hash of the body sent)", etag, want)
			}
			for _, inm := range []string{etag, "W/" + etag, `"x", ` + etag} {
				nm := ta.do(t, req{method: "GET", path: tc.path, token: readToken, header: map[string]string{"If-None-Match": inm}})
				if nm.Code != http.StatusNotModified || nm.Body.Len() != 0 || nm.Header().Get("ETag") != etag {
					t.Errorf("If-None-Match %s: %d, ETag %q, body %q; want 304, %s, no body", inm, nm.Code, nm.Header().Get("ETag"), nm.Body, etag)
				}
			}
			if other := ta.do(t, req{method: "GET", path: tc.path, token: readToken, header: map[string]string{"If-None-Match": `"l-0"`}}); other.Code != http.StatusOK {
				t.Errorf("If-None-Match of another ETag: %d, want 200", other.Code)
			}
			if tc.write == "" {
				ta.must(t, http.StatusCreated, req{method: "POST", path: "/api/v1/people", body: `{"name": "Zoe Zed"}`})
			} else {
				ta.must(t, http.StatusOK, req{method: "PATCH", path: tc.write, body: tc.patch})
			}
			if again := ta.do(t, req{method: "GET", path: tc.path, token: readToken, header: map[string]string{"If-None-Match": etag}}); again.Code != http.StatusOK || again.Header().Get("ETag") == etag {
				t.Errorf("after a change: %d, ETag %q; want 200 and a new ETag", again.Code, again.Header().Get("ETag"))
			}
		})
	}

	// Each page is its own representation: the ETag of the first page
	// does not answer for the second.
	ta.must(t, http.StatusCreated, req{method: "POST", path: "/api/v1/series", body: `{"slug": "zeta", "title": "Zeta"}`})
	p1 := ta.do(t, req{method: "GET", path: "/api/v1/series?limit=1", token: readToken})
	p2 := ta.do(t, req{method: "GET", path: "/api/v1/series?limit=1&offset=1", token: readToken, header: map[string]string{"If-None-Match": p1.Header().Get("ETag")}})
	if p2.Code != http.StatusOK || p2.Header().Get("ETag") == p1.Header().Get("ETag") {
		t.Errorf("page 2 with page 1's ETag: %d, ETag %q (page 1: %q); want 200 and another ETag", p2.Code, p2.Header().Get("ETag"), p1.Header().Get("ETag"))
	}
}
