package app

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/config"
	"github.com/agendafeed/agendafeed/internal/agenda"
)

// A series deleted and re-created from its export, then edited as often as
// before, is served as it now is at every URL: the subscriber variants and
// the session calendars rendered on request are never those cached for the
// deleted series (they were keyed by a revision the new series reached
// again), and the session's calendar carries the stored UID.
func TestRecreatedSeriesNotServedFromCache(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig(t, t.TempDir())
	cfg.SessionCalendars = config.SessionCalendarsServed
	a, base := startDaemon(t, cfg)
	const slug, key = "open-policy-debates", "smart-cities-pillars"
	cal := base + "/" + slug + "/calendar.ics"
	sess := base + "/" + slug + "/sessions/" + key + ".ics"
	urls := []string{
		cal + "?reminders=5m",
		cal + "?tag=smart-cities",
		cal + "?speaker=Emilia%20Saiz",
		sess,
		sess + "?reminders=5m",
	}
	// unfold undoes RFC 5545 line folding, so that a long LOCATION is one
	// line to look for.
	unfold := func(s string) string { return strings.ReplaceAll(s, "\r\n ", "") }
	waitFor := func(url, want string) {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			r := get(t, url)
			if b := unfold(body(t, r)); r.StatusCode == http.StatusOK && strings.Contains(b, want) || want == "" && r.StatusCode == http.StatusNotFound {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("GET %s: %q not served within 20 s", url, want)
			}
		}
	}

	export, err := a.DB().Snapshot(ctx, slug)
	if err != nil {
		t.Fatal(err)
	}
	moveDebate(t, a, "Hall A")
	waitFor(cal, "LOCATION:Hall A")
	for _, u := range urls { // cached at this revision
		if b := unfold(body(t, get(t, u))); !strings.Contains(b, "LOCATION:Hall A") {
			t.Fatalf("GET %s before the delete: no LOCATION:Hall A", u)
		}
	}
	deleted, err := a.DB().Series(ctx, slug)
	if err != nil {
		t.Fatal(err)
	}

	if err := a.DB().DeleteSeries(ctx, slug, deleted.Revision); err != nil {
		t.Fatal(err)
	}
	waitFor(cal, "") // the deletion is published
	if _, err := a.DB().Import(ctx, []agenda.Snapshot{export}); err != nil {
		t.Fatal(err)
	}
	waitFor(cal, "LOCATION:Smart City Expo World Congress") // the re-created series is published
	// As often as before the delete, so that a revision that started over
	// would be the deleted series' again.
	for range deleted.Revision {
		moveDebate(t, a, "Hall B")
		if cur, err := a.DB().Series(ctx, slug); err != nil || cur.Revision >= deleted.Revision {
			break
		}
	}
	waitFor(cal, "LOCATION:Hall B")
	stored, err := a.DB().SessionByKey(ctx, slug, key)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range urls {
		r := get(t, u)
		b := unfold(body(t, r))
		if r.StatusCode != http.StatusOK || !strings.Contains(b, "LOCATION:Hall B") {
			t.Errorf("GET %s after the series was re-created: %s, LOCATION:Hall B present: %v (a render of the deleted series)",
				u, r.Status, strings.Contains(b, "LOCATION:Hall B"))
		}
		if strings.HasPrefix(u, sess) && !strings.Contains(b, "UID:"+stored.UID+"\r\n") {
			t.Errorf("GET %s: not the stored session's UID %s", u, stored.UID)
		}
	}
}

// A series deleted, re-created and edited back to its old revision between
// two passes is published again: the pass compares the manifest's
// revision with the store's, and the new series never has the old one's.
func TestRecreatedSeriesPublished(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig(t, t.TempDir())
	a, err := Open(ctx, Options{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	loadDemo(t, a)
	const slug = "open-policy-debates"
	export, err := a.DB().Snapshot(ctx, slug)
	if err != nil {
		t.Fatal(err)
	}
	moveDebate(t, a, "Hall A")
	if _, err := a.Pass(ctx, false); err != nil {
		t.Fatal(err)
	}
	deleted, err := a.DB().Series(ctx, slug)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.DB().DeleteSeries(ctx, slug, deleted.Revision); err != nil {
		t.Fatal(err)
	}
	if _, err := a.DB().Import(ctx, []agenda.Snapshot{export}); err != nil {
		t.Fatal(err)
	}
	moveDebate(t, a, "Hall B")
	if _, err := a.Pass(ctx, false); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(cfg.OutputDir, slug, "calendar.ics"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.ReplaceAll(string(b), "\r\n ", ""), "LOCATION:Hall B") {
		t.Errorf("published calendar.ics after the series was re-created and edited: no LOCATION:Hall B (the deleted series' file was kept)")
	}
}
