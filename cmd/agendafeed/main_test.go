package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"maps"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/agendafeed/agendafeed/internal/store"
)

// testEnv runs the whole program in-process against a database and output
// directory in a fresh temporary directory.
type testEnv struct {
	t   *testing.T
	dir string
	env map[string]string
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	dir := t.TempDir()
	return &testEnv{t: t, dir: dir, env: map[string]string{
		"AGENDAFEED_DATABASE":   filepath.Join(dir, "agendafeed.db"),
		"AGENDAFEED_OUTPUT_DIR": filepath.Join(dir, "public"),
		"AGENDAFEED_BASE_URL":   "https://agenda.example.org/",
	}}
}

// run runs agendafeed with args and returns stdout, stderr and the exit code.
func (te *testEnv) run(stdin string, args ...string) (string, string, int) {
	te.t.Helper()
	var out, errb bytes.Buffer
	e := env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: func(k string) string { return te.env[k] },
		environ: func() []string {
			var kv []string
			for k, v := range te.env {
				kv = append(kv, k+"="+v)
			}
			return kv
		}}
	err := run(context.Background(), args, e)
	code := exitCode(err, &errb)
	return out.String(), errb.String(), code
}

// must runs a command that has to succeed.
func (te *testEnv) must(args ...string) string {
	te.t.Helper()
	out, errs, code := te.run("", args...)
	if code != 0 {
		te.t.Fatalf("agendafeed %s: exit %d\n%s", strings.Join(args, " "), code, errs)
	}
	return out
}

// counter reads the store's change counter, to prove a failed command wrote nothing.
func (te *testEnv) counter() int64 {
	te.t.Helper()
	db, err := store.Open(context.Background(), te.env["AGENDAFEED_DATABASE"], store.Options{UIDDomain: "agenda.example.org"})
	if err != nil {
		te.t.Fatal(err)
	}
	defer db.Close()
	n, err := db.ChangeCounter(context.Background())
	if err != nil {
		te.t.Fatal(err)
	}
	return n
}

func (te *testEnv) writeFile(name, content string) string {
	te.t.Helper()
	p := filepath.Join(te.dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		te.t.Fatal(err)
	}
	return p
}

func TestSessionLifecycle(t *testing.T) {
	te := newTestEnv(t)
	te.must("demo")
	te.must("series", "add", "debates", "-title", "Debates", "-zone", "America/New_York", "-reminders", "30m,2d")
	out := te.must("session", "add", "debates/first", "-title", "First debate", "-start", "2025-03-09T01:30", "-end", "2025-03-09T03:30",
		"-person", "moderator;Ada Lovelace;Analytical Engine Society", "-person", "speaker;Grace Hopper;US Navy", "-tags", "Tech, policy")
	if !strings.HasPrefix(out, "added session debates/first uid ") || !strings.Contains(out, "@agenda.example.org") {
		t.Fatalf("add: %q", out)
	}
	show := te.must("session", "show", "debates/first")
	for _, want := range []string{"2025-03-09T01:30 - 2025-03-09T03:30", "America/New_York", "moderator:", "Ada Lovelace, Analytical Engine Society", "policy, tech", "sequence:    0"} {
		if !strings.Contains(show, want) {
			t.Errorf("show lacks %q:\n%s", want, show)
		}
	}
	te.must("session", "edit", "debates/first", "-venue", "Town Hall")
	te.must("session", "cancel", "debates/first")
	show = te.must("session", "show", "debates/first")
	if !strings.Contains(show, "cancelled") || !strings.Contains(show, "sequence:    2") || !strings.Contains(show, "Town Hall") {
		t.Errorf("after edit and cancel:\n%s", show)
	}
	list := te.must("session", "list", "-series", "debates")
	if !strings.Contains(list, "debates/first") || strings.Contains(list, "open-policy-debates") {
		t.Errorf("list -series:\n%s", list)
	}
	te.must("generate")
	ics, err := os.ReadFile(filepath.Join(te.dir, "public", "debates", "calendar.ics"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"STATUS:CANCELLED", "DTSTART;TZID=America/New_York:20250309T013000", "SEQUENCE:2"} {
		if !bytes.Contains(ics, []byte(want)) {
			t.Errorf("calendar lacks %q", want)
		}
	}
	te.must("session", "remove", "debates/first")
	if _, _, code := te.run("", "session", "show", "debates/first"); code != 1 {
		t.Errorf("show after remove: exit %d, want 1", code)
	}
	te.must("post", "add", "debates/welcome", "-title", "Welcome", "-published", "2025-01-10", "-body-file", "-")
	te.must("check")
}

// A misspelt AGENDAFEED_ variable is refused: ignored, it left the key it
// was meant to set at its default (here the database).
func TestUnknownVariable(t *testing.T) {
	te := newTestEnv(t)
	te.must("demo")
	te.env["AGENDAFEED_DATABSE"] = te.env["AGENDAFEED_DATABASE"]
	_, errs, code := te.run("", "check")
	if want := "config: AGENDAFEED_DATABSE: unknown variable; did you mean AGENDAFEED_DATABASE?"; code != 1 || !strings.Contains(errs, want) {
		t.Errorf("check: exit %d, stderr:\n%s\nwant exit 1 and %q", code, errs, want)
	}
	// The real process reads its whole environment, the variables its
	// tests set for themselves included.
	cmd := exec.Command(os.Args[0], "-test.run=^$", "--", "check")
	cmd.Env = append(os.Environ(), "AGENDAFEED_TEST_MAIN=1", "AGENDAFEED_ARTIFACTS="+te.dir,
		"AGENDAFEED_DATABASE="+te.env["AGENDAFEED_DATABASE"], "AGENDAFEED_OUTPUT_DIR="+te.env["AGENDAFEED_OUTPUT_DIR"])
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("check: %v\n%s", err, out)
	}
	cmd = exec.Command(os.Args[0], "-test.run=^$", "--", "check")
	cmd.Env = append(os.Environ(), "AGENDAFEED_TEST_MAIN=1", "AGENDAFEED_LOG_LEVL=debug")
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if want := "AGENDAFEED_LOG_LEVL: unknown variable; did you mean AGENDAFEED_LOG_LEVEL?"; !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(string(out), want) {
		t.Errorf("check: %v\n%s\nwant exit 1 and %q", err, out, want)
	}
}

