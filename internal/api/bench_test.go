package api

import (
	"fmt"
	"testing"
)

// BenchmarkGetSession measures one authenticated GET of a session through
// the handler (auth, routing, store read, JSON).
func BenchmarkGetSession(b *testing.B) {
	ta := newTestAPI(b)
	uid := ta.seed(b)
	q := req{method: "GET", path: "/api/v1/sessions/" + uid, token: readToken}
	for b.Loop() {
		if w := ta.do(b, q); w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
}

// BenchmarkPatchSession measures one PATCH that changes the session (a
// write transaction, the revision bump and the response).
func BenchmarkPatchSession(b *testing.B) {
	ta := newTestAPI(b)
	uid := ta.seed(b)
	i := 0
	for b.Loop() {
		i++
		w := ta.do(b, req{method: "PATCH", path: "/api/v1/sessions/" + uid, token: writeToken, body: fmt.Sprintf(`{"venue": "Hall %d"}`, i)})
		if w.Code != 200 {
			b.Fatal(w.Code, w.Body)
		}
	}
}
