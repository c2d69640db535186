package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/config"
	"github.com/agendafeed/agendafeed/feeds"
	"github.com/agendafeed/agendafeed/internal/importer"
	"github.com/agendafeed/agendafeed/internal/store"
)

const (
	writeToken = "af_test_write_token"
	readToken  = "af_test_read_token"
	baseURL    = "https://agenda.example.org/"
)

type testAPI struct {
	h        http.Handler
	db       *store.DB
	path     string // the database file
	triggers *atomic.Int64
}

func testTokens() []config.Token {
	return []config.Token{
		{Name: "viewer", SHA256: config.HashToken(readToken), Access: config.AccessRead},
		{Name: "ci", SHA256: config.HashToken(writeToken), Access: config.AccessWrite},
	}
}

func newTestAPI(t testing.TB) *testAPI {
	t.Helper()
	path := filepath.Join(t.TempDir(), "agenda.db")
	db, err := store.Open(context.Background(), path,
		store.Options{UIDDomain: "test.example", Now: func() time.Time { return time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC) }, Create: true})
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	var n atomic.Int64
	h, err := New(Options{Store: db, Tokens: testTokens(), Layout: feeds.NewLayout(baseURL),
		Trigger: func() { n.Add(1) },
		Import:  importer.Options{DefaultZone: "Europe/Madrid", DefaultLanguage: "en", DefaultReminders: []time.Duration{15 * time.Minute}}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return &testAPI{h: h, db: db, path: path, triggers: &n}
}

// req describes one request.
type req struct {
	method, path, token, body string
	header                    map[string]string
}

func (ta *testAPI) do(t testing.TB, q req) *httptest.ResponseRecorder {
	t.Helper()
	var body *strings.Reader
	if q.body != "" {
		body = strings.NewReader(q.body)
	} else {
		body = strings.NewReader("")
	}
	r := httptest.NewRequest(q.method, q.path, body)
	if q.token != "" {
		r.Header.Set("Authorization", "Bearer "+q.token)
	}
	if q.body != "" {
		switch q.method {
		case http.MethodPatch:
			r.Header.Set("Content-Type", "application/merge-patch+json")
		default:
			r.Header.Set("Content-Type", "application/json")
		}
	}
	for k, v := range q.header {
		if v == "" {
			r.Header.Del(k)
		} else {
			r.Header.Set(k, v)
		}
	}
	w := httptest.NewRecorder()
	ta.h.ServeHTTP(w, r)
	return w
}

// must does a request and fails unless it answers want; it returns the
// decoded JSON body.
func (ta *testAPI) must(t testing.TB, want int, q req) map[string]any {
	t.Helper()
	if q.token == "" {
		q.token = writeToken
	}
	w := ta.do(t, q)
	if w.Code != want {
		t.Fatalf("%s %s: status %d, want %d; body:\n%s", q.method, q.path, w.Code, want, w.Body.String())
	}
	if w.Body.Len() == 0 {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
		t.Fatalf("%s %s: body is not JSON: %v\n%s", q.method, q.path, err, w.Body.String())
	}
	return m
}

func (ta *testAPI) counter(t *testing.T) int64 {
	t.Helper()
	n, err := ta.db.ChangeCounter(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

const seriesBody = `{"slug": "debates", "title": "Open Policy Debates", "zone": "Europe/Madrid", "language": "en",
	"reminders": ["15m", "1d"], "organizer": {"name": "UCLG", "email": "events@example.org"}}`

const sessionBody = `{"series": "debates", "key": "smart-cities", "title": "Smart Cities",
	"start": "2021-11-17T12:00", "end": "2021-11-17T13:30", "venue": "Hall 1", "tags": ["Cities", "smart"],
	"people": [{"name": "Ada Colau", "role": "speaker", "affiliation": "Mayor of Barcelona"}]}`

// seed creates the series and one session and returns the session's UID.
func (ta *testAPI) seed(t testing.TB) string {
	t.Helper()
	ta.must(t, http.StatusCreated, req{method: "POST", path: "/api/v1/series", body: seriesBody})
	m := ta.must(t, http.StatusCreated, req{method: "POST", path: "/api/v1/sessions", body: sessionBody})
	return obj(t, m, "session")["uid"].(string)
}

func obj(t testing.TB, m map[string]any, key string) map[string]any {
	t.Helper()
	o, ok := m[key].(map[string]any)
	if !ok {
		t.Fatalf("response has no object %q: %v", key, m)
	}
	return o
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// etagOf is the ETag a GET of path answers with.
func etagOf(t testing.TB, ta *testAPI, path string) string {
	t.Helper()
	w := ta.do(t, req{method: "GET", path: path, token: readToken})
	if w.Code != http.StatusOK || w.Header().Get("ETag") == "" {
		t.Fatalf("GET %s: status %d, ETag %q", path, w.Code, w.Header().Get("ETag"))
	}
	return w.Header().Get("ETag")
}
