package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/internal/publish/publishtest"
)

// TestRenderedCalendarsLastModified: a calendar rendered on request (a
// subscriber variant, a served session, a session's variant) keeps its
// Last-Modified while its bytes stay the same, however often its series
// calendar moves, and takes a later one when they change, so that
// If-Modified-Since alone revalidates it right.
func TestRenderedCalendarsLastModified(t *testing.T) {
	bothFrontsWith(t, fixtureConfig{variants: true, sessions: true}, func(t *testing.T, f *fixture) {
		get := func(target string, hdr ...string) *httptest.ResponseRecorder { return f.do(t, "GET", target, hdr...) }
		calLM := func() string {
			return f.pub.Manifest().Files["madrid/calendar.ics"].Modified.UTC().Format(http.TimeFormat)
		}
		republish := func(rev int64) {
			t.Helper()
			before := calLM()
			f.src.Put(publishtest.MakeSnapshot("madrid", rev, 2))
			if _, err := f.pub.Pass(context.Background(), false); err != nil {
				t.Fatal(err)
			}
			if calLM() == before {
				t.Fatalf("revision %d: the series calendar's Last-Modified stayed %s", rev, before)
			}
		}
		type seen struct{ etag, lm string }
		targets := []struct {
			target string
			salted bool // its bytes follow fakeVariants.salt
		}{
			{"/madrid/calendar.ics?tag=housing", true},
			{"/madrid/sessions/k1.ics?reminders=15m", true},
			{"/madrid/sessions/k1.ics", false}, // fakeSessions: the same bytes every revision
		}
		first := map[string]seen{}
		for _, tc := range targets {
			w := get(tc.target)
			if w.Code != 200 || w.Header().Get("Last-Modified") != calLM() {
				t.Fatalf("%s: %d, Last-Modified %q, want the series calendar's %q", tc.target, w.Code, w.Header().Get("Last-Modified"), calLM())
			}
			first[tc.target] = seen{w.Header().Get("Etag"), w.Header().Get("Last-Modified")}
		}

		republish(2) // the variants' bytes stay the same
		for _, tc := range targets {
			w := get(tc.target)
			if got := (seen{w.Header().Get("Etag"), w.Header().Get("Last-Modified")}); got != first[tc.target] {
				t.Errorf("%s after its series calendar moved, same bytes: %+v, want %+v", tc.target, got, first[tc.target])
			}
			if w := get(tc.target, "If-Modified-Since", first[tc.target].lm); w.Code != 304 {
				t.Errorf("%s: If-Modified-Since its own date: %d, want 304", tc.target, w.Code)
			}
		}

		salt := " v3"
		f.vars.salt.Store(&salt)
		republish(3)
		for _, tc := range targets {
			w := get(tc.target)
			got := seen{w.Header().Get("Etag"), w.Header().Get("Last-Modified")}
			want := first[tc.target]
			if tc.salted {
				want.lm = calLM()
				if got.etag == want.etag {
					t.Fatalf("%s: new bytes, same ETag %s", tc.target, got.etag)
				}
				want.etag = got.etag
			}
			if got != want {
				t.Errorf("%s at revision 3: %+v, want %+v", tc.target, got, want)
			}
			wantCode := 304
			if tc.salted {
				wantCode = 200
			}
			if w := get(tc.target, "If-Modified-Since", first[tc.target].lm); w.Code != wantCode {
				t.Errorf("%s: If-Modified-Since the first bytes' date: %d, want %d", tc.target, w.Code, wantCode)
			}
		}
	})
}

func TestLastModsDate(t *testing.T) {
	t0 := time.Date(2025, 11, 17, 10, 0, 0, 0, time.UTC)
	now := t0.Add(30*time.Minute + 500*time.Millisecond)
	d := newLastMods(2)
	d.now = func() time.Time { return now }
	for _, st := range []struct {
		name, key, etag string
		base            time.Time
		want            time.Time
	}{
		{"first render, a series calendar dated earlier: now, in seconds", "a", "e1", t0, t0.Add(30 * time.Minute)},
		{"same bytes, the series calendar moved", "a", "e1", t0.Add(time.Hour), t0.Add(30 * time.Minute)},
		{"new bytes", "a", "e2", t0.Add(2 * time.Hour), t0.Add(2 * time.Hour)},
		{"new bytes, the series calendar not moved", "a", "e3", t0.Add(2 * time.Hour), t0.Add(2*time.Hour + time.Second)},
		{"new bytes, an earlier series calendar", "a", "e4", t0, t0.Add(2*time.Hour + 2*time.Second)},
		{"back to earlier bytes: new to the client", "a", "e1", t0, t0.Add(2*time.Hour + 3*time.Second)},
		{"first render, a series calendar dated later (ahead of the clock)", "b", "e1", t0.Add(time.Hour + 300*time.Millisecond), t0.Add(time.Hour)},
		{"a third calendar forgets the least recent", "c", "e1", t0, t0.Add(30 * time.Minute)},
		{"forgotten: dated as a first render", "a", "e4", t0, t0.Add(30 * time.Minute)},
		{"remembered", "c", "e1", t0.Add(time.Hour), t0.Add(30 * time.Minute)},
	} {
		if got := d.date(st.key, st.etag, st.base); !got.Equal(st.want) {
			t.Errorf("%s: %s, want %s", st.name, got, st.want)
		}
	}
}
