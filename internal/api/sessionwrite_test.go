package api

import (
	"encoding/json"
	"net/http"
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