// generate writes every session's calendar even when the daemon would
// serve them: its output is hosted where no daemon renders them.
func TestGenerateWritesSessionCalendars(t *testing.T) {
	te := newTestEnv(t)
	te.env["AGENDAFEED_SESSION_CALENDARS"] = "served"
	te.must("demo")
	te.must("generate")
	path := filepath.Join(te.dir, "public", "open-policy-debates", "sessions", "smart-cities-pillars.ics")
	if b, err := os.ReadFile(path); err != nil || !bytes.HasPrefix(b, []byte("BEGIN:VCALENDAR")) {
		t.Errorf("generate with session_calendars: served: %s: %v", path, err)
	}
}

// Every generate rewrites a published file that is missing or whose size
// changed (an lstat per file); a same-size edit by hand needs the content
// check, which generate -force adds.
func TestGenerateForceRepairsFilesOnDisk(t *testing.T) {
	te := newTestEnv(t)
	te.must("demo")
	te.must("generate")
	pub := filepath.Join(te.dir, "public")
	edited := filepath.Join(pub, "open-policy-debates", "calendar.ics")
	deleted := filepath.Join(pub, "open-policy-debates", "rss.xml")
	want, err := os.ReadFile(edited)
	if err != nil {
		t.Fatal(err)
	}
	same := bytes.Replace(want, []byte("BEGIN:VEVENT"), []byte("BEGIN:VEVENX"), 1)
	if err := os.WriteFile(edited, same, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(deleted); err != nil {
		t.Fatal(err)
	}
	te.must("generate")
	if _, err := os.Stat(deleted); err != nil {
		t.Errorf("generate left the deleted file missing: %v", err)
	}
	if b, _ := os.ReadFile(edited); !bytes.Equal(b, same) {
		t.Fatalf("plain generate rewrote the same-size edit; the test expects only -force to")
	}
	out := te.must("generate", "-force")
	if b, err := os.ReadFile(edited); err != nil || !bytes.Equal(b, want) {
		t.Errorf("generate -force left the edited file: %v\n%s", err, out)
	}
}

func TestPostBodyFromStdin(t *testing.T) {
	te := newTestEnv(t)
	te.must("series", "add", "news", "-title", "News")
	if _, errs, code := te.run("Hello *world*\n", "post", "add", "news/hello", "-title", "Hello", "-published", "2025-01-10T10:00:00+01:00", "-body-file", "-"); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	out := te.must("post", "show", "news/hello")
	if !strings.Contains(out, "Hello *world*") || !strings.Contains(out, "2025-01-10T09:00:00Z") {
		t.Errorf("show:\n%s", out)
	}
}

// Export after import gives the same file back, and importing an export
// changes nothing.
func TestImportExportRoundTrip(t *testing.T) {
	te := newTestEnv(t)
	out := te.must("import", filepath.Join("..", "..", "internal", "importer", "testdata", "full.yaml"))
	if !strings.Contains(out, "imported 1 series") {
		t.Fatalf("import: %q", out)
	}
	slug := strings.Fields(te.must("series", "list"))[5]
	first := te.must("export", slug)
	exported := te.writeFile("exported.yaml", first)

	te2 := newTestEnv(t)
	te2.must("import", exported)
	if second := te2.must("export", slug); second != first {
		t.Errorf("export of a re-import differs:\n--- first\n%s\n--- second\n%s", first, second)
	}
	if out := te.must("import", exported); !strings.Contains(out, "sessions 0 created, 0 updated") || !strings.Contains(out, "posts 0 created, 0 updated") {
		t.Errorf("re-import of an export changed something: %s", out)
	}
	jsonOut := te.must("export", "-format", "json", slug)
	te3 := newTestEnv(t)
	te3.must("import", te.writeFile("exported.json", jsonOut))
	if third := te3.must("export", slug); third != first {
		t.Errorf("JSON round trip differs")
	}
	dir := filepath.Join(te.dir, "out")
	te.must("demo")
	if out := te.must("export", "-o", dir); strings.Count(out, "\n") != 3 {
		t.Errorf("export -o wrote %q", out)
	}
}

func TestImportAllOrNothing(t *testing.T) {
	te := newTestEnv(t)
	te.must("demo")
	before := te.counter()
	good := te.writeFile("good.yaml", "series:\n  slug: good\n  title: Good\nsessions:\n  - key: a\n    title: A\n    start: 2025-01-01T10:00\n    end: 2025-01-01T11:00\n")
	bad := te.writeFile("bad.yaml", "series:\n  slug: bad\n  title: Bad\nsessions:\n  - key: a\n    title: A\n    start: 2025-01-01T10:00\n    end: 2025-01-01T09:00\n")
	_, errs, code := te.run("", "import", good, bad)
	want := "agendafeed: import failed, nothing was written:\n" + bad + ":8: sessions[0].end: \"2025-01-01T09:00\": expected a time after start 2025-01-01T10:00\n"
	if code != 1 || errs != want {
		t.Errorf("exit %d, stderr:\n%s\nwant:\n%s", code, errs, want)
	}
	if after := te.counter(); after != before {
		t.Errorf("change counter moved from %d to %d: something was written", before, after)
	}
	if out := te.must("series", "list"); strings.Contains(out, "good") {
		t.Errorf("the good file of a failed import was written:\n%s", out)
	}
}

// Bad input on the command line and in the config gets an exact message that
// names the flag or field, the value and what is expected, and writes nothing.
func TestBadInput(t *testing.T) {
	te := newTestEnv(t)
	te.must("demo")
	te.must("series", "add", "debates", "-title", "Debates")
	badConfig := te.writeFile("bad.yaml", "listen: 127.0.0.1:8080\ndatabse: x.db\n")
	badCron := te.writeFile("cron.yaml", "cron: \"CRON_TZ=Europe/Madrid\"\n")
	neverCron := te.writeFile("never.yaml", "cron: \"0 0 31 2 *\"\n")
	const ref = "open-policy-debates/smart-cities-pillars"
	valid := []string{"-title", "X", "-start", "2021-11-17T12:00", "-end", "2021-11-17T13:00"}
	add := func(extra ...string) []string {
		return append(append([]string{"session", "add", "open-policy-debates/new"}, valid...), extra...)
	}
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"start not a time", []string{"session", "add", "open-policy-debates/new", "-title", "X", "-start", "2021-13-01T12:00", "-end", "2021-11-17T13:00"}, 2,
			`-start: "2021-13-01T12:00": expected a local date and time as YYYY-MM-DDTHH:MM, optionally with seconds and a UTC offset such as +01:00`},
		{"end before start", []string{"session", "add", "open-policy-debates/new", "-title", "X", "-start", "2021-11-17T12:00", "-end", "2021-11-17T11:00"}, 1,
			`-end: "2021-11-17T11:00": expected a time after -start 2021-11-17T12:00`},
		{"DST gap", []string{"session", "add", "open-policy-debates/new", "-title", "X", "-start", "2021-03-28T02:30", "-end", "2021-03-28T04:00"}, 1,
			`-start: "2021-03-28T02:30": 2021-03-28T02:30 does not exist in Europe/Madrid (clocks skip it for daylight saving time); write an explicit offset to choose 2021-03-28T02:30+01:00 (2021-03-28T01:30:00Z) or 2021-03-28T02:30+02:00 (2021-03-28T00:30:00Z)`},
		{"DST fold", []string{"session", "add", "open-policy-debates/new", "-title", "X", "-start", "2021-10-31T02:30", "-end", "2021-10-31T04:00"}, 1,
			`-start: "2021-10-31T02:30": 2021-10-31T02:30 happens twice in Europe/Madrid (clocks go back); write an explicit offset to choose 2021-10-31T02:30+02:00 (2021-10-31T00:30:00Z) or 2021-10-31T02:30+01:00 (2021-10-31T01:30:00Z)`},
		{"missing title", []string{"session", "add", "open-policy-debates/new", "-start", "2021-11-17T12:00", "-end", "2021-11-17T13:00"}, 1,
			`-title: "": required: 1-300 characters on one line`},
		{"ftp online url", add("-online-url", "ftp://example.org/x"), 1,
			`-online-url: "ftp://example.org/x": expected an absolute http or https URL, such as https://example.org/page`},
		{"javascript url", add("-url", "javascript:alert(1)"), 1,
			`-url: "javascript:alert(1)": expected an absolute http or https URL, such as https://example.org/page`},
		{"bad person", add("-person", "Bob"), 2,
			`-person: "Bob": expected 'ROLE;NAME;AFFILIATION[;URL]', e.g. 'moderator;Emilia Saiz;Secretary General of UCLG' (write \; for a semicolon inside a field)`},
		{"bad role", add("-person", "dj;Bob;Club"), 1,
			`-person #1 role: "dj": expected one of moderator, chair, host, keynote, speaker, panelist, presenter, discussant, rapporteur, organizer`},
		{"bad tag", add("-tags", "<b>"), 1,
			`-tags: "<b>": expected letters, digits, spaces and . _ + # - only, starting with a letter or digit`},
		{"control character in title", []string{"session", "edit", ref, "-title", "a\x07b"}, 1,
			`-title: "a\ab": expected one line of text without control characters`},
		{"bad status", []string{"session", "edit", ref, "-status", "postponed"}, 1,
			`-status: "postponed": expected one of confirmed, tentative, cancelled`},
		{"unknown zone", []string{"session", "edit", ref, "-zone", "Mars/Olympus_Mons"}, 1,
			`-zone: "Mars/Olympus_Mons": expected an IANA time zone such as Europe/Madrid or America/New_York`},
		{"all-day without dates", []string{"session", "edit", ref, "-all-day"}, 1,
			`-start-date: "": required for an all-day session: a date as YYYY-MM-DD`},
		{"end date before start date", []string{"session", "edit", ref, "-all-day", "-start-date", "2021-11-18", "-end-date", "2021-11-17"}, 1,
			`-end-date: "2021-11-17": expected a date on or after -start-date 2021-11-18`},
		{"bad key", []string{"session", "add", "open-policy-debates/Not_A_Key", "-title", "X", "-start", "2021-11-17T12:00", "-end", "2021-11-17T13:00"}, 1,
			`-key: "Not_A_Key": expected 1-64 characters of a-z, 0-9 and '-', not starting or ending with '-'`},
		{"session exists", add(), 0, ""},
		{"unknown series", []string{"session", "add", "nope/x", "-title", "X"}, 1, `series "nope": not found`},
		{"unknown session", []string{"session", "cancel", "open-policy-debates/none"}, 1, `session open-policy-debates/none: not found`},
		{"bad series slug", []string{"series", "add", "Bad_Slug", "-title", "x"}, 1,
			`slug: "Bad_Slug": expected 1-64 characters of a-z, 0-9 and '-', not starting or ending with '-'`},
		{"reserved slug", []string{"series", "add", "api", "-title", "x"}, 1, `slug: "api": is reserved for the server; choose another slug`},
		{"bad reminder", []string{"series", "edit", "debates", "-reminders", "15x"}, 2,
			`-reminders: "15x": expected a duration such as 15m, 1h, 1d or 1w (units w, d, h, m)`},
		{"bad language", []string{"series", "edit", "debates", "-language", "english!"}, 1,
			`-language: "english!": expected a BCP 47 language tag such as en, es-ES or zh-Hant-TW`},
		{"bad organizer email", []string{"series", "edit", "debates", "-organizer-email", "events at example.org"}, 1,
			`-organizer-email: "events at example.org": expected a plain e-mail address such as events@example.org`},
		{"bad published", []string{"post", "add", "debates/p1", "-title", "T", "-published", "yesterday"}, 2,
			`-published: "yesterday": expected a time with offset such as 2020-11-23T10:00:00+01:00, or a date YYYY-MM-DD`},
		{"post for unknown session", []string{"post", "add", "debates/p1", "-title", "T", "-published", "2025-01-01", "-session", "nope"}, 1,
			`-session: "nope": expected the key of a session of series "debates"`},
		{"bad list date", []string{"session", "list", "-from", "2021/01/01"}, 2, `-from: "2021/01/01": expected a date as YYYY-MM-DD`},
		{"unknown action", []string{"session", "frob"}, 2, `session: unknown action "frob": expected list, show, add, edit, cancel or remove`},
		{"unknown flag", []string{"session", "add", "a/b", "-colour", "red"}, 2, `session add: flag provided but not defined: -colour`},
		{"no files", []string{"import"}, 2, `import: no files given`},
		{"missing file", []string{"import", "/nonexistent/agenda.yaml"}, 1, "import failed, nothing was written:\n/nonexistent/agenda.yaml: no such file or directory"},
		{"bad export format", []string{"export", "-format", "xml", "debates"}, 2, `export: -format: "xml": expected yaml or json`},
		{"unknown command", []string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{"config unknown key", []string{"check", "-config", badConfig}, 1, "config: " + badConfig + `:2: unknown key "databse"; did you mean "database"?`},
		{"config cron zone only", []string{"check", "-config", badCron}, 1, "config: " + badCron + `:1: cron: "CRON_TZ=Europe/Madrid": expected a schedule after CRON_TZ=Europe/Madrid, such as "CRON_TZ=Europe/Madrid */5 * * * *"`},
		{"config cron never fires", []string{"check", "-config", neverCron}, 1, "config: " + neverCron + `:1: cron: "0 0 31 2 *": never fires: no date matches its day-of-month, month and day-of-week fields (such as February 31st); expected a schedule that runs, such as */5 * * * *`},
		{"token access", []string{"token", "-access", "admin", "cms"}, 2, `token: -access: "admin": expected read or write`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "session exists" {
				// Creates open-policy-debates/new once, so the next add must fail.
				te.must(tt.args...)
				tt.code, tt.want = 1, `session open-policy-debates/new already exists; use 'agendafeed session edit open-policy-debates/new'`
			}
			before := te.counter()
			_, errs, code := te.run("", tt.args...)
			// The message follows the last "agendafeed: " (the flag package may
			// print the usage before it) and stops at the usage hint.
			first := errs[strings.LastIndex(errs, "agendafeed: ")+len("agendafeed: "):]
			first = strings.TrimSuffix(strings.SplitN(first, "\nRun 'agendafeed help'", 2)[0], "\n")
			if code != tt.code || first != tt.want {
				t.Errorf("agendafeed %s\n exit %d, message:\n%s\nwant exit %d, message:\n%s", strings.Join(tt.args, " "), code, first, tt.code, tt.want)
			}
			if after := te.counter(); after != before {
				t.Errorf("change counter moved from %d to %d: a failed command wrote something", before, after)
			}
		})
	}
}

