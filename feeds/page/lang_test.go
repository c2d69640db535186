package page

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// textLangs maps each text of a page (trimmed) to the language a screen
// reader reads it in: the lang of its nearest element that has one.
func textLangs(t *testing.T, page string) map[string]string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	langs := map[string]string{}
	var walk func(n *html.Node, lang string)
	walk = func(n *html.Node, lang string) {
		if n.Type == html.ElementNode {
			for _, a := range n.Attr {
				if a.Key == "lang" {
					lang = a.Val
				}
			}
			if n.Data == "script" || n.Data == "style" {
				return
			}
		}
		if n.Type == html.TextNode {
			if s := strings.TrimSpace(n.Data); s != "" {
				langs[s] = lang
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, lang)
		}
	}
	walk(doc, "")
	return langs
}

// A series in Spanish gets an English interface (the page's labels are
// English) with its own text marked Spanish: lang="es" on <html> had a
// screen reader read "Upcoming sessions" and "Where:" as Spanish.
func TestPageLanguages(t *testing.T) {
	snap := dialoguesSnapshot(t)
	snap.Sessions = append(snap.Sessions, agenda.Session{
		UID: "9b2e1c44-5f0e-4a8e-8d1f-0c1d2e3f4a02@agenda.example.org", Key: "dialogue-2",
		Title: "A dialogue in English", Language: "en", Description: "Held in English.",
		Start: wall(t, "2021-06-09T09:00"), End: wall(t, "2021-06-09T10:00"), Venue: "Sala 2",
	})
	snap.Sessions = append(snap.Sessions, agenda.Session{
		UID: "9b2e1c44-5f0e-4a8e-8d1f-0c1d2e3f4a03@agenda.example.org", Key: "dialogo-3",
		Title: "Diálogo aplazado", Status: agenda.StatusCancelled,
		Start: wall(t, "2021-06-16T09:00"), End: wall(t, "2021-06-16T10:00"), Venue: "Sala 3",
	}, agenda.Session{
		UID: "9b2e1c44-5f0e-4a8e-8d1f-0c1d2e3f4a04@agenda.example.org", Key: "dialogo-4",
		Title: "Diálogo por confirmar", Status: agenda.StatusTentative,
		Start: wall(t, "2021-06-23T09:00"), End: wall(t, "2021-06-23T10:00"), Venue: "Sala 4",
	})
	snap.Posts = append(snap.Posts, agenda.Post{
		ID: "cronica", Series: snap.Series.Slug, Title: "Crónica del diálogo",
		Summary: "Lo que se dijo.", Published: instant(t, "2021-06-03T10:00:00Z"),
	})
	snap = valid(t, snap)
	r := newRenderer(t)
	var series, index bytes.Buffer
	if err := r.WriteSeries(&series, snap, testOptions()); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteIndex(&index, []agenda.Snapshot{snap}, testOptions()); err != nil {
		t.Fatal(err)
	}
	for _, page := range []struct {
		name string
		text string
		want map[string]string
	}{
		{"series page", series.String(), map[string]string{
			// the series' own text
			"Las ciudades escuchan": "es",
			"Diálogos en línea sobre la recuperación y el Pacto para el Futuro.": "es",
			"Diálogo sobre la recuperación":                                      "es",
			"Crónica del diálogo":                                                "es",
			"Lo que se dijo.":                                                    "es",
			// a session in another language than its series
			"A dialogue in English": "en",
			"Held in English.":      "en",
			// the interface
			"Past sessions": "en",
			"News":          "en",
			"Subscribe":     "en",
			"Online:":       "en",
			"Download .ics": "en",
			// badges inside a Spanish heading
			"Diálogo aplazado":      "es",
			"Cancelled":             "en",
			"Diálogo por confirmar": "es",
			"To be confirmed":       "en",
		}},
		{"index", index.String(), map[string]string{
			"Las ciudades escuchan": "es",
			"Diálogos en línea sobre la recuperación y el Pacto para el Futuro.": "es",
			"No upcoming sessions.": "en",
			"Agenda page":           "en",
		}},
	} {
		got := textLangs(t, page.text)
		for text, want := range page.want {
			lang, ok := got[text]
			if !ok {
				t.Errorf("%s: no text %q", page.name, text)
			} else if lang != want {
				t.Errorf("%s: %q is read as %q, want %q", page.name, text, lang, want)
			}
		}
	}
}
