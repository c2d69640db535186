package importer

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

var testOpts = Options{DefaultZone: "Europe/Madrid", DefaultLanguage: "en", DefaultReminders: []time.Duration{15 * time.Minute, 24 * time.Hour}}

func mustParse(t testing.TB, name string, data []byte) agenda.Snapshot {
	t.Helper()
	snap, err := Parse(name, data, testOpts)
	if err != nil {
		t.Fatalf("Parse(%s):\n%v", name, err)
	}
	return snap
}

func encode(t testing.TB, snap agenda.Snapshot, f func(*bytes.Buffer, agenda.Snapshot) error) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := f(&b, snap); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeYAML(b *bytes.Buffer, s agenda.Snapshot) error { return Encode(b, s) }
func encodeJSON(b *bytes.Buffer, s agenda.Snapshot) error { return EncodeJSON(b, s) }

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run go test -update after checking):\n%s", path, got)
	}
}

// roundTrip checks Parse(Encode(snap)) == snap and that encoding again
// gives the same bytes, in both syntaxes.
func roundTrip(t testing.TB, snap agenda.Snapshot) {
	t.Helper()
	for _, syntax := range []struct {
		name string
		enc  func(*bytes.Buffer, agenda.Snapshot) error
	}{{"x.yaml", encodeYAML}, {"x.json", encodeJSON}} {
		first := encode(t, snap, syntax.enc)
		again, err := Parse(syntax.name, first, Options{DefaultZone: "Asia/Tokyo", DefaultLanguage: "ja", DefaultReminders: []time.Duration{time.Hour}})
		if err != nil {
			t.Fatalf("%s: parse of encoded snapshot: %v\n%s", syntax.name, err, first)
		}
		if !reflect.DeepEqual(again, snap) {
			t.Fatalf("%s: round trip changed the snapshot:\n got %#v\nwant %#v\n%s", syntax.name, again, snap, first)
		}
		if second := encode(t, again, syntax.enc); !bytes.Equal(first, second) {
			t.Fatalf("%s: second encoding differs:\n%s\n---\n%s", syntax.name, first, second)
		}
	}
}

