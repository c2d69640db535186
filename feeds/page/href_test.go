package page

import (
	"html"
	"html/template"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// viaTemplate is what html/template writes for <a href="{{.}}">.
func viaTemplate(t testing.TB, u string) string {
	t.Helper()
	tmpl := template.Must(template.New("a").Parse(`<a href="{{.}}">`))
	var b strings.Builder
	if err := tmpl.Execute(&b, u); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

var hrefSeeds = []string{
	"",
	"https://agenda.example.org/scewc/sessions/open-policy-debate-2021.ics",
	"https://calendar.google.com/calendar/render?action=TEMPLATE&text=Smart+Cities%2C+Pillars&dates=20211117T110000Z/20211117T120000Z&ctz=Europe/Madrid",
	"https://outlook.live.com/calendar/0/deeplink/compose?path=/calendar/action/compose&rru=addevent&subject=a%C3%A9b&startdt=2021-11-16&allday=true",
	"javascript:alert(1)",
	"JavaScript:alert(1)",
	" javascript:alert(1)",
	"webcal://agenda.example.org/calendar.ics",
	"mailto:a@example.org",
	"HTTPS://x/",
	"/relative/path:with:colons",
	`https://e.org/"><script>alert(1)</script>`,
	"https://e.org/a b'c(d)e<f>g\"h\x00i\x7fj",
	"https://e.org/é中\xff\xfe%zz%4%41%e2%82%ac",
	"https://e.org/?a=1&b=2+3&c=%2B#frag!$*,;=@[]~",
}

// TestHrefAttrMatchesTemplate holds hrefAttr to html/template's bytes.
func TestHrefAttrMatchesTemplate(t *testing.T) {
	for _, u := range hrefSeeds {
		want := viaTemplate(t, u)
		if got := "<a " + string(hrefAttr(u)) + ">"; got != want {
			t.Errorf("hrefAttr(%q)\n got %s\nwant %s", u, got, want)
		}
	}
}

func FuzzHrefAttr(f *testing.F) {
	for _, u := range hrefSeeds {
		f.Add(u)
	}
	tmpl := template.Must(template.New("a").Parse(`<a href="{{.}}">`))
	f.Fuzz(func(t *testing.T, u string) {
		var b strings.Builder
		if err := tmpl.Execute(&b, u); err != nil {
			t.Fatal(err)
		}
		if got := "<a " + string(hrefAttr(u)) + ">"; got != b.String() {
			t.Errorf("hrefAttr(%q)\n got %s\nwant %s", u, got, b.String())
		}
	})
}

// TestEventHrefs checks that the "add" links the page inserts whole are the
// links googleEventURL and outlookEventURL build (which TestEventLinks
// checks) with '&' written "&amp;", and that html/template, given those
// URLs, would write links that say the same: it differs only in writing
// '+' (a space in these links; a '+' in the text is %2B) as "&#43;" and in
// percent-encoding '(' and ')', which a query may hold as they are.
func TestEventHrefs(t *testing.T) {
	l := testOptions().Layout
	var all []agenda.Session
	for _, snap := range []agenda.Snapshot{debateSnapshot(t), hostileSnapshot(t), realisticSnapshot(t, 20)} {
		all = append(all, snap.Sessions...)
	}
	odd := hostileSession(t)
	odd.Description = "ünïcödé & + % %41 ' \" < > \x00 \t\r\n" + strings.Repeat("long ", 300)
	odd.OnlineURL = "https://meet.example.org/?a=b&c=d+e"
	odd.Address = "Line 1\nLine 2"
	odd.Key, odd.Zone = "odd", "Asia/Kolkata"
	all = append(all, odd)
	ss, err := resolveSessions(all, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range ss {
		google, outlook := eventHrefs(x, l)
		for _, c := range []struct {
			name string
			attr template.HTMLAttr
			u    string
		}{{"Google", google, googleEventURL(x, l)}, {"Outlook", outlook, outlookEventURL(x, l)}} {
			if want := `href="` + strings.ReplaceAll(c.u, "&", "&amp;") + `"`; string(c.attr) != want {
				t.Errorf("session %s: %s\n got %s\nwant %s", x.s.Key, c.name, c.attr, want)
			}
			tmpl := strings.TrimSuffix(strings.TrimPrefix(viaTemplate(t, c.u), `<a href="`), `">`)
			if got, want := mustQuery(t, html.UnescapeString(tmpl)), mustQuery(t, c.u); !reflect.DeepEqual(got, want) {
				t.Errorf("session %s: %s through html/template reads\n%q\nwant\n%q", x.s.Key, c.name, got, want)
			}
		}
	}
}
