package app

import (
	"context"
	"html"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Every published URL with a fragment (a session's or a post's place on
// its series' page, from the calendars, feeds and pages) points to an
// element the page has: a link to a missing anchor lands at the top of a
// long page.
func TestPublishedAnchorsExist(t *testing.T) {
	cfg := testConfig(t, t.TempDir())
	a, err := Open(context.Background(), Options{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	loadDemo(t, a)
	if _, err := a.Pass(context.Background(), false); err != nil {
		t.Fatal(err)
	}
	urlRE := regexp.MustCompile(`https://agenda\.example\.org(/[^\s"'<>\\#]*)#([^\s"'<>\\&]+)`)
	anchors := map[string]string{} // "path#fragment" -> a file that gives it
	walkPublished(t, cfg.OutputDir, func(p, text string) {
		for _, m := range urlRE.FindAllStringSubmatch(text, -1) {
			anchors[html.UnescapeString(m[1])+"#"+m[2]] = p
		}
	})
	var posts, sessions int
	for anchor, from := range anchors {
		path, frag, _ := strings.Cut(anchor, "#")
		if strings.HasPrefix(frag, "post_") {
			posts++
		} else {
			sessions++
		}
		page, err := os.ReadFile(filepath.Join(cfg.OutputDir, filepath.FromSlash(path), "index.html"))
		if err != nil {
			t.Errorf("%s (from %s): %v", anchor, from, err)
			continue
		}
		if !strings.Contains(string(page), ` id="`+frag+`"`) {
			t.Errorf("%s (from %s): the page has no element with id %q", anchor, from, frag)
		}
	}
	if posts == 0 || sessions == 0 {
		t.Errorf("%d anchors of sessions and %d of posts in the published files; want both", sessions, posts)
	}
}

// walkPublished calls fn with the text of every published file under dir
// (not the publisher's own dot files), calendars unfolded so that a URL
// reads whole. The pages' links to Google Calendar and Outlook.com carry
// our URLs as query values, with '/' and ':' as they are but '#' and '&'
// encoded: fn gets those values decoded, as those sites read them, so
// that the URLs in them are checked too and nothing after them is taken
// for part of one.
func walkPublished(t *testing.T, dir string, fn func(path, text string)) {
	t.Helper()
	elsewhere := regexp.MustCompile(`href="(https://(?:calendar\.google\.com|outlook\.live\.com)/[^"]*)"`)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		text := elsewhere.ReplaceAllStringFunc(string(b), func(attr string) string {
			href := elsewhere.FindStringSubmatch(attr)[1]
			u, err := url.Parse(html.UnescapeString(href))
			if err != nil {
				t.Errorf("%s: %s: %v", p, href, err)
				return ""
			}
			var values strings.Builder
			for _, vs := range u.Query() {
				for _, v := range vs {
					values.WriteString(" " + html.EscapeString(v) + " ")
				}
			}
			return values.String()
		})
		fn(p, strings.ReplaceAll(text, "\r\n ", ""))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