func TestParseFull(t *testing.T) {
	data, err := os.ReadFile("testdata/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	snap := mustParse(t, "testdata/full.yaml", data)

	s := snap.Series
	if s.Title != "Every field" || s.Description != "Line one\nLine two" {
		t.Errorf("series text not normalised: %q, %q", s.Title, s.Description)
	}
	if want := []time.Duration{15 * time.Minute, 24 * time.Hour, 36 * time.Hour}; !reflect.DeepEqual(s.Reminders, want) {
		t.Errorf("reminders = %v, want %v", s.Reminders, want)
	}
	var keys []string
	for _, x := range snap.Sessions {
		keys = append(keys, x.Key)
	}
	if want := []string{"in-the-gap", "timed-in-the-fold", "all-day-in-new-york"}; !reflect.DeepEqual(keys, want) {
		t.Errorf("sessions ordered %v, want by start %v", keys, want)
	}
	instants := []struct {
		key        string
		start, end string // UTC
	}{
		// An offset equal to either side's picks that reading of a gap time.
		{"in-the-gap", "2021-03-28T00:30:00Z", "2021-03-28T01:30:00Z"},
		// +01:00 picks the second 02:30 of the fold.
		{"timed-in-the-fold", "2021-10-31T01:30:00Z", "2021-10-31T03:00:00Z"},
		// All-day: midnight to midnight after the last day, New York time.
		{"all-day-in-new-york", "2022-03-01T05:00:00Z", "2022-03-03T05:00:00Z"},
	}
	for i, want := range instants {
		start, end, err := snap.Sessions[i].Interval()
		if err != nil {
			t.Fatal(err)
		}
		if got := start.UTC().Format(time.RFC3339) + " " + end.UTC().Format(time.RFC3339); got != want.start+" "+want.end {
			t.Errorf("%s runs %s, want %s %s", want.key, got, want.start, want.end)
		}
	}
	fold := snap.Sessions[1]
	if fold.Status != agenda.StatusTentative || fold.Language != "ca" || !reflect.DeepEqual(fold.Tags, []string{"digital-rights", "smart cities"}) ||
		fold.People[1].Role != agenda.RoleSpeaker || fold.Series != "full-series" {
		t.Errorf("session not normalised: %+v", fold)
	}
	if snap.Sessions[0].Zone != "Europe/Madrid" || snap.Sessions[0].Language != "es-ES" {
		t.Errorf("session did not inherit the series zone and language: %+v", snap.Sessions[0])
	}
	if got := snap.Posts[1].Published.Format(time.RFC3339); snap.Posts[1].ID != "date-only" || got != "2021-10-01T00:00:00+02:00" {
		t.Errorf("date-only post published %s, want midnight in Madrid", got)
	}

	golden(t, "testdata/full.golden.yaml", encode(t, snap, encodeYAML))
	golden(t, "testdata/full.golden.json", encode(t, snap, encodeJSON))
	roundTrip(t, snap)
	// The golden JSON parses to the same snapshot as the YAML.
	js, err := os.ReadFile("testdata/full.golden.json")
	if err != nil {
		t.Fatal(err)
	}
	if got := mustParse(t, "full.golden.json", js); !reflect.DeepEqual(got, snap) {
		t.Errorf("JSON parses differently:\n got %#v\nwant %#v", got, snap)
	}
}

func TestParseJSON(t *testing.T) {
	data, err := os.ReadFile("testdata/full.json")
	if err != nil {
		t.Fatal(err)
	}
	// Detected by the leading '{' even without the .json extension.
	snap := mustParse(t, "upload", data)
	if snap.Series.Reminders != nil || snap.Series.Zone != "Europe/Madrid" || snap.Series.Language != "en" {
		t.Errorf("series = %+v, want no reminders ([] given) and the default zone and language", snap.Series)
	}
	if len(snap.Sessions) != 1 || !reflect.DeepEqual(snap.Sessions[0].Tags, []string{"a", "b"}) || snap.Posts[0].SessionKey != "one" {
		t.Errorf("snapshot = %+v", snap)
	}
	roundTrip(t, snap)
}

func TestDefaults(t *testing.T) {
	snap := mustParse(t, "d.yaml", []byte("series: {slug: s, title: T}\n"))
	want := agenda.Series{Slug: "s", Title: "T", Zone: "Europe/Madrid", Language: "en", Reminders: testOpts.DefaultReminders}
	if !reflect.DeepEqual(snap.Series, want) {
		t.Errorf("series = %+v, want %+v", snap.Series, want)
	}
	// "" and white space are the key left out, as the API has them.
	for _, blank := range []string{`""`, `"  "`, `~`} {
		snap := mustParse(t, "b.yaml", []byte("series: {slug: s, title: T, zone: "+blank+", language: "+blank+"}\n"))
		if snap.Series.Zone != "Europe/Madrid" || snap.Series.Language != "en" {
			t.Errorf("zone and language %s: got %q and %q, want the defaults", blank, snap.Series.Zone, snap.Series.Language)
		}
	}
	// A file of posts only may link to a session the store knows.
	snap = mustParse(t, "p.yaml", []byte("series: {slug: s, title: T}\nposts: [{id: p, title: P, published: 2021-01-01, session: elsewhere}]\n"))
	if snap.Posts[0].SessionKey != "elsewhere" {
		t.Errorf("post session = %q", snap.Posts[0].SessionKey)
	}
}

func TestBadFiles(t *testing.T) {
	for _, tt := range badFiles {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.name, []byte(tt.data), testOpts)
			if err == nil {
				t.Fatal("Parse succeeded, want an error")
			}
			if !errors.Is(err, agenda.ErrInvalid) {
				t.Errorf("error does not match agenda.ErrInvalid")
			}
			if err.Error() != tt.want {
				t.Errorf("error:\n%s\nwant:\n%s", err, tt.want)
			}
		})
	}
}

func TestBadJSONLines(t *testing.T) {
	data := []byte("{\n  \"series\": {\"slug\": \"s\", \"title\": \"T\"},\n  \"sessions\": [\n    {\"key\": \"a\", \"title\": \"A\",\n     \"start\": \"2021-03-28T02:30\", \"end\": \"2021-03-28T04:00\", \"stauts\": \"x\"}\n  ]\n}\n")
	_, err := Parse("s.json", data, testOpts)
	want := `s.json:5: sessions[0]: unknown key "stauts"; did you mean "status"?
s.json:5: sessions[0].start: "2021-03-28T02:30": 2021-03-28T02:30 does not exist in Europe/Madrid (clocks skip it for daylight saving time); write an explicit offset to choose 2021-03-28T02:30+01:00 (2021-03-28T01:30:00Z) or 2021-03-28T02:30+02:00 (2021-03-28T00:30:00Z)`
	if err == nil || err.Error() != want {
		t.Errorf("error:\n%v\nwant:\n%s", err, want)
	}
}

func TestSizeLimit(t *testing.T) {
	data := append([]byte("series: {slug: s, title: T}\n#"), bytes.Repeat([]byte("x"), MaxFileSize)...)
	_, err := Parse("big.yaml", data, testOpts)
	want := "big.yaml:1: file: 10485789 bytes is over the limit of 10485760 bytes (10 MB); split the series into smaller files"
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %s", err, want)
	}
}

