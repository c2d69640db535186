package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/internal/agenda"
	"github.com/agendafeed/agendafeed/internal/publish"
	"github.com/agendafeed/agendafeed/internal/store"
)

// testClock is a settable clock for the app and its store.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// A session moves from "upcoming" to "past", on its series' page and as
// the index's next session, at the first pass after its end, not at the
// next UTC midnight; and that pass re-renders no series but those with a
// session that ended since the last pass.
func TestSessionMovesToPastAfterItEnds(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig(t, t.TempDir())
	clock := &testClock{t: time.Date(2030, 5, 1, 8, 0, 0, 0, time.UTC)}
	a, err := Open(ctx, Options{Config: cfg, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	wall := func(s string) agenda.WallTime {
		w, err := agenda.ParseWallTime(s)
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	for _, slug := range []string{"ends", "other"} {
		if _, err := a.DB().PutSeries(ctx, agenda.Series{Slug: slug, Title: "Series " + slug, Zone: "UTC", Language: "en"}, store.Any); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range []agenda.Session{
		{Series: "ends", Key: "morning", Title: "Morning talk", Start: wall("2030-05-01T09:00"), End: wall("2030-05-01T10:00"), Zone: "UTC"},
		{Series: "ends", Key: "evening", Title: "Evening talk", Start: wall("2030-05-01T18:00"), End: wall("2030-05-01T19:00"), Zone: "UTC"},
		{Series: "other", Key: "later", Title: "Later talk", Start: wall("2030-05-01T11:00"), End: wall("2030-05-01T12:00"), Zone: "UTC"},
	} {
		if _, err := a.DB().PutSession(ctx, s, store.Any); err != nil {
			t.Fatal(err)
		}
	}
	// A pass as the cron runs it.
	cron := func(at string) publish.Result {
		t.Helper()
		clock.Set(time.Date(2030, 5, 1, 0, 0, 0, 0, time.UTC).Add(mustDuration(t, at)))
		res, err := a.pass(ctx, "cron", false, false)
		if err != nil {
			t.Fatalf("pass at %s: %v", at, err)
		}
		return res
	}
	read := func(path string) string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(cfg.OutputDir, path))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	// sections splits a series page at its "Past sessions" heading.
	sections := func(page string) (upcoming, past string) {
		up, past, _ := strings.Cut(page, `<h2 id="_past-h">`)
		return up, past
	}
	const seriesPage, otherPage, indexPage = "ends/index.html", "other/index.html", "index.html"

	cron("8h")    // the process's first pass: every series
	cron("9h59m") // nothing ended yet
	up, past := sections(read(seriesPage))
	if !strings.Contains(up, "Morning talk") || strings.Contains(past, "Morning talk") {
		t.Errorf("at 09:59 the session ending at 10:00 is not listed as upcoming only")
	}
	if idx := read(indexPage); !strings.Contains(idx, "Morning talk") {
		t.Errorf("at 09:59 the index's next session is not the one ending at 10:00")
	}
	otherBefore := a.Publisher().Manifest().Files[otherPage]
	otherBytes := read(otherPage)

	res := cron("10h6m")
	if res.SeriesRendered != 1 {
		t.Errorf("the pass at 10:06 rendered %d series, want 1 (only the one whose session ended)", res.SeriesRendered)
	}
	up, past = sections(read(seriesPage))
	if strings.Contains(up, "Morning talk") || !strings.Contains(past, "Morning talk") {
		t.Errorf("at 10:06 the session that ended at 10:00 is not listed as past only")
	}
	idx := read(indexPage)
	if strings.Contains(idx, "Morning talk") || !strings.Contains(idx, "Evening talk") {
		t.Errorf("at 10:06 the index's next session is not the evening one")
	}
	if got := a.Publisher().Manifest().Files[otherPage]; got.ETag != otherBefore.ETag || !got.Modified.Equal(otherBefore.Modified) {
		t.Errorf("the page of a series with no session ended moved: %+v -> %+v", otherBefore, got)
	}
	if read(otherPage) != otherBytes {
		t.Errorf("the page of a series with no session ended was rewritten")
	}

	// Nothing ended since: nothing rendered.
	if res := cron("10h11m"); res.SeriesRendered != 0 || res.FilesWritten != 0 {
		t.Errorf("a pass with no session ended since the last: %+v", res)
	}
	// A session ending on the second of the pass is past on its page.
	if res := cron("12h"); res.SeriesRendered != 1 {
		t.Errorf("the pass at 12:00 rendered %d series, want 1", res.SeriesRendered)
	}
	if _, past := sections(read(otherPage)); !strings.Contains(past, "Later talk") {
		t.Errorf("at 12:00 the session that ended at 12:00 is not past")
	}
}

func mustDuration(t *testing.T, s string) time.Duration {
	t.Helper()
	d, err := time.ParseDuration(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