// A session edit names the flag the user gave and the stored value it
// conflicts with, not a flag they did not give; and the messages of the
// shared validation name flags (-start-date), not file keys (start_date).
// In process and as a process.
func TestEditErrorsNameTheFlagGiven(t *testing.T) {
	te := newTestEnv(t)
	te.must("demo")
	const ref = "open-policy-debates/smart-cities-pillars" // 2021-11-17T12:00 - 13:00, Europe/Madrid
	for _, s := range [][]string{
		{"gap", "2025-03-30T02:30", "2025-03-30T04:00"},          // Madrid skips 02:00-03:00 that day
		{"fold", "2025-10-26T02:30", "2025-10-26T04:00"},         // Madrid has 02:00-03:00 twice that day
		{"offset", "2025-03-09T02:30-05:00", "2025-03-09T04:00"}, // -05:00 is no offset of Madrid
		{"end-in-gap", "2025-03-30T01:00", "2025-03-30T02:30"},
	} {
		te.must("session", "add", "open-policy-debates/"+s[0], "-title", "X", "-zone", "America/New_York", "-start", s[1], "-end", s[2])
	}
	te.must("session", "add", "open-policy-debates/days", "-title", "X", "-all-day", "-start-date", "2021-11-17", "-end-date", "2021-11-18")
	te.must("session", "add", "open-policy-debates/madrid-gap", "-title", "X", "-zone", "Europe/Madrid", "-start", "2025-03-30T01:00", "-end", "2025-03-30T03:30")
	te.must("session", "add", "open-policy-debates/madrid-fold", "-title", "X", "-zone", "Europe/Madrid", "-start", "2025-10-26T02:30+01:00", "-end", "2025-10-26T04:00")
	const fix = "; give the start you mean as -start, with an explicit UTC offset where it needs one, along with -zone"
	tests := []struct {
		name string
		args []string
		want string // stderr after "agendafeed: "
	}{
		{"zone: stored start in a gap", []string{"session", "edit", "open-policy-debates/gap", "-zone", "Europe/Madrid"},
			`-zone: "Europe/Madrid": the session's stored start "2025-03-30T02:30" does not fit the new zone: 2025-03-30T02:30 does not exist in Europe/Madrid (clocks skip it for daylight saving time); write an explicit offset to choose 2025-03-30T02:30+01:00 (2025-03-30T01:30:00Z) or 2025-03-30T02:30+02:00 (2025-03-30T00:30:00Z)` + fix},
		{"zone: stored start in a fold", []string{"session", "edit", "open-policy-debates/fold", "-zone", "Europe/Madrid"},
			`-zone: "Europe/Madrid": the session's stored start "2025-10-26T02:30" does not fit the new zone: 2025-10-26T02:30 happens twice in Europe/Madrid (clocks go back); write an explicit offset to choose 2025-10-26T02:30+02:00 (2025-10-26T00:30:00Z) or 2025-10-26T02:30+01:00 (2025-10-26T01:30:00Z)` + fix},
		{"zone: stored offset", []string{"session", "edit", "open-policy-debates/offset", "-zone", "Europe/Madrid"},
			`-zone: "Europe/Madrid": the session's stored start "2025-03-09T02:30-05:00" does not fit the new zone: UTC offset -05:00 is not in effect at 2025-03-09T02:30 in Europe/Madrid; expected +01:00` + fix},
		{"zone: stored end in a gap", []string{"session", "edit", "open-policy-debates/end-in-gap", "-zone", "Europe/Madrid"},
			`-zone: "Europe/Madrid": the session's stored end "2025-03-30T02:30" does not fit the new zone: 2025-03-30T02:30 does not exist in Europe/Madrid (clocks skip it for daylight saving time); write an explicit offset to choose 2025-03-30T02:30+01:00 (2025-03-30T01:30:00Z) or 2025-03-30T02:30+02:00 (2025-03-30T00:30:00Z); give the end you mean as -end, with an explicit UTC offset where it needs one, along with -zone`},
		{"zone and a start that does not exist", []string{"session", "edit", "open-policy-debates/fold", "-zone", "Europe/Madrid", "-start", "2025-03-30T02:30"},
			`-start: "2025-03-30T02:30": 2025-03-30T02:30 does not exist in Europe/Madrid (clocks skip it for daylight saving time); write an explicit offset to choose 2025-03-30T02:30+01:00 (2025-03-30T01:30:00Z) or 2025-03-30T02:30+02:00 (2025-03-30T00:30:00Z)`},
		{"start past the stored end", []string{"session", "edit", ref, "-start", "2021-11-17T15:00"},
			`-start: "2021-11-17T15:00": expected a time before the session's stored end "2021-11-17T13:00"; give -end too to move the end`},
		// In order on the wall clock, not as instants: the message says so.
		{"start before the stored end, not as an instant", []string{"session", "edit", "open-policy-debates/madrid-gap", "-start", "2025-03-30T02:30+01:00"},
			`-start: "2025-03-30T02:30+01:00": expected a time before the session's stored end "2025-03-30T03:30" (2025-03-30T01:30:00Z): as instants, the start given is 2025-03-30T01:30:00Z; give -end too to move the end`},
		{"end after the stored start, not as an instant", []string{"session", "edit", "open-policy-debates/madrid-fold", "-end", "2025-10-26T02:45+02:00"},
			`-end: "2025-10-26T02:45+02:00": expected a time after the session's stored start "2025-10-26T02:30+01:00" (2025-10-26T01:30:00Z): as instants, the end given is 2025-10-26T00:45:00Z; give -start too to move the start`},
		{"start a year before the stored end", []string{"session", "edit", ref, "-start", "2020-11-01T12:00"},
			`-start: "2020-11-01T12:00": expected at most 366 days before the session's stored end "2021-11-17T13:00"; give -end too to move the end`},
		{"end before the stored start", []string{"session", "edit", ref, "-end", "2021-11-17T11:00"},
			`-end: "2021-11-17T11:00": expected a time after the session's stored start "2021-11-17T12:00"; give -start too to move the start`},
		{"start and end both given", []string{"session", "edit", ref, "-start", "2021-11-17T15:00", "-end", "2021-11-17T14:00"},
			`-end: "2021-11-17T14:00": expected a time after -start 2021-11-17T15:00`},
		{"start date past the stored end date", []string{"session", "edit", "open-policy-debates/days", "-start-date", "2021-11-20"},
			`-start-date: "2021-11-20": expected a date on or before the session's stored end date "2021-11-18"; give -end-date too to move the end`},
		{"end date before the stored start date", []string{"session", "edit", "open-policy-debates/days", "-end-date", "2021-11-10"},
			`-end-date: "2021-11-10": expected a date on or after the session's stored start date "2021-11-17"; give -start-date too to move the start`},
		{"all-day with a start time", []string{"session", "edit", ref, "-all-day", "-start", "2021-11-17T15:00"},
			`-start: "2021-11-17T15:00": an all-day session takes -start-date and -end-date, not -start and -end times` + "\n" +
				`-start-date: "": required for an all-day session: a date as YYYY-MM-DD`},
		{"add all-day with a start time", []string{"session", "add", "open-policy-debates/new", "-title", "X", "-all-day", "-start", "2021-11-17T15:00", "-start-date", "2021-11-17"},
			`-start: "2021-11-17T15:00": an all-day session takes -start-date and -end-date, not -start and -end times` + "\n" +
				`-end-date: "": required for an all-day session: a date as YYYY-MM-DD, on or after -start-date 2021-11-17`},
		{"dates without -all-day", []string{"session", "add", "open-policy-debates/new", "-title", "X", "-start", "2021-11-17T15:00", "-end", "2021-11-17T16:00", "-start-date", "2021-11-17"},
			`-start-date: "2021-11-17": only all-day sessions take dates; set -all-day or use -start and -end times`},
		{"post updated before published", []string{"post", "add", "open-policy-debates/p", "-title", "T", "-published", "2025-01-02T10:00:00+01:00", "-updated", "2025-01-01T10:00:00+01:00"},
			`-updated: "2025-01-01T10:00:00+01:00": expected a time on or after -published 2025-01-02T10:00:00+01:00`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := te.counter()
			want := "agendafeed: " + tt.want + "\n"
			if _, errs, code := te.run("", tt.args...); code != 1 || errs != want {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 1, stderr:\n%s", code, errs, want)
			}
			cmd := daemonCmd(te.dir, nil, tt.args...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			cmd.Run()
			if code := cmd.ProcessState.ExitCode(); code != 1 || stderr.String() != want {
				t.Errorf("as a process: exit %d, stderr:\n%s\nwant exit 1, stderr:\n%s", code, stderr.String(), want)
			}
			if after := te.counter(); after != before {
				t.Errorf("change counter moved from %d to %d: a failed command wrote something", before, after)
			}
		})
	}
	// A zone in which the stored times exist is taken as it is, and so is
	// a new zone with the start and end given with offsets.
	te.must("session", "edit", ref, "-zone", "America/New_York")
	te.must("session", "edit", "open-policy-debates/gap", "-zone", "Europe/Madrid", "-start", "2025-03-30T02:30+01:00")
}

