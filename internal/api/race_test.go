package api

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestPatchRacingAnotherProcess: a PATCH with the ETag of a session in
// If-Match reads it and passes the If-Match check; before it writes,
// another process (the CLI, say) commits an edit of the session. The API's
// write lock does not cover that process, so only the store's conditions,
// checked in the write's transaction, stop the PATCH from overwriting the
// other edit: the answer must be 412, and the other edit must survive.
// The edit moves the sequence from 0 to 1, or leaves it, as it stays at
// agenda.MaxSequence: then only the condition on the ETag (a hash of the
// whole session) sees it.
//
// The other process is a raw connection that holds the database's write
// lock with its edit pending while the PATCH runs, and commits after a
// pause: the PATCH reads the old committed state (WAL) and then waits for
// the lock. Should the pause be too short for the PATCH to have read (it
// then fails the If-Match check up front, also 412), the attempt is
// repeated with a longer one.
func TestPatchRacingAnotherProcess(t *testing.T) {
	ta := newTestAPI(t)
	ta.must(t, http.StatusCreated, req{method: "POST", path: "/api/v1/series", body: seriesBody})
	other := otherProcess(t, ta)
	for _, c := range []struct{ name, bump string }{
		{"sequence bumped", ", sequence = sequence + 1"},
		{"sequence kept", ""},
	} {
		t.Run(c.name, func(t *testing.T) { patchRacing(t, ta, other, c.bump) })
	}
}

func patchRacing(t *testing.T, ta *testAPI, other *sql.DB, bump string) {
	ctx := context.Background()
	for attempt, pause := range []time.Duration{50 * time.Millisecond, 200 * time.Millisecond, time.Second, 3 * time.Second} {
		key := fmt.Sprintf("race-%d-%d", len(bump), attempt)
		m := ta.must(t, http.StatusCreated, req{method: "POST", path: "/api/v1/sessions",
			body: strings.Replace(sessionBody, `"smart-cities"`, `"`+key+`"`, 1)})
		uid := obj(t, m, "session")["uid"].(string)
		etag := etagOf(t, ta, "/api/v1/sessions/"+uid)

		w := racing(t, ta, other, []string{
			`UPDATE sessions SET title = 'Edited elsewhere'` + bump + ` WHERE uid = '` + uid + `'`,
			`UPDATE series SET revision = revision + 1 WHERE slug = 'debates'`,
			`UPDATE meta SET change_counter = change_counter + 1 WHERE id = 1`,
		}, pause, req{method: "PATCH", path: "/api/v1/sessions/" + uid,
			body: `{"venue": "Hall 2"}`, header: map[string]string{"If-Match": etag}})

		if w.Code != http.StatusPreconditionFailed {
			t.Fatalf("PATCH racing another process: status %d, want 412; body:\n%s", w.Code, w.Body)
		}
		s, err := ta.db.Session(ctx, uid)
		if err != nil {
			t.Fatal(err)
		}
		want := int64(0)
		if bump != "" {
			want = 1
		}
		if s.Sequence != want || s.Title != "Edited elsewhere" || s.Venue != "Hall 1" {
			t.Fatalf("after the refused PATCH: sequence %d, title %q, venue %q; want %d, the other process's title, Hall 1",
				s.Sequence, s.Title, s.Venue, want)
		}
		if strings.Contains(w.Body.String(), "changed meanwhile") {
			return // the store refused the write: the PATCH had read sequence 0
		}
		t.Logf("attempt %d: the PATCH read after the other edit (%s); retrying with a longer pause", attempt, w.Body)
	}
	t.Fatal("the PATCH never read the session before the other edit committed")
}

