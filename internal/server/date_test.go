package server

import (
	"net/http"
	"testing"
	"time"
)

// TestLastModifiedNeverAfterDate holds the server to RFC 9110 section
// 8.8.2.1: a Last-Modified later than the response's Date is never sent.
// The publisher dates a version a second past the previous one even when
// the clock has not reached that second (two edits within one second), so
// a stored date can be ahead of the clock: here an hour ahead, which the
// server cannot reach during the test. Such a file is sent with its Date
// as Last-Modified, while conditional requests compare the stored date:
// a client holding the Date it was given fetches the bytes again (the
// stored date is later), one holding the stored date gets 304.
func TestLastModifiedNeverAfterDate(t *testing.T) {
	ahead := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	targets := []struct {
		name   string
		fc     fixtureConfig
		target string
	}{
		{"published file", fixtureConfig{}, "/madrid/calendar.ics"},
		{"variant", fixtureConfig{variants: true}, "/madrid/calendar.ics?reminders=none"},
		{"served session", fixtureConfig{sessions: true}, "/madrid/sessions/k1.ics"},
		{"all-series file", fixtureConfig{}, "/calendar.ics"},
	}
	for _, tc := range targets {
		t.Run(tc.name, func(t *testing.T) {
			fc := tc.fc
			fc.published = ahead
			bothFrontsWith(t, fc, func(t *testing.T, f *fixture) {
				for _, method := range []string{"GET", "HEAD"} {
					w := f.do(t, method, tc.target)
					date, lm := w.Header().Get("Date"), w.Header().Get("Last-Modified")
					if w.Code != 200 || date == "" || lm == "" {
						t.Fatalf("%s: %d, Date %q, Last-Modified %q", method, w.Code, date, lm)
					}
					d, derr := http.ParseTime(date)
					l, lerr := http.ParseTime(lm)
					if derr != nil || lerr != nil || l.After(d) {
						t.Fatalf("%s: Last-Modified %q after Date %q (%v, %v)", method, lm, date, derr, lerr)
					}
					if !l.Before(ahead) {
						t.Fatalf("%s: Last-Modified %q: the stored date, an hour ahead", method, lm)
					}

					// The date the client was given is earlier than the
					// stored one: the bytes are sent again.
					w = f.do(t, method, tc.target, "If-Modified-Since", lm)
					if w.Code != 200 {
						t.Errorf("%s with If-Modified-Since %q (the clamped date): %d, want 200", method, lm, w.Code)
					}
					// The stored date (or later): not modified since, and
					// the 304 too dates the bytes no later than its Date.
					w = f.do(t, method, tc.target, "If-Modified-Since", ahead.Format(http.TimeFormat))
					if w.Code != http.StatusNotModified {
						t.Errorf("%s with If-Modified-Since the stored date: %d, want 304", method, w.Code)
					}
					d, derr = http.ParseTime(w.Header().Get("Date"))
					l, lerr = http.ParseTime(w.Header().Get("Last-Modified"))
					if derr != nil || lerr != nil || l.After(d) {
						t.Errorf("%s 304: Last-Modified %q, Date %q", method, w.Header().Get("Last-Modified"), w.Header().Get("Date"))
					}
				}
			})
		})
	}
}

// TestFasthttpDateIsRead checks that the Date fasthttp sends can be read:
// a fasthttp upgrade that writes it otherwise fails here, not in
// production, where the server would then clamp Last-Modified to its own
// clock alone, which fasthttp's Date lags.
func TestFasthttpDateIsRead(t *testing.T) {
	sec, ok := fasthttpDate()
	if now := time.Now().Unix(); !ok || sec > now || sec < now-3600 {
		t.Fatalf("fasthttpDate() = %d, %v; the clock says %d", sec, ok, now)
	}
}

// TestDateCacheLimitsLastModified checks the latest Last-Modified a
// second's responses may send: the server's second, or fasthttp's Date
// if that is earlier (it lags the clock), and never later than either;
// and that a lagging Date is read again, but not on every request.
func TestDateCacheLimitsLastModified(t *testing.T) {
	now := time.Date(2025, 11, 17, 10, 0, 5, 400e6, time.UTC)
	sec := now.Unix()
	tests := []struct {
		name     string
		fh       int64 // fasthttp's Date
		readable bool
		want     int64
		reread   bool // later in the second, once fasthttp's Date moved on
	}{
		{"fasthttp's Date lags", sec - 1, true, sec - 1, true},
		{"fasthttp's Date is this second", sec, true, sec, false},
		{"fasthttp's Date is ahead (clock set back)", sec + 7, true, sec, false},
		{"fasthttp's Date unreadable", 0, false, sec, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fh, reads := tt.fh, 0
			c := dateCache{fasthttp: func() (int64, bool) { reads++; return fh, tt.readable }}
			d := c.at(now)
			if d.sec != sec || d.h[0] != "Mon, 17 Nov 2025 10:00:05 GMT" {
				t.Errorf("Date %d %q", d.sec, d.h[0])
			}
			if want := time.Unix(tt.want, 0).UTC().Format(http.TimeFormat); d.lmSec != tt.want || d.lm[0] != want {
				t.Errorf("latest Last-Modified %d %q, want %d %q", d.lmSec, d.lm[0], tt.want, want)
			}
			// The requests that follow share it, with no allocation and
			// no read: it is on every request's path.
			if c.at(now.Add(dateRetry/2)) != d || reads != 1 {
				t.Errorf("rebuilt before dateRetry passed (%d reads)", reads)
			}
			if n := testing.AllocsPerRun(100, func() { c.at(now) }); n != 0 {
				t.Errorf("%v allocations per request", n)
			}
			// Later in the second only a lagging Date is read again, and
			// what it reads then holds.
			fh = sec
			later := c.at(now.Add(2 * dateRetry))
			if (later != d) != tt.reread || later.lmSec != sec {
				t.Errorf("later in the second: rebuilt %v, latest Last-Modified %d, want %d", later != d, later.lmSec, sec)
			}
			if next := c.at(now.Add(time.Second)); next.sec != sec+1 || next.h[0] != "Mon, 17 Nov 2025 10:00:06 GMT" {
				t.Errorf("next second: %d %q", next.sec, next.h[0])
			}
		})
	}
}