// -h at every level prints the usage to standard output and exits 0, as
// asked-for output does; usage printed because of an error goes to
// standard error with exit 2.
func TestHelpAndUsage(t *testing.T) {
	te := newTestEnv(t)
	for _, args := range [][]string{{"help"}, {"-h"}, {"serve", "-h"}, {"session", "add", "-h"}, {"import", "--help"},
		{"session", "-h"}, {"series", "--help"}, {"post", "-help"}, {"check", "-h"}, {"token", "-h"}} {
		if out, errs, code := te.run("", args...); code != 0 || !strings.Contains(out, "sage") || errs != "" {
			t.Errorf("agendafeed %s: exit %d, want 0 and the usage on stdout only; stdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, out, errs)
		}
	}
	if out, errs, code := te.run("", "session", "add", "-colour", "red"); code != 2 || out != "" || !strings.Contains(errs, "Usage:") {
		t.Errorf("unknown flag: exit %d, want 2 and the usage on stderr only; stdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	if _, errs, code := te.run(""); code != 2 || !strings.Contains(errs, "Commands:") {
		t.Errorf("no command: exit %d, %q", code, errs)
	}
	// help COMMAND is COMMAND -h.
	for _, args := range [][]string{{"session"}, {"session", "add"}, {"serve"}} {
		want, _, _ := te.run("", append(slices.Clone(args), "-h")...)
		if out, errs, code := te.run("", append([]string{"help"}, args...)...); code != 0 || out != want || errs != "" {
			t.Errorf("agendafeed help %s: exit %d, stdout:\n%s\nstderr:\n%s\nwant exit 0 and the stdout of %s -h:\n%s",
				strings.Join(args, " "), code, out, errs, strings.Join(args, " "), want)
		}
	}
	if _, errs, code := te.run("", "help", "nope"); code != 2 || !strings.Contains(errs, `unknown command "nope"`) {
		t.Errorf("help nope: exit %d, stderr %q", code, errs)
	}
}

// Every command refuses what it cannot use with exit 2 and the usage hint,
// before touching the database: extra arguments, and flag values that do
// not parse.
func TestExitCodes(t *testing.T) {
	te := newTestEnv(t)
	te.must("demo")
	te.env["AGENDAFEED_LISTEN"] = "127.0.0.1:0"
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"check", "extra"}, 2, `check: unexpected argument "extra"; it takes none`},
		{[]string{"demo", "extra"}, 2, `demo: unexpected argument "extra"; it takes none`},
		{[]string{"serve", "extra"}, 2, `serve: unexpected argument "extra"; it takes none`},
		{[]string{"generate", "extra"}, 2, `generate: unexpected argument "extra"; it takes none`},
		{[]string{"series", "list", "extra"}, 2, `series list: expected 0 argument(s), got 1`},
		{[]string{"session", "list", "extra"}, 2, `session list: expected 0 argument(s), got 1`},
		{[]string{"post", "list", "-series", "x", "extra"}, 2, `post list: expected -series SLUG and no arguments`},
		{[]string{"token", "a", "b"}, 2, `token: expected one NAME for the token, e.g. 'agendafeed token cms'`},
		{[]string{"session", "list", "-from", "notadate"}, 2, `-from: "notadate": expected a date as YYYY-MM-DD`},
		{[]string{"session", "list", "-status", "postponed"}, 2, `-status: "postponed": expected confirmed, tentative or cancelled`},
		{[]string{"token", "-access", "admin", "x"}, 2, `token: -access: "admin": expected read or write`},
		{[]string{"check"}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			before := te.counter()
			_, errs, code := te.run("", tt.args...)
			want := ""
			if tt.code == 2 {
				want = "agendafeed: " + tt.want + "\nRun 'agendafeed help' for usage.\n"
			}
			if code != tt.code || errs != want {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d, stderr:\n%s", code, errs, tt.code, want)
			}
			// The same as a process: main's exit status is the real one.
			cmd := daemonCmd(te.dir, nil, tt.args...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			cmd.Run()
			if code := cmd.ProcessState.ExitCode(); code != tt.code || stderr.String() != want {
				t.Errorf("as a process: exit %d, stderr:\n%s\nwant exit %d, stderr:\n%s", code, stderr.String(), tt.code, want)
			}
			if after := te.counter(); after != before {
				t.Errorf("change counter moved from %d to %d", before, after)
			}
		})
	}
}

