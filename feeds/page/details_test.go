package page

import (
	"bytes"
	"net/url"
	"strings"
	"testing"

	"github.com/agendafeed/agendafeed/feeds"
	"github.com/agendafeed/agendafeed/feeds/ical"
	"github.com/agendafeed/agendafeed/feeds/news"
	"github.com/agendafeed/agendafeed/internal/agenda"
)

// linkDetails returns the details of a session's Google link and the body
// of its Outlook link, as the page has them, decoded.
func linkDetails(t *testing.T, x session, l feeds.Layout) (google, outlook string) {
	t.Helper()
	var a linkArena
	a.reset(1, l, x.s.Series)
	a.add(x, l, true)
	sp := a.spans[0]
	get := func(attr []byte, key string) string {
		// An href attribute, &amp; between the parameters.
		v := strings.TrimSuffix(strings.TrimPrefix(string(attr), `href="`), `"`)
		u, err := url.Parse(strings.ReplaceAll(v, "&amp;", "&"))
		if err != nil {
			t.Fatal(err)
		}
		return u.Query().Get(key)
	}
	google, outlook = get(a.b[sp[1]:sp[2]], "details"), get(a.b[sp[2]:sp[3]], "body")
	// The standalone builders say the same.
	if g := mustQuery(t, googleEventURL(x, l)).Get("details"); g != google {
		t.Errorf("googleEventURL details\n%q\nwant\n%q", g, google)
	}
	if o := mustQuery(t, outlookEventURL(x, l)).Get("body"); o != outlook {
		t.Errorf("outlookEventURL body\n%q\nwant\n%q", o, outlook)
	}
	return google, outlook
}

