package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestSessionListRange: from and to select the sessions overlapping
// [from, to). to before from is a 400 naming both; to equal to from is an
// empty range, even at an instant a session spans.
func TestSessionListRange(t *testing.T) {
	ta := newTestAPI(t)
	ta.seed(t) // smart-cities: 2021-11-17 12:00-13:30 Madrid, 11:00-12:30 UTC
	tests := []struct {
		name, query string
		status      int
		sessions    int
	}{
		{"the day", "from=2021-11-17&to=2021-11-18", http.StatusOK, 1},
		{"only from", "from=2021-11-17", http.StatusOK, 1},
		{"only to", "to=2021-11-17", http.StatusOK, 0},
		{"empty range at midnight", "from=2021-11-17&to=2021-11-17", http.StatusOK, 0},
		{"empty range inside the session", "from=2021-11-17T11:30:00Z&to=2021-11-17T11:30:00Z", http.StatusOK, 0},
		{"inverted dates", "from=2021-11-19&to=2021-11-18", http.StatusBadRequest, 0},
		{"inverted around the session", "from=2021-11-17T12:00:00Z&to=2021-11-17T11:30:00Z", http.StatusBadRequest, 0},
		{"the same instant in two offsets", "from=2021-11-17T12:30:00%2B01:00&to=2021-11-17T11:30:00Z", http.StatusOK, 0},
	}
	for _, tc := range tests {
		for _, path := range []string{"/api/v1/sessions", "/api/v1/series/debates/sessions"} {
			t.Run(tc.name+" "+path, func(t *testing.T) {
				w := ta.do(t, req{method: "GET", path: path + "?" + tc.query, token: readToken})
				if w.Code != tc.status {
					t.Fatalf("%d, want %d\n%s", w.Code, tc.status, w.Body)
				}
				if tc.status != http.StatusOK {
					var b errorBody
					if err := json.Unmarshal(w.Body.Bytes(), &b); err != nil {
						t.Fatal(err)
					}
					if !strings.Contains(b.Error, "from") || !strings.Contains(b.Error, "to") || b.Field != "to" {
						t.Errorf("error %s; want one naming from and to", w.Body)
					}
					return
				}
				var b struct{ Sessions []any }
				if err := json.Unmarshal(w.Body.Bytes(), &b); err != nil {
					t.Fatal(err)
				}
				if len(b.Sessions) != tc.sessions {
					t.Errorf("%d sessions, want %d\n%s", len(b.Sessions), tc.sessions, w.Body)
				}
			})
		}
	}
}
