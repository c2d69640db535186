package main

import (
	"database/sql"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The reviewer's case: a small file of posts must not reset the series'
// settings it does not mention.
func TestImportKeepsSeriesKeysLeftOut(t *testing.T) {
	te := newTestEnv(t)
	te.must("series", "add", "debates", "-title", "Debates", "-description", "Open debates", "-homepage", "https://www.uclg.org/",
		"-zone", "America/New_York", "-reminders", "30m", "-organizer-name", "UCLG", "-organizer-email", "info@uclg.org")
	before := te.must("series", "show", "debates")
	posts := te.writeFile("posts.yaml", "series:\n  slug: debates\n  title: Debates\nposts:\n  - id: p\n    title: P\n    published: 2021-11-12\n")
	out := te.must("import", posts)
	if !strings.Contains(out, "1 series (0 created, 0 updated, 1 unchanged)") || !strings.Contains(out, "posts 1 created") {
		t.Errorf("import: %s", out)
	}
	after := te.must("series", "show", "debates")
	for _, line := range []string{"homepage:     https://www.uclg.org/", "zone:         America/New_York", "reminders:    30m",
		"organizer:    UCLG <info@uclg.org>", "description:  Open debates"} {
		if !strings.Contains(after, line) {
			t.Errorf("series show lost %q:\n%s\nbefore the import:\n%s", line, after, before)
		}
	}
	counter := te.counter()
	if out := te.must("import", posts); !strings.Contains(out, "0 created, 0 updated, 1 unchanged, 0 left alone") {
		t.Errorf("re-import: %s", out)
	}
	if got := te.counter(); got != counter {
		t.Errorf("re-import moved the change counter %d -> %d", counter, got)
	}

	// An explicit empty value clears what it can.
	te.must("import", te.writeFile("clear.yaml", "series:\n  slug: debates\n  title: Debates\n  description: \"\"\n  reminders: []\n"))
	after = te.must("series", "show", "debates")
	if strings.Contains(after, "Open debates") || strings.Contains(after, "30m") || !strings.Contains(after, "organizer:    UCLG") || !strings.Contains(after, "zone:         America/New_York") {
		t.Errorf("after clearing the description and reminders:\n%s", after)
	}
}

// -dry-run runs the import against the database and rolls it back, so it
// fails exactly where the import would, and reports what it would do.
func TestImportDryRun(t *testing.T) {
	te := newTestEnv(t)
	db := te.env["AGENDAFEED_DATABASE"]
	posts := te.writeFile("posts.yaml", "series:\n  slug: debates\n  title: Debates\nposts:\n  - id: p\n    title: P\n    published: 2021-11-12\n    session: pilars\n")

	// No database yet: the files alone are checked, and nothing is created.
	out := te.must("import", "-dry-run", posts)
	if want := "database " + db + " does not exist, so only the files were checked: 1 file(s) valid; nothing written (-dry-run)\n"; out != want {
		t.Errorf("dry run without a database:\n%s\nwant:\n%s", out, want)
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Errorf("a dry run created the database: %v", err)
	}

	te.must("series", "add", "debates", "-title", "Debates")
	te.must("session", "add", "debates/a", "-title", "A", "-start", "2021-11-17T12:00", "-end", "2021-11-17T13:00")
	te.must("series", "add", "other", "-title", "Other")
	counter := te.counter()
	exported := te.must("export", "debates")

	for _, tc := range []struct {
		name, file string
	}{
		{"post linked to a missing session", posts},
		{"export moved to another series", te.writeFile("moved.yaml", strings.Replace(exported, "slug: debates", "slug: other", 1))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, dryErrs, dryCode := te.run("", "import", "-dry-run", tc.file)
			_, errs, code := te.run("", "import", tc.file)
			if code != 1 || dryCode != code || dryErrs != errs {
				t.Errorf("dry run: exit %d\n%s\nimport: exit %d\n%s", dryCode, dryErrs, code, errs)
			}
		})
	}

	valid := te.writeFile("valid.yaml", exported+"posts:\n  - {id: p, title: P, published: 2021-11-12, session: a}\n")
	out = te.must("import", "-dry-run", valid)
	want := "dry run against database " + db + ", nothing written: would import 1 series (0 created, 0 updated, 1 unchanged): sessions 0 created, 0 updated, 1 unchanged, 0 left alone; posts 1 created, 0 updated, 0 unchanged, 0 left alone\n"
	if out != want {
		t.Errorf("dry run:\n%s\nwant:\n%s", out, want)
	}
	if got := te.counter(); got != counter {
		t.Errorf("the dry runs moved the change counter %d -> %d", counter, got)
	}
	real := "imported" + strings.TrimPrefix(want, "dry run against database "+db+", nothing written: would import")
	if out := te.must("import", valid); out != real {
		t.Errorf("import after the dry run:\n%s\nwant:\n%s", out, real)
	}
}

