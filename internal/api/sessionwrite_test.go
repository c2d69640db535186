package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// A session created without a series is refused for that alone: an absent
// zone takes the series' zone (docs/api.md), so it is no second error.
func TestCreateSessionWithoutSeriesReportsTheSeries(t *testing.T) {
	ta := newTestAPI(t)
	ta.seed(t)
	w := ta.do(t, req{method: "POST", path: "/api/v1/sessions", token: writeToken,
		body: `{"key": "k", "title": "T", "start": "2021-11-17T12:00", "end": "2021-11-17T13:00"}`})
	var b errorBody
	if err := json.Unmarshal(w.Body.Bytes(), &b); err != nil || w.Code != http.StatusUnprocessableEntity {
		t.Fatalf("%d %s (%v); want 422", w.Code, w.Body, err)
	}
	if b.Field != "series" || len(b.Errors) != 0 {
		t.Errorf("got %s; want the one error on series", w.Body)
	}
}

// TestSessionLocation: a session write answers with the session's path in
// the form the request addressed it, so that a PATCH renaming the key by
// series and key names the new key (the old URL now answers 404), and one
// by UID keeps the UID path, which no write changes.
func TestSessionLocation(t *testing.T) {
	tests := []struct {
		name, method, path, body string
		status                   int
		want                     string // "{uid}" stands for the session's UID
	}{
		{"rename by series and key", "PATCH", "/api/v1/series/debates/sessions/smart-cities", `{"key": "smart-cities-2"}`, http.StatusOK,
			"/api/v1/series/debates/sessions/smart-cities-2"},
		{"replace by series and key", "PUT", "/api/v1/series/debates/sessions/smart-cities",
			`{"key": "smart-cities-3", "title": "Smart Cities", "start": "2021-11-17T12:00", "end": "2021-11-17T13:30"}`, http.StatusOK,
			"/api/v1/series/debates/sessions/smart-cities-3"},
		{"cancel by series and key", "POST", "/api/v1/series/debates/sessions/smart-cities/cancel", "", http.StatusOK,
			"/api/v1/series/debates/sessions/smart-cities"},
		{"create in a series", "POST", "/api/v1/series/debates/sessions",
			`{"key": "expo", "title": "Expo", "all_day": true, "start_date": "2021-11-18", "end_date": "2021-11-18"}`, http.StatusCreated,
			"/api/v1/series/debates/sessions/expo"},
		{"rename by UID", "PATCH", "/api/v1/sessions/{uid}", `{"key": "smart-cities-2"}`, http.StatusOK, "/api/v1/sessions/{uid}"},
		{"create by UID path", "POST", "/api/v1/sessions",
			`{"series": "debates", "uid": "new@test.example", "key": "expo", "title": "Expo", "all_day": true, "start_date": "2021-11-18", "end_date": "2021-11-18"}`,
			http.StatusCreated, "/api/v1/sessions/new@test.example"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ta := newTestAPI(t)
			uid := ta.seed(t)
			sub := func(s string) string { return strings.ReplaceAll(s, "{uid}", uid) }
			w := ta.do(t, req{method: tc.method, path: sub(tc.path), token: writeToken, body: tc.body})
			if w.Code != tc.status || w.Header().Get("Location") != sub(tc.want) {
				t.Fatalf("%d, Location %q; want %d and %q\n%s", w.Code, w.Header().Get("Location"), tc.status, sub(tc.want), w.Body)
			}
			if g := ta.do(t, req{method: "GET", path: w.Header().Get("Location"), token: readToken}); g.Code != http.StatusOK || g.Header().Get("ETag") != w.Header().Get("ETag") {
				t.Errorf("GET the Location: %d, ETag %q; want 200 and %q", g.Code, g.Header().Get("ETag"), w.Header().Get("ETag"))
			}
		})
	}
}
