package page

import (
	"bytes"
	"flag"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func newRenderer(t testing.TB) *Renderer {
	t.Helper()
	r, err := New()
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return r
}

func renderSeries(t testing.TB, r *Renderer, snap agenda.Snapshot, opts Options) string {
	t.Helper()
	var b bytes.Buffer
	if err := r.WriteSeries(&b, snap, opts); err != nil {
		t.Fatalf("WriteSeries: %v", err)
	}
	return b.String()
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run go test -run %s -update to create it): %v", t.Name(), err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; run with -update if the change is intended. First difference near:\n%s", name, firstDiff(got, want))
	}
}

func firstDiff(got, want []byte) string {
	gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < len(gl) || i < len(wl); i++ {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			return "line " + strconv.Itoa(i+1) + "\n got: " + g + "\nwant: " + w
		}
	}
	return ""
}

func TestGolden(t *testing.T) {
	r := newRenderer(t)
	opts := testOptions()
	tests := []struct {
		name   string
		render func(*bytes.Buffer) error
	}{
		{"series.html", func(b *bytes.Buffer) error { return r.WriteSeries(b, debateSnapshot(t), opts) }},
		{"series_empty.html", func(b *bytes.Buffer) error {
			snap := dialoguesSnapshot(t)
			snap.Sessions, snap.Posts = nil, nil
			return r.WriteSeries(b, snap, opts)
		}},
		{"series_past_only.html", func(b *bytes.Buffer) error { return r.WriteSeries(b, dialoguesSnapshot(t), opts) }},
		{"index.html", func(b *bytes.Buffer) error {
			return r.WriteIndex(b, []agenda.Snapshot{debateSnapshot(t), dialoguesSnapshot(t)}, opts)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tt.render(&b); err != nil {
				t.Fatal(err)
			}
			if _, err := html.Parse(bytes.NewReader(b.Bytes())); err != nil {
				t.Fatalf("output does not parse: %v", err)
			}
			checkGolden(t, tt.name, b.Bytes())
		})
	}
}

// TestDeterministic renders twice, with two renderers and through the
// package functions, and wants the same bytes.
func TestDeterministic(t *testing.T) {
	snap, opts := debateSnapshot(t), testOptions()
	a := renderSeries(t, newRenderer(t), snap, opts)
	b := renderSeries(t, newRenderer(t), snap, opts)
	var c bytes.Buffer
	if err := WriteSeries(&c, snap, opts); err != nil {
		t.Fatal(err)
	}
	if a != b || a != c.String() {
		t.Fatal("the same snapshot rendered to different bytes")
	}
}

