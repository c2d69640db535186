package api

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/agendafeed/agendafeed/internal/jsontext"
)

// TestDeepBodies: a body nested far deeper than any resource is refused by
// every endpoint that reads JSON, with a 400 naming the limit, and cheaply:
// before any walk or decoding that costs per level. A check that came
// after one of them would allocate at least once per level.
func TestDeepBodies(t *testing.T) {
	ta := newTestAPI(t)
	uid := ta.seed(t)
	ta.must(t, 201, req{method: "POST", path: "/api/v1/series/debates/posts", body: `{"id": "welcome", "title": "Welcome", "published": "2021-11-01"}`})
	m := ta.must(t, 201, req{method: "POST", path: "/api/v1/people", body: `{"name": "Emilia Saiz"}`})
	person := "/api/v1/people/" + fmt.Sprint(obj(t, m, "person")["id"])

	const depth = 4000
	deep := func(key string) string {
		return `{"` + key + `": ` + strings.Repeat("[", depth) + strings.Repeat("]", depth) + `}`
	}
	var cases []req
	for _, rt := range routes {
		if rt.method != http.MethodPost && rt.method != http.MethodPut && rt.method != http.MethodPatch || strings.HasSuffix(rt.path, "/cancel") {
			continue
		}
		path := strings.NewReplacer("{slug}", "debates", "{key}", "smart-cities", "{id}", "welcome").Replace(rt.path)
		switch {
		case strings.HasPrefix(rt.path, Prefix+"/people/"):
			path = person
		case strings.Contains(rt.path, "{uid}"):
			path = strings.Replace(rt.path, "{uid}", uid, 1)
		}
		cases = append(cases, req{method: rt.method, path: path, body: deep("tags")})
		if rt.path != Prefix+"/import" {
			// In the envelope too: it is unwrapped by a decoding of its own.
			cases = append(cases, req{method: rt.method, path: path, body: `{"x": ` + deep("tags") + `}`})
		}
	}
	if len(cases) < 20 {
		t.Fatalf("only %d cases: the route table changed?", len(cases))
	}
	before := ta.counter(t)
	for _, q := range cases {
		t.Run(q.method+" "+q.path, func(t *testing.T) {
			q.token = writeToken
			var w *httptest.ResponseRecorder
			allocs := testing.AllocsPerRun(3, func() { w = ta.do(t, q) })
			// An import answers as for any file it refuses: 422, naming the
			// line.
			want := http.StatusBadRequest
			if q.path == Prefix+"/import" {
				want = http.StatusUnprocessableEntity
			}
			if w.Code != want || !strings.Contains(w.Body.String(), "nested more than 32 levels deep") {
				t.Fatalf("status %d, body %s; want %d naming the depth limit", w.Code, w.Body.String(), want)
			}
			if allocs > depth/4 {
				t.Errorf("%v allocations for %d levels: the depth is checked after a walk that costs per level", allocs, depth)
			}
		})
	}
	if ta.counter(t) != before {
		t.Error("a refused body changed the store")
	}
}

// TestDeepBodyMessage: the answer is the malformed-JSON one, at the byte
// where the limit is crossed; one level less is not refused for its depth.
func TestDeepBodyMessage(t *testing.T) {
	ta := newTestAPI(t)
	ta.seed(t)
	nest := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	m := ta.must(t, 400, req{method: "PATCH", path: "/api/v1/series/debates/sessions/smart-cities", body: `{"tags": ` + nest(jsontext.MaxDepth) + `}`})
	if want := "malformed JSON: nested more than 32 levels deep at byte 41"; m["error"] != want {
		t.Errorf("error = %q, want %q", m["error"], want)
	}
	m = ta.must(t, 400, req{method: "PATCH", path: "/api/v1/series/debates/sessions/smart-cities", body: `{"tags": ` + nest(jsontext.MaxDepth-1) + `}`})
	if e, _ := m["error"].(string); strings.Contains(e, "deep") {
		t.Errorf("%d levels refused for depth: %s", jsontext.MaxDepth, e)
	}
}
