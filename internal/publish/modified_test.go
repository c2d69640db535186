package publish_test

import (
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/internal/publish"
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

// TestModifiedMovesPastARemovedVersion holds the same rule across a
// remove: a path removed and published again (a session deleted and
// posted again, a series deleted and created again) is new bytes at the
// URL a client may still hold a Last-Modified for, and the manifest no
// longer lists the removed version's date. Within its second it must
// still be dated past that version; well after it, by the clock alone.
func TestModifiedMovesPastARemovedVersion(t *testing.T) {
	t0 := time.Date(2025, 11, 17, 10, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		// sessions of madrid at each of three passes: present, removed,
		// present again (revision 3: other bytes); 0 removes the series.
		sessions [3]int
		path     string    // the file removed and created again
		again    time.Time // the clock at the third pass
		want     time.Time
	}{
		{"session, same second", [3]int{3, 2, 3}, "madrid/sessions/k2.ics", t0.Add(900 * time.Millisecond), t0.Add(time.Second)},
		{"series, same second", [3]int{2, 0, 2}, "madrid/calendar.ics", t0.Add(900 * time.Millisecond), t0.Add(time.Second)},
		{"series, clock set back", [3]int{2, 0, 2}, "madrid/calendar.ics", t0.Add(-time.Hour), t0.Add(time.Second)},
		{"session, seconds later", [3]int{3, 2, 3}, "madrid/sessions/k2.ics", t0.Add(5*time.Second + 900*time.Millisecond), t0.Add(5 * time.Second)},
		{"series, seconds later", [3]int{2, 0, 2}, "madrid/calendar.ics", t0.Add(5*time.Second + 900*time.Millisecond), t0.Add(5 * time.Second)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := &clock{t: t0.Add(100 * time.Millisecond)}
			src := publishtest.NewSource(publishtest.MakeSnapshot("tunis", 1, 1))
			p := newPublisher(t, t.TempDir(), src, &publishtest.Renderer{PerSession: 50}, c)
			var first publish.FileInfo
			for i, n := range tc.sessions {
				switch i {
				case 1:
					c.Add(300 * time.Millisecond)
				case 2:
					c.mu.Lock()
					c.t = tc.again
					c.mu.Unlock()
				}
				if n == 0 {
					src.Remove("madrid")
				} else {
					src.Put(publishtest.MakeSnapshot("madrid", int64(i+1), n))
				}
				pass(t, p, false)
				fi, listed := p.Manifest().Files[tc.path]
				switch i {
				case 0:
					first = fi
				case 1:
					if listed {
						t.Fatalf("%s still listed after its removal", tc.path)
					}
				case 2:
					if !listed || fi.ETag == first.ETag {
						t.Fatalf("%s not published again with new bytes: %+v (first %+v)", tc.path, fi, first)
					}
					if !fi.Modified.Equal(tc.want) {
						t.Errorf("modified %s, want %s (the removed version's was %s)", fi.Modified.Format(time.RFC3339Nano),
							tc.want.Format(time.RFC3339Nano), first.Modified.Format(time.RFC3339Nano))
					}
				}
			}
		})
	}
}
