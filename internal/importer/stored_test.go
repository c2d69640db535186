package importer

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// A series key the file leaves out keeps the stored series' value, as
// `series edit` keeps what it is not given; a key given sets it, even to
// empty where empty can be said. A new series takes the defaults.
func TestStoredSeriesKeysKept(t *testing.T) {
	stored := agenda.Series{Slug: "debates", Title: "Debates", Description: "Open debates", Homepage: "https://www.uclg.org/",
		Zone: "America/New_York", Language: "es", Reminders: []time.Duration{30 * time.Minute},
		Organizer: agenda.Organizer{Name: "UCLG", Email: "info@uclg.org"}, Revision: 4}
	opts := testOpts
	opts.Stored = map[string]agenda.Series{"debates": stored}
	const head = "series:\n  slug: debates\n  title: Debates\n"
	keep := func(s agenda.Series) agenda.Series { return s }
	for _, tc := range []struct {
		name string
		file string
		opts Options
		want func(agenda.Series) agenda.Series // from the stored series
	}{
		{"posts only", head, opts, keep},
		{"empty zone and language, null reminders read as absent", head + "  zone: \"\"\n  language:\n  reminders: ~\n", opts, keep},
		{"explicit empties clear", head + "  description: \"\"\n  homepage:\n  reminders: []\n  organizer: ~\n", opts, func(s agenda.Series) agenda.Series {
			s.Description, s.Homepage, s.Reminders, s.Organizer = "", "", nil, agenda.Organizer{}
			return s
		}},
		{"organizer given whole", head + "  organizer: {name: CGLU}\n", opts, func(s agenda.Series) agenda.Series {
			s.Organizer = agenda.Organizer{Name: "CGLU"}
			return s
		}},
		{"values given", head + "  zone: Europe/Paris\n  reminders: [1h]\n", opts, func(s agenda.Series) agenda.Series {
			s.Zone, s.Reminders = "Europe/Paris", []time.Duration{time.Hour}
			return s
		}},
		{"new series: the defaults", head, testOpts, func(agenda.Series) agenda.Series {
			return agenda.Series{Slug: "debates", Title: "Debates", Zone: "Europe/Madrid", Language: "en", Reminders: testOpts.DefaultReminders}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			snap, err := Parse("f.yaml", []byte(tc.file), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			want := tc.want(stored)
			want.Revision = 0 // store-set: not the file's
			if !reflect.DeepEqual(snap.Series, want) {
				t.Errorf("series\n got %#v\nwant %#v", snap.Series, want)
			}
		})
	}
}

// Sessions without a zone and date-only post times are read in the zone
// the stored series keeps, not in the configured default.
func TestStoredZoneReadsTimes(t *testing.T) {
	opts := testOpts
	opts.Stored = map[string]agenda.Series{"debates": {Slug: "debates", Title: "Debates", Zone: "America/New_York", Language: "en"}}
	snap, err := Parse("f.yaml", []byte(`series: {slug: debates, title: Debates}
sessions:
  - {key: a, title: A, start: 2021-11-17T12:00, end: 2021-11-17T13:00}
posts:
  - {id: p, title: P, published: 2021-11-12}
`), opts)
	if err != nil {
		t.Fatal(err)
	}
	start, _, err := snap.Sessions[0].Interval()
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2021, 11, 17, 17, 0, 0, 0, time.UTC); snap.Sessions[0].Zone != "America/New_York" || !start.Equal(want) {
		t.Errorf("session zone %q start %v; want America/New_York, %v", snap.Sessions[0].Zone, start, want)
	}
	if want := time.Date(2021, 11, 12, 5, 0, 0, 0, time.UTC); !snap.Posts[0].Published.Equal(want) {
		t.Errorf("post published %v; want %v", snap.Posts[0].Published, want)
	}
}

// Editing the series' zone in an exported file keeps every session at its
// instant, as `series edit -zone` does: export writes each session's zone.
// A hand-written session without a zone follows the series' zone.
func TestExportKeepsSessionZones(t *testing.T) {
	snap := mustParse(t, "f.yaml", []byte(`series: {slug: s, title: S, zone: Europe/Madrid}
sessions:
  - {key: a, title: A, start: 2021-11-17T12:00, end: 2021-11-17T13:00}
`))
	before, _, err := snap.Sessions[0].Interval()
	if err != nil {
		t.Fatal(err)
	}
	exported := string(encode(t, snap, encodeYAML))
	edited := strings.Replace(exported, "zone: Europe/Madrid", "zone: America/New_York", 1)
	if edited == exported || !strings.Contains(edited, "zone: Europe/Madrid") {
		t.Fatalf("the export does not write the session's zone apart from the series':\n%s", exported)
	}
	again := mustParse(t, "f.yaml", []byte(edited))
	after, _, err := again.Sessions[0].Interval()
	if err != nil {
		t.Fatal(err)
	}
	if again.Series.Zone != "America/New_York" || again.Sessions[0].Zone != "Europe/Madrid" || !after.Equal(before) {
		t.Errorf("series zone %s, session zone %s at %v; want America/New_York, Europe/Madrid at %v\n%s",
			again.Series.Zone, again.Sessions[0].Zone, after, before, edited)
	}

	hand := mustParse(t, "f.yaml", []byte(`series: {slug: s, title: S, zone: America/New_York}
sessions:
  - {key: a, title: A, start: 2021-11-17T12:00, end: 2021-11-17T13:00}
`))
	if z := hand.Sessions[0].Zone; z != "America/New_York" {
		t.Errorf("a session without a zone is in %s, want the series' America/New_York", z)
	}
}

// Editing the series' language in an exported file changes no session, as
// `series edit -language` does: export writes each session's language. A
// hand-written session without a language follows the series' language.
func TestExportKeepsSessionLanguages(t *testing.T) {
	snap := mustParse(t, "f.yaml", []byte(`series: {slug: s, title: S, zone: Europe/Madrid, language: en}
sessions:
  - {key: a, title: A, start: 2021-11-17T12:00, end: 2021-11-17T13:00}
  - {key: b, title: B, start: 2021-11-18T12:00, end: 2021-11-18T13:00, language: ca}
`))
	exported := string(encode(t, snap, encodeYAML))
	edited := strings.Replace(exported, "language: en", "language: es", 1)
	if edited == exported || !strings.Contains(edited, "language: en") {
		t.Fatalf("the export does not write the session's language apart from the series':\n%s", exported)
	}
	again := mustParse(t, "f.yaml", []byte(edited))
	if got := []string{again.Series.Language, again.Sessions[0].Language, again.Sessions[1].Language}; !reflect.DeepEqual(got, []string{"es", "en", "ca"}) {
		t.Errorf("series, session languages %v; want [es en ca]\n%s", got, edited)
	}

	hand := mustParse(t, "f.yaml", []byte(`series: {slug: s, title: S, language: es}
sessions:
  - {key: a, title: A, start: 2021-11-17T12:00, end: 2021-11-17T13:00}
`))
	if l := hand.Sessions[0].Language; l != "es" {
		t.Errorf("a session without a language is in %s, want the series' es", l)
	}
}
