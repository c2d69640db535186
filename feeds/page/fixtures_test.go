package page

import (
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/feeds"
	"github.com/agendafeed/agendafeed/internal/agenda"
)

// Test snapshots, built from the two seed event pages (UCLG's open policy
// debate at Smart City Expo World Congress 2021 and the #CitiesAreListening
// dialogue of 2020), with a cancelled, an all-day and an online session added.

const baseURL = "https://agenda.example.org/"

func testOptions() Options {
	return Options{
		Layout: feeds.NewLayout(baseURL),
		// During the debate: it is still upcoming (it has not ended), the
		// 2020 dialogue is past.
		AsOf:      time.Date(2021, 11, 17, 11, 30, 0, 0, time.UTC),
		SiteTitle: "Agenda Example",
	}
}

func wall(t testing.TB, s string) agenda.WallTime {
	t.Helper()
	w, err := agenda.ParseWallTime(s)
	if err != nil {
		t.Fatalf("wall time %q: %v", s, err)
	}
	return w
}

func date(t testing.TB, s string) agenda.Date {
	t.Helper()
	d, err := agenda.ParseDate(s)
	if err != nil {
		t.Fatalf("date %q: %v", s, err)
	}
	return d
}

func instant(t testing.TB, s string) time.Time {
	t.Helper()
	ts, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatalf("instant %q: %v", s, err)
	}
	return ts
}

// valid normalises and validates a snapshot, so that fixtures are data the
// store could really hold.
func valid(t testing.TB, snap agenda.Snapshot) agenda.Snapshot {
	t.Helper()
	snap.Series.Normalize()
	if err := snap.Series.Validate(); err != nil {
		t.Fatalf("fixture series %q: %v", snap.Series.Slug, err)
	}
	for i := range snap.Sessions {
		s := &snap.Sessions[i]
		s.Normalize(&snap.Series)
		if err := s.Validate(); err != nil {
			t.Fatalf("fixture session %q: %v", s.Key, err)
		}
	}
	for i := range snap.Posts {
		p := &snap.Posts[i]
		p.Normalize(&snap.Series)
		if err := p.Validate(); err != nil {
			t.Fatalf("fixture post %q: %v", p.ID, err)
		}
	}
	return snap
}

func person(role agenda.Role, name, affiliation string) agenda.Participant {
	return agenda.Participant{Person: agenda.Person{Name: name, Affiliation: affiliation}, Role: role}
}

