package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// BenchmarkSnapshot reads a series of 1,000 sessions (two people and two
// tags each) and 20 posts.
func BenchmarkSnapshot(b *testing.B) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"), Options{UIDDomain: "bench.example", Create: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	doc := agenda.Snapshot{Series: madrid()}
	start := time.Date(2023, 1, 2, 9, 0, 0, 0, time.UTC)
	for i := 0; i < 1000; i++ {
		day := start.Add(time.Duration(i/8) * 24 * time.Hour).Add(time.Duration(i%8) * time.Hour)
		doc.Sessions = append(doc.Sessions, agenda.Session{
			Key: fmt.Sprintf("s%04d", i), Title: fmt.Sprintf("Session %d", i),
			Description: "A session about cities, finance and housing.",
			Start:       agenda.WallTimeOf(day), End: agenda.WallTimeOf(day.Add(45 * time.Minute)),
			Venue: "Room 1", Tags: []string{"cities", "finance"},
			People: []agenda.Participant{
				{Person: agenda.Person{Name: fmt.Sprintf("Speaker %d", i%150), Affiliation: "City"}},
				{Person: agenda.Person{Name: fmt.Sprintf("Moderator %d", i%20)}, Role: agenda.RoleModerator},
			},
		})
	}
	for i := 0; i < 20; i++ {
		doc.Posts = append(doc.Posts, agenda.Post{ID: fmt.Sprintf("p%02d", i), Title: "News", Body: "Some *news*.",
			Published: start.Add(time.Duration(i) * time.Hour), SessionKey: fmt.Sprintf("s%04d", i)})
	}
	if _, err := db.Import(ctx, []agenda.Snapshot{doc}); err != nil {
		b.Fatal(err)
	}
	if _, err := db.Pack(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		snap, err := db.Snapshot(ctx, "uclg-debates")
		if err != nil {
			b.Fatal(err)
		}
		if len(snap.Sessions) != 1000 || len(snap.Posts) != 20 {
			b.Fatalf("snapshot has %d sessions, %d posts", len(snap.Sessions), len(snap.Posts))
		}
	}
}

// BenchmarkSnapshot100 reads one series shaped like those of the full-pass
// benchmark (bench/cmd/realpass): 100 sessions with 200-500-character
// descriptions, 3-7 people and 2-4 tags each, in a few zones, with 9 other
// such series in the database. It reports the bytes the snapshot keeps
// alive (retained-B/op), which is what the all-series step holds per series.
// The series are packed first, as the daemon leaves them after a pass;
// SNAPSHOT_TABLES=1 measures reading the tables instead.
func BenchmarkSnapshot100(b *testing.B) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"), Options{UIDDomain: "bench.example.org", Create: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var docs []agenda.Snapshot
	for i := range 10 {
		docs = append(docs, benchSeries(i, 100))
	}
	if _, err := db.Import(ctx, docs); err != nil {
		b.Fatal(err)
	}
	// As the daemon leaves them after a pass; without it, the tables.
	if os.Getenv("SNAPSHOT_TABLES") == "" {
		if _, err := db.Pack(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		snap, err := db.Snapshot(ctx, fmt.Sprintf("series-%04d", i%10))
		if err != nil {
			b.Fatal(err)
		}
		if len(snap.Sessions) != 100 || len(snap.Posts) != 2 {
			b.Fatalf("snapshot has %d sessions, %d posts", len(snap.Sessions), len(snap.Posts))
		}
	}
	b.StopTimer()
	// CPU time is steadier than wall time on a shared machine.
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(retained(b, func() any {
		snap, err := db.Snapshot(ctx, "series-0004")
		if err != nil {
			b.Fatal(err)
		}
		return snap
	})), "retained-B/op")
}