// The reviewer's case: a session removed and re-imported from its export
// keeps its UID, and its SEQUENCE never goes back, even when it was edited
// after the export (calendars holding the edit keep the higher SEQUENCE);
// a series re-created from its export keeps its created time (news feed
// ids carry its date) and continues from its last revision.
func TestImportKeepsSequenceAndCreated(t *testing.T) {
	te := newTestEnv(t)
	te.must("series", "add", "s", "-title", "S")
	te.must("session", "add", "s/a", "-title", "A", "-start", "2021-11-17T12:00", "-end", "2021-11-17T13:00")
	te.must("session", "edit", "s/a", "-title", "A, edited")
	if out := te.must("session", "edit", "s/a", "-title", "A, edited again"); !strings.Contains(out, "at sequence 2") {
		t.Fatalf("session edit: %s", out)
	}
	b := te.writeFile("b.yaml", te.must("export", "s"))
	uid := showField(t, te.must("session", "show", "s/a"), "uid")
	if out := te.must("session", "edit", "s/a", "-title", "A, edited after the export"); !strings.Contains(out, "at sequence 3") {
		t.Fatalf("session edit: %s", out)
	}
	te.must("session", "remove", "s/a")
	te.must("import", b)
	show := te.must("session", "show", "s/a")
	if got := showField(t, show, "uid"); got != uid {
		t.Errorf("re-imported uid %q, want %q", got, uid)
	}
	if got := showField(t, show, "sequence"); got != "4" {
		t.Errorf("re-imported sequence %s, want 4 (above the removed session's 3)", got)
	}
	if got := showField(t, show, "title"); got != "A, edited again" {
		t.Errorf("re-imported title %q, want the export's", got)
	}

	// As if exported on another day.
	created := "2020-05-06T07:08:09Z"
	data, err := os.ReadFile(b)
	if err != nil {
		t.Fatal(err)
	}
	before := te.must("series", "show", "s")
	old, revision := showField(t, before, "created"), showField(t, before, "revision")
	moved := te.writeFile("moved.yaml", strings.Replace(string(data), `created: "`+old+`"`, `created: "`+created+`"`, 1))
	te.must("series", "remove", "s")
	te.must("import", moved)
	after := te.must("series", "show", "s")
	if got := showField(t, after, "created"); got != created {
		t.Errorf("re-created series created %s, want %s", got, created)
	}
	if got, err := strconv.Atoi(showField(t, after, "revision")); err != nil || strconv.Itoa(got-1) != revision {
		t.Errorf("re-created series at revision %d (%v), want one after the removed one's %s", got, err, revision)
	}
	if got := showField(t, te.must("session", "show", "s/a"), "sequence"); got != "5" {
		t.Errorf("sequence after the series was removed and re-imported: %s, want 5", got)
	}
}

