package store

import (
	"context"
	"testing"
	"time"
)

// TestImportChanges: an import names the sessions whose events it changed
// and no other: those it created or updated, those a series edit revised
// (named in the documents or not), and those, in any series, showing a
// person whose URL it changed. A document repeated as stored changes none.
func TestImportChanges(t *testing.T) {
	db, _ := newTestDB(t)
	ctx := context.Background()
	docs := func() []ImportDoc { return asDocs(importDocs(t)) }
	for _, tt := range []struct {
		name   string
		change func(d []ImportDoc) []ImportDoc
		want   ImportChanges
	}{
		{"first import", func(d []ImportDoc) []ImportDoc { return d },
			ImportChanges{"uclg-debates": {"finance", "housing"}, "congress": {"opening"}}},
		{"the same documents", func(d []ImportDoc) []ImportDoc { return d }, ImportChanges{}},
		{"one session changed", func(d []ImportDoc) []ImportDoc {
			d[0].Snapshot.Sessions[1].Venue = "Hall 9"
			return d
		}, ImportChanges{"uclg-debates": {"housing"}}},
		// Ana Ruiz moderates finance and gives the keynote of congress's
		// opening, which shows her URL too.
		{"a person's URL, shown in another series", func(d []ImportDoc) []ImportDoc {
			d[0].Snapshot.Sessions[1].Venue = "Hall 9"
			d[0].Snapshot.Sessions[0].People[0].URL = "https://ana.example/"
			return d[:1]
		}, ImportChanges{"uclg-debates": {"finance"}, "congress": {"opening"}}},
		{"new reminders revise what the document leaves out", func(d []ImportDoc) []ImportDoc {
			d[0].Snapshot.Sessions[0].People[0].URL = "https://ana.example/"
			d[0].Snapshot.Series.Reminders = []time.Duration{time.Hour}
			d[0].Snapshot.Sessions = d[0].Snapshot.Sessions[:1]
			d[0].Snapshot.Posts = nil
			return d[:1]
		}, ImportChanges{"uclg-debates": {"finance", "housing"}}},
	} {
		_, got, err := db.ImportDocsChanges(ctx, tt.change(docs()))
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		assertEqual(t, tt.name, got, tt.want)
	}
}