func debateSnapshot(t testing.TB) agenda.Snapshot {
	t.Helper()
	return valid(t, agenda.Snapshot{
		Series: agenda.Series{
			Slug:  "scewc",
			Title: "UCLG at Smart City Expo World Congress",
			Description: "Open policy debates and dialogues that UCLG, the world organisation of local and regional governments, " +
				"holds at Smart City Expo World Congress in Barcelona.\n\n" +
				"Each session brings mayors and city leaders together on digital rights and people-centred smart cities.",
			Homepage:  "https://www.uclg.org/",
			Zone:      "Europe/Madrid",
			Language:  "en",
			Organizer: agenda.Organizer{Name: "UCLG"},
		},
		Sessions: []agenda.Session{
			{
				UID: "3f1c0e7a-1d8e-4c4b-9a57-0b8f2b1f0a01@agenda.example.org", Key: "open-policy-debate-2021",
				Title: "Smart Cities and Territories, Pillars of the Common Agenda",
				Description: "Open Policy debate organized in conjunction with Smart City Expo World Congress.\n\n" +
					"This session will address the different aspects of what it means to develop smart cities and territories in the urban era, " +
					"building on the need to bridge the urban-rural divide, and shaping technology as a tool to benefit our populations.",
				Start: wall(t, "2021-11-17T12:00"), End: wall(t, "2021-11-17T13:00"),
				Venue:   "Fira de Barcelona Gran Via, Hall 2",
				Address: "Av. Joan Carles I, 64\n08908 L'Hospitalet de Llobregat",
				People: []agenda.Participant{
					person(agenda.RoleModerator, "Emilia Saiz", "Secretary General of UCLG"),
					person(agenda.RoleSpeaker, "Mohamed Boudra", "President of UCLG"),
					person(agenda.RoleSpeaker, "Carola Gunnarsson", "Mayor of Sala, First Vice-President of the Swedish Association of Local Authorities and Regions (SALAR), Vice-President of UCLG for Europe"),
					person(agenda.RoleSpeaker, "Armand Béouindé", "Mayor of Ouagadougou, President of the Association of Municipalities of Burkina Faso (AMBF), Vice-President of UCLG for Africa"),
					person(agenda.RoleSpeaker, "Berry Vrbanovic", "Mayor of Kitchener, Treasurer of UCLG"),
					person(agenda.RoleSpeaker, "Souad Ben Abderrahim", "Mayor of Tunis"),
					person(agenda.RoleSpeaker, "Gissela Chala", "Vice Mayor of Quito"),
				},
				Tags: []string{"Smart Cities", "digital rights", "common agenda"},
				URL:  "https://www.uclg.org/en/media/events/smart-cities-and-territories-pillars-common-agenda",
			},
			{
				UID: "3f1c0e7a-1d8e-4c4b-9a57-0b8f2b1f0a02@agenda.example.org", Key: "networking-lunch-2021",
				Title: "Networking lunch of the municipal movement",
				Start: wall(t, "2021-11-17T13:30"), End: wall(t, "2021-11-17T14:30"),
				Venue:  "Fira de Barcelona Gran Via, UCLG stand",
				Status: agenda.StatusCancelled,
			},
			{
				UID: "3f1c0e7a-1d8e-4c4b-9a57-0b8f2b1f0a03@agenda.example.org", Key: "scewc-2021",
				Title:       "Smart City Expo World Congress 2021",
				Description: "The congress itself: three days of exhibition and talks.",
				AllDay:      true, StartDate: date(t, "2021-11-16"), EndDate: date(t, "2021-11-18"),
				Venue: "Fira de Barcelona Gran Via",
				Tags:  []string{"congress"},
			},
			{
				UID: "3f1c0e7a-1d8e-4c4b-9a57-0b8f2b1f0a04@agenda.example.org", Key: "digital-rights-webinar",
				Title:       "Cities for Digital Rights: a follow-up webinar",
				Description: "An online follow-up with the Coalition of Cities for Digital Rights.",
				Start:       wall(t, "2021-12-01T10:00"), End: wall(t, "2021-12-01T11:30"),
				Zone:      "America/New_York",
				OnlineURL: "https://meet.example.org/digital-rights?pwd=a&b=c",
				Status:    agenda.StatusTentative,
				People: []agenda.Participant{
					person(agenda.RoleHost, "Aik van Eemeren", "Lead Public Tech at CTO, City of Amsterdam"),
				},
			},
			{
				UID: "3f1c0e7a-1d8e-4c4b-9a57-0b8f2b1f0a05@agenda.example.org", Key: "cities-are-listening-2020",
				Title: "#CitiesAreListening Experience: Dialogue on a smart recovery in the post COVID-19 era",
				Description: "A step in the development of the Pact for the Future, fostering dialogue on redefining smart cities " +
					"and on the relationship between technology and the COVID-19 recovery.",
				Start: wall(t, "2020-11-18T16:00"), End: wall(t, "2020-11-18T17:30"),
				OnlineURL: "https://www.smartcityexpo.com/live/",
				People: []agenda.Participant{
					person(agenda.RoleModerator, "Emilia Saiz", "UCLG Secretary-General"),
					person(agenda.RolePresenter, "Oihane Agirregoitia", "Councilor of Public Services, Civic Engagement and Internationalization of Bilbao"),
					person(agenda.RolePanelist, "Noraini Roslan", "Mayor of Subang Jaya and President of UCLG ASPAC"),
					person(agenda.RolePanelist, "Aik van Eemeren", "Lead Public Tech at CTO, City of Amsterdam"),
					person(agenda.RolePanelist, "Kiseok Lee", "Director of Foreign affairs & Trade Division, City of Daegu"),
				},
				Tags: []string{"covid-19", "smart recovery"},
			},
		},
		Posts: []agenda.Post{
			{
				ID: "agenda-2021", Title: "The 2021 open policy debate: agenda published",
				Summary:   "Mayors from four continents will debate smart cities and the Common Agenda.",
				Body:      "Mayors from four continents will debate **smart cities** and the Common Agenda.",
				BodyHTML:  "<p>Mayors from four continents will debate <strong>smart cities</strong> and the Common Agenda.</p>",
				Author:    "UCLG Communications",
				Published: instant(t, "2021-11-10T09:00:00+01:00"),
			},
			{
				ID:    "cities-are-listening-smart-recovery",
				Title: "Local and regional governments call for a digital transformation that leaves no-one behind",
				Body:  "The #CitiesAreListening experiences arise from the mandate to move from social distance to a world driven by communities.",
				BodyHTML: "<p>The #CitiesAreListening experiences arise from the mandate to move from social distance to a world driven by communities.</p>\n" +
					"<blockquote><p>Digital rights have become our present.</p></blockquote>\n<p><a href=\"https://www.uclg.org/\" rel=\"nofollow\">UCLG</a></p>",
				Author:    "UCLG",
				Published: instant(t, "2020-11-23T10:00:00+01:00"),
				Updated:   instant(t, "2020-11-25T10:00:00+01:00"),
				URL:       "https://www.uclg.org/en/media/news/cities-are-listening-smart-recovery",
			},
		},
	})
}

