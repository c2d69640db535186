package api

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/agendafeed/agendafeed/feeds"
)

func TestAuthMatrix(t *testing.T) {
	ta := newTestAPI(t)
	uid := ta.seed(t)
	// A post whose id is also the person's, so {id} names both.
	ta.must(t, 201, req{method: "POST", path: "/api/v1/series/debates/posts", body: `{"id": "1", "title": "One", "published": "2021-11-01"}`})
	wwwAuth := `Bearer realm="agendafeed"`
	for _, c := range []struct {
		name   string
		header string
		want   int
		msg    string
	}{
		{"no token", "", 401, "missing Authorization header; send 'Authorization: Bearer <token>'"},
		{"bad token", "Bearer nope", 401, "unknown token"},
		{"token of another case", "Bearer " + strings.ToUpper(writeToken), 401, "unknown token"},
		{"basic auth", "Basic " + writeToken, 401, "expected 'Authorization: Bearer <token>'"},
		{"empty bearer", "Bearer ", 401, "expected 'Authorization: Bearer <token>'"},
		{"read token", "Bearer " + readToken, 200, ""},
		{"write token", "Bearer " + writeToken, 200, ""},
		{"lower-case scheme", "bearer " + readToken, 200, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := ta.do(t, req{method: "GET", path: "/api/v1/sessions/" + uid, header: map[string]string{"Authorization": c.header}})
			if w.Code != c.want {
				t.Fatalf("status %d, want %d: %s", w.Code, c.want, w.Body)
			}
			if c.want == 401 {
				if got := w.Header().Get("WWW-Authenticate"); got != wwwAuth {
					t.Errorf("WWW-Authenticate = %q, want %q", got, wwwAuth)
				}
				var b errorBody
				json.Unmarshal(w.Body.Bytes(), &b)
				if b.Error != c.msg {
					t.Errorf("error = %q, want %q", b.Error, c.msg)
				}
			}
		})
	}

	// Every write route refuses a read token with 403, before it reads
	// the body or changes anything; every read route serves it.
	before := ta.counter(t)
	values := strings.NewReplacer("{slug}", "debates", "{uid}", uid, "{key}", "smart-cities", "{id}", "1")
	for _, rt := range routes {
		path := values.Replace(rt.path)
		w := ta.do(t, req{method: rt.method, path: path, token: readToken, body: `{"title": "x"}`})
		switch rt.access {
		case writeAccess:
			want := `token "viewer" has read access; ` + rt.method + " " + rt.path + " needs a write token"
			var b errorBody
			json.Unmarshal(w.Body.Bytes(), &b)
			if w.Code != http.StatusForbidden || b.Error != want {
				t.Errorf("%s %s with a read token: %d %q, want 403 %q", rt.method, path, w.Code, b.Error, want)
			}
		default:
			if w.Code != http.StatusOK {
				t.Errorf("%s %s with a read token: %d, want 200: %s", rt.method, path, w.Code, w.Body)
			}
		}
		// Without a token: 401, except the public description.
		w = ta.do(t, req{method: rt.method, path: path})
		if want := map[bool]int{true: 200, false: 401}[rt.access == public]; w.Code != want {
			t.Errorf("%s %s without a token: %d, want %d", rt.method, path, w.Code, want)
		}
	}
	if after := ta.counter(t); after != before {
		t.Errorf("change counter moved from %d to %d on refused requests", before, after)
	}

	// Unknown endpoints: 401 without a token, 404 or 405 with one.
	if w := ta.do(t, req{method: "GET", path: "/api/v1/nothing"}); w.Code != 401 {
		t.Errorf("unknown path without token: %d", w.Code)
	}
	if w := ta.do(t, req{method: "GET", path: "/api/v1/nothing", token: readToken}); w.Code != 404 {
		t.Errorf("unknown path: %d", w.Code)
	}
	w := ta.do(t, req{method: "DELETE", path: "/api/v1/people/1", token: writeToken})
	if w.Code != 405 || w.Header().Get("Allow") != "GET, PUT, PATCH, HEAD" {
		t.Errorf("DELETE person: %d Allow %q", w.Code, w.Header().Get("Allow"))
	}
}

// TestTokensNeverLogged: an internal error is logged with the request
// line, never with the Authorization header.
func TestTokensNeverLogged(t *testing.T) {
	ta := newTestAPI(t)
	var logs bytes.Buffer
	h, err := New(Options{Store: ta.db, Tokens: testTokens(), Layout: feeds.NewLayout(baseURL),
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	ta.h = h
	ta.seed(t)
	ta.db.Close() // every later query fails: a 500
	w := ta.do(t, req{method: "GET", path: "/api/v1/series", token: writeToken})
	if w.Code != http.StatusInternalServerError {
		t.Fatalf("status %d, want 500: %s", w.Code, w.Body)
	}
	if !strings.Contains(logs.String(), "admin API request failed") {
		t.Errorf("the 500 was not logged: %s", logs.String())
	}
	for _, secret := range []string{writeToken, readToken} {
		if strings.Contains(logs.String(), secret) || strings.Contains(w.Body.String(), secret) {
			t.Errorf("a token reached the log or the response:\n%s", logs.String())
		}
	}
}

// TestOpenAPIOtherMethods: the public document answers another method
// with 405 and Allow, with or without a token, never 401.
func TestOpenAPIOtherMethods(t *testing.T) {
	ta := newTestAPI(t)
	for _, method := range []string{"OPTIONS", "POST", "PUT", "DELETE", "PATCH"} {
		for _, token := range []string{"", readToken} {
			w := ta.do(t, req{method: method, path: "/api/v1/openapi.json", token: token})
			if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != "GET, HEAD" {
				t.Errorf("%s with token %q: %d, Allow %q; want 405, GET, HEAD", method, token, w.Code, w.Header().Get("Allow"))
			}
		}
	}
	if w := ta.do(t, req{method: "HEAD", path: "/api/v1/openapi.json"}); w.Code != http.StatusOK {
		t.Errorf("HEAD without a token: %d", w.Code)
	}
}
