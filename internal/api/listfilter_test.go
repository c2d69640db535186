package api

import (
	"net/http"
	"testing"
)

// TestListUnknownSeriesFilter: a series filter naming no series is the
// series' 404, as the same series in the path is, with the parameter and
// its value in the body; an empty list would read as a series without
// sessions. Query parameters that only narrow a list keep answering an
// empty one.
func TestListUnknownSeriesFilter(t *testing.T) {
	ta := newTestAPI(t)
	ta.seed(t)
	for _, tt := range []struct {
		path   string
		status int
		field  string
		value  string
		err    string
	}{
		{"/api/v1/sessions?series=nope", http.StatusNotFound, "series", "nope",
			`series "nope" not found: query parameter series: expected the slug of an existing series`},
		{"/api/v1/sessions?series=nope&status=cancelled", http.StatusNotFound, "series", "nope",
			`series "nope" not found: query parameter series: expected the slug of an existing series`},
		{"/api/v1/series/nope/sessions", http.StatusNotFound, "", "", `series "nope" not found`},
		// The series exists; nothing matches the other filters.
		{"/api/v1/sessions?series=debates&status=cancelled", http.StatusOK, "", "", ""},
		{"/api/v1/sessions?series=debates&from=2030-01-01", http.StatusOK, "", "", ""},
	} {
		t.Run(tt.path, func(t *testing.T) {
			m := ta.must(t, tt.status, req{method: "GET", path: tt.path, token: readToken})
			if tt.status == http.StatusOK {
				if l, _ := m["sessions"].([]any); len(l) != 0 {
					t.Errorf("sessions = %v, want none", l)
				}
				return
			}
			if m["error"] != tt.err || fieldOf(m) != tt.field || valueOf(m) != tt.value {
				t.Errorf("body = %v, want error %q, field %q, value %q", m, tt.err, tt.field, tt.value)
			}
		})
	}
}

func fieldOf(m map[string]any) string { s, _ := m["field"].(string); return s }
func valueOf(m map[string]any) string { s, _ := m["value"].(string); return s }
