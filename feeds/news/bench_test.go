package news

import (
	"fmt"
	"io"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/internal/agenda"
	gfeeds "github.com/gorilla/feeds"
)

// bigSnapshot is one series with nSessions sessions and nPosts posts of
// realistic size: a two-paragraph description and four people per session, a
// 1.5 KB body per post.
func bigSnapshot(nSessions, nPosts int) []agenda.Snapshot {
	series := agenda.Series{
		Slug: "big", Title: "Big series", Description: "Many sessions.", Zone: "Europe/Madrid", Language: "en",
		Organizer: agenda.Organizer{Name: "UCLG"},
		Created:   time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC), Updated: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	desc := strings.Repeat("The world has transformed rapidly, bringing to light that our strengths & weaknesses transcend borders. ", 4) +
		"\n\n" + strings.Repeat("Local public services must cover the new essentials <for> communities. ", 4)
	people := []agenda.Participant{
		{Person: agenda.Person{Name: "Emilia Saiz", Affiliation: "Secretary General of UCLG"}, Role: agenda.RoleModerator},
		{Person: agenda.Person{Name: "Mohamed Boudra", Affiliation: "President of UCLG"}, Role: agenda.RoleSpeaker},
		{Person: agenda.Person{Name: "Armand Béouindé", Affiliation: "Mayor of Ouagadougou", URL: "https://example.org/b"}, Role: agenda.RoleSpeaker},
		{Person: agenda.Person{Name: "Souad Ben Abderrahim", Affiliation: "Mayor of Tunis"}, Role: agenda.RolePanelist},
	}
	base := time.Date(2016, 1, 4, 0, 0, 0, 0, time.UTC)
	sessions := make([]agenda.Session, nSessions)
	for i := range sessions {
		day := base.AddDate(0, 0, i/4)
		h := 9 + 2*(i%4)
		sessions[i] = agenda.Session{
			UID: fmt.Sprintf("%08d-0000-4000-8000-000000000000@agenda.example.org", i), Series: "big", Key: fmt.Sprintf("s%d", i),
			Title:       fmt.Sprintf("Policy debate number %d on smart cities and territories", i),
			Description: desc,
			Start:       agenda.NewWallTime(day.Year(), day.Month(), day.Day(), h, 0, 0),
			End:         agenda.NewWallTime(day.Year(), day.Month(), day.Day(), h+1, 30, 0),
			Zone:        "Europe/Madrid", Venue: "Fira Gran Via", Address: "Av. Joan Carles I, 64\nL'Hospitalet de Llobregat",
			Status: agenda.StatusConfirmed, People: people, Tags: []string{"smart cities", "digital rights"},
			Created: day.Add(-30 * 24 * time.Hour), Updated: day.Add(-2 * 24 * time.Hour),
		}
	}
	body := strings.Repeat("<p>Mayors, city leaders &amp; policymakers are making choices of how we design our cities and infrastructure.</p>\n", 13)
	posts := make([]agenda.Post, nPosts)
	for i := range posts {
		posts[i] = agenda.Post{
			ID: fmt.Sprintf("post-%d", i), Series: "big", Title: fmt.Sprintf("News number %d", i),
			Summary: "Report on the debate.", BodyHTML: body, Author: "UCLG Communications",
			Published: base.Add(time.Duration(i) * 7 * time.Hour),
		}
	}
	return []agenda.Snapshot{{Series: series, Sessions: sessions, Posts: posts}}
}

// cpuTime is the CPU time the process has used (user and system, every
// thread): on a shared machine it shows the work done, where ns/op also
// counts waiting for a core.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU adds cpu-ms/op for the loop that started at start.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime()-start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}

// BenchmarkAllFormats10k builds a 10,000-item feed once and writes it as
// RSS, Atom and JSON Feed, as the publisher does for each series.
func BenchmarkAllFormats10k(b *testing.B) {
	snaps := bigSnapshot(6000, 4000)
	opts := Options{Layout: testLayout, ItemLimit: 10000}
	var size int64
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		f, err := Build(snaps, "big", opts)
		if err != nil {
			b.Fatal(err)
		}
		if f.Len() != 10000 {
			b.Fatalf("%d items", f.Len())
		}
		cw := &countWriter{}
		for _, write := range []func(io.Writer) error{f.WriteRSS, f.WriteAtom, f.WriteJSON} {
			if err := write(cw); err != nil {
				b.Fatal(err)
			}
		}
		size = cw.n
	}
	reportCPU(b, start)
	b.ReportMetric(float64(size)/1e6, "MB/op-output")
}

