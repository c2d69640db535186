package api

import (
	"fmt"
	"net/http"
	"testing"
)

// TestRenameOntoTaken: renaming a session onto a key another session of
// the series has, or a person onto another's name, is a 409 naming the
// field as sent (under the envelope when the body came in one) and the
// value, as a create onto a taken key or name is, and writes nothing.
func TestRenameOntoTaken(t *testing.T) {
	ta := newTestAPI(t)
	ta.seed(t) // debates/smart-cities, with Ada Colau
	m := ta.must(t, http.StatusCreated, req{method: "POST", path: "/api/v1/series/debates/sessions",
		body: `{"key": "other", "title": "Other", "start": "2021-11-18T12:00", "end": "2021-11-18T13:00"}`})
	otherUID := obj(t, m, "session")["uid"]
	m = ta.must(t, http.StatusCreated, req{method: "POST", path: "/api/v1/people", body: `{"name": "Emilia Saiz"}`})
	emilia := fmt.Sprint(obj(t, m, "person")["id"])
	ada := fmt.Sprint(ta.personID(t, "Ada Colau"))

	const sess = "/api/v1/series/debates/sessions/smart-cities"
	keyMsg := fmt.Sprintf(`key: "other": session debates/other (uid %s) already has this key; choose another, or rename or delete that session first`, otherUID)
	nameMsg := fmt.Sprintf(`name: "Ada Colau": person %s already has this name; choose another, or rename that person first`, ada)
	for _, c := range []struct {
		name         string
		q            req
		field, value string
		msg          string
	}{
		{"session PATCH", req{method: "PATCH", path: sess, body: `{"key": "other"}`}, "key", "other", keyMsg},
		{"session PATCH in envelope", req{method: "PATCH", path: sess, body: `{"session": {"key": " other "}}`}, "session.key", "other", "session." + keyMsg},
		{"session PUT", req{method: "PUT", path: sess, body: `{"key": "other", "title": "T", "start": "2021-11-17T12:00", "end": "2021-11-17T13:00"}`}, "key", "other", keyMsg},
		{"session PUT in envelope", req{method: "PUT", path: sess, body: `{"session": {"key": "other", "title": "T", "start": "2021-11-17T12:00", "end": "2021-11-17T13:00"}}`}, "session.key", "other", "session." + keyMsg},
		{"person PATCH", req{method: "PATCH", path: "/api/v1/people/" + emilia, body: `{"name": "Ada Colau"}`}, "name", "Ada Colau", nameMsg},
		{"person PATCH in envelope", req{method: "PATCH", path: "/api/v1/people/" + emilia, body: `{"person": {"name": "Ada  Colau"}}`}, "person.name", "Ada Colau", "person." + nameMsg},
		{"person PUT", req{method: "PUT", path: "/api/v1/people/" + emilia, body: `{"name": "Ada Colau"}`}, "name", "Ada Colau", nameMsg},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := ta.counter(t)
			m := ta.must(t, http.StatusConflict, c.q)
			if m["field"] != c.field || m["value"] != c.value || m["error"] != c.msg {
				t.Errorf("got field %v value %v error %q\nwant field %s value %s error %q", m["field"], m["value"], m["error"], c.field, c.value, c.msg)
			}
			if ta.counter(t) != before {
				t.Error("a refused rename changed the store")
			}
		})
	}
}