func TestToken(t *testing.T) {
	te := newTestEnv(t)
	out := te.must("token", "-access", "read", "cms")
	if !strings.Contains(out, "name: cms") || !strings.Contains(out, "access: read") || !strings.Contains(out, "sha256: ") {
		t.Errorf("token output:\n%s", out)
	}
}

// A token named as one the config already has is refused, naming where
// that entry is: the printed entry, once added, would make the config
// refuse to load (names must be unique).
func TestTokenNameInUse(t *testing.T) {
	te := newTestEnv(t)
	hash := strings.Repeat("ab", 32)
	cfg := te.writeFile("agendafeed.yaml", "admin_tokens:\n  - name: viewer\n    access: read\n    sha256: "+strings.Repeat("cd", 32)+"\n  - name: cms\n    access: write\n    sha256: "+hash+"\n")
	inFile := `token: name "cms" is already used by admin_tokens[1] (access write, sha256 ` + hash + `) in config file ` + cfg +
		`; the config refuses two tokens of one name: choose another name (to replace that token, make a new one, move its clients to it, then remove admin_tokens[1])`
	inVar := `token: name "ci" is already used by admin_tokens[0] (access read, sha256 ` + hash + `) in AGENDAFEED_ADMIN_TOKENS` +
		`; the config refuses two tokens of one name: choose another name (to replace that token, make a new one, move its clients to it, then remove admin_tokens[0])`
	tests := []struct {
		name string
		env  map[string]string
		args []string
		code int
		want string
	}{
		{"-config", nil, []string{"token", "-config", cfg, "cms"}, 1, inFile},
		{"AGENDAFEED_CONFIG", map[string]string{"AGENDAFEED_CONFIG": cfg}, []string{"token", "cms"}, 1, inFile},
		{"AGENDAFEED_ADMIN_TOKENS", map[string]string{"AGENDAFEED_ADMIN_TOKENS": "ci:read:" + hash}, []string{"token", "-config", cfg, "ci"}, 1, inVar},
		// The variable replaces the file's list, so the file's names are free.
		{"variable replaces the file", map[string]string{"AGENDAFEED_ADMIN_TOKENS": "ci:read:" + hash}, []string{"token", "-config", cfg, "cms"}, 0, ""},
		{"new name", nil, []string{"token", "-config", cfg, "cms-2"}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			te := &testEnv{t: t, dir: te.dir, env: maps.Clone(te.env)}
			maps.Copy(te.env, tt.env)
			out, errs, code := te.run("", tt.args...)
			want := ""
			if tt.want != "" {
				want = "agendafeed: " + tt.want + "\n"
			}
			if code != tt.code || errs != want || (code == 0) != strings.Contains(out, "sha256: ") {
				t.Errorf("exit %d, stdout:\n%s\nstderr:\n%s\nwant exit %d, stderr:\n%s", code, out, errs, tt.code, want)
			}
			// The same as a process.
			var extra []string
			for k, v := range tt.env {
				extra = append(extra, k+"="+v)
			}
			cmd := daemonCmd(te.dir, extra, tt.args...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			cmd.Run()
			if code := cmd.ProcessState.ExitCode(); code != tt.code || stderr.String() != want {
				t.Errorf("as a process: exit %d, stderr:\n%s\nwant exit %d, stderr:\n%s", code, stderr.String(), tt.code, want)
			}
		})
	}
}