// benchSeries is series i as bench/cmd/realpass generates it (a simpler
// deterministic stand-in for its random choices).
func benchSeries(i, sessions int) agenda.Snapshot {
	words := strings.Fields("local and regional governments met to discuss how cities finance affordable housing, adapt to heat waves, share open data and plan public transport with citizens; speakers from municipalities, networks and universities presented results, budgets and lessons learned across several continents")
	zones := []string{"Europe/Madrid", "Europe/Madrid", "Europe/Madrid", "America/New_York", "Asia/Tokyo", "Africa/Tunis", "America/Sao_Paulo", "Europe/London"}
	tags := []string{"housing", "finance", "climate", "mobility", "culture", "health", "water", "energy", "data", "governance", "youth", "migration"}
	venues := []string{"Palacio de Congresos, Room A", "City Hall", "Online", "Auditorium 2", "Casa de la Ciudad"}
	roles := agenda.Roles()
	seed := uint32(i*7919 + 1)
	next := func(n int) int {
		seed = seed*1664525 + 1013904223
		return int(seed>>8) % n
	}
	text := func(n int) string {
		var sb strings.Builder
		for sb.Len() < n {
			if sb.Len() > 0 {
				sb.WriteByte(' ')
			}
			sb.WriteString(words[next(len(words))])
		}
		return sb.String()
	}
	slug := fmt.Sprintf("series-%04d", i)
	doc := agenda.Snapshot{Series: agenda.Series{
		Slug: slug, Title: fmt.Sprintf("Policy debates %d", i), Description: text(300),
		Zone: zones[i%len(zones)], Language: "en", Reminders: []time.Duration{15 * time.Minute},
	}}
	base := time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)
	for k := range sessions {
		day := base.Add(time.Duration(k*(3*365/max(1, sessions))) * 24 * time.Hour)
		st := time.Date(day.Year(), day.Month(), day.Day(), 8+next(10), 30*next(2), 0, 0, time.UTC)
		s := agenda.Session{
			Key: fmt.Sprintf("s%03d", k), Title: "Debate: " + text(40), Description: text(200 + next(300)),
			Start: agenda.WallTimeOf(st), End: agenda.WallTimeOf(st.Add(time.Duration(60+30*next(3)) * time.Minute)),
			Zone: zones[(i+k)%len(zones)], Venue: venues[next(len(venues))],
			URL: fmt.Sprintf("https://example.org/%s/s%03d", slug, k),
		}
		if k%3 == 0 {
			s.Zone = ""
		}
		for t := range 2 + next(3) {
			s.Tags = append(s.Tags, tags[(k+3*t)%len(tags)])
		}
		for p := range 3 + next(5) {
			s.People = append(s.People, agenda.Participant{
				Person: agenda.Person{Name: fmt.Sprintf("Person %d-%d", i%200, next(400)+p*1000), Affiliation: "Mayor of " + text(10)},
				Role:   roles[next(len(roles))],
			})
		}
		doc.Sessions = append(doc.Sessions, s)
	}
	for k := range 2 {
		doc.Posts = append(doc.Posts, agenda.Post{ID: fmt.Sprintf("news-%d", k), Title: "News: " + text(30),
			Summary: text(150), Body: "Some **news**.\n\n" + text(400), Author: "Secretariat",
			Published: base.Add(time.Duration(k*40) * 24 * time.Hour), SessionKey: fmt.Sprintf("s%03d", k)})
	}
	return doc
}

// retained is how many heap bytes the value made by f keeps alive.
func retained(b *testing.B, f func() any) uint64 {
	b.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	v := f()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(v)
	if after.HeapAlloc < before.HeapAlloc {
		return 0
	}
	return after.HeapAlloc - before.HeapAlloc
}

// cpuTime is the user+system CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkPutSession100 edits one session of a 100-session series shaped
// like the full-pass benchmark's: the write transaction, the revision bump
// and the repacking of the series' sessions that every write pays.
func BenchmarkPutSession100(b *testing.B) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"), Options{UIDDomain: "bench.example.org", Create: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Import(ctx, []agenda.Snapshot{benchSeries(0, 100)}); err != nil {
		b.Fatal(err)
	}
	s, err := db.SessionByKey(ctx, "series-0000", "s050")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		s.Venue = fmt.Sprintf("Hall %d", i)
		if _, err := db.PutSession(ctx, s, Any); err != nil {
			b.Fatal(err)
		}
	}
}