// TestRendererReuse renders pages of different series with one renderer,
// from several goroutines at once, and wants each page's bytes to be those
// a fresh renderer gives: the renderer reuses buffers (and the views' links
// point into one), so a buffer handed on too early would show here as
// another page's text, and to the race detector.
func TestRendererReuse(t *testing.T) {
	opts := testOptions()
	opts.AsOf = time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	snaps := []agenda.Snapshot{debateSnapshot(t), realisticSnapshot(t, 60), realisticSnapshot(t, 130)}
	snaps[2].Series.Slug, snaps[2].Series.Title = "other", "Another series"
	want := make([]string, len(snaps))
	for i, snap := range snaps {
		want[i] = renderSeries(t, newRenderer(t), snap, opts)
	}
	r := newRenderer(t)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for k := range 30 {
				i := (g + k) % len(snaps)
				var b bytes.Buffer
				if err := r.WriteSeries(&b, snaps[i], opts); err != nil {
					t.Error(err)
					return
				}
				if b.String() != want[i] {
					t.Errorf("goroutine %d, page %d of series %q: differs from a fresh renderer's", g, k, snaps[i].Series.Slug)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestSeriesContent(t *testing.T) {
	page := renderSeries(t, newRenderer(t), debateSnapshot(t), testOptions())
	for _, want := range []string{
		`<html lang="en">`,
		`<meta charset="utf-8">`,
		`<meta name="viewport" content="width=device-width, initial-scale=1">`,
		`<title>UCLG at Smart City Expo World Congress</title>`,
		`<link rel="canonical" href="https://agenda.example.org/scewc/">`,
		`<link rel="alternate" type="application/rss+xml" title="UCLG at Smart City Expo World Congress (RSS)" href="https://agenda.example.org/scewc/rss.xml">`,
		`<link rel="alternate" type="application/atom+xml" title="UCLG at Smart City Expo World Congress (Atom)" href="https://agenda.example.org/scewc/atom.xml">`,
		`<link rel="alternate" type="application/feed+json" title="UCLG at Smart City Expo World Congress (JSON Feed)" href="https://agenda.example.org/scewc/feed.json">`,
		`<link rel="alternate" type="text/calendar" title="UCLG at Smart City Expo World Congress (calendar)" href="https://agenda.example.org/scewc/calendar.ics">`,
		`<meta property="og:title" content="UCLG at Smart City Expo World Congress">`,
		`<meta property="og:url" content="https://agenda.example.org/scewc/">`,
		`<meta property="og:type" content="website">`,
		`<meta property="og:site_name" content="Agenda Example">`,
		`<meta property="og:description" content="Open policy debates`,
		`<meta name="description" content="Open policy debates`,
		// The debate: its day, time with the abbreviation right for the date, UTC instants.
		`<h3 id="day_2021-11-17"><time datetime="2021-11-17">Wednesday 17 November 2021</time></h3>`,
		`<article class="session" id="open-policy-debate-2021"`,
		`<p class="when" data-zone="Europe/Madrid"><time datetime="2021-11-17T11:00:00Z">12:00</time>–<time datetime="2021-11-17T12:00:00Z">13:00</time> CET</p>`,
		`<dt>Moderator</dt>`, `<dt>Speakers</dt>`,
		`<span class="name">Armand Béouindé</span>, Mayor of Ouagadougou`,
		`<span class="address">Av. Joan Carles I, 64
08908 L&#39;Hospitalet de Llobregat</span>`,
		`<li>digital rights</li>`,
		`href="https://agenda.example.org/scewc/sessions/open-policy-debate-2021.ics" download>Download .ics`,
		// Cancelled: marked and struck through, no "add" links.
		`<h4 id="networking-lunch-2021_h"><span class="badge">Cancelled</span> <del>Networking lunch of the municipal movement</del></h4>`,
		// All-day: dates only.
		`<p class="when"><time datetime="2021-11-16">16 November 2021</time> – <time datetime="2021-11-18">18 November 2021</time> <span class="note">(all day)</span></p>`,
		// Another zone, tentative, online.
		`<p class="when" data-zone="America/New_York"><time datetime="2021-12-01T15:00:00Z">10:00</time>–<time datetime="2021-12-01T16:30:00Z">11:30</time> EST</p>`,
		`<span class="badge tentative">To be confirmed</span>`,
		`<a class="online" href="https://meet.example.org/digital-rights?pwd=a&amp;b=c">Join online<span class="vh">: Cities for Digital Rights: a follow-up webinar</span></a>`,
		// Subscribe.
		`href="webcal://agenda.example.org/scewc/calendar.ics"`,
		`href="https://calendar.google.com/calendar/r?cid=webcal://agenda.example.org/scewc/calendar.ics"`,
		`href="https://outlook.live.com/calendar/0/addfromweb?url=https://agenda.example.org/scewc/calendar.ics&amp;name=UCLG&#43;at&#43;Smart&#43;City&#43;Expo&#43;World&#43;Congress"`,
		`<a href="https://agenda.example.org/scewc/calendar.ics"><code>https://agenda.example.org/scewc/calendar.ics</code></a>`,
		// News, newest first, body as HTML.
		`<div class="body"><p>Mayors from four continents will debate <strong>smart cities</strong> and the Common Agenda.</p></div>`,
		`updated <time datetime="2020-11-25">25 November 2020</time>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	for _, notWant := range []string{
		`Add to Google Calendar<span class="vh">: Networking lunch`,
		"ZgotmplZ",
	} {
		if strings.Contains(page, notWant) {
			t.Errorf("page holds %s", notWant)
		}
	}
	// Order: upcoming ascending (all-day congress from the 16th, then the
	// debate, then the webinar), past after them; news newest first.
	inOrder(t, page, `id="_upcoming"`, `id="scewc-2021"`, `id="open-policy-debate-2021"`, `id="networking-lunch-2021"`,
		`id="digital-rights-webinar"`, `id="_past"`, `id="cities-are-listening-2020"`, `id="_news"`, `id="post_agenda-2021"`,
		`id="post_cities-are-listening-smart-recovery"`)
	// The one moderator comes before the speakers, who keep their order.
	inOrder(t, page, "Emilia Saiz", "Mohamed Boudra", "Carola Gunnarsson", "Armand Béouindé", "Berry Vrbanovic",
		"Souad Ben Abderrahim", "Gissela Chala")
}

func inOrder(t *testing.T, s string, parts ...string) {
	t.Helper()
	at := 0
	for _, p := range parts {
		i := strings.Index(s[at:], p)
		if i < 0 {
			t.Errorf("%q missing or out of order (after byte %d)", p, at)
			return
		}
		at += i + len(p)
	}
}

// TestPastDescending checks that past days run newest first.
func TestPastDescending(t *testing.T) {
	snap := debateSnapshot(t)
	opts := testOptions()
	opts.AsOf = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	page := renderSeries(t, newRenderer(t), snap, opts)
	inOrder(t, page, `No upcoming sessions`, `id="_past"`, `id="digital-rights-webinar"`, `id="networking-lunch-2021"`,
		`id="open-policy-debate-2021"`, `id="scewc-2021"`, `id="cities-are-listening-2020"`)
}

func TestEventLinks(t *testing.T) {
	snap := debateSnapshot(t)
	seriesLoc, _ := time.LoadLocation(snap.Series.Zone)
	ss, err := resolveSessions(snap.Sessions, seriesLoc)
	if err != nil {
		t.Fatal(err)
	}
	byKey := map[string]session{}
	for _, s := range ss {
		byKey[s.s.Key] = s
	}
	l := testOptions().Layout
	tests := []struct {
		name, link, prefix string
		want               map[string]string
	}{
		{"google timed", googleEventURL(byKey["open-policy-debate-2021"], l),
			"https://calendar.google.com/calendar/render?action=TEMPLATE&text=Smart+Cities+and+Territories,+Pillars+of+the+Common+Agenda&dates=20211117T110000Z/20211117T120000Z&details=",
			map[string]string{
				"action": "TEMPLATE", "text": "Smart Cities and Territories, Pillars of the Common Agenda",
				"dates": "20211117T110000Z/20211117T120000Z", "ctz": "Europe/Madrid",
				"location": "Fira de Barcelona Gran Via, Hall 2, Av. Joan Carles I, 64, 08908 L'Hospitalet de Llobregat",
			}},
		{"google all-day", googleEventURL(byKey["scewc-2021"], l),
			"https://calendar.google.com/calendar/render?action=TEMPLATE&text=Smart+City+Expo+World+Congress+2021&dates=20211116/20211119&",
			map[string]string{"dates": "20211116/20211119", "ctz": "Europe/Madrid"}},
		{"google online", googleEventURL(byKey["digital-rights-webinar"], l),
			"https://calendar.google.com/calendar/render?action=TEMPLATE&text=",
			map[string]string{
				"dates": "20211201T150000Z/20211201T163000Z", "ctz": "America/New_York",
				"location": "https://meet.example.org/digital-rights?pwd=a&b=c",
				"details":  "An online follow-up with the Coalition of Cities for Digital Rights.\n\nHost: Aik van Eemeren (Lead Public Tech at CTO, City of Amsterdam)\n\nOnline: https://meet.example.org/digital-rights?pwd=a&b=c\n\nhttps://agenda.example.org/scewc/#digital-rights-webinar",
			}},
		{"outlook timed", outlookEventURL(byKey["open-policy-debate-2021"], l),
			"https://outlook.live.com/calendar/0/deeplink/compose?path=/calendar/action/compose&rru=addevent&subject=Smart+Cities+and+Territories,+Pillars+of+the+Common+Agenda&startdt=2021-11-17T11:00:00Z&enddt=2021-11-17T12:00:00Z&body=",
			map[string]string{"startdt": "2021-11-17T11:00:00Z", "enddt": "2021-11-17T12:00:00Z"}},
		{"outlook all-day", outlookEventURL(byKey["scewc-2021"], l),
			"https://outlook.live.com/calendar/0/deeplink/compose?path=/calendar/action/compose&rru=addevent&subject=Smart+City+Expo+World+Congress+2021&startdt=2021-11-16&enddt=2021-11-19&allday=true&body=",
			map[string]string{"allday": "true"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.HasPrefix(tt.link, tt.prefix) {
				t.Errorf("link\n%s\ndoes not start with\n%s", tt.link, tt.prefix)
			}
			u, err := url.Parse(tt.link)
			if err != nil {
				t.Fatal(err)
			}
			q := u.Query()
			for k, v := range tt.want {
				if got := q.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
		})
	}
}

func TestTimeFormatting(t *testing.T) {
	tests := []struct {
		name       string
		zone       string
		start, end string
		want       whenView
	}{
		{"summer time", "Europe/Madrid", "2021-07-01T12:00", "2021-07-01T13:00",
			whenView{StartUTC: "2021-07-01T10:00:00Z", EndUTC: "2021-07-01T11:00:00Z", StartText: "12:00", EndText: "13:00", Sep: "–", Abbrev: "CEST", Zone: "Europe/Madrid"}},
		{"clocks go back in between", "Europe/Madrid", "2021-10-31T01:30", "2021-10-31T04:00",
			whenView{StartUTC: "2021-10-30T23:30:00Z", EndUTC: "2021-10-31T03:00:00Z", StartText: "01:30 CEST", EndText: "04:00 CET", Sep: "–", Zone: "Europe/Madrid"}},
		{"over midnight", "Asia/Kuala_Lumpur", "2021-11-17T23:00", "2021-11-18T01:00",
			whenView{StartUTC: "2021-11-17T15:00:00Z", EndUTC: "2021-11-17T17:00:00Z", StartText: "23:00 +08", EndText: "Thursday 18 November 2021, 01:00 +08", Sep: " – ", Zone: "Asia/Kuala_Lumpur"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := agenda.Session{Key: "k", Zone: tt.zone, Start: wall(t, tt.start), End: wall(t, tt.end)}
			st, en, err := s.Interval()
			if err != nil {
				t.Fatal(err)
			}
			if got := whenOf(session{s: &s, start: st, end: en}, agenda.DateOf(st)); got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	r := newRenderer(t)
	bad := debateSnapshot(t)
	bad.Sessions[0].Zone = "Mars/Olympus_Mons"
	noTitle := debateSnapshot(t)
	noTitle.Series.Title = ""
	for name, snap := range map[string]agenda.Snapshot{"bad zone": bad, "no title": noTitle} {
		var b bytes.Buffer
		if err := r.WriteSeries(&b, snap, testOptions()); err == nil {
			t.Errorf("%s: no error", name)
		} else if b.Len() != 0 {
			t.Errorf("%s: wrote %d bytes along with the error", name, b.Len())
		}
	}
	if err := r.WriteIndex(&bytes.Buffer{}, []agenda.Snapshot{bad}, testOptions()); err == nil {
		t.Error("index with a bad zone: no error")
	}
}

func TestIndexContent(t *testing.T) {
	var b bytes.Buffer
	if err := newRenderer(t).WriteIndex(&b, []agenda.Snapshot{debateSnapshot(t), dialoguesSnapshot(t)}, testOptions()); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{
		`<title>Agenda Example</title>`,
		`<link rel="canonical" href="https://agenda.example.org/">`,
		`<a href="https://agenda.example.org/scewc/">UCLG at Smart City Expo World Congress</a>`,
		`<h3 id="series-ciudades-escuchan-h" lang="es">`,
		`<p lang="es">Diálogos en línea sobre la recuperación y el Pacto para el Futuro.</p>`,
		// The next session still taking place: the debate (the congress started before AsOf but is ongoing).
		`Next session:</span> <a href="https://agenda.example.org/scewc/#scewc-2021">Smart City Expo World Congress 2021</a>`,
		`href="webcal://agenda.example.org/calendar.ics"`,
		`href="https://agenda.example.org/rss.xml"`,
		`href="https://agenda.example.org/feeds.opml"`,
		`href="webcal://agenda.example.org/ciudades-escuchan/calendar.ics"`,
		`No upcoming sessions.`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("index lacks %s", want)
		}
	}
	if strings.Contains(page, "Segundo párrafo") {
		t.Error("index shows more than the first paragraph")
	}
	inOrder(t, page, "Las ciudades escuchan", "UCLG at Smart City Expo World Congress")
}

// TestCSPHashes checks that the policy names the hashes of exactly the style
// and script the page carries, so a browser runs them.
func TestCSPHashes(t *testing.T) {
	page := renderSeries(t, newRenderer(t), debateSnapshot(t), testOptions())
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var csp, style, script string
	var scripts int
	walk(doc, func(n *html.Node) {
		switch {
		case n.Type == html.ElementNode && n.Data == "meta" && attr(n, "http-equiv") == "Content-Security-Policy":
			csp = attr(n, "content")
		case n.Type == html.ElementNode && n.Data == "style" && n.FirstChild != nil:
			style = n.FirstChild.Data
		case n.Type == html.ElementNode && n.Data == "script":
			scripts++
			if n.FirstChild != nil {
				script = n.FirstChild.Data
			}
		}
	})
	if scripts != 1 {
		t.Fatalf("%d script elements, want 1", scripts)
	}
	for _, want := range []string{"default-src 'none'", "'" + sha256Source([]byte(style)) + "'", "'" + sha256Source([]byte(script)) + "'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %s", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP allows unsafe-inline: %s", csp)
	}
}

func walk(n *html.Node, f func(*html.Node)) {
	f(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, f)
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func BenchmarkWriteSeries(b *testing.B) {
	snap := debateSnapshot(b)
	// A bigger series: 200 sessions over 40 days.
	base := snap.Sessions[0]
	for i := range 200 {
		s := base
		s.Key = "s-" + strconv.Itoa(i)
		st := base.Start.Clock().AddDate(0, 0, i/5).Add(time.Duration(i%5) * time.Hour)
		s.Start = agenda.WallTimeOf(st)
		s.End = agenda.WallTimeOf(st.Add(45 * time.Minute))
		snap.Sessions = append(snap.Sessions, s)
	}
	r := newRenderer(b)
	opts := testOptions()
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := r.WriteSeries(&buf, snap, opts); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(buf.Len()))
}
