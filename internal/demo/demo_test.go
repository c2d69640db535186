package demo

import (
	"bytes"
	"reflect"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/internal/agenda"
	"github.com/agendafeed/agendafeed/internal/importer"
)

var opts = importer.Options{DefaultZone: "UTC", DefaultLanguage: "fr", DefaultReminders: []time.Duration{time.Hour}}

func parse(t *testing.T, f File) agenda.Snapshot {
	t.Helper()
	snap, err := importer.Parse(f.Name, f.Data, opts)
	if err != nil {
		t.Fatalf("Parse(%s):\n%v", f.Name, err)
	}
	return snap
}

func TestFiles(t *testing.T) {
	files := Files()
	var names []string
	for _, f := range files {
		names = append(names, f.Name)
	}
	if want := []string{"cities-are-listening.yaml", "open-policy-debates.yaml"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("Files() = %v, want %v", names, want)
	}
	files[0].Data[0] = 'X'
	if Files()[0].Data[0] == 'X' {
		t.Error("Files() shares its bytes between calls")
	}
}

type person struct{ name, role string }

func TestDemoData(t *testing.T) {
	tests := []struct {
		file      string
		slug      string
		start     time.Time // of the one session, in UTC
		end       time.Time
		people    []person
		postCount int
	}{
		{
			file:  "cities-are-listening.yaml",
			slug:  "cities-are-listening",
			start: time.Date(2020, 11, 18, 15, 0, 0, 0, time.UTC),
			end:   time.Date(2020, 11, 18, 16, 0, 0, 0, time.UTC),
			people: []person{{"Emilia Saiz", "moderator"}, {"Oihane Agirregoitia", "presenter"},
				{"Noraini Roslan", "panelist"}, {"Aik van Eemeren", "panelist"}, {"Kiseok Lee", "panelist"}},
			postCount: 1,
		},
		{
			file: "open-policy-debates.yaml",
			slug: "open-policy-debates",
			// 12:00-13:00 CET in Madrid is 11:00-12:00 UTC.
			start: time.Date(2021, 11, 17, 11, 0, 0, 0, time.UTC),
			end:   time.Date(2021, 11, 17, 12, 0, 0, 0, time.UTC),
			people: []person{{"Emilia Saiz", "moderator"}, {"Mohamed Boudra", "speaker"}, {"Carola Gunnarsson", "speaker"},
				{"Armand Béouindé", "speaker"}, {"Berry Vrbanovic", "speaker"}, {"Souad Ben Abderrahim", "speaker"}, {"Gissela Chala", "speaker"}},
			postCount: 1,
		},
	}
	byName := map[string]File{}
	for _, f := range Files() {
		byName[f.Name] = f
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			snap := parse(t, byName[tt.file])
			if snap.Series.Slug != tt.slug || snap.Series.Zone != "Europe/Madrid" || snap.Series.Language != "en" {
				t.Errorf("series = %q in %q (%s), want %q in Europe/Madrid (en)", snap.Series.Slug, snap.Series.Zone, snap.Series.Language, tt.slug)
			}
			if len(snap.Sessions) != 1 {
				t.Fatalf("%d sessions, want 1", len(snap.Sessions))
			}
			s := snap.Sessions[0]
			start, end, err := s.Interval()
			if err != nil {
				t.Fatal(err)
			}
			if !start.Equal(tt.start) || !end.Equal(tt.end) {
				t.Errorf("session runs %s-%s, want %s-%s", start.UTC(), end.UTC(), tt.start, tt.end)
			}
			var got []person
			for _, p := range s.People {
				got = append(got, person{p.Name, string(p.Role)})
			}
			if !reflect.DeepEqual(got, tt.people) {
				t.Errorf("people = %v\nwant %v", got, tt.people)
			}
			if len(snap.Posts) != tt.postCount {
				t.Fatalf("%d posts, want %d", len(snap.Posts), tt.postCount)
			}
			if p := snap.Posts[0]; p.SessionKey != s.Key {
				t.Errorf("post links to session %q, want %q", p.SessionKey, s.Key)
			}

			// Round trip: the encoded file parses back to the same snapshot,
			// and encoding that again gives the same bytes.
			var b1, b2 bytes.Buffer
			if err := importer.Encode(&b1, snap); err != nil {
				t.Fatal(err)
			}
			again := parse(t, File{Name: tt.file, Data: b1.Bytes()})
			if !reflect.DeepEqual(again, snap) {
				t.Errorf("round trip changed the snapshot:\n got %+v\nwant %+v", again, snap)
			}
			if err := importer.Encode(&b2, again); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(b1.Bytes(), b2.Bytes()) {
				t.Errorf("second encoding differs:\n%s\n---\n%s", b1.Bytes(), b2.Bytes())
			}
		})
	}
}
