package publish_test

import (
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/internal/publish/publishtest"
)

// TestModifiedMovesPastThePrevious holds a file's Modified to what a
// client revalidating with If-Modified-Since alone needs: whole seconds
// (HTTP dates have no more), unchanged while the bytes are, and a second
// past the previous version's whenever they change, even within the same
// second, with the clock set back, or after a restart.
func TestModifiedMovesPastThePrevious(t *testing.T) {
	t0 := time.Date(2025, 11, 17, 10, 0, 0, 0, time.UTC)
	steps := []struct {
		name    string
		at      time.Time // the clock at the pass
		title   string    // what titleRenderer writes
		restart bool      // a new Publisher reads the manifest from disk first
		want    time.Time
	}{
		{"first version, mid-second", t0.Add(300 * time.Millisecond), "A", false, t0},
		{"new bytes in the same second", t0.Add(700 * time.Millisecond), "B", false, t0.Add(time.Second)},
		{"again, before the clock reaches that second", t0.Add(800 * time.Millisecond), "C", false, t0.Add(2 * time.Second)},
		{"same bytes, later", t0.Add(5 * time.Second), "C", false, t0.Add(2 * time.Second)},
		{"new bytes, clock set back", t0.Add(-time.Hour), "D", false, t0.Add(3 * time.Second)},
		{"new bytes after a restart, same second", t0.Add(3*time.Second + 100*time.Millisecond), "E", true, t0.Add(4 * time.Second)},
		{"new bytes later on", t0.Add(time.Minute + 999*time.Millisecond), "F", false, t0.Add(time.Minute)},
	}
	dir := t.TempDir()
	c := &clock{}
	snap := publishtest.MakeSnapshot("madrid", 1, 0)
	src := publishtest.NewSource()
	p := newPublisher(t, dir, src, titleRenderer{}, c)
	for i, st := range steps {
		c.mu.Lock()
		c.t = st.at
		c.mu.Unlock()
		if st.restart {
			closePublisher(t, p)
			p = newPublisher(t, dir, src, titleRenderer{}, c)
		}
		snap.Series.Title = st.title
		snap.Series.Revision = int64(i + 1)
		src.Put(snap)
		pass(t, p, false)
		m := p.Manifest()
		// The all-series file lists the titles: it changes with them.
		for _, path := range []string{"madrid/calendar.ics", "index.html"} {
			if got := m.Files[path].Modified; !got.Equal(st.want) {
				t.Errorf("%s: %s: modified %s, want %s", st.name, path, got.Format(time.RFC3339Nano), st.want.Format(time.RFC3339Nano))
			}
		}
	}
}
