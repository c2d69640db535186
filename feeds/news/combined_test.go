package news

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/internal/agenda"
	"github.com/agendafeed/agendafeed/internal/agenda/agendatest"
)

// manySeries is several series whose items interleave in time, in two
// languages, with a session listed twice in one series and a session
// repeated, newer, in a later series.
func manySeries(n int) []agenda.Snapshot {
	var out []agenda.Snapshot
	for k := range n {
		s := bigSnapshot(40+k*7, 3+k%4)[0]
		s.Series.Slug = fmt.Sprintf("big-%02d", k)
		if k%3 == 1 {
			s.Series.Language = "es"
		}
		s.Series.Updated = s.Series.Updated.Add(time.Duration(k*37%11) * time.Hour)
		for i := range s.Sessions {
			ss := &s.Sessions[i]
			ss.UID = fmt.Sprintf("%s-%d@example.org", s.Series.Slug, i)
			ss.Created = ss.Created.Add(time.Duration((k*131+i*17)%500) * time.Hour)
			ss.Updated = ss.Created.Add(time.Hour)
		}
		for i := range s.Posts {
			s.Posts[i].Published = s.Posts[i].Published.Add(time.Duration(k*97%300) * 24 * time.Hour)
		}
		if k == 2 {
			dup := s.Sessions[0]
			dup.Updated = dup.Updated.Add(time.Minute)
			s.Sessions = append(s.Sessions, dup)
		}
		if k == 4 {
			dup := out[1].Sessions[3] // newer copy of an earlier series' session
			dup.Updated = dup.Updated.Add(time.Hour)
			dup.Title = "moved"
			s.Sessions = append(s.Sessions, dup)
		}
		out = append(out, s)
	}
	return out
}

// TestCombinedMatchesBuild feeds series one at a time and compares the
// three formats with Build over all of them, byte for byte.
func TestCombinedMatchesBuild(t *testing.T) {
	tests := []struct {
		name  string
		snaps []agenda.Snapshot
		opts  func(*Options)
	}{
		{"demo", demoSnapshots(t), func(o *Options) { o.Title = "UCLG agendas" }},
		{"none", nil, nil},
		{"many default limit", manySeries(9), nil},
		{"many limit 1", manySeries(9), func(o *Options) { o.ItemLimit = 1 }},
		{"many limit 7", manySeries(9), func(o *Options) { o.ItemLimit = 7 }},
		{"many no limit", manySeries(9), func(o *Options) { o.ItemLimit = 100000 }},
		{"one language", manySeries(1), nil},
		{"upcoming", manySeries(6), func(o *Options) { o.UpcomingOnly, o.AsOf = true, time.Date(2016, 2, 1, 0, 0, 0, 0, time.UTC) }},
		{"all past", manySeries(3), func(o *Options) { o.UpcomingOnly, o.AsOf = true, time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := Options{Layout: testLayout}
			if tt.opts != nil {
				tt.opts(&opts)
			}
			want, err := Build(tt.snaps, "", opts)
			if err != nil {
				t.Fatal(err)
			}
			c, err := NewCombined(opts)
			if err != nil {
				t.Fatal(err)
			}
			for i := range tt.snaps {
				if err := c.Add(&tt.snaps[i]); err != nil {
					t.Fatal(err)
				}
			}
			got, err := c.Feed()
			if err != nil {
				t.Fatal(err)
			}
			for _, fm := range formats {
				var g, w bytes.Buffer
				if err := fm.write(got, &g); err != nil {
					t.Fatal(err)
				}
				if err := fm.write(want, &w); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(g.Bytes(), w.Bytes()) {
					t.Fatalf("%s differs from Build: %s", fm.name, firstDiff(w.String(), g.String()))
				}
			}
		})
	}
}

// TestCombinedErrors: options are checked as Build checks them, and a
// series Build rejects fails Add and everything after it.
func TestCombinedErrors(t *testing.T) {
	for _, opts := range []Options{
		{Layout: testLayout, ItemLimit: -1},
		{Layout: testLayout, UpcomingOnly: true},
		{},
	} {
		if _, err := NewCombined(opts); err == nil {
			t.Errorf("NewCombined(%+v): no error", opts)
		}
	}
	c, err := NewCombined(Options{Layout: testLayout})
	if err != nil {
		t.Fatal(err)
	}
	bad := manySeries(1)[0]
	bad.Series.Created = time.Time{}
	if err := c.Add(&bad); err == nil {
		t.Fatal("Add of a series without a creation time: no error")
	}
	if _, err := c.Feed(); err == nil {
		t.Fatal("Feed after a failed Add: no error")
	}
}

// The session items Combined keeps are copies: the store's snapshots have
// all their session strings in one buffer per series (posts and the series
// are read apart), which a kept title would keep whole.
func TestCombinedKeepsNoSnapshotText(t *testing.T) {
	snaps := manySeries(6)
	bufs := make([]string, len(snaps))
	for i := range snaps {
		bufs[i] = agendatest.IntoOneBuffer(&snaps[i].Sessions)
	}
	c, err := NewCombined(Options{Layout: testLayout, ItemLimit: 40})
	if err != nil {
		t.Fatal(err)
	}
	for i := range snaps {
		if err := c.Add(&snaps[i]); err != nil {
			t.Fatal(err)
		}
	}
	var sessions int
	for _, it := range c.items {
		if strings.HasPrefix(it.id, "urn:uid:") {
			sessions++
		}
	}
	if sessions != 40 || len(c.items)-sessions > 40 {
		t.Fatalf("kept %d sessions and %d posts, want 40 and at most 40", sessions, len(c.items)-sessions)
	}
	for i, buf := range bufs {
		if got := agendatest.InBuffer(c, buf); len(got) != 0 {
			t.Errorf("series %s: kept strings point into its snapshot's buffer at %v", snaps[i].Series.Slug, got)
		}
	}
}
