package opml

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/agendafeed/agendafeed/feeds"
	"github.com/agendafeed/agendafeed/internal/agenda"
	"github.com/agendafeed/agendafeed/internal/realclient"
)

// TestListparser imports the list with listparser, the OPML reader of
// Python feed tools, and checks that it would subscribe to each feed once.
// It skips when /usr/bin/python3 or python3-listparser is missing, unless
// CI=true.
func TestListparser(t *testing.T) {
	python := realclient.Python(t, "listparser")
	snaps := []agenda.Snapshot{
		{Series: agenda.Series{Slug: "a", Title: "A & <b>", Language: "en"}},
		{Series: agenda.Series{Slug: "b", Title: "Bé", Language: "es"}},
	}
	var buf bytes.Buffer
	if err := Write(&buf, snaps, feeds.NewLayout("https://agenda.example.org"), "Agenda Example"); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "feeds.opml")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out := realclient.Run(t, realclient.Script{What: "listparser check", Install: "apt-get install python3-listparser",
		Args: []string{python, filepath.Join("testdata", "check_listparser.py"), path}})
	var got struct {
		Title string
		Feeds []struct{ URL, Title string }
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("listparser output: %v\n%s", err, out)
	}
	var urls []string
	for _, f := range got.Feeds {
		urls = append(urls, f.URL)
	}
	want := []string{"https://agenda.example.org/a/rss.xml", "https://agenda.example.org/b/rss.xml", "https://agenda.example.org/rss.xml"}
	if !slices.Equal(urls, want) {
		t.Errorf("listparser subscribes to %q, want %q", urls, want)
	}
	if got.Title != "Agenda Example" || len(got.Feeds) != 3 || got.Feeds[0].Title != "A & <b>" {
		t.Errorf("listparser read %+v", got)
	}
}
