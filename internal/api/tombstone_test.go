package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// A session deleted and POSTed again with its uid never goes back to an
// earlier SEQUENCE: calendars holding the deleted one keep the higher
// sequence, so the new event would never reach them.
func TestRecreatedSessionSequence(t *testing.T) {
	ta := newTestAPI(t)
	uid := ta.seed(t)
	path := "/api/v1/sessions/" + uid
	for _, title := range []string{"Smart Cities, 2", "Smart Cities, 3"} {
		ta.must(t, http.StatusOK, req{method: "PATCH", path: path, body: `{"title": "` + title + `"}`})
	}
	got := ta.must(t, http.StatusOK, req{method: "GET", path: path, token: readToken})
	if seq := obj(t, got, "session")["sequence"]; seq != 2.0 {
		t.Fatalf("sequence after two patches = %v", seq)
	}
	getBody, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	withUID := strings.Replace(sessionBody, `"series": "debates",`, `"series": "debates", "uid": "`+uid+`",`, 1)
	for _, step := range []struct {
		name, body string
		want       float64
	}{
		{"POSTed again with its uid", withUID, 3},
		{"a GET body sent back", string(getBody), 4},
		{"with a sequence above the last", strings.Replace(withUID, `"key"`, `"sequence": 10, "key"`, 1), 10},
		{"with a sequence below the last", strings.Replace(withUID, `"key"`, `"sequence": 1, "key"`, 1), 11},
	} {
		ta.must(t, http.StatusOK, req{method: "DELETE", path: path})
		m := ta.must(t, http.StatusCreated, req{method: "POST", path: "/api/v1/sessions", body: step.body})
		if s := obj(t, m, "session"); s["uid"] != uid || s["sequence"] != step.want {
			t.Errorf("%s: uid %v sequence %v; want %s and %v", step.name, s["uid"], s["sequence"], uid, step.want)
		}
	}
}

// A POST's sequence is honoured with a uid and refused where it cannot
// apply, rather than silently ignored.
func TestCreateSessionSequence(t *testing.T) {
	for _, tc := range []struct {
		name, extra string
		status      int
		sequence    float64
	}{
		{"with a uid", `"uid": "new@elsewhere.example", "sequence": 5,`, http.StatusCreated, 5},
		{"zero without a uid", `"sequence": 0,`, http.StatusCreated, 0},
		{"without a uid", `"sequence": 5,`, http.StatusUnprocessableEntity, 0},
		{"negative", `"uid": "new@elsewhere.example", "sequence": -1,`, http.StatusUnprocessableEntity, 0},
		// iCalendar's SEQUENCE is a 32-bit integer: a larger one would be
		// published, and its export refused by import.
		{"the largest", `"uid": "new@elsewhere.example", "sequence": 2147483647,`, http.StatusCreated, 2147483647},
		{"above iCalendar's range", `"uid": "new@elsewhere.example", "sequence": 2147483648,`, http.StatusUnprocessableEntity, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ta := newTestAPI(t)
			ta.must(t, http.StatusCreated, req{method: "POST", path: "/api/v1/series", body: seriesBody})
			body := strings.Replace(sessionBody, `"key"`, tc.extra+` "key"`, 1)
			m := ta.must(t, tc.status, req{method: "POST", path: "/api/v1/sessions", body: body})
			if tc.status != http.StatusCreated {
				if m["field"] != "sequence" || !strings.Contains(m["error"].(string), "sequence") {
					t.Errorf("refusal %v; want one naming sequence", m)
				}
				return
			}
			if s := obj(t, m, "session"); s["sequence"] != tc.sequence {
				t.Errorf("sequence %v, want %v", s["sequence"], tc.sequence)
			}
		})
	}
}