// hostileSession is a session whose every text field tries to inject HTML or
// script. The store would accept it: titles and names are plain text.
func hostileSession(t testing.TB) agenda.Session {
	t.Helper()
	return agenda.Session{
		UID: "3f1c0e7a-1d8e-4c4b-9a57-0b8f2b1f0a66@agenda.example.org", Key: "xss",
		Title:       `<script>alert(1)</script>`,
		Description: `"><img src=x onerror=alert(1)>` + "\n\n" + `<script>window.__pwned="description"</script>`,
		Start:       wall(t, "2021-11-18T10:00"), End: wall(t, "2021-11-18T11:00"),
		Venue:   `<iframe src="javascript:alert(1)"></iframe>`,
		Address: `</p><script>window.__pwned="address"</script>`,
		People: []agenda.Participant{
			person(agenda.RoleSpeaker, `<img src=x onerror="window.__pwned='name'">`, `</dd><script>window.__pwned="affiliation"</script>`),
		},
		Tags: []string{`<b onmouseover=alert(1)>bold</b>`},
	}
}

func hostileSnapshot(t testing.TB) agenda.Snapshot {
	t.Helper()
	snap := debateSnapshot(t)
	snap.Series.Title = `Agenda <b>"bold"</b> & co`
	snap.Series.Description = `"><img src=x onerror=alert(1)>`
	s := hostileSession(t)
	// Not validated: the tag would be refused, but the page must be safe
	// whatever reaches it.
	s.Normalize(&snap.Series)
	snap.Sessions = append(snap.Sessions, s)
	snap.Posts = append(snap.Posts, agenda.Post{
		ID: "xss-post", Series: snap.Series.Slug, Title: `<script>alert("post")</script>`,
		Author: `<img src=x onerror=alert(1)>`, Published: instant(t, "2021-11-11T10:00:00Z"),
		Summary: `<script>alert("summary")</script>`,
	})
	return snap
}

// dialoguesSnapshot is a second series for the index, in Spanish, whose
// only session is past.
func dialoguesSnapshot(t testing.TB) agenda.Snapshot {
	t.Helper()
	return valid(t, agenda.Snapshot{
		Series: agenda.Series{
			Slug: "ciudades-escuchan", Title: "Las ciudades escuchan",
			Description: "Diálogos en línea sobre la recuperación y el Pacto para el Futuro.\n\nSegundo párrafo.",
			Zone:        "America/Bogota", Language: "es",
		},
		Sessions: []agenda.Session{{
			UID: "9b2e1c44-5f0e-4a8e-8d1f-0c1d2e3f4a01@agenda.example.org", Key: "dialogo-1",
			Title: "Diálogo sobre la recuperación", Start: wall(t, "2021-06-02T09:00"), End: wall(t, "2021-06-02T10:00"),
			OnlineURL: "https://meet.example.org/dialogo",
		}},
	})
}