// BenchmarkFormats10k writes one format of a built 10,000-item feed.
func BenchmarkFormats10k(b *testing.B) {
	f, err := Build(bigSnapshot(6000, 4000), "big", Options{Layout: testLayout, ItemLimit: 10000})
	if err != nil {
		b.Fatal(err)
	}
	for _, fm := range []struct {
		name  string
		write func(io.Writer) error
	}{{"rss", f.WriteRSS}, {"atom", f.WriteAtom}, {"json", f.WriteJSON}} {
		b.Run(fm.name, func(b *testing.B) {
			b.ReportAllocs()
			start := cpuTime()
			for b.Loop() {
				if err := fm.write(io.Discard); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, start)
		})
	}
}

// BenchmarkBuild10k measures item construction alone.
func BenchmarkBuild10k(b *testing.B) {
	snaps := bigSnapshot(6000, 4000)
	opts := Options{Layout: testLayout, ItemLimit: 10000}
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		if _, err := Build(snaps, "big", opts); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, start)
}

// BenchmarkGorillaBaseline is gorilla/feeds alone writing RSS and Atom for
// 10,000 items of the same sizes, for comparison with ours.
func BenchmarkGorillaBaseline(b *testing.B) {
	snaps := bigSnapshot(6000, 4000)
	f, err := Build(snaps, "big", Options{Layout: testLayout, ItemLimit: 10000})
	if err != nil {
		b.Fatal(err)
	}
	feed := &gfeeds.Feed{
		Title: f.title, Link: &gfeeds.Link{Href: f.homeURL}, Description: f.description,
		Author: &gfeeds.Author{Name: f.author}, Updated: f.updated, Id: f.atomURL,
	}
	for _, it := range f.items {
		feed.Items = append(feed.Items, &gfeeds.Item{
			Title: it.title, Link: &gfeeds.Link{Href: it.link}, Author: &gfeeds.Author{Name: it.author},
			Description: it.summary, Id: it.id, IsPermaLink: "false", Updated: it.updated, Created: it.published,
			Content: it.content,
		})
	}
	var size int64
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		cw := &countWriter{}
		if err := feed.WriteRss(cw); err != nil {
			b.Fatal(err)
		}
		if err := feed.WriteAtom(cw); err != nil {
			b.Fatal(err)
		}
		size = cw.n
	}
	reportCPU(b, start)
	b.ReportMetric(float64(size)/1e6, "MB/op-output")
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

// BenchmarkBuildSeries100 builds one series' feed as a full pass does for
// each of its series: 100 sessions and 2 posts, the default item limit.
func BenchmarkBuildSeries100(b *testing.B) {
	snaps := bigSnapshot(100, 2)
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		if _, err := Build(snaps, "big", Options{Layout: testLayout}); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, start)
}

// BenchmarkCombined100x100 builds the all-series feed of 100 series of
// 100 sessions, one series at a time, at the default item limit: the
// all-series step of a pass over 10,000 sessions.
func BenchmarkCombined100x100(b *testing.B) {
	var snaps []agenda.Snapshot
	for i := range 100 {
		s := bigSnapshot(100, 2)[0]
		s.Series.Slug = fmt.Sprintf("series-%03d", i)
		s.Sessions = append([]agenda.Session(nil), s.Sessions...)
		for k := range s.Sessions {
			s.Sessions[k].Series = s.Series.Slug
			s.Sessions[k].UID = fmt.Sprintf("%03d-%s", i, s.Sessions[k].UID)
		}
		snaps = append(snaps, s)
	}
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		c, err := NewCombined(Options{Layout: testLayout})
		if err != nil {
			b.Fatal(err)
		}
		for i := range snaps {
			if err := c.Add(&snaps[i]); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := c.Feed(); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, start)
}