// showField reads one "key: value" line of a show command's output.
func showField(t *testing.T, show, key string) string {
	t.Helper()
	for line := range strings.SplitSeq(show, "\n") {
		if v, ok := strings.CutPrefix(line, key+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("no %s in:\n%s", key, show)
	return ""
}

// Changing a series' zone through export, an edit of the file and import
// keeps every session at its instant, as `series edit -zone` does.
func TestImportZoneEditKeepsSessions(t *testing.T) {
	te := newTestEnv(t)
	for _, slug := range []string{"edited", "imported"} {
		te.must("series", "add", slug, "-title", "S", "-zone", "Europe/Madrid")
		te.must("session", "add", slug+"/a", "-title", "A", "-start", "2021-11-17T12:00", "-end", "2021-11-17T13:00")
	}
	te.must("series", "edit", "edited", "-zone", "America/New_York")
	exported := te.must("export", "imported")
	edited := strings.Replace(exported, "zone: Europe/Madrid", "zone: America/New_York", 1)
	te.must("import", te.writeFile("imported.yaml", edited))

	if got := showField(t, te.must("series", "show", "imported"), "zone"); got != "America/New_York" {
		t.Errorf("series zone %s after the import", got)
	}
	want := te.must("session", "show", "edited/a")
	got := te.must("session", "show", "imported/a")
	for _, key := range []string{"when", "zone"} {
		if showField(t, got, key) != showField(t, want, key) {
			t.Errorf("%s after export, edit, import:\n%s\nafter series edit -zone:\n%s", key, got, want)
		}
	}
	if z := showField(t, got, "zone"); z != "Europe/Madrid" {
		t.Errorf("session zone %s, want Europe/Madrid", z)
	}
}

// The reviewer's case: changing a series' language through export, an edit
// of the file and import changes no session, as `series edit -language`
// does, and importing the first export back changes nothing either.
func TestImportLanguageEditKeepsSessions(t *testing.T) {
	te := newTestEnv(t)
	te.must("series", "add", "debates", "-title", "S", "-zone", "Europe/Madrid", "-language", "en")
	te.must("session", "add", "debates/a", "-title", "A", "-start", "2021-11-17T12:00", "-end", "2021-11-17T13:00")
	exported := te.writeFile("e.yaml", te.must("export", "debates"))
	data, err := os.ReadFile(exported)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(data), "\n  language: en\n", "\n  language: es\n", 1)
	if edited == string(data) {
		t.Fatalf("no series language in the export:\n%s", data)
	}
	for _, file := range []string{te.writeFile("es.yaml", edited), exported} {
		out := te.must("import", file)
		if !strings.Contains(out, "sessions 0 created, 0 updated, 1 unchanged") {
			t.Errorf("import %s: %s", file, out)
		}
		show := te.must("session", "show", "debates/a")
		if l, seq := showField(t, show, "language"), showField(t, show, "sequence"); l != "en" || seq != "0" {
			t.Errorf("after importing %s: session language %s, sequence %s; want en, 0", file, l, seq)
		}
	}
	if got := showField(t, te.must("series", "show", "debates"), "language"); got != "en" {
		t.Errorf("series language %s after importing the first export back", got)
	}
}

// A series removed and re-created from its export keeps each session's
// created time: the calendar's CREATED and the published date of the
// session announcements in the news feeds come out byte for byte as
// before, not dated the day of the import.
func TestReimportKeepsSessionCreated(t *testing.T) {
	te := newTestEnv(t)
	te.must("series", "add", "s", "-title", "S")
	te.must("session", "add", "s/a", "-title", "A", "-start", "2031-11-17T12:00", "-end", "2031-11-17T13:00")
	te.must("session", "add", "s/b", "-title", "B", "-start", "2031-11-18T12:00", "-end", "2031-11-18T13:00")
	// As if the sessions were added years ago: the import below must not
	// give them its own time, which could be the same second as theirs.
	db, err := sql.Open("sqlite", te.env["AGENDAFEED_DATABASE"])
	if err != nil {
		t.Fatal(err)
	}
	for key, at := range map[string]string{"a": "2020-05-06T07:08:09.000000000Z", "b": "2021-01-02T03:04:05.000000000Z"} {
		if _, err := db.Exec(`UPDATE sessions SET created = ? WHERE key = ?`, at, key); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	stamps := func() string {
		t.Helper()
		te.must("generate")
		var out []string
		for _, name := range []string{"calendar.ics", "atom.xml", "rss.xml", "feed.json"} {
			data, err := os.ReadFile(filepath.Join(te.dir, "public", "s", name))
			if err != nil {
				t.Fatal(err)
			}
			// feed.json is one item a line: only its published date, as
			// the others' lines are. (Not whole files: a series removed
			// and re-created continues its sessions' SEQUENCE from their
			// tombstones. internal/app's TestExportImportPublishesSameBytes
			// restores into a fresh database, and compares whole files.)
			for line := range strings.SplitSeq(string(data), "\n") {
				for _, m := range regexp.MustCompile(`(?:CREATED:|<published>|<pubDate>|"date_published":)[^<"]*"?[^<",]*`).FindAllString(line, -1) {
					out = append(out, name+": "+m)
				}
			}
		}
		return strings.Join(out, "\n")
	}
	before := stamps()
	for _, want := range []string{"CREATED:20200506T070809Z", "CREATED:20210102T030405Z", "2020-05-06T07:08:09Z"} {
		if !strings.Contains(before, want) {
			t.Fatalf("no %s in the published stamps:\n%s", want, before)
		}
	}
	b := te.writeFile("s.yaml", te.must("export", "s"))
	te.must("series", "remove", "s")
	te.must("import", b)
	if after := stamps(); after != before {
		t.Errorf("stamps after re-creating the series from its export:\n%s\nwant:\n%s", after, before)
	}
}