// otherProcess opens a raw second connection to the API's database: the
// CLI or a second daemon, which the API's write lock does not cover.
func otherProcess(t *testing.T, ta *testAPI) *sql.DB {
	t.Helper()
	other, err := sql.Open("sqlite", "file:"+ta.path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	return other
}

// racing sends q while other holds the database's write lock with stmts
// pending, and commits them after pause: q reads the state before them
// (WAL) and then waits for the lock to write. A pause too short for q to
// have read first lets q see the other process's change up front instead.
func racing(t *testing.T, ta *testAPI, other *sql.DB, stmts []string, pause time.Duration, q req) *httptest.ResponseRecorder {
	t.Helper()
	ctx := context.Background()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, s := range append([]string{`BEGIN IMMEDIATE`}, stmts...) {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	if q.token == "" {
		q.token = writeToken
	}
	answer := make(chan *httptest.ResponseRecorder, 1)
	go func() { answer <- ta.do(t, q) }()
	time.Sleep(pause)
	if _, err := conn.ExecContext(ctx, `COMMIT`); err != nil {
		t.Fatalf("COMMIT: %v", err)
	}
	return <-answer
}

// bumped are the statements every write by another process ends with.
var bumped = []string{
	`UPDATE series SET revision = revision + 1 WHERE slug = 'debates'`,
	`UPDATE meta SET change_counter = change_counter + 1 WHERE id = 1`,
}

// TestCreateRacingAnotherProcess: a POST finds the slug, key, id or name
// free, and before it writes another process creates that very resource.
// The API's own check cannot see it; only the store's create-only condition,
// checked inside the write transaction, stops the POST from overwriting
// the other process's resource: the answer must be 409 with the usual
// message, and the other resource must survive.
func TestCreateRacingAnotherProcess(t *testing.T) {
	const stamp = `'2024-03-01T09:00:00.000000000Z'`
	tests := []struct {
		name  string
		stmts []string
		q     req
		want  string                // the 409 message
		check func(*testAPI) string // what the other process created, as stored
	}{
		{
			name: "series",
			stmts: []string{`INSERT INTO series (slug, title, description, homepage, zone, language, reminders,
				organizer_name, organizer_email, created, updated, revision)
				VALUES ('cli-made', 'Created by the CLI', '', '', 'UTC', 'en', '', '', '', ` + stamp + `, ` + stamp + `, 1)`},
			q:    req{method: "POST", path: "/api/v1/series", body: strings.Replace(seriesBody, `"debates"`, `"cli-made"`, 1)},
			want: `series "cli-made" already exists (revision 1); use PUT or PATCH to change it`,
			check: func(ta *testAPI) string {
				s, err := ta.db.Series(context.Background(), "cli-made")
				return fmt.Sprintf("%q revision %d %v", s.Title, s.Revision, err)
			},
		},
		{
			name: "session",
			stmts: append([]string{`INSERT INTO sessions (uid, series_id, key, title, description, all_day, start_wall,
				end_wall, start_date, end_date, zone, start_at, end_at, venue, address, online_url, status, language,
				tags, url, sequence, created, updated)
				VALUES ('cli@x', (SELECT id FROM series WHERE slug = 'debates'), 'smart-cities', 'Created by the CLI', '',
				0, '2021-11-17T12:00', '2021-11-17T13:30', '', '', 'Europe/Madrid', 1637146800, 1637152200, '', '', '',
				'confirmed', 'en', '', '', 0, ` + stamp + `, ` + stamp + `)`}, bumped...),
			q:    req{method: "POST", path: "/api/v1/sessions", body: sessionBody},
			want: `session debates/smart-cities already exists (uid cli@x); use PUT or PATCH to change it`,
			check: func(ta *testAPI) string {
				s, err := ta.db.SessionByKey(context.Background(), "debates", "smart-cities")
				return fmt.Sprintf("%s %q sequence %d %v", s.UID, s.Title, s.Sequence, err)
			},
		},
		{
			name: "post",
			stmts: append([]string{`INSERT INTO posts (series_id, slug, title, summary, body, body_html, author,
				published, updated, url, session_id, version)
				VALUES ((SELECT id FROM series WHERE slug = 'debates'), 'welcome', 'Created by the CLI', '', '', '', '',
				` + stamp + `, '', '', NULL, 1)`}, bumped...),
			q: req{method: "POST", path: "/api/v1/series/debates/posts",
				body: `{"id": "welcome", "title": "Welcome!", "published": "2024-01-01"}`},
			want: `post debates/welcome already exists (version 1); use PUT or PATCH to change it`,
			check: func(ta *testAPI) string {
				p, err := ta.db.Post(context.Background(), "debates", "welcome")
				return fmt.Sprintf("%q version %d %v", p.Title, p.Version, err)
			},
		},
		{
			name: "person",
			stmts: []string{`INSERT INTO people (name, affiliation, url) VALUES ('Emilia Saiz', 'Created by the CLI', '')`,
				`UPDATE meta SET change_counter = change_counter + 1 WHERE id = 1`},
			q:    req{method: "POST", path: "/api/v1/people", body: `{"name": "Emilia Saiz", "affiliation": "UCLG"}`},
			want: `person "Emilia Saiz" already exists (id 1); use PUT or PATCH to change it`,
			check: func(ta *testAPI) string {
				ps, err := ta.db.People(context.Background())
				return fmt.Sprintf("%v %v", ps, err)
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ta := newTestAPI(t)
			if tc.name != "series" && tc.name != "person" {
				ta.must(t, http.StatusCreated, req{method: "POST", path: "/api/v1/series", body: seriesBody})
			}
			other := otherProcess(t, ta)
			w := racing(t, ta, other, tc.stmts, 300*time.Millisecond, tc.q)
			after := tc.check(ta)
			var got errorBody
			if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || w.Code != http.StatusConflict || got.Error != tc.want {
				t.Errorf("POST racing another process's create: status %d, want 409 %q; body:\n%s", w.Code, tc.want, w.Body)
			}
			if !strings.Contains(after, "Created by the CLI") {
				t.Errorf("the other process's resource was overwritten: now %s", after)
			}
		})
	}
}

// TestPersonUpdateRacingAnotherProcess: a person has no counter, so the API
// checks If-Match against a hash of the person as read. Another process (an
// import, a CLI -person) that changes the person between that read and the
// write must make the write fail, 412 with If-Match and 409 without, and
// its change must survive. As in TestPatchRacingAnotherProcess, an attempt
// whose request read after the other change is repeated with a longer
// pause.
func TestPersonUpdateRacingAnotherProcess(t *testing.T) {
	tests := []struct {
		name    string
		method  string
		body    string
		ifMatch bool
		status  int
		refused string // the message of a write the store refused
	}{
		{"PATCH with If-Match", "PATCH", `{"affiliation": "Secretary General"}`, true, http.StatusPreconditionFailed, "changed meanwhile"},
		{"PUT with If-Match", "PUT", `{"name": "Emilia Saiz", "affiliation": "Secretary General"}`, true, http.StatusPreconditionFailed, "changed meanwhile"},
		{"PATCH without If-Match", "PATCH", `{"affiliation": "Secretary General"}`, false, http.StatusConflict, "changed while it was being written"},
		{"PUT without If-Match", "PUT", `{"name": "Emilia Saiz", "affiliation": "Secretary General"}`, false, http.StatusConflict, "changed while it was being written"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ta := newTestAPI(t)
			other := otherProcess(t, ta)
			for attempt, pause := range []time.Duration{50 * time.Millisecond, 200 * time.Millisecond, time.Second, 3 * time.Second} {
				name := fmt.Sprintf("Emilia Saiz %d", attempt)
				m := ta.must(t, http.StatusCreated, req{method: "POST", path: "/api/v1/people",
					body: `{"name": "` + name + `", "affiliation": "UCLG"}`})
				id := int64(obj(t, m, "person")["id"].(float64))
				path := fmt.Sprintf("/api/v1/people/%d", id)
				etag := ta.do(t, req{method: "GET", path: path, token: readToken}).Header().Get("ETag")
				q := req{method: tc.method, path: path, body: strings.Replace(tc.body, "Emilia Saiz", name, 1)}
				if tc.ifMatch {
					q.header = map[string]string{"If-Match": etag}
				}

				w := racing(t, ta, other, []string{
					fmt.Sprintf(`UPDATE people SET url = 'https://example.org/elsewhere' WHERE id = %d`, id),
					`UPDATE meta SET change_counter = change_counter + 1 WHERE id = 1`,
				}, pause, q)

				p, err := ta.db.Person(context.Background(), id)
				if err != nil {
					t.Fatal(err)
				}
				if p.URL != "https://example.org/elsewhere" {
					t.Fatalf("%s %s racing another process: status %d, stored url %q: the other process's URL was lost; body:\n%s",
						q.method, etag, w.Code, p.URL, w.Body)
				}
				if strings.Contains(w.Body.String(), tc.refused) {
					if w.Code != tc.status || p.Affiliation != "UCLG" {
						t.Fatalf("refused write: status %d, affiliation %q; want %d, UCLG; body:\n%s", w.Code, p.Affiliation, tc.status, w.Body)
					}
					return // the store refused the write: the request had read the old person
				}
				t.Logf("attempt %d: the request read after the other change (%d %s); retrying with a longer pause", attempt, w.Code, w.Body)
			}
			t.Fatal("the request never read the person before the other change committed")
		})
	}
}
