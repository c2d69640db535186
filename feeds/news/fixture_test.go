package news

import (
	"fmt"
	"html"
	"strings"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/feeds"
	"github.com/agendafeed/agendafeed/internal/agenda"
)

// Test snapshots are built here, in Go, so that a renderer's test does not
// depend on the store. The demo series follows two real UCLG event pages.

var testLayout = feeds.NewLayout("https://agenda.example.org")

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func wall(t *testing.T, s string) agenda.WallTime {
	t.Helper()
	w, err := agenda.ParseWallTime(s)
	if err != nil {
		t.Fatalf("wall time %q: %v", s, err)
	}
	return w
}

func date(t *testing.T, s string) agenda.Date {
	t.Helper()
	d, err := agenda.ParseDate(s)
	if err != nil {
		t.Fatalf("date %q: %v", s, err)
	}
	return d
}

// demoSnapshots returns the UCLG series (Europe/Madrid, English) and a second,
// Spanish series in America/Sao_Paulo (a zone whose abbreviation Go reports
// as a number) for the combined feed.
func demoSnapshots(t *testing.T) []agenda.Snapshot {
	t.Helper()
	uclg := agenda.Series{
		Slug:        "cities-are-listening",
		Title:       "#CitiesAreListening",
		Description: "Policy debates of UCLG with local and regional governments.",
		Homepage:    "https://www.uclg.org/",
		Zone:        "Europe/Madrid",
		Language:    "en",
		Organizer:   agenda.Organizer{Name: "UCLG", Email: "events@uclg.example.org"},
		Created:     utc("2020-10-01T08:00:00Z"),
		Updated:     utc("2021-11-10T09:30:00Z"),
		Revision:    12,
	}
	sessions := []agenda.Session{
		{
			UID: "6fd69967-ebfb-421c-9a1b-000000000001@agenda.example.org", Series: uclg.Slug, Key: "smart-recovery",
			Title:       "#CitiesAreListening Experience: dialogue on a smart recovery in the post COVID-19 era",
			Description: "Organized by UCLG in the framework of Smart Cities Live.\n\nA step in the development of the Pact for the Future.",
			AllDay:      true, StartDate: date(t, "2020-11-18"), EndDate: date(t, "2020-11-18"), Zone: "Europe/Madrid",
			OnlineURL: "https://www.smartcityexpo.com/live/", Status: agenda.StatusConfirmed, Language: "en",
			People: []agenda.Participant{
				{Person: agenda.Person{Name: "Emilia Saiz", Affiliation: "UCLG Secretary-General"}, Role: agenda.RoleModerator},
				{Person: agenda.Person{Name: "Oihane Agirregoitia", Affiliation: "Councilor of Public Services, Bilbao"}, Role: agenda.RolePresenter},
				{Person: agenda.Person{Name: "Noraini Roslan", Affiliation: "Mayor of Subang Jaya"}, Role: agenda.RolePanelist},
			},
			Tags: []string{"digital rights", "smart cities"}, Sequence: 1,
			Created: utc("2020-10-20T10:00:00Z"), Updated: utc("2020-10-20T10:00:00Z"),
		},
		{
			UID: "ba9a036a-2e3e-4388-8000-000000000002@agenda.example.org", Series: uclg.Slug, Key: "common-agenda",
			Title:       "Smart Cities and Territories, Pillars of the Common Agenda",
			Description: "Open Policy debate organized in conjunction with Smart City Expo World Congress.\n\nThe world has transformed rapidly, bringing to light that our strengths & our weaknesses transcend borders.\nWe must transition to a society based on care.",
			Start:       wall(t, "2021-11-17T12:00"), End: wall(t, "2021-11-17T13:00"), Zone: "Europe/Madrid",
			Venue: "Smart City Expo World Congress", Address: "Fira Gran Via\nBarcelona", Status: agenda.StatusConfirmed,
			URL: "https://www.uclg.org/en/agenda/smart-cities-and-territories",
			People: []agenda.Participant{
				{Person: agenda.Person{Name: "Emilia Saiz", Affiliation: "Secretary General of UCLG"}, Role: agenda.RoleModerator},
				{Person: agenda.Person{Name: "Mohamed Boudra", Affiliation: "President of UCLG"}, Role: agenda.RoleSpeaker},
				{Person: agenda.Person{Name: "Armand Béouindé", Affiliation: "Mayor of Ouagadougou", URL: "https://example.org/beouinde?a=1&b=2"}, Role: agenda.RoleSpeaker},
				{Person: agenda.Person{Name: "Souad Ben Abderrahim", Affiliation: "Mayor of Tunis"}, Role: agenda.RoleSpeaker},
			},
			Tags: []string{"common agenda", "smart cities"}, Sequence: 3,
			Created: utc("2021-10-01T09:00:00Z"), Updated: utc("2021-11-10T09:30:00Z"),
		},
		{
			UID: "c0ffee00-0000-4000-8000-000000000003@agenda.example.org", Series: uclg.Slug, Key: "expo-days",
			Title:  "Smart City Expo World Congress: UCLG stand",
			AllDay: true, StartDate: date(t, "2021-11-17"), EndDate: date(t, "2021-11-18"), Zone: "Europe/Madrid",
			Venue: "Fira Gran Via, Barcelona", Status: agenda.StatusTentative,
			Created: utc("2021-09-15T12:00:00Z"), Updated: utc("2021-09-15T12:00:00Z"),
		},
		{
			UID: "c0ffee00-0000-4000-8000-000000000004@agenda.example.org", Series: uclg.Slug, Key: "summer-dialogue",
			Title: "Summer dialogue on local public services",
			Start: wall(t, "2021-06-10T17:00"), End: wall(t, "2021-06-10T18:30"), Zone: "Europe/Madrid",
			OnlineURL: "https://meet.example.org/summer", Status: agenda.StatusCancelled,
			Created: utc("2021-05-02T08:00:00Z"), Updated: utc("2021-06-01T16:45:00Z"),
		},
		{
			UID: "c0ffee00-0000-4000-8000-000000000005@agenda.example.org", Series: uclg.Slug, Key: "night-of-dst",
			Title: "Overnight hackathon (clocks go back)",
			Start: wall(t, "2021-10-30T22:00"), End: wall(t, "2021-10-31T04:00"), Zone: "Europe/Madrid",
			Venue: "Bilbao", Status: agenda.StatusConfirmed,
			Created: utc("2021-09-01T08:00:00Z"), Updated: utc("2021-09-01T08:00:00Z"),
		},
		{
			UID: "c0ffee00-0000-4000-8000-000000000006@agenda.example.org", Series: uclg.Slug, Key: "kathmandu",
			Title: "Regional dialogue: South Asia & the Pacific",
			Start: wall(t, "2021-11-20T09:00"), End: wall(t, "2021-11-20T10:30"), Zone: "Asia/Kathmandu",
			Venue: "Kathmandu", Status: agenda.StatusConfirmed,
			Created: utc("2021-10-05T08:00:00Z"), Updated: utc("2021-10-05T08:00:00Z"),
		},
	}
	seed := []string{
		"The #CitiesAreListening experiences arise from the mandate to move from social distance to a world driven by communities.",
		"Moderated by Emilia Saiz, UCLG Secretary-General, the experience began with the presentation of the UCLG Community of Practice on Digital Cities.",
		"“Digital rights have become our present” — Emilia Saiz.",
	}
	var body strings.Builder
	for _, p := range seed {
		fmt.Fprintf(&body, "<p>%s</p>\n", html.EscapeString(p))
	}
	posts := []agenda.Post{
		{
			ID: "smart-recovery-report", Series: uclg.Slug,
			Title:    "Local and regional governments call for ensuring a digital transformation that leaves no-one behind",
			Summary:  "Report on the #CitiesAreListening Experience on smart recovery at Smart Cities Live 2020.",
			BodyHTML: body.String(), Author: "UCLG Communications",
			Published: time.Date(2020, 11, 23, 10, 0, 0, 0, time.FixedZone("", 3600)),
			URL:       "https://www.uclg.org/en/media/news/smart-recovery", SessionKey: "smart-recovery",
			SessionUID: "6fd69967-ebfb-421c-9a1b-000000000001@agenda.example.org", Version: 1,
		},
		{
			ID: "common-agenda-announced", Series: uclg.Slug,
			Title:     "Registration open: Pillars of the Common Agenda",
			Summary:   "Join the open policy debate on 17 November.",
			BodyHTML:  "<p>Registration is open. Bring <em>questions</em> &amp; ideas.</p>\n",
			Published: utc("2021-10-01T09:00:00Z"), Updated: utc("2021-10-02T11:15:00.123Z"), Version: 2,
		},
	}

	sp := agenda.Series{
		Slug: "direitos-digitais", Title: "Derechos digitales", Description: "Diálogos en línea.",
		Zone: "America/Sao_Paulo", Language: "es",
		Created: utc("2021-01-10T00:00:00Z"), Updated: utc("2021-11-12T10:00:00Z"),
	}
	spSessions := []agenda.Session{{
		UID: "d1d1d1d1-0000-4000-8000-000000000007@agenda.example.org", Series: sp.Slug, Key: "ciudades",
		Title: "Ciudades y derechos digitales", Description: "Diálogo abierto.",
		Start: wall(t, "2021-11-18T19:00"), End: wall(t, "2021-11-18T22:30"), Zone: "America/Sao_Paulo",
		OnlineURL: "https://meet.example.org/ciudades", Status: agenda.StatusConfirmed, Language: "es",
		Created: utc("2021-11-12T10:00:00Z"), Updated: utc("2021-11-12T10:00:00Z"),
	}}
	spPosts := []agenda.Post{{
		ID: "bienvenida", Series: sp.Slug, Title: "Bienvenida", Summary: "Una nueva serie.",
		BodyHTML: "<p>Una nueva serie de diálogos.</p>", Author: "Equipo",
		Published: utc("2021-01-10T12:00:00Z"),
	}}
	return []agenda.Snapshot{
		{Series: uclg, Sessions: sessions, Posts: posts},
		{Series: sp, Sessions: spSessions, Posts: spPosts},
	}
}
