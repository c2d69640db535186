package api

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// TestBadRequests: each bad request gets its status and exact message,
// and changes nothing (the store's change counter stays put).
func TestBadRequests(t *testing.T) {
	ta := newTestAPI(t)
	uid := ta.seed(t)
	ta.must(t, 201, req{method: "POST", path: "/api/v1/people", body: `{"name": "Emilia Saiz"}`})
	m := ta.must(t, 201, req{method: "POST", path: "/api/v1/series/debates/sessions",
		body: `{"key": "other", "title": "Other", "start": "2021-11-18T12:00", "end": "2021-11-18T13:00"}`})
	other := obj(t, m, "session")["uid"]
	ta.must(t, 201, req{method: "POST", path: "/api/v1/series/debates/posts", body: `{"id": "welcome", "title": "Welcome", "published": "2021-11-01"}`})
	const (
		sess   = "/api/v1/series/debates/sessions/smart-cities"
		series = "/api/v1/series/debates"
		json_  = "application/json"
	)
	ct := func(v string) map[string]string { return map[string]string{"Content-Type": v} }
	ifMatch := func(v string) map[string]string { return map[string]string{"If-Match": v} }
	valid := `{"key": "new", "title": "New", "start": "2021-11-19T12:00", "end": "2021-11-19T13:00"`
	big := `{"series": "debates", "key": "big", "title": "Big", "description": "` + strings.Repeat("x", 1<<20) + `"}`

	etag := etagOf(t, ta, sess)

	cases := []struct {
		name   string
		q      req
		status int
		msg    string
		field  string
		n      int // number of errors when several
	}{
		// 400: the body is not the JSON it should be.
		{"truncated JSON", req{method: "POST", path: "/api/v1/series", body: `{"slug": `}, 400, "malformed JSON: unexpected end of the body", "", 0},
		{"syntax error", req{method: "POST", path: "/api/v1/series", body: `{"slug": "x",}`}, 400, "malformed JSON at byte 14: invalid character '}' looking for beginning of object key string", "", 0},
		{"number for text", req{method: "POST", path: "/api/v1/series", body: `{"slug": 5}`}, 400, "slug: expected a string, not a number", "slug", 0},
		{"text for boolean", req{method: "POST", path: "/api/v1/sessions", body: valid + `, "series": "debates", "all_day": "yes"}`}, 400, "all_day: expected true or false, not a string", "all_day", 0},
		{"nested wrong type", req{method: "POST", path: "/api/v1/sessions", body: valid + `, "people": [{"name": 1}]}`}, 400, "people.name: expected a string, not a number", "people.name", 0},
		{"object for list", req{method: "POST", path: "/api/v1/sessions", body: valid + `, "tags": {"a": 1}}`}, 400, "tags: expected a list, not an object", "tags", 0},
		{"unknown field", req{method: "POST", path: "/api/v1/sessions", body: valid + `, "series": "debates", "venu": "Hall"}`}, 400, `unknown field "venu"`, "venu", 0},
		{"unknown nested field", req{method: "POST", path: "/api/v1/series", body: `{"slug": "s", "title": "S", "organizer": {"phone": "1"}}`}, 400, `unknown field "organizer.phone"`, "organizer.phone", 0},
		{"unknown field in a list", req{method: "POST", path: "/api/v1/sessions", body: valid + `, "series": "debates", "people": [{"name": "A", "role": "speaker"}, {"name": "B", "role": "speaker", "nme": "x"}]}`}, 400, `unknown field "people[1].nme"`, "people[1].nme", 0},
		{"list body", req{method: "POST", path: "/api/v1/series", body: `[]`}, 400, "expected a JSON object, not a list", "", 0},
		{"empty body", req{method: "POST", path: "/api/v1/series", header: ct(json_)}, 400, "empty request body; expected a JSON object", "", 0},
		{"two objects", req{method: "POST", path: "/api/v1/series", body: `{} {}`}, 400, "malformed JSON: more data after the object", "", 0},
		{"patch unknown field", req{method: "PATCH", path: sess, body: `{"bogus": null}`}, 400, `unknown field "bogus"`, "bogus", 0},
		{"patch unknown nested field", req{method: "PATCH", path: series, body: `{"organizer": {"phone": "1"}}`}, 400, `unknown field "organizer.phone"`, "organizer.phone", 0},
		// encoding/json would store U+FFFD, the last of two keys, or a
		// field named in the wrong case: refused, as import files are.
		{"invalid UTF-8", req{method: "POST", path: "/api/v1/series", body: "{\"slug\": \"s\", \"title\": \"Bad \xff byte\"}"}, 400, "invalid UTF-8 at byte 29 of the body; expected UTF-8 text", "", 0},
		{"lone surrogate", req{method: "POST", path: "/api/v1/series", body: `{"slug": "s", "title": "Lone \ud800 half"}`}, 400, `escape \ud800 at byte 30 is half of a UTF-16 surrogate pair; expected a pair (\uD83D\uDE00) or the character itself`, "", 0},
		{"low surrogate first", req{method: "POST", path: "/api/v1/series", body: `{"slug": "s", "title": "\udc00\ud800"}`}, 400, `escape \udc00 at byte 25 is half of a UTF-16 surrogate pair; expected a pair (\uD83D\uDE00) or the character itself`, "", 0},
		{"key twice", req{method: "POST", path: "/api/v1/series", body: `{"slug": "s", "title": "First", "title": "Second"}`}, 400, "title: given twice; each field may appear once", "title", 0},
		{"nested key twice", req{method: "POST", path: "/api/v1/sessions", body: valid + `, "series": "debates", "people": [{"name": "A"}, {"name": "B", "name": "C"}]}`}, 400, "people[1].name: given twice; each field may appear once", "people[1].name", 0},
		{"patch key twice", req{method: "PATCH", path: sess, body: `{"title": "A", "title": "B"}`}, 400, "title: given twice; each field may appear once", "title", 0},
		{"key in the wrong case", req{method: "POST", path: "/api/v1/series", body: `{"slug": "s", "TITLE": "T"}`}, 400, `unknown field "TITLE"; did you mean "title"? Field names are case-sensitive`, "TITLE", 0},
		{"nested key in the wrong case", req{method: "POST", path: "/api/v1/sessions", body: valid + `, "series": "debates", "people": [{"Name": "A"}]}`}, 400, `unknown field "people[0].Name"; did you mean "people[0].name"? Field names are case-sensitive`, "people[0].Name", 0},
		{"patch key in the wrong case", req{method: "PATCH", path: sess, body: `{"Title": "T"}`}, 400, `unknown field "Title"; did you mean "title"? Field names are case-sensitive`, "Title", 0},
		{"patch not an object", req{method: "PATCH", path: sess, body: `[1]`}, 400, "a merge patch must be a JSON object", "", 0},
		{"limit too large", req{method: "GET", path: "/api/v1/sessions?limit=1000"}, 400, `limit: "1000": expected a whole number between 1 and 500`, "limit", 0},
		{"negative offset", req{method: "GET", path: "/api/v1/series?offset=-1"}, 400, `offset: "-1": expected a whole number, 0 or more`, "offset", 0},
		{"unknown query parameter", req{method: "GET", path: "/api/v1/sessions?serie=debates"}, 400, `unknown query parameter "serie"; expected series, from, to, status, limit, offset`, "serie", 0},
		{"bad from", req{method: "GET", path: "/api/v1/sessions?from=yesterday"}, 400, `from: "yesterday": expected a date as YYYY-MM-DD or a time as 2006-01-02T15:04:05Z07:00`, "from", 0},
		{"bad status filter", req{method: "GET", path: "/api/v1/sessions?status=postponed"}, 400, `status: "postponed": expected confirmed, tentative or cancelled`, "status", 0},

		// 413 and 415.
		{"body over 1 MB", req{method: "POST", path: "/api/v1/sessions", body: big}, 413, "request body is over the limit of 1048576 bytes", "", 0},
		{"text/plain", req{method: "POST", path: "/api/v1/series", body: `{}`, header: ct("text/plain")}, 415, `Content-Type "text/plain": expected application/json`, "", 0},
		{"no Content-Type", req{method: "PUT", path: sess, body: `{}`, header: ct("")}, 415, "missing Content-Type; expected application/json", "", 0},
		{"patch as form", req{method: "PATCH", path: sess, body: `{}`, header: ct("application/x-www-form-urlencoded")}, 415, `Content-Type "application/x-www-form-urlencoded": expected application/merge-patch+json or application/json`, "", 0},
		{"import as text/plain", req{method: "POST", path: "/api/v1/import", body: "series: {}", header: ct("text/plain")}, 415, `Content-Type "text/plain": expected application/yaml or application/x-yaml or text/yaml or application/json`, "", 0},

		// 422: the values fail agenda's validation, with its messages.
		{"title missing", req{method: "POST", path: "/api/v1/sessions", body: `{"series": "debates", "key": "k", "start": "2021-11-19T12:00", "end": "2021-11-19T13:00"}`}, 422, `title: "": required: 1-300 characters on one line`, "title", 0},
		{"start not a time", req{method: "POST", path: "/api/v1/sessions", body: `{"series": "debates", "key": "k", "title": "T", "start": "tomorrow", "end": "2021-11-19T13:00"}`}, 422, `start: "tomorrow": expected a local date and time as YYYY-MM-DDTHH:MM, optionally with seconds and a UTC offset such as +01:00`, "start", 0},
		{"start in a DST gap", req{method: "POST", path: "/api/v1/sessions", body: `{"series": "debates", "key": "k", "title": "T", "start": "2021-03-28T02:30", "end": "2021-03-28T04:00"}`}, 422, `start: "2021-03-28T02:30": 2021-03-28T02:30 does not exist in Europe/Madrid (clocks skip it for daylight saving time); write an explicit offset to choose 2021-03-28T02:30+01:00 (2021-03-28T01:30:00Z) or 2021-03-28T02:30+02:00 (2021-03-28T00:30:00Z)`, "start", 0},
		{"end before start", req{method: "PATCH", path: sess, body: `{"end": "2021-11-17T11:00"}`}, 422, `end: "2021-11-17T11:00": expected a time after the session's stored start "2021-11-17T12:00"; give "start" too to move the start`, "end", 0},
		{"bad status", req{method: "PATCH", path: sess, body: `{"status": "postponed"}`}, 422, `status: "postponed": expected one of confirmed, tentative, cancelled`, "status", 0},
		{"bad role", req{method: "PATCH", path: sess, body: `{"people": [{"name": "A", "role": "singer"}]}`}, 422, `people[0].role: "singer": expected one of moderator, chair, host, keynote, speaker, panelist, presenter, discussant, rapporteur, organizer`, "people[0].role", 0},
		{"several errors", req{method: "PATCH", path: sess, body: `{"title": null, "online_url": "ftp://x", "tags": ["-x"]}`}, 422, `title: "": required: 1-300 characters on one line`, "title", 3},
		{"patch read-only field", req{method: "PATCH", path: sess, body: `{"uid": "x@y"}`}, 422, "uid: is read-only; it cannot be patched", "uid", 0},
		{"put changes the UID", req{method: "PUT", path: sess, body: `{"uid": "other@example.org", "title": "T"}`}, 422, fmt.Sprintf(`uid: "other@example.org": expected %q or nothing; a session's UID never changes`, uid), "uid", 0},
		{"put moves the series", req{method: "PUT", path: sess, body: `{"series": "congress", "title": "T"}`}, 422, `series: "congress": expected "debates" or nothing; a session cannot move to another series`, "series", 0},
		{"session in a missing series", req{method: "POST", path: "/api/v1/sessions", body: valid + `, "series": "nope"}`}, 422, `series: "nope": expected the slug of an existing series`, "series", 0},
		{"bad series slug", req{method: "POST", path: "/api/v1/series", body: `{"slug": "Bad Slug", "title": "B"}`}, 422, `slug: "Bad Slug": expected 1-64 characters of a-z, 0-9 and '-', not starting or ending with '-'`, "slug", 0},
		{"reserved slug", req{method: "POST", path: "/api/v1/series", body: `{"slug": "api", "title": "B"}`}, 422, `slug: "api": is reserved for the server; choose another slug`, "slug", 0},
		{"bad reminder", req{method: "PATCH", path: series, body: `{"reminders": ["5s"]}`}, 422, `reminders[0]: "5s": expected a duration such as 15m, 1h, 1d or 1w (units w, d, h, m)`, "reminders[0]", 0},
		{"bad zone", req{method: "PATCH", path: series, body: `{"zone": "Mars/Base"}`}, 422, `zone: "Mars/Base": expected an IANA time zone such as Europe/Madrid or America/New_York`, "zone", 0},
		{"bad published", req{method: "PATCH", path: "/api/v1/series/debates/posts/welcome", body: `{"published": "soon"}`}, 422, `published: "soon": expected a date and time with offset, e.g. 2020-11-23T10:00:00+01:00, or a date, e.g. 2020-11-23`, "published", 0},
		{"post links a missing session", req{method: "PATCH", path: "/api/v1/series/debates/posts/welcome", body: `{"session": "nope"}`}, 422, `session: "nope": expected the key of a session of series "debates"`, "session", 0},
		{"person without name", req{method: "POST", path: "/api/v1/people", body: `{"name": " "}`}, 422, `name: "": required: 1-200 characters on one line`, "name", 0},
		{"import: unknown key", req{method: "POST", path: "/api/v1/import", header: ct("application/yaml"),
			body: "series:\n  slug: imp\n  title: Imp\nsessions:\n  - key: a\n    title: A\n    venu: Hall\n    start: 2021-11-17T12:00\n    end: 2021-11-17T13:00\n"}, 422, `request:7: sessions[0]: unknown key "venu"; did you mean "venue"?`, "sessions[0]", 0},
		{"import: two errors", req{method: "POST", path: "/api/v1/import", header: ct("application/yaml"),
			body: "series:\n  slug: imp\nsessions:\n  - key: a\n    title: A\n    start: 2021-03-28T02:30\n    end: 2021-03-28T04:00\n"}, 422, `request:2: series.title: "": required: 1-300 characters on one line`, "series.title", 2},
		{"import: a post links a missing session", req{method: "POST", path: "/api/v1/import", header: ct("application/yaml"),
			body: "series:\n  slug: debates\n  title: Debates\nposts:\n  - id: old\n    title: Old\n    published: 2021-01-01T10:00:00Z\n  - id: new\n    title: New\n    published: 2022-01-01T10:00:00Z\n    session: nope\n"},
			422, `request:8: posts[1].session: "nope": expected the key of a session of series "debates"`, "posts[1].session", 0},
		{"import: syntax", req{method: "POST", path: "/api/v1/import", body: `{"series": `}, 422, "request:1: syntax: unexpected end of JSON input", "syntax", 0},

		// 404, 405, 409, 412.
		{"unknown session", req{method: "PATCH", path: "/api/v1/sessions/nope@example.org", body: `{"title": "T"}`}, 404, `session "nope@example.org" not found; PATCH changes an existing resource only: create it with POST /api/v1/sessions`, "", 0},
		{"unknown series", req{method: "DELETE", path: "/api/v1/series/nope"}, 404, `series "nope" not found`, "", 0},
		{"session in an unknown series", req{method: "POST", path: "/api/v1/series/nope/sessions", body: valid + `}`}, 404, `series "nope" not found`, "", 0},
		{"unknown person", req{method: "PUT", path: "/api/v1/people/abc", body: `{"name": "A"}`}, 404, `person "abc" not found`, "", 0},
		{"wrong method", req{method: "PUT", path: "/api/v1/sessions", body: `{}`}, 405, "method PUT not allowed on /api/v1/sessions; allowed: GET, POST, HEAD", "", 0},
		{"series exists", req{method: "POST", path: "/api/v1/series", body: `{"slug": "debates", "title": "D"}`}, 409, `series "debates" already exists (revision 4); use PUT or PATCH to change it`, "slug", 0},
		{"session key exists", req{method: "POST", path: "/api/v1/series/debates/sessions", body: `{"key": "smart-cities", "title": "T"}`}, 409, fmt.Sprintf("session debates/smart-cities already exists (uid %s); use PUT or PATCH to change it", uid), "key", 0},
		{"rename onto a taken key", req{method: "PATCH", path: sess, body: `{"key": "other"}`}, 409, fmt.Sprintf(`key: "other": session debates/other (uid %s) already has this key; choose another, or rename or delete that session first`, other), "key", 0},
		{"person name taken", req{method: "PATCH", path: "/api/v1/people/1", body: `{"name": "Emilia Saiz"}`}, 409, `name: "Emilia Saiz": person 2 already has this name; choose another, or rename that person first`, "name", 0},
		{"stale If-Match", req{method: "PATCH", path: sess, body: `{"title": "T"}`, header: ifMatch(`"s-9"`)}, 412, fmt.Sprintf(`If-Match "s-9" does not match the current ETag %s of session %s; GET it again and retry`, etag, uid), "", 0},
		{"weak If-Match", req{method: "DELETE", path: sess, header: ifMatch(`W/"s-0"`)}, 412, fmt.Sprintf(`If-Match W/"s-0" does not match the current ETag %s of session %s; GET it again and retry`, etag, uid), "", 0},
		{"If-Match of another kind", req{method: "POST", path: sess + "/cancel", header: ifMatch(`"r-0"`)}, 412, fmt.Sprintf(`If-Match "r-0" does not match the current ETag %s of session %s; GET it again and retry`, etag, uid), "", 0},
		{"stale series If-Match", req{method: "DELETE", path: series, header: ifMatch(`"r-1"`)}, 412, `If-Match "r-1" does not match the current ETag "r-4" of series debates; GET it again and retry`, "", 0},
	}
	if len(cases) < 30 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := ta.counter(t)
			triggers := ta.triggers.Load()
			if c.q.token == "" {
				c.q.token = writeToken
			}
			w := ta.do(t, c.q)
			var b errorBody
			if err := json.Unmarshal(w.Body.Bytes(), &b); err != nil {
				t.Fatalf("body is not JSON: %v\n%s", err, w.Body)
			}
			if w.Code != c.status || b.Error != c.msg {
				t.Errorf("got %d %q\nwant %d %q", w.Code, b.Error, c.status, c.msg)
			}
			if b.Field != c.field {
				t.Errorf("field = %q, want %q", b.Field, c.field)
			}
			if len(b.Errors) != c.n {
				t.Errorf("%d errors listed, want %d: %+v", len(b.Errors), c.n, b.Errors)
			}
			if after := ta.counter(t); after != before {
				t.Errorf("change counter moved from %d to %d", before, after)
			}
			if ta.triggers.Load() != triggers {
				t.Errorf("a failed request triggered a regeneration")
			}
		})
	}
}
