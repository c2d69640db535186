package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// BenchmarkSnapshot reads a series of 1,000 sessions (two people and two
// tags each) and 20 posts.
func BenchmarkSnapshot(b *testing.B) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"), Options{UIDDomain: "bench.example"})
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