// Errors the store finds while writing name the item as the file does, with
// its line, although the importer sorts sessions by start and posts newest
// first.
func TestImportWriteErrorsNameTheFileItem(t *testing.T) {
	te := newTestEnv(t)
	te.must("import", te.writeFile("other.yaml", "series:\n  slug: other\n  title: Other\nsessions:\n  - key: x\n    uid: x@agenda.example.org\n    title: X\n    start: 2025-01-01T10:00\n    end: 2025-01-01T11:00\n"))

	moved := te.writeFile("deb.yaml", `series:
  slug: deb
  title: Debates
sessions:
  - key: late
    title: Late
    start: 2025-01-02T10:00
    end: 2025-01-02T11:00
  - key: early
    uid: x@agenda.example.org
    title: Early
    start: 2025-01-01T08:00
    end: 2025-01-01T09:00
`)
	_, errs, code := te.run("", "import", moved)
	want := "agendafeed: import failed, nothing was written:\n" + moved + `:9: sessions[1].uid: "x@agenda.example.org": is the UID of a session of series "other", not "deb"; a session cannot move to another series` + "\n"
	if code != 1 || errs != want {
		t.Errorf("exit %d, stderr:\n%s\nwant:\n%s", code, errs, want)
	}

	posts := te.writeFile("posts.yaml", `series:
  slug: other
  title: Other
posts:
  - id: old
    title: Old
    published: 2021-01-01T10:00:00Z
  - id: new
    title: New
    published: 2022-01-01T10:00:00Z
    session: nosuch
`)
	_, errs, code = te.run("", "import", posts)
	if want := posts + `:8: posts[1].session: "nosuch"`; code != 1 || !strings.Contains(errs, want) {
		t.Errorf("exit %d, stderr:\n%s\nwant it to contain:\n%s", code, errs, want)
	}
}