// TestEncodeStoreFields: of the store-set fields only the series' created
// and updated times and the sessions' UID, sequence, created and updated
// times are written (what re-creating a series from its export needs to
// publish the same bytes), and everything else survives the round trip.
func TestEncodeStoreFields(t *testing.T) {
	now := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	snap := agenda.Snapshot{
		Series: agenda.Series{Slug: "s", Title: "T", Zone: "America/New_York", Language: "en-US", Created: now, Updated: now.Add(26 * time.Hour), Revision: 7},
		Sessions: []agenda.Session{{
			UID: "u-1@example.org", Series: "s", Key: "k", Title: "K", Start: agenda.NewWallTime(2024, 5, 1, 9, 0, 30),
			End: agenda.NewWallTime(2024, 5, 1, 10, 0, 0), Zone: "Europe/Madrid", Status: agenda.StatusConfirmed, Language: "en-US",
			People:   []agenda.Participant{{Person: agenda.Person{ID: 3, Name: "N"}, Role: agenda.RoleHost}},
			Sequence: 4, Created: now.Add(-24 * time.Hour), Updated: now.Add(50 * time.Hour),
		}},
		Posts: []agenda.Post{{ID: "p", Series: "s", Title: "P", Body: "b", BodyHTML: "<p>b</p>", Version: 2, SessionUID: "u-1@example.org",
			Published: time.Date(2024, 4, 1, 12, 0, 0, 0, time.FixedZone("", -4*3600)), SessionKey: "k"}},
	}
	out := encode(t, snap, encodeYAML)
	for _, leak := range []string{"<p>", "revision", "version"} {
		if bytes.Contains(out, []byte(leak)) {
			t.Errorf("encoded file contains store-set %q:\n%s", leak, out)
		}
	}
	for _, kept := range []string{"uid: u-1@example.org", "sequence: 4", `created: "2024-01-02T03:04:05Z"`, `created: "2024-01-01T03:04:05Z"`,
		`updated: "2024-01-03T05:04:05Z"`, `updated: "2024-01-04T05:04:05Z"`} {
		if !bytes.Contains(out, []byte(kept)) {
			t.Errorf("encoded file lacks %s:\n%s", kept, out)
		}
	}
	// Each time once: the post has no updated of its own.
	for _, day := range []string{"2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"} {
		if n := bytes.Count(out, []byte(day)); n != 1 {
			t.Errorf("encoded file has %s %d times, want once:\n%s", day, n, out)
		}
	}
	got := mustParse(t, "s.yaml", out)
	want := snap
	want.Series.Revision = 0
	want.Series.Reminders = nil // written as [] : none
	sess := want.Sessions[0]
	sess.People = []agenda.Participant{{Person: agenda.Person{Name: "N"}, Role: agenda.RoleHost}}
	want.Sessions = []agenda.Session{sess}
	post := want.Posts[0]
	post.BodyHTML, post.Version, post.SessionUID = "", 0, ""
	want.Posts = []agenda.Post{post}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("round trip:\n got %#v\nwant %#v", got, want)
	}
	if got := mustParse(t, "s.json", encode(t, snap, encodeJSON)); !reflect.DeepEqual(got, want) {
		t.Errorf("JSON round trip:\n got %#v\nwant %#v", got, want)
	}
}

func FuzzParse(f *testing.F) {
	for _, tt := range badFiles {
		f.Add(tt.name, []byte(tt.data))
	}
	files, _ := filepath.Glob("testdata/*.*")
	files = append(files, "../demo/data/open-policy-debates.yaml")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(filepath.Base(file), data)
	}
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		snap, err := Parse(name, data, testOpts)
		if err != nil {
			if !errors.Is(err, agenda.ErrInvalid) {
				t.Fatalf("error does not match agenda.ErrInvalid: %v", err)
			}
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.Contains(name, "\n") && !strings.HasPrefix(line, name+":") {
					t.Fatalf("error line %q does not start with the file name", line)
				}
			}
			return
		}
		roundTrip(t, snap)
	})
}

// TestDocExamples parses the examples of docs/agenda-format.md, so that the
// documentation cannot drift from the parser.
func TestDocExamples(t *testing.T) {
	doc, err := os.ReadFile("../../docs/agenda-format.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range []struct{ fence, name string }{{"```json\n", "example.json"}, {"## A full example\n\n```yaml\n", "example.yaml"}} {
		_, rest, ok := strings.Cut(string(doc), ex.fence)
		if !ok {
			t.Fatalf("no %q block in the doc", ex.fence)
		}
		block, _, _ := strings.Cut(rest, "```")
		snap := mustParse(t, ex.name, []byte(block))
		roundTrip(t, snap)
	}
}

