package api

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"slices"
	"testing"
)

// TestNotModifiedRepeatsHeaders: a 304 carries the Cache-Control, ETag and
// the other fields of RFC 9110 section 15.4.5 that the 200 for the same
// request carries, for one resource, a list and the OpenAPI document.
// (Date is the server's to add; httptest's recorder sends none.)
func TestNotModifiedRepeatsHeaders(t *testing.T) {
	ta := newTestAPI(t)
	ta.seed(t)
	for _, tc := range []struct{ name, path, token string }{
		{"resource", "/api/v1/series/debates", readToken},
		{"list", "/api/v1/series/debates/sessions", readToken},
		{"openapi.json", "/api/v1/openapi.json", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ok := ta.do(t, req{method: "GET", path: tc.path, token: tc.token})
			if ok.Code != http.StatusOK || ok.Header().Get("ETag") == "" {
				t.Fatalf("GET %s: %d, ETag %q; want 200 with an ETag", tc.path, ok.Code, ok.Header().Get("ETag"))
			}
			nm := ta.do(t, req{method: "GET", path: tc.path, token: tc.token, header: map[string]string{"If-None-Match": ok.Header().Get("ETag")}})
			if nm.Code != http.StatusNotModified || nm.Body.Len() != 0 {
				t.Fatalf("GET %s with If-None-Match: %d %q; want 304 with no body", tc.path, nm.Code, nm.Body)
			}
			if ok.Header().Get("Cache-Control") == "" {
				t.Errorf("GET %s: 200 without Cache-Control", tc.path)
			}
			for _, f := range []string{"Cache-Control", "Content-Location", "ETag", "Expires", "Vary"} {
				if got, want := nm.Header().Values(f), ok.Header().Values(f); !slices.Equal(got, want) {
					t.Errorf("GET %s: 304 %s = %q; want %q, as the 200", tc.path, f, got, want)
				}
			}
		})
	}
}

// TestOpenAPIDocumentETag: the OpenAPI document has a strong ETag, the
// sha256 of its bytes, and answers If-None-Match with 304; another ETag
// gets the document.
func TestOpenAPIDocumentETag(t *testing.T) {
	ta := newTestAPI(t)
	w := ta.do(t, req{method: "GET", path: "/api/v1/openapi.json"})
	sum := sha256.Sum256(w.Body.Bytes())
	if want := `"o-` + hex.EncodeToString(sum[:]) + `"`; w.Code != http.StatusOK || w.Header().Get("ETag") != want {
		t.Fatalf("GET openapi.json: %d, ETag %q; want 200, %s", w.Code, w.Header().Get("ETag"), want)
	}
	if cc := w.Header().Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("Cache-Control = %q, want no-cache: the document may be kept, and revalidated", cc)
	}
	etag := w.Header().Get("ETag")
	for _, tc := range []struct {
		inm  string
		want int
	}{{etag, http.StatusNotModified}, {"W/" + etag, http.StatusNotModified}, {`"x", ` + etag, http.StatusNotModified}, {"*", http.StatusNotModified},
		{`"o-0"`, http.StatusOK}} {
		got := ta.do(t, req{method: "GET", path: "/api/v1/openapi.json", header: map[string]string{"If-None-Match": tc.inm}})
		if got.Code != tc.want || (tc.want == http.StatusNotModified && (got.Body.Len() != 0 || got.Header().Get("ETag") != etag)) {
			t.Errorf("If-None-Match %s: %d, ETag %q, %d bytes; want %d", tc.inm, got.Code, got.Header().Get("ETag"), got.Body.Len(), tc.want)
		}
	}
}
