package api

import (
	"fmt"
	"net/http"
	"testing"
)

// TestStartWithOffsetInEffectIsNoRevision: a PATCH, PUT or import that
// gives a session's start and end again with the offset its zone already
// has there publishes the same event, so it keeps its sequence and
// changes no file; a really new start still does.
func TestStartWithOffsetInEffectIsNoRevision(t *testing.T) {
	ta := newTestAPI(t)
	ta.must(t, http.StatusCreated, req{method: "POST", path: "/api/v1/series", body: `{"slug": "hw", "title": "Handwritten", "zone": "America/New_York"}`})
	ta.must(t, http.StatusCreated, req{method: "POST", path: "/api/v1/series/hw/sessions",
		body: `{"key": "b", "title": "B", "start": "2027-06-01T10:00", "end": "2027-06-01T11:00"}`})
	path := "/api/v1/series/hw/sessions/b"
	for _, tt := range []struct {
		name string
		r    req
	}{
		{"PATCH start with offset", req{method: "PATCH", path: path, body: `{"start": "2027-06-01T10:00-04:00"}`}},
		{"PATCH end with offset", req{method: "PATCH", path: path, body: `{"end": "2027-06-01T11:00-04:00"}`}},
		{"PUT both with offsets", req{method: "PUT", path: path,
			body: `{"key": "b", "title": "B", "start": "2027-06-01T10:00-04:00", "end": "2027-06-01T11:00-04:00"}`}},
	} {
		m := ta.must(t, http.StatusOK, tt.r)
		if s := obj(t, m, "session"); s["sequence"] != 0.0 || s["start"] != "2027-06-01T10:00" {
			t.Errorf("%s: sequence %v start %v, want 0 and the stored 2027-06-01T10:00", tt.name, s["sequence"], s["start"])
		}
		if c := fmt.Sprint(m["changed"]); c != "[]" {
			t.Errorf("%s: changed %s, want []", tt.name, c)
		}
	}
	file := "series:\n  slug: hw\n  title: Handwritten\n  zone: America/New_York\n" +
		"sessions:\n  - {key: b, title: B, start: \"2027-06-01T10:00-04:00\", end: \"2027-06-01T11:00-04:00\"}\n"
	m := ta.must(t, http.StatusOK, req{method: "POST", path: "/api/v1/import", header: map[string]string{"Content-Type": "application/yaml"}, body: file})
	if im := m["imported"].(map[string]any); im["sessions_unchanged"] != 1.0 || im["sessions_updated"] != 0.0 {
		t.Errorf("import: %v, want the session unchanged", im)
	}
	if c := fmt.Sprint(m["changed"]); c != "[]" {
		t.Errorf("import: changed %s, want []", c)
	}
	m = ta.must(t, http.StatusOK, req{method: "PATCH", path: path, body: `{"start": "2027-06-01T09:00-04:00"}`})
	if s := obj(t, m, "session"); s["sequence"] != 1.0 || s["start"] != "2027-06-01T09:00-04:00" {
		t.Errorf("new start: sequence %v start %v", s["sequence"], s["start"])
	}
}