// bigFile returns an agenda file of n sessions, each with two people and
// tags, and n posts.
func bigFile(n int) []byte {
	var b strings.Builder
	b.WriteString("series: {slug: big, title: Big, zone: Europe/Madrid}\nsessions:\n")
	for i := range n {
		day := time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%365)
		fmt.Fprintf(&b, "  - key: s%d\n    title: Session %d\n    start: %sT10:00\n    end: %sT11:30\n    tags: [a, b%d]\n    people:\n      - {name: Ana %d, role: moderator}\n      - {name: Bo %d, affiliation: Somewhere}\n",
			i, i, day.Format("2006-01-02"), day.Format("2006-01-02"), i%7, i, i)
	}
	b.WriteString("posts:\n")
	for i := range n {
		fmt.Fprintf(&b, "  - {id: p%d, title: Post %d, published: 2022-01-01, session: s%d, body: Some *text*.}\n", i, i, i)
	}
	return []byte(b.String())
}

// TestManyBadTags guards against work quadratic in the number of errors.
func TestManyBadTags(t *testing.T) {
	var b strings.Builder
	b.WriteString("series: {slug: s, title: T}\nsessions:\n  - key: a\n    title: A\n    start: 2021-11-17T12:00\n    end: 2021-11-17T13:00\n    tags:\n")
	for i := range 20000 {
		fmt.Fprintf(&b, "      - \"-%d\"\n", i)
	}
	_, err := Parse("tags.yaml", []byte(b.String()), testOpts)
	if n := strings.Count(fmt.Sprint(err), "\n") + 1; n != 20001 {
		t.Errorf("%d error lines, want 20001 (one per tag and the count): %.300v", n, err)
	}
}

func BenchmarkParse(b *testing.B) {
	for _, n := range []int{1, 100, 2000} {
		data := bigFile(n)
		b.Run(fmt.Sprintf("sessions=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := Parse("big.yaml", data, testOpts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkEncode(b *testing.B) {
	snap := mustParse(b, "big.yaml", bigFile(2000))
	for b.Loop() {
		var buf bytes.Buffer
		if err := Encode(&buf, snap); err != nil {
			b.Fatal(err)
		}
	}
}

// A huge unknown key (a broken or hostile file) is named in a short message
// and costs no more than parsing: the suggestion's edit distance used to
// allocate a row per byte of the key for every known key (~600 MB here).
func TestHugeUnknownKey(t *testing.T) {
	key := strings.Repeat("k", 256<<10)
	data := []byte(`{"series": {"slug": "d", "title": "D", "` + key + `": 1}}`)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := Parse("big.json", data, testOpts)
	runtime.ReadMemStats(&after)
	want := `big.json:1: series: unknown key "` + strings.Repeat("k", 80) + `"… (262144 characters); expected one of `
	if err == nil || !strings.HasPrefix(err.Error(), want) || len(err.Error()) > 1000 {
		t.Errorf("error (%d bytes): %.200v\nwant it to start: %.200s", len(fmt.Sprint(err)), err, want)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 100<<20 {
		t.Errorf("allocated %d MB for a file of %d KB", n>>20, len(data)>>10)
	}
}

// null is absent: reminders: ~ keeps the default reminders ([] is none),
// all_day: ~ is a timed session.
func TestNullIsAbsent(t *testing.T) {
	for _, tt := range []struct {
		reminders string
		want      []time.Duration
	}{{"~", testOpts.DefaultReminders}, {"", testOpts.DefaultReminders}, {"[]", []time.Duration{}}, {"[1h]", []time.Duration{time.Hour}}} {
		data := "series: {slug: s, title: T}\nsessions:\n  - {key: a, title: A, all_day: ~, start: 2021-11-17T12:00, end: 2021-11-17T13:00}\n"
		data = strings.Replace(data, "title: T}", "title: T, reminders: "+tt.reminders+"}", 1)
		f, err := Parse("n.yaml", []byte(data), testOpts)
		if err != nil {
			t.Fatalf("reminders: %s: %v", tt.reminders, err)
		}
		if got := f.Series.Reminders; !reflect.DeepEqual(got, tt.want) && (len(got) > 0 || len(tt.want) > 0) {
			t.Errorf("reminders: %s: %v, want %v", tt.reminders, got, tt.want)
		}
		if f.Sessions[0].AllDay {
			t.Errorf("all_day: ~ read as true")
		}
	}
}
