package api

import (
	"net/http"
	"testing"
)

// TestPatchBlamesGivenField: a PATCH that makes a stored value fail is
// reported under the field it gave, quoting the stored value, as the CLI's
// `session edit` reports it under the flag; a field the patch gave itself
// is reported as it is.
func TestPatchBlamesGivenField(t *testing.T) {
	ta := newTestAPI(t)
	ta.seed(t)
	// 02:30 at +01:00 is the hour Madrid skips on 2027-03-28, given with
	// the offset that picks it; New York has no +01:00.
	ta.must(t, http.StatusCreated, req{method: "POST", path: "/api/v1/series/debates/sessions",
		body: `{"key": "gap", "title": "Gap", "start": "2027-03-28T02:30+01:00", "end": "2027-03-28T04:00", "zone": "Europe/Madrid"}`})
	const gap = "/api/v1/series/debates/sessions/gap"
	const sess = "/api/v1/series/debates/sessions/smart-cities"
	for _, c := range []struct {
		name, path, body string
		field, value     string
		msg              string
	}{
		{"zone alone", gap, `{"zone": "America/New_York"}`, "zone", "America/New_York",
			`zone: "America/New_York": the session's stored start "2027-03-28T02:30+01:00" does not fit the new zone: UTC offset +01:00 is not in effect at 2027-03-28T02:30 in America/New_York; expected -04:00; give the start you mean as "start", with an explicit UTC offset where it needs one, along with "zone"`},
		{"zone in the envelope", gap, `{"session": {"zone": "America/New_York"}}`, "session.zone", "America/New_York", ""},
		{"zone with start", gap, `{"zone": "America/New_York", "start": "2027-03-28T02:30+01:00"}`, "start", "2027-03-28T02:30+01:00", ""},
		{"start past the stored end", sess, `{"start": "2021-11-17T14:00"}`, "start", "2021-11-17T14:00",
			`start: "2021-11-17T14:00": expected a time before the session's stored end "2021-11-17T13:30"; give "end" too to move the end`},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := ta.must(t, http.StatusUnprocessableEntity, req{method: "PATCH", path: c.path, body: c.body})
			if m["field"] != c.field || m["value"] != c.value || (c.msg != "" && m["error"] != c.msg) {
				t.Errorf("got field %v value %v error %q\nwant field %s value %s error %q", m["field"], m["value"], m["error"], c.field, c.value, c.msg)
			}
		})
	}
}