func mustQuery(t *testing.T, link string) url.Values {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

func resolvedSessions(t testing.TB, snap agenda.Snapshot) map[string]session {
	t.Helper()
	loc, err := agenda.LoadZone(snap.Series.Zone)
	if err != nil {
		t.Fatal(err)
	}
	ss, err := resolveSessions(snap.Sessions, loc)
	if err != nil {
		t.Fatal(err)
	}
	byKey := map[string]session{}
	for _, s := range ss {
		byKey[s.s.Key] = s
	}
	return byKey
}

// TestEventLinksMatchCalendar checks that an event added with a page's
// "add" link says what the same event in the .ics says: its DESCRIPTION
// (the description, the people, the online link), then the link back to
// the page.
func TestEventLinksMatchCalendar(t *testing.T) {
	snap := debateSnapshot(t)
	opts := testOptions()
	var buf bytes.Buffer
	if err := ical.WriteSeries(&buf, snap, ical.Options{Layout: opts.Layout}); err != nil {
		t.Fatal(err)
	}
	cal, err := ical.Parse(&buf)
	if err != nil {
		t.Fatal(err)
	}
	byKey := resolvedSessions(t, snap)
	people := 0
	for _, ev := range cal.Children("VEVENT") {
		var x session
		for _, s := range byKey {
			if s.s.UID == ev.Prop("UID").Value {
				x = s
			}
		}
		if x.s == nil {
			t.Fatalf("no session for %s", ev.Prop("UID").Value)
		}
		people += len(x.s.People)
		t.Run(x.s.Key, func(t *testing.T) {
			want := opts.Layout.SessionAnchor(x.s.Series, x.s.Key)
			if p := ev.Prop("DESCRIPTION"); p != nil {
				d, err := p.Text()
				if err != nil {
					t.Fatal(err)
				}
				want = d + "\n\n" + want
			}
			google, outlook := linkDetails(t, x, opts.Layout)
			if google != want {
				t.Errorf("Google details\n%s\nwant\n%s", google, want)
			}
			if outlook != want {
				t.Errorf("Outlook body\n%s\nwant\n%s", outlook, want)
			}
		})
	}
	if people == 0 {
		t.Fatal("the fixture has no people: the test checks nothing")
	}
}

// TestEventLinksBound checks what an "add" link cuts to keep its text
// within maxDetails bytes once encoded, whatever the script: the
// description first, then whole lines of people; never the links.
func TestEventLinksBound(t *testing.T) {
	long := strings.Repeat("Ensuring that we recover in an inclusive and sustainable manner — città 城市. ", 40)
	many := func(n int) []agenda.Participant {
		var ps []agenda.Participant
		for i := range n {
			ps = append(ps, person(agenda.RolePanelist, "Panelist Número "+strings.Repeat("x", i%3)+string(rune('A'+i%26))+string(rune('a'+i/26)),
				"Councillor for Digital Rights and Open Government of a city with a rather long name"))
		}
		return ps
	}
	// Cyrillic and CJK characters are 2 and 3 bytes of UTF-8, 6 and 9
	// once encoded; an emoji 12.
	cyrillic := strings.Repeat("Обеспечение инклюзивного и устойчивого восстановления городов. ", 30)
	cjk := strings.Repeat("以包容和可持续的方式实现城市复苏，数字权利与开放政府。", 40)
	emoji := strings.Repeat("🏙️🌍🤝 ", 200)
	manyIn := func(n int, name, affiliation string) []agenda.Participant {
		var ps []agenda.Participant
		for i := range n {
			ps = append(ps, person(agenda.RolePanelist, name+" "+string(rune('А'+i%32))+string(rune('a'+i/26)), affiliation))
		}
		return ps
	}
	const online = "https://meet.example.org/digital-rights?pwd=a&b=c"
	tests := []struct {
		name        string
		description string
		people      []agenda.Participant
		online      string
		// Whether the description is cut, whether people are (then the
		// description is left out).
		wantCut, wantPeopleCut bool
		wantPeople             int // whole lines kept
	}{
		{name: "short description and people", description: "A debate.", people: many(3), wantPeople: 3},
		{name: "long description cut, people kept", description: long, people: many(5), online: online, wantCut: true, wantPeople: 5},
		{name: "long description alone", description: long, wantCut: true},
		{name: "people alone too many", people: many(40), wantPeopleCut: true},
		{name: "people too many, description dropped", description: long, people: many(40), online: online, wantPeopleCut: true},
		{name: "Cyrillic description cut", description: cyrillic, people: manyIn(3, "Анна Петрова", "Мэр города"), wantCut: true, wantPeople: 3},
		{name: "CJK description cut", description: cjk, people: manyIn(2, "李明", "城市数字化办公室主任"), online: online, wantCut: true, wantPeople: 2},
		{name: "emoji description cut", description: emoji, wantCut: true},
		{name: "Cyrillic people cut", description: cyrillic, people: manyIn(30, "Анна Петрова", "Советник по цифровым правам и открытому правительству"), wantPeopleCut: true},
		{name: "CJK people cut", people: manyIn(40, "李明", "城市数字化与开放政府办公室主任"), online: online, wantPeopleCut: true},
	}
	l := testOptions().Layout
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snap := debateSnapshot(t)
			s := &snap.Sessions[0]
			s.Description, s.People, s.OnlineURL = tt.description, tt.people, tt.online
			snap = valid(t, snap)
			x := resolvedSessions(t, snap)[s.Key]
			google, outlook := linkDetails(t, x, l)
			if google != outlook {
				t.Errorf("Google details and Outlook body differ:\n%s\n%s", google, outlook)
			}
			if n := len(encodeValue(google)); n > maxDetails {
				t.Errorf("%d bytes encoded, want at most %d", n, maxDetails)
			}
			// And so the whole link stays well within 2,000 bytes.
			if n := len(googleEventURL(x, l)); n > 2000 {
				t.Errorf("Google link of %d bytes", n)
			}
			// Never cut: the links, at the end.
			tail := l.SessionAnchor(s.Series, s.Key)
			if tt.online != "" {
				tail = "Online: " + tt.online + "\n\n" + tail
			}
			if !strings.HasSuffix(google, "\n\n"+tail) && google != tail {
				t.Errorf("text does not end with the links:\n%s", google)
			}
			var lines []string
			for i := range x.s.People {
				line := agenda.PersonLine(&x.s.People[i])
				lines = append(lines, strings.Join(line[:], ""))
			}
			if tt.wantPeopleCut {
				if d := x.s.Description; d != "" && strings.Contains(google, d[:20]) {
					t.Errorf("description kept though people were cut:\n%s", google)
				}
				kept := 0
				for kept < len(lines) && strings.Contains(google, lines[kept]+"\n") {
					kept++
				}
				if kept == 0 || kept == len(lines) {
					t.Fatalf("%d people kept of %d, want some but not all:\n%s", kept, len(lines), google)
				}
				block := strings.Join(lines[:kept], "\n") + "\n…\n\n" + tail
				if google != block {
					t.Errorf("text\n%s\nwant\n%s", google, block)
				}
				// Not one line more would have fitted.
				if n := len(encodeValue(google)) + len(encodeValue(lines[kept]+"\n")); n <= maxDetails {
					t.Errorf("line %d left out, but it fits (%d bytes)", kept, n)
				}
				return
			}
			want := tail
			if len(lines) != tt.wantPeople {
				t.Fatalf("%d people, want %d", len(lines), tt.wantPeople)
			}
			if len(lines) > 0 {
				want = strings.Join(lines, "\n") + "\n\n" + want
			}
			d := strings.TrimSpace(x.s.Description)
			if !tt.wantCut {
				want = d + "\n\n" + want
				if google != want {
					t.Errorf("text\n%s\nwant\n%s", google, want)
				}
				return
			}
			head, ok := strings.CutSuffix(google, "…\n\n"+want)
			if !ok {
				t.Fatalf("text does not end with a cut description, then\n%s\ngot\n%s", want, google)
			}
			if head == "" || !strings.HasPrefix(d, head) {
				t.Errorf("description cut to %q, not a start of it", head)
			}
			// Cut at a word's end within the last fifth, and a character
			// is up to 12 bytes.
			if n := len(encodeValue(google)); n < maxDetails-len(encodeValue(head))/5-12 {
				t.Errorf("%d bytes: the description was cut shorter than need be", n)
			}
		})
	}
}