// The reviewer's case: a file that renames a stored session by its UID and
// gives the old key to a new session imports both.
func TestImportRenameAndReuseKey(t *testing.T) {
	te := newTestEnv(t)
	te.must("import", te.writeFile("a.yaml", "series:\n  slug: deb\n  title: Debates\nsessions:\n  - key: a\n    uid: u@agenda.example.org\n    title: A\n    start: 2021-11-17T12:00\n    end: 2021-11-17T13:00\n"))
	out := te.must("import", te.writeFile("b.yaml", `series:
  slug: deb
  title: Debates
sessions:
  - {key: a, title: "New session A", start: 2021-11-17T09:00, end: 2021-11-17T10:00}
  - {key: b, uid: u@agenda.example.org, title: "Old A, renamed b", start: 2021-11-17T12:00, end: 2021-11-17T13:00}
`))
	if !strings.Contains(out, "sessions 1 created, 1 updated") {
		t.Errorf("import: %s", out)
	}
	if show := te.must("session", "show", "deb/b"); !strings.Contains(show, "u@agenda.example.org") || !strings.Contains(show, "Old A, renamed b") {
		t.Errorf("deb/b:\n%s", show)
	}
	if show := te.must("session", "show", "deb/a"); strings.Contains(show, "u@agenda.example.org") || !strings.Contains(show, "New session A") {
		t.Errorf("deb/a:\n%s", show)
	}
}

