package ical

import (
	"os"
	"testing"
	"time"

	// The tests must not depend on the host's zone files: with the embedded
	// database they pass with ZONEINFO pointing at an empty directory.
	_ "time/tzdata"

	"github.com/agendafeed/agendafeed/feeds"
	"github.com/agendafeed/agendafeed/internal/agenda"
)

var testLayout = feeds.NewLayout("https://agenda.example.org/")

func mustWall(t testing.TB, s string) agenda.WallTime {
	t.Helper()
	w, err := agenda.ParseWallTime(s)
	if err != nil {
		t.Fatalf("wall time %q: %v", s, err)
	}
	return w
}

func mustDate(t testing.TB, s string) agenda.Date {
	t.Helper()
	d, err := agenda.ParseDate(s)
	if err != nil {
		t.Fatalf("date %q: %v", s, err)
	}
	return d
}

var (
	created = time.Date(2021, 10, 1, 9, 0, 0, 0, time.UTC)
	updated = time.Date(2021, 11, 10, 10, 30, 0, 0, time.UTC)
)

// demoSnapshot is the open policy debate of the seed page with a few
// sessions around it that exercise the other shapes of event.
func demoSnapshot(t testing.TB) agenda.Snapshot {
	t.Helper()
	series := agenda.Series{
		Slug:        "smart-cities",
		Title:       "Smart Cities and Territories, Pillars of the Common Agenda",
		Description: "Open Policy debate organized in conjunction with Smart City Expo World Congress.\nUCLG, Barcelona.",
		Homepage:    "https://www.uclg.example.org/en/smart-cities",
		Zone:        "Europe/Madrid",
		Language:    "en",
		Reminders:   []time.Duration{15 * time.Minute, 24 * time.Hour},
		Organizer:   agenda.Organizer{Name: "UCLG, World Secretariat", Email: "events@uclg.example.org"},
		Created:     created,
		Updated:     updated,
		Revision:    7,
	}
	person := func(role agenda.Role, name, aff string) agenda.Participant {
		return agenda.Participant{Person: agenda.Person{Name: name, Affiliation: aff}, Role: role}
	}
	debate := agenda.Session{
		UID:    "3f1c7a52-6b0e-4d8e-9a39-1d0f6c2b8e11@agenda.example.org",
		Series: series.Slug,
		Key:    "open-policy-debate",
		Title:  "Smart Cities and Territories, Pillars of the Common Agenda",
		Description: "The world has transformed rapidly, bringing to light that our strengths and our weaknesses transcend borders; " +
			"we must transition from a society based on consumption and production to a society based on care.\n\n" +
			"This session will address what it means to develop smart cities and territories in the urban era.",
		Start:     mustWall(t, "2021-11-17T12:00"),
		End:       mustWall(t, "2021-11-17T13:00"),
		Zone:      "Europe/Madrid",
		Venue:     "Fira Gran Via, Hall 8",
		Address:   "Av. Joan Carles I, 64\n08908 L'Hospitalet de Llobregat",
		OnlineURL: "https://live.example.org/open-policy?room=8&lang=en",
		Status:    agenda.StatusConfirmed,
		People: []agenda.Participant{
			person(agenda.RoleModerator, "Emilia Saiz", "Secretary General of UCLG"),
			person(agenda.RoleSpeaker, "Mohamed Boudra", "President of UCLG"),
			person(agenda.RoleSpeaker, "Carola Gunnarsson", "Mayor of Sala, First Vice-President of the Swedish Association of Local Authorities and Regions (SALAR), Vice-President of UCLG for Europe"),
			person(agenda.RoleSpeaker, "Armand Béouindé", "Mayor of Ouagadougou, President of the Association of Municipalities of Burkina Faso (AMBF), Vice-President of UCLG for Africa"),
			person(agenda.RoleSpeaker, "Berry Vrbanovic", "Mayor of Kitchener, Treasurer of UCLG"),
			person(agenda.RoleSpeaker, "Souad Ben Abderrahim", "Mayor of Tunis"),
			person(agenda.RoleSpeaker, "Gissela Chala", "Vice Mayor of Quito"),
		},
		Language: "en",
		Tags:     []string{"digital rights", "smart cities"},
		URL:      "https://www.uclg.example.org/en/smart-cities/open-policy-debate",
		Sequence: 3,
		Created:  created,
		Updated:  updated,
	}
	cancelled := agenda.Session{
		UID: "9d2e4b1a-0c55-4f7e-8f60-2a7b3c9d4e22@agenda.example.org", Series: series.Slug, Key: "side-event",
		Title: "Side event: data, technology and care", Start: mustWall(t, "2021-11-18T10:00"), End: mustWall(t, "2021-11-18T11:30"),
		Zone: "Europe/Madrid", Venue: "Fira Gran Via, Room 2", Status: agenda.StatusCancelled, Sequence: 2,
		Created: created, Updated: updated.Add(24 * time.Hour),
	}
	allDay := agenda.Session{
		UID: "5a6b7c8d-1e2f-4a3b-9c4d-5e6f7a8b9c33@agenda.example.org", Series: series.Slug, Key: "expo",
		Title: "Smart City Expo World Congress", AllDay: true, StartDate: mustDate(t, "2021-11-16"), EndDate: mustDate(t, "2021-11-18"),
		Zone: "Europe/Madrid", Venue: "Fira Gran Via", Status: agenda.StatusConfirmed, Tags: []string{"expo"},
		Created: created, Updated: updated,
	}
	online := agenda.Session{
		UID: "7c8d9e0f-2a3b-4c5d-8e6f-7a8b9c0d1e44@agenda.example.org", Series: series.Slug, Key: "aspac-dialogue",
		Title: "#CitiesAreListening: dialogue on a smart recovery", Description: "Roundtable with UCLG ASPAC.",
		Start: mustWall(t, "2021-11-19T16:00"), End: mustWall(t, "2021-11-19T17:30"), Zone: "Asia/Kuala_Lumpur",
		OnlineURL: "https://meet.example.org/j/123456789?pwd=a,b;c", Status: agenda.StatusTentative,
		People:   []agenda.Participant{person(agenda.RoleHost, "Noraini Roslan", "Mayor of Subang Jaya and President of UCLG ASPAC")},
		Sequence: 0, Created: created, Updated: updated,
	}
	fold := agenda.Session{
		UID: "1b2c3d4e-5f60-4718-9a2b-3c4d5e6f7a55@agenda.example.org", Series: series.Slug, Key: "night-owls",
		Title: "Night owls: the hour that happens twice", Start: mustWall(t, "2021-10-31T02:30+01:00"), End: mustWall(t, "2021-10-31T03:30"),
		Zone: "Europe/Madrid", Status: agenda.StatusConfirmed, Sequence: 1, Created: created, Updated: updated,
	}
	return agenda.Snapshot{Series: series, Sessions: []agenda.Session{debate, cancelled, allDay, online, fold}}
}

// otherSnapshot is a second series for the combined calendar.
func otherSnapshot(t testing.TB) agenda.Snapshot {
	t.Helper()
	series := agenda.Series{
		Slug: "local-voices", Title: "Local Voices", Zone: "America/New_York", Language: "en",
		Reminders: []time.Duration{time.Hour}, Created: created, Updated: updated,
	}
	s := agenda.Session{
		UID: "2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e66@agenda.example.org", Series: series.Slug, Key: "kitchener",
		Title: "Kitchener town hall", Start: mustWall(t, "2021-11-17T09:00"), End: mustWall(t, "2021-11-17T10:00"),
		Zone: "America/New_York", Status: agenda.StatusConfirmed, Created: created, Updated: updated,
	}
	return agenda.Snapshot{Series: series, Sessions: []agenda.Session{s}}
}

func writeFile(path string, data []byte) error { return os.WriteFile(path, data, 0o644) }

func parseReminderForTest(s string) (time.Duration, error) { return agenda.ParseReminder(s) }