// TestRoleWordsAgree checks that every output names a role in the same
// words (agenda.RoleLabel): the page's people list, its "add" links, the
// calendar's DESCRIPTION and the news feeds.
func TestRoleWordsAgree(t *testing.T) {
	snap := debateSnapshot(t)
	s := &snap.Sessions[0]
	s.People = []agenda.Participant{
		person(agenda.RoleKeynote, "Ada Colau", "Mayor of Barcelona"),
		person(agenda.RoleRapporteur, "Emilia Saiz", ""),
		person(agenda.RoleRapporteur, "Jean Dupont", ""),
	}
	snap = valid(t, snap)
	opts := testOptions()
	tests := []struct {
		role       agenda.Role
		one, group string
	}{
		{agenda.RoleKeynote, "Keynote speaker: Ada Colau", "<dt>Keynote speaker</dt>"},
		{agenda.RoleRapporteur, "Rapporteur: Emilia Saiz", "<dt>Rapporteurs</dt>"},
	}
	for _, tt := range tests {
		if l := agenda.RoleLabel(tt.role); !strings.HasPrefix(tt.one, l+": ") || !strings.Contains(tt.group, ">"+l) {
			t.Fatalf("agenda.RoleLabel(%q) = %q: the test's words are not its", tt.role, l)
		}
	}

	page := renderSeries(t, newRenderer(t), snap, opts)
	var cal bytes.Buffer
	if err := ical.WriteSeries(&cal, snap, ical.Options{Layout: opts.Layout}); err != nil {
		t.Fatal(err)
	}
	parsed, err := ical.Parse(&cal)
	if err != nil {
		t.Fatal(err)
	}
	var description string
	for _, ev := range parsed.Children("VEVENT") {
		if ev.Prop("UID").Value == s.UID {
			if description, err = ev.Prop("DESCRIPTION").Text(); err != nil {
				t.Fatal(err)
			}
		}
	}
	google, _ := linkDetails(t, resolvedSessions(t, snap)[s.Key], opts.Layout)
	// The store sets the times the feeds build their ids from.
	created := instant(t, "2021-10-01T09:00:00Z")
	snap.Series.Created = created
	for i := range snap.Sessions {
		snap.Sessions[i].Created, snap.Sessions[i].Updated = created, created
	}
	var feed bytes.Buffer
	if err := news.WriteJSON(&feed, []agenda.Snapshot{snap}, snap.Series.Slug, news.Options{Layout: opts.Layout}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		if !strings.Contains(page, tt.group) {
			t.Errorf("page lacks %s", tt.group)
		}
		for name, text := range map[string]string{"DESCRIPTION": description, "add link": google, "JSON feed": feed.String()} {
			if !strings.Contains(text, tt.one) {
				t.Errorf("%s lacks %q:\n%s", name, tt.one, text)
			}
		}
	}
}