// Read-only commands work while another process's import holds the write
// lock: opening a current database does not take it.
func TestReadWhileAnotherProcessWrites(t *testing.T) {
	te := newTestEnv(t)
	te.must("demo")
	raw, err := sql.Open("sqlite", "file:"+te.env["AGENDAFEED_DATABASE"])
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	conn, err := raw.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), `BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(context.Background(), `ROLLBACK`) //nolint:errcheck // ends with the test
	if out := te.must("series", "list"); out == "" {
		t.Error("series list printed nothing")
	}
}

// Commands that only read or change existing data refuse a database path
// that does not exist, and create nothing: a mistyped or deleted path must
// not become an empty database (serve would unpublish every series).
func TestMissingDatabase(t *testing.T) {
	for _, args := range [][]string{
		{"serve"}, {"generate"}, {"check"}, {"export"}, {"series", "list"}, {"series", "show", "x"},
		{"session", "list"}, {"session", "cancel", "x/y"}, {"post", "list", "-series", "x"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			te := newTestEnv(t)
			te.env["AGENDAFEED_LISTEN"] = "127.0.0.1:0"
			db := filepath.Join(te.dir, "typo", "agendafeed.db")
			te.env["AGENDAFEED_DATABASE"] = db
			_, errs, code := te.run("", args...)
			want := "database " + db + " does not exist (mistyped or deleted?); only import, demo, serve -demo and series add create one" +
				" (the path is config key database / AGENDAFEED_DATABASE)"
			if code != 1 || !strings.Contains(errs, want) {
				t.Errorf("exit %d, %q; want 1 and %q", code, errs, want)
			}
			if _, err := os.Stat(filepath.Dir(db)); !os.IsNotExist(err) {
				t.Errorf("created %s: %v", filepath.Dir(db), err)
			}
		})
	}
}

// The commands meant to create data create a missing database, and its
// directory: the documented first steps work on a fresh install.
func TestCommandsThatCreateTheDatabase(t *testing.T) {
	for _, args := range [][]string{
		{"series", "add", "news", "-title", "News"},
		{"demo"},
		{"import", "SERIES_FILE"},
	} {
		t.Run(args[0], func(t *testing.T) {
			te := newTestEnv(t)
			db := filepath.Join(te.dir, "new", "agendafeed.db")
			te.env["AGENDAFEED_DATABASE"] = db
			if args[0] == "import" {
				args[1] = te.writeFile("news.yaml", "series:\n  slug: news\n  title: News\n")
			}
			te.must(args...)
			if _, err := os.Stat(db); err != nil {
				t.Fatalf("%s did not create the database: %v", args[0], err)
			}
			te.must("check")
		})
	}
}

// Start-up problems name the config key or flag, the value and what is
// expected, and a listen address in use is found before the first pass
// writes anything.
func TestStartupErrors(t *testing.T) {
	te := newTestEnv(t)
	te.must("demo")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	addr := ln.Addr().String()
	aFile := te.writeFile("a-file", "x")
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"listen in use", map[string]string{"AGENDAFEED_LISTEN": addr}, []string{"serve"},
			`listen: "` + addr + `": address already in use; expected a free host:port (config key listen / AGENDAFEED_LISTEN)`},
		{"config is a directory", nil, []string{"check", "-config", te.dir},
			`-config: "` + te.dir + `": is a directory; expected a YAML config file`},
		{"AGENDAFEED_CONFIG is a directory", map[string]string{"AGENDAFEED_CONFIG": te.dir}, []string{"check"},
			`AGENDAFEED_CONFIG: "` + te.dir + `": is a directory; expected a YAML config file`},
		{"config does not exist", nil, []string{"check", "-config", filepath.Join(te.dir, "nope.yaml")},
			`-config: "` + filepath.Join(te.dir, "nope.yaml") + `": no such file; expected the path of a YAML config file ` +
				`(docs/config.md describes it), or neither -config nor AGENDAFEED_CONFIG for the built-in defaults`},
		{"AGENDAFEED_CONFIG does not exist", map[string]string{"AGENDAFEED_CONFIG": filepath.Join(te.dir, "nope.yaml")}, []string{"check"},
			`AGENDAFEED_CONFIG: "` + filepath.Join(te.dir, "nope.yaml") + `": no such file; expected the path of a YAML config file ` +
				`(docs/config.md describes it), or neither -config nor AGENDAFEED_CONFIG for the built-in defaults`},
		{"serve: output_dir under a file", map[string]string{"AGENDAFEED_OUTPUT_DIR": filepath.Join(aFile, "public"), "AGENDAFEED_LISTEN": "127.0.0.1:0"}, []string{"serve"},
			`output_dir: "` + filepath.Join(aFile, "public") + `": cannot be created: ` + aFile + ` is a file, not a directory; expected a directory agendafeed can write (config key output_dir / AGENDAFEED_OUTPUT_DIR)`},
		{"check: output_dir under a file", map[string]string{"AGENDAFEED_OUTPUT_DIR": filepath.Join(aFile, "public")}, []string{"check"},
			`output_dir: "` + filepath.Join(aFile, "public") + `": cannot be created: ` + aFile + ` is a file, not a directory; expected a directory agendafeed can write (config key output_dir / AGENDAFEED_OUTPUT_DIR)`},
		{"check: output_dir is a file", map[string]string{"AGENDAFEED_OUTPUT_DIR": aFile}, []string{"check"},
			`output_dir: "` + aFile + `": is a file, not a directory; expected a directory agendafeed can write (config key output_dir / AGENDAFEED_OUTPUT_DIR)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			saved := maps.Clone(te.env)
			defer func() { te.env = saved }()
			maps.Copy(te.env, tt.env)
			_, errs, code := te.run("", tt.args...)
			if want := "agendafeed: " + tt.want + "\n"; code != 1 || errs != want {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 1, stderr:\n%s", code, errs, want)
			}
		})
	}
	// As a process, serve -demo included (it would create data).
	cmd := daemonCmd(te.dir, []string{"AGENDAFEED_LISTEN=" + addr}, "serve", "-demo")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.Run()
	want := "agendafeed: " + tests[0].want + "\n"
	if code := cmd.ProcessState.ExitCode(); code != 1 || stderr.String() != want {
		t.Errorf("serve -demo as a process: exit %d, stderr:\n%s\nwant exit 1, stderr:\n%s", code, stderr.String(), want)
	}
	// The listen address is bound before anything is opened: nothing
	// written, not even the output directory.
	entries, _ := os.ReadDir(filepath.Join(te.dir, "public"))
	for _, e := range entries {
		t.Errorf("output_dir has %s after a serve that could not listen", e.Name())
	}
}

// check reports an output_dir serve could not write, and writes nothing
// there itself.
func TestCheckUnwritableOutputDir(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes any directory whatever its mode")
	}
	te := newTestEnv(t)
	te.must("demo")
	ro := filepath.Join(te.dir, "ro")
	if err := os.Mkdir(ro, 0o555); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{ro, filepath.Join(ro, "public")} {
		te.env["AGENDAFEED_OUTPUT_DIR"] = dir
		_, errs, code := te.run("", "check")
		if code != 1 || !strings.Contains(errs, `output_dir: "`+dir+`": `) || !strings.Contains(errs, "permission denied; expected a directory agendafeed can write") {
			t.Errorf("check with output_dir %s: exit %d, %q", dir, code, errs)
		}
	}
}
