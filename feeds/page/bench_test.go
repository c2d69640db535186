package page

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// realisticSnapshot is a series shaped like the ones bench/cmd/realpass
// publishes: sessions of 1-2 h across 2025-2027 in a handful of zones, 3-7
// people, 2-4 tags, a few hundred characters of description, a session page
// link, and two posts. It is deterministic.
func realisticSnapshot(tb testing.TB, sessions int) agenda.Snapshot {
	tb.Helper()
	var (
		zones  = []string{"Europe/Madrid", "Europe/Madrid", "Europe/Madrid", "America/New_York", "Asia/Tokyo", "Africa/Tunis", "America/Sao_Paulo", "Europe/London"}
		tags   = []string{"housing", "finance", "climate", "mobility", "culture", "health", "water", "energy", "data", "governance", "youth", "migration"}
		roles  = agenda.Roles()
		words  = strings.Fields("local and regional governments met to discuss how cities finance affordable housing, adapt to heat waves, share open data and plan public transport with citizens; speakers from municipalities, networks and universities presented results, budgets and lessons learned across several continents")
		venues = []string{"Palacio de Congresos, Room A", "City Hall", "Online", "Auditorium 2", "Casa de la Ciudad"}
	)
	const i = 7
	rng := rand.New(rand.NewPCG(i, 42))
	slug := fmt.Sprintf("series-%04d", i)
	text := func(n int) string {
		var b strings.Builder
		for b.Len() < n {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(words[rng.IntN(len(words))])
		}
		return b.String()
	}
	snap := agenda.Snapshot{Series: agenda.Series{
		Slug: slug, Title: fmt.Sprintf("Policy debates %d", i), Description: text(300),
		Homepage: "https://example.org/" + slug, Zone: zones[0], Language: "en",
		Organizer: agenda.Organizer{Name: "City network", Email: "events@example.org"},
	}}
	base := time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)
	for k := range sessions {
		day := base.Add(time.Duration(k*(3*365/max(1, sessions))) * 24 * time.Hour)
		st := time.Date(day.Year(), day.Month(), day.Day(), 8+rng.IntN(10), 30*rng.IntN(2), 0, 0, time.UTC)
		dur := time.Duration(60+30*rng.IntN(3)) * time.Minute
		s := agenda.Session{
			UID: fmt.Sprintf("%08d-0000-4000-8000-000000000000@agenda.example.org", k), Key: fmt.Sprintf("s%03d", k),
			Title: "Debate: " + text(40), Description: text(200 + rng.IntN(300)),
			Start: agenda.WallTimeOf(st), End: agenda.WallTimeOf(st.Add(dur)),
			Zone:  zones[(i+k)%len(zones)],
			Venue: venues[rng.IntN(len(venues))], URL: fmt.Sprintf("https://example.org/%s/s%03d", slug, k),
		}
		if k%3 == 0 {
			s.Zone = ""
		}
		perm := rng.Perm(len(tags))
		for _, t := range perm[:2+rng.IntN(3)] {
			s.Tags = append(s.Tags, tags[t])
		}
		for p := range 3 + rng.IntN(5) {
			s.People = append(s.People, agenda.Participant{
				Person: agenda.Person{Name: fmt.Sprintf("Person %d-%d", i, rng.IntN(400)+p*1000), Affiliation: "Mayor of " + text(10)},
				Role:   roles[rng.IntN(len(roles))],
			})
		}
		snap.Sessions = append(snap.Sessions, s)
	}
	for k := range 2 {
		body := text(400)
		snap.Posts = append(snap.Posts, agenda.Post{
			ID: fmt.Sprintf("news-%d", k), Title: "News: " + text(30), Summary: text(150),
			Body: "Some **news** about the series.\n\n" + body, BodyHTML: "<p>Some <strong>news</strong> about the series.</p>\n<p>" + body + "</p>",
			Author: "Secretariat", Published: base.Add(time.Duration(k*40) * 24 * time.Hour),
		})
	}
	return valid(tb, snap)
}

// BenchmarkWriteSeries100 renders a page like those of a full pass: 100
// sessions, the split between upcoming and past in the middle.
func BenchmarkWriteSeries100(b *testing.B) {
	snap := realisticSnapshot(b, 100)
	r := newRenderer(b)
	opts := testOptions()
	opts.AsOf = time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	var buf bytes.Buffer
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		buf.Reset()
		if err := r.WriteSeries(&buf, snap, opts); err != nil {
			b.Fatal(err)
		}
	}
	// CPU time (all threads, the GC's included) per page: what a pass pays.
	b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
	b.SetBytes(int64(buf.Len()))
}
