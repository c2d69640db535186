package opml

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/agendafeed/agendafeed/feeds"
	"github.com/agendafeed/agendafeed/internal/agenda"
)

// TestListparser imports the list with listparser, the OPML reader of
// Python feed tools, and checks that it would subscribe to each feed once.
// It skips when /usr/bin/python3 or python3-listparser is missing, unless
// CI=true.
func TestListparser(t *testing.T) {
	missing := func(what string) {
		t.Helper()
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and %s", what)
		}
		t.Skip(what)
	}
	const python = "/usr/bin/python3"
	if _, err := os.Stat(python); err != nil {
		missing("no /usr/bin/python3: apt-get install python3 python3-listparser")
	}
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
	out, err := exec.Command(python, filepath.Join("testdata", "check_listparser.py"), path).CombinedOutput()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit) && exit.ExitCode() == 77:
		missing("apt-get install python3-listparser: " + string(bytes.TrimSpace(out)))
	case err != nil:
		t.Fatalf("listparser: %v\n%s", err, out)
	}
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
