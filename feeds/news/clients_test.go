package news

import (
	"bytes"
	"encoding/json"
	"html"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agendafeed/agendafeed/internal/realclient"
)

// Real feed readers read our feeds: Python's feedparser (Debian
// python3-feedparser, visible only to /usr/bin/python3) and, from the
// repository's node_modules, @rowanmanning/feed-parser and feedsmith. Each
// client runs once over every case (one process per client). A missing
// client skips the test, except under CI=true where it fails.

// clientCase is one feed in the three formats and the items Go built.
type clientCase struct {
	Name      string `json:"name"`
	RSS       string `json:"rss"`
	Atom      string `json:"atom"`
	JSON      string `json:"json"`
	ExactText bool   `json:"exact_text"` // compare titles too (not for hostile text, which readers sanitise)
	Title     string `json:"title"`
	// Description is the series' description as readers must show it:
	// plain text, as written (only for ExactText cases).
	Description string       `json:"description,omitempty"`
	Language    string       `json:"language"`
	Updated     int64        `json:"updated"`
	Items       []clientItem `json:"items"`
}

type clientItem struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	Link      string `json:"link"`
	Author    string `json:"author"`
	Published int64  `json:"published"`
	Updated   int64  `json:"updated"`
	// ContentLinks, when set, are the href and src values the item's
	// content must have, in order, as a reader resolves them.
	ContentLinks []string `json:"content_links,omitempty"`
}

// markupText is a series description that looks like markup but is text:
// readers must show it as written, "<Smart>" and the tags around "UCLG"
// included.
const markupText = `Dialogues where x < y and <Smart> cities & regions meet; <a href="https://www.uclg.org/">UCLG</a> &amp; <b>members</b>.`

// writeClientSpec renders every case into dir and writes the spec the check
// scripts read.
func writeClientSpec(t *testing.T, dir string) string {
	t.Helper()
	h := hostileText()
	type src struct {
		name  string
		f     *Feed
		exact bool
	}
	build := func(snapsName string, slug string, opts Options) *Feed {
		t.Helper()
		var f *Feed
		var err error
		switch snapsName {
		case "demo":
			f, err = Build(demoSnapshots(t), slug, opts)
		case "hostile":
			f, err = Build(hostileSnapshot(h, h, h, h, h), slug, opts)
		case "empty":
			f, err = Build(demoSnapshotsFor(t, "empty"), slug, opts)
		case "rellinks":
			f, err = Build(relLinkSnapshots(t), slug, opts)
		case "markup-text":
			snaps := demoSnapshots(t)
			for i := range snaps {
				snaps[i].Series.Description = markupText
			}
			f, err = Build(snaps, slug, opts)
		}
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	opts := Options{Layout: testLayout}
	upcoming := Options{Layout: testLayout, UpcomingOnly: true, AsOf: utc("2030-01-01T00:00:00Z")}
	srcs := []src{
		{"series", build("demo", "cities-are-listening", opts), true},
		{"combined", build("demo", "", Options{Layout: testLayout, Title: "UCLG agendas"}), true},
		{"spanish", build("demo", "direitos-digitais", opts), true},
		{"empty", build("empty", "cities-are-listening", upcoming), true},
		{"hostile", build("hostile", "h", opts), false},
		{"rellinks-series", build("rellinks", "direitos-digitais", opts), true},
		{"rellinks-combined", build("rellinks", "", opts), true},
		{"markup-text", build("markup-text", "cities-are-listening", opts), true},
	}
	var wantLinks []string
	for _, l := range relLinksWant {
		wantLinks = append(wantLinks, html.UnescapeString(l))
	}
	var spec struct {
		Cases []clientCase `json:"cases"`
	}
	for _, s := range srcs {
		c := clientCase{Name: s.name, ExactText: s.exact, Title: s.f.title, Language: s.f.lang, Updated: s.f.updated.Unix()}
		if s.exact {
			c.Description = s.f.description
		}
		for _, fm := range formats {
			var buf bytes.Buffer
			if err := fm.write(s.f, &buf); err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(dir, s.name+fm.ext)
			if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			switch fm.name {
			case "rss":
				c.RSS = p
			case "atom":
				c.Atom = p
			case "json":
				c.JSON = p
			}
		}
		c.Items = []clientItem{}
		for _, it := range s.f.items {
			ci := clientItem{ID: it.id, Title: it.title, Link: it.link, Author: it.author,
				Published: it.published.Unix(), Updated: it.updated.Unix()}
			if strings.HasSuffix(it.id, "/posts/"+relLinksPostID) {
				ci.ContentLinks = wantLinks
			}
			c.Items = append(c.Items, ci)
		}
		spec.Cases = append(spec.Cases, c)
	}
	data, err := json.MarshalIndent(spec, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "spec.json")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRealClients(t *testing.T) {
	spec := writeClientSpec(t, t.TempDir())
	script := func(name string) string {
		p, err := filepath.Abs(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}

	t.Run("feedparser", func(t *testing.T) {
		python := realclient.Python(t, "feedparser")
		out := realclient.Run(t, realclient.Script{What: "feedparser check", Install: "apt-get install python3-feedparser",
			Args: []string{python, script("check_feedparser.py"), spec}})
		t.Logf("%s", bytes.TrimSpace(out))
	})

	t.Run("node", func(t *testing.T) {
		node := realclient.Node(t, "@rowanmanning/feed-parser", "feedsmith")
		// The script lives under the repository, so Node resolves its
		// imports from the root's node_modules.
		root := realclient.RepoRoot(t)
		out := realclient.Run(t, realclient.Script{What: "node feed parsers check", Install: "npm ci in " + root,
			Dir: root, Args: []string{node, script("check_node.mjs"), spec}})
		t.Logf("%s", bytes.TrimSpace(out))
	})
}
