package api

import (
	"encoding/json"
	"net/http"
	"testing"
)

// TestErrorsQuoteTimesAsSent: an error about a time quotes it as the
// client wrote it ("Z", ":00" seconds, "+00:00", a date), not in a
// canonical form, in the message and in "value", for a resource body and
// an import alike, for sessions' wall times and posts' instants.
func TestErrorsQuoteTimesAsSent(t *testing.T) {
	ta := newTestAPI(t)
	ta.seed(t)
	ta.must(t, http.StatusCreated, req{method: "POST", path: "/api/v1/series/debates/posts", body: `{"id": "welcome", "title": "Welcome", "published": "2021-11-01"}`})
	for _, tc := range []struct {
		name       string
		q          req
		msg, value string
	}{
		{"offset Z not in effect", req{method: "PATCH", path: "/api/v1/series/debates/sessions/smart-cities", body: `{"start": "2021-11-17T13:00Z"}`},
			`start: "2021-11-17T13:00Z": UTC offset +00:00 is not in effect at 2021-11-17T13:00 in Europe/Madrid; expected +01:00`, "2021-11-17T13:00Z"},
		{"end before a start with seconds and Z", req{method: "POST", path: "/api/v1/sessions", body: `{"series": "debates", "key": "utc", "title": "UTC", "zone": "UTC",
			"start": "2021-11-17T13:00:00Z", "end": "2021-11-17T12:00Z"}`},
			`end: "2021-11-17T12:00Z": expected a time after start 2021-11-17T13:00:00Z`, "2021-11-17T12:00Z"},
		{"import", req{method: "POST", path: "/api/v1/import", header: map[string]string{"Content-Type": "application/yaml"},
			body: "series:\n  slug: imp\n  title: Imp\n  zone: UTC\nsessions:\n  - key: a\n    title: A\n    start: 2021-11-17T13:00:00Z\n    end: 2021-11-17T12:00Z\n"},
			`request:9: sessions[0].end: "2021-11-17T12:00Z": expected a time after start 2021-11-17T13:00:00Z`, ""},
		{"post updated before published, +00:00", req{method: "POST", path: "/api/v1/series/debates/posts", body: `{"id": "p", "title": "P",
			"published": "2021-11-17T13:00:00+00:00", "updated": "2021-11-17T12:00:00+00:00"}`},
			`updated: "2021-11-17T12:00:00+00:00": expected a time on or after published 2021-11-17T13:00:00+00:00`, "2021-11-17T12:00:00+00:00"},
		{"post updated before published, dates", req{method: "POST", path: "/api/v1/series/debates/posts", body: `{"id": "p", "title": "P",
			"published": "2021-11-17", "updated": " 2021-11-16"}`},
			`updated: "2021-11-16": expected a time on or after published 2021-11-17`, "2021-11-16"},
		{"post published year out of range", req{method: "POST", path: "/api/v1/series/debates/posts", body: `{"id": "p", "title": "P", "published": "1800-01-01"}`},
			`published: "1800-01-01": expected a year between 1900 and 2200`, "1800-01-01"},
		{"post updated year out of range, Z", req{method: "PUT", path: "/api/v1/series/debates/posts/welcome", body: `{"title": "W", "published": "2021-11-01",
			"updated": "2300-01-01T00:00:00Z"}`},
			`updated: "2300-01-01T00:00:00Z": expected a year between 1900 and 2200`, "2300-01-01T00:00:00Z"},
		{"import post", req{method: "POST", path: "/api/v1/import", header: map[string]string{"Content-Type": "application/yaml"},
			body: "series:\n  slug: imp\n  title: Imp\n  zone: UTC\nposts:\n  - id: a\n    title: A\n    published: 2021-11-17T13:00:00+00:00\n    updated: 2021-11-17\n"},
			`request:9: posts[0].updated: "2021-11-17": expected a time on or after published 2021-11-17T13:00:00+00:00`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.q.token = writeToken
			w := ta.do(t, tc.q)
			var b errorBody
			if err := json.Unmarshal(w.Body.Bytes(), &b); err != nil {
				t.Fatalf("body is not JSON: %v\n%s", err, w.Body)
			}
			if w.Code != http.StatusUnprocessableEntity || b.Error != tc.msg || b.Value != tc.value {
				t.Errorf("got %d %q value %q\nwant 422 %q value %q", w.Code, b.Error, b.Value, tc.msg, tc.value)
			}
		})
	}
}
