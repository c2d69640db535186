package news

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/feeds"
	"github.com/agendafeed/agendafeed/internal/agenda"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// formats names each writer and the suffix of its golden file.
var formats = []struct {
	name  string
	ext   string
	write func(*Feed, *bytes.Buffer) error
}{
	{"rss", ".rss.xml", func(f *Feed, b *bytes.Buffer) error { return f.WriteRSS(b) }},
	{"atom", ".atom.xml", func(f *Feed, b *bytes.Buffer) error { return f.WriteAtom(b) }},
	{"json", ".feed.json", func(f *Feed, b *bytes.Buffer) error { return f.WriteJSON(b) }},
}

// goldenCases are the feeds pinned byte for byte under testdata/.
var goldenCases = []struct {
	name string
	slug string
	opts func(*Options)
}{
	{"series", "cities-are-listening", nil},
	{"combined", "", func(o *Options) { o.Title = "UCLG agendas" }},
	{"upcoming-limit", "cities-are-listening", func(o *Options) {
		o.UpcomingOnly = true
		o.AsOf = utc("2021-11-17T11:30:00Z") // the Common Agenda debate is under way
		o.ItemLimit = 3
	}},
	{"empty", "cities-are-listening", func(o *Options) {
		o.UpcomingOnly = true
		o.AsOf = utc("2030-01-01T00:00:00Z")
	}},
}

func TestGolden(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			s := demoSnapshotsFor(t, tc.name)
			opts := Options{Layout: testLayout}
			if tc.opts != nil {
				tc.opts(&opts)
			}
			f, err := Build(s, tc.slug, opts)
			if err != nil {
				t.Fatal(err)
			}
			for _, fm := range formats {
				var got bytes.Buffer
				if err := fm.write(f, &got); err != nil {
					t.Fatalf("%s: %v", fm.name, err)
				}
				// Built again from scratch, the bytes must not change.
				var again bytes.Buffer
				f2, err := Build(demoSnapshotsFor(t, tc.name), tc.slug, opts)
				if err != nil {
					t.Fatal(err)
				}
				if err := fm.write(f2, &again); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got.Bytes(), again.Bytes()) {
					t.Errorf("%s: two renders of the same data differ", fm.name)
				}
				checkGolden(t, filepath.Join("testdata", tc.name+fm.ext), got.Bytes())
			}
		})
	}
}

// demoSnapshotsFor is the demo data of a golden case: "empty" has no posts,
// so that with every session past its feed is empty.
func demoSnapshotsFor(t *testing.T, name string) []agenda.Snapshot {
	s := demoSnapshots(t)
	if name == "empty" {
		s[0].Posts = nil
	}
	return s
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run go test -update after checking the change):\n%s", path, firstDiff(string(want), string(got)))
	}
}

func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\n  want: " + w + "\n  got:  " + g
		}
	}
	return "(same lines)"
}

func TestSessionTitles(t *testing.T) {
	series := &agenda.Series{Slug: "s", Zone: "Europe/Madrid", Language: "en", Created: utc("2020-01-01T00:00:00Z")}
	tests := []struct {
		name    string
		session agenda.Session
		title   string
		when    string // the When line of the content, unescaped
	}{
		{"winter CET", agenda.Session{Title: "T", Start: wall(t, "2021-11-17T12:00"), End: wall(t, "2021-11-17T13:00")},
			"17 Nov 2021, 12:00-13:00 CET · T", "17 Nov 2021, 12:00-13:00 CET (11:00-12:00 UTC)"},
		{"summer CEST", agenda.Session{Title: "T", Start: wall(t, "2021-06-10T17:00"), End: wall(t, "2021-06-10T18:30")},
			"10 Jun 2021, 17:00-18:30 CEST · T", "10 Jun 2021, 17:00-18:30 CEST (15:00-16:30 UTC)"},
		{"cancelled", agenda.Session{Title: "T", Status: agenda.StatusCancelled, Start: wall(t, "2021-06-10T17:00"), End: wall(t, "2021-06-10T18:30")},
			"Cancelled: 10 Jun 2021, 17:00-18:30 CEST · T", "10 Jun 2021, 17:00-18:30 CEST (15:00-16:30 UTC)"},
		{"all day", agenda.Session{Title: "T", AllDay: true, StartDate: date(t, "2020-11-18"), EndDate: date(t, "2020-11-18")},
			"18 Nov 2020 (all day) · T", "18 Nov 2020 (all day)"},
		{"two days", agenda.Session{Title: "T", AllDay: true, StartDate: date(t, "2021-11-17"), EndDate: date(t, "2021-11-18")},
			"17-18 Nov 2021 · T", "17-18 Nov 2021"},
		{"across months", agenda.Session{Title: "T", AllDay: true, StartDate: date(t, "2021-11-30"), EndDate: date(t, "2021-12-02")},
			"30 Nov-2 Dec 2021 · T", "30 Nov-2 Dec 2021"},
		{"across years", agenda.Session{Title: "T", AllDay: true, StartDate: date(t, "2021-12-30"), EndDate: date(t, "2022-01-02")},
			"30 Dec 2021-2 Jan 2022 · T", "30 Dec 2021-2 Jan 2022"},
		{"across midnight", agenda.Session{Title: "T", Start: wall(t, "2021-11-17T22:00"), End: wall(t, "2021-11-18T02:00")},
			"17 Nov 2021, 22:00 - 18 Nov 2021, 02:00 CET · T", "17 Nov 2021, 22:00 - 18 Nov 2021, 02:00 CET (17 Nov 2021, 21:00 - 18 Nov 2021, 01:00 UTC)"},
		{"across DST change", agenda.Session{Title: "T", Start: wall(t, "2021-10-30T22:00"), End: wall(t, "2021-10-31T04:00")},
			"30 Oct 2021, 22:00 CEST - 31 Oct 2021, 04:00 CET · T", "30 Oct 2021, 22:00 CEST - 31 Oct 2021, 04:00 CET (30 Oct 2021, 20:00 - 31 Oct 2021, 03:00 UTC)"},
		{"UTC date differs", agenda.Session{Title: "T", Start: wall(t, "2021-11-17T00:30"), End: wall(t, "2021-11-17T01:30")},
			"17 Nov 2021, 00:30-01:30 CET · T", "17 Nov 2021, 00:30-01:30 CET (16 Nov 2021, 23:30 - 17 Nov 2021, 00:30 UTC)"},
		{"numeric zone +05:45", agenda.Session{Title: "T", Zone: "Asia/Kathmandu", Start: wall(t, "2021-11-20T09:00"), End: wall(t, "2021-11-20T10:30")},
			"20 Nov 2021, 09:00-10:30 UTC+05:45 · T", "20 Nov 2021, 09:00-10:30 UTC+05:45 (03:15-04:45 UTC)"},
		{"numeric zone -03", agenda.Session{Title: "T", Zone: "America/Sao_Paulo", Start: wall(t, "2021-11-18T19:00"), End: wall(t, "2021-11-18T20:00")},
			"18 Nov 2021, 19:00-20:00 UTC-03:00 · T", "18 Nov 2021, 19:00-20:00 UTC-03:00 (22:00-23:00 UTC)"},
		{"letters outside Europe", agenda.Session{Title: "T", Zone: "America/New_York", Start: wall(t, "2021-07-04T09:00"), End: wall(t, "2021-07-04T10:00")},
			"4 Jul 2021, 09:00-10:00 EDT · T", "4 Jul 2021, 09:00-10:00 EDT (13:00-14:00 UTC)"},
		{"UTC zone has no second clock", agenda.Session{Title: "T", Zone: "UTC", Start: wall(t, "2021-07-04T09:00"), End: wall(t, "2021-07-04T10:00")},
			"4 Jul 2021, 09:00-10:00 UTC · T", "4 Jul 2021, 09:00-10:00 UTC"},
		{"fold resolved by offset", agenda.Session{Title: "T", Start: wall(t, "2021-10-31T02:30+01:00"), End: wall(t, "2021-10-31T03:30")},
			"31 Oct 2021, 02:30-03:30 CET · T", "31 Oct 2021, 02:30-03:30 CET (01:30-02:30 UTC)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.session
			s.Key, s.UID, s.Series = "k", "u@x", "s"
			s.Created = utc("2021-01-01T00:00:00Z")
			b := builder{opts: Options{Layout: testLayout}, host: "agenda.example.org"}
			it, keep, err := b.sessionItem(series, &s)
			if err != nil || !keep {
				t.Fatalf("sessionItem: keep %v, %v", keep, err)
			}
			if it.title != tc.title {
				t.Errorf("title\n got  %q\n want %q", it.title, tc.title)
			}
			if want := "<strong>When:</strong> " + escapeHTML(tc.when) + "</p>"; !strings.Contains(it.content, want) {
				t.Errorf("content lacks %q:\n%s", want, it.content)
			}
		})
	}
}

func TestSessionErrors(t *testing.T) {
	series := &agenda.Series{Slug: "s", Zone: "Europe/Madrid", Created: utc("2020-01-01T00:00:00Z")}
	tests := []struct {
		name    string
		session agenda.Session
		want    string
	}{
		{"DST gap", agenda.Session{Start: wall(t, "2021-03-28T02:30"), End: wall(t, "2021-03-28T04:00")}, "does not exist"},
		{"DST fold", agenda.Session{Start: wall(t, "2021-10-31T02:30"), End: wall(t, "2021-10-31T04:00")}, "happens twice"},
		{"unknown zone", agenda.Session{Zone: "Mars/Olympus", Start: wall(t, "2021-03-28T10:30"), End: wall(t, "2021-03-28T11:00")}, "Mars/Olympus"},
		{"all day without dates", agenda.Session{AllDay: true}, "all-day dates"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.session
			s.Key, s.Title = "k", "T"
			b := builder{opts: Options{Layout: testLayout}, host: "h"}
			_, _, err := b.sessionItem(series, &s)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), `session "k"`) {
				t.Fatalf("got %v, want an error naming the session and %q", err, tc.want)
			}
		})
	}
}

func TestBuildErrors(t *testing.T) {
	snaps := demoSnapshots(t)
	noCreated := demoSnapshots(t)
	noCreated[0].Series.Created = time.Time{}
	tests := []struct {
		name  string
		snaps []agenda.Snapshot
		slug  string
		opts  Options
		want  string
		is    error
	}{
		{"unknown series", snaps, "nope", Options{Layout: testLayout}, `"nope"`, agenda.ErrNotFound},
		{"upcoming without AsOf", snaps, "", Options{Layout: testLayout, UpcomingOnly: true}, "AsOf", nil},
		{"no base URL", snaps, "", Options{}, "base URL", nil},
		{"relative base URL", snaps, "", Options{Layout: feeds.NewLayout("/feeds")}, "base URL", nil},
		{"negative limit", snaps, "", Options{Layout: testLayout, ItemLimit: -1}, "item limit", nil},
		{"series without creation time", noCreated, "cities-are-listening", Options{Layout: testLayout}, "creation time", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, fm := range []func(*bytes.Buffer) error{
				func(b *bytes.Buffer) error { return WriteRSS(b, tc.snaps, tc.slug, tc.opts) },
				func(b *bytes.Buffer) error { return WriteAtom(b, tc.snaps, tc.slug, tc.opts) },
				func(b *bytes.Buffer) error { return WriteJSON(b, tc.snaps, tc.slug, tc.opts) },
			} {
				var b bytes.Buffer
				err := fm(&b)
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("got %v, want an error mentioning %q", err, tc.want)
				}
				if tc.is != nil && !errors.Is(err, tc.is) {
					t.Errorf("errors.Is(%v, %v) is false", err, tc.is)
				}
				if b.Len() != 0 {
					t.Errorf("wrote %d bytes despite the error", b.Len())
				}
			}
		})
	}
}

func TestOrderLimitAndFilter(t *testing.T) {
	ids := func(f *Feed) []string {
		var out []string
		for _, it := range f.items {
			out = append(out, strings.TrimPrefix(strings.TrimPrefix(it.id, "urn:uid:"), "tag:agenda.example.org,2020-10-01:cities-are-listening/posts/"))
		}
		return out
	}
	const (
		s1 = "6fd69967-ebfb-421c-9a1b-000000000001@agenda.example.org" // smart-recovery, created 2020-10-20
		s2 = "ba9a036a-2e3e-4388-8000-000000000002@agenda.example.org" // common-agenda, created 2021-10-01 09:00
		s3 = "c0ffee00-0000-4000-8000-000000000003@agenda.example.org" // expo-days, 2021-09-15
		s4 = "c0ffee00-0000-4000-8000-000000000004@agenda.example.org" // summer-dialogue, 2021-05-02
		s5 = "c0ffee00-0000-4000-8000-000000000005@agenda.example.org" // night-of-dst, 2021-09-01
		s6 = "c0ffee00-0000-4000-8000-000000000006@agenda.example.org" // kathmandu, 2021-10-05
	)
	tests := []struct {
		name string
		opts Options
		want []string
	}{
		// The post common-agenda-announced and session s2 share a published
		// instant: the id breaks the tie.
		{"all, newest first", Options{}, []string{s6, "common-agenda-announced", s2, s3, s5, s4, "smart-recovery-report", s1}},
		// The limit counts posts and sessions apart: each kind keeps its
		// newest two, however many of the other kind are newer.
		{"limit", Options{ItemLimit: 2}, []string{s6, "common-agenda-announced", s2, "smart-recovery-report"}},
		{"limit 1", Options{ItemLimit: 1}, []string{s6, "common-agenda-announced"}},
		{"upcoming", Options{UpcomingOnly: true, AsOf: utc("2021-11-17T12:00:00Z")},
			[]string{s6, "common-agenda-announced", s3, "smart-recovery-report"}},
		{"ended exactly at AsOf is dropped", Options{UpcomingOnly: true, AsOf: utc("2021-11-17T12:00:00Z"), ItemLimit: 2}, []string{s6, "common-agenda-announced", s3, "smart-recovery-report"}},
		{"everything ended", Options{UpcomingOnly: true, AsOf: utc("2021-11-20T04:45:00Z")},
			[]string{"common-agenda-announced", "smart-recovery-report"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.Layout = testLayout
			f, err := Build(demoSnapshots(t), "cities-are-listening", tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(f); strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("items\n got  %q\n want %q", got, tc.want)
			}
		})
	}
}

// The item limit bounds the posts and the session announcements apart, each
// newest first, so that neither kind crowds the other out of a feed: posts
// older than every session announcement (or the reverse) are still there.
func TestLimitCountsPostsAndSessionsApart(t *testing.T) {
	// olderPosts makes every post older than every session's announcement;
	// olderSessions the reverse.
	olderPosts := func(s []agenda.Snapshot) {
		for i := range s[0].Posts {
			s[0].Posts[i].Published = time.Date(2000, 1, 1, i, 0, 0, 0, time.UTC)
		}
	}
	olderSessions := func(s []agenda.Snapshot) {
		for i := range s[0].Sessions {
			ss := &s[0].Sessions[i]
			ss.Created = time.Date(2000, 1, 1, i, 0, 0, 0, time.UTC)
			ss.Updated = ss.Created
		}
	}
	tests := []struct {
		name                string
		sessions, posts     int
		shift               func([]agenda.Snapshot)
		limit               int
		wantSessions, wantP int
	}{
		{"4 sessions, 3 older posts, limit 3", 4, 3, olderPosts, 3, 3, 3},
		{"4 sessions, 3 older posts, limit 1", 4, 3, olderPosts, 1, 1, 1},
		{"many sessions, older posts, default limit", 3 * DefaultItemLimit / 2, 3, olderPosts, 0, DefaultItemLimit, 3},
		{"many posts, older sessions, default limit", 3, 3 * DefaultItemLimit / 2, olderSessions, 0, 3, DefaultItemLimit},
		{"both over the limit", 20, 20, nil, 7, 7, 7},
		{"no posts", 3 * DefaultItemLimit / 2, 0, nil, 0, DefaultItemLimit, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			snaps := bigSnapshot(tc.sessions, tc.posts)
			if tc.shift != nil {
				tc.shift(snaps)
			}
			opts := Options{Layout: testLayout, ItemLimit: tc.limit}
			built, err := Build(snaps, "big", opts)
			if err != nil {
				t.Fatal(err)
			}
			c, err := NewCombined(opts)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Add(&snaps[0]); err != nil {
				t.Fatal(err)
			}
			combined, err := c.Feed()
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range []struct {
				name string
				feed *Feed
			}{{"series feed", built}, {"all-series feed", combined}} {
				var sessions, posts int
				for i, it := range f.feed.items {
					if strings.HasPrefix(it.id, "urn:uid:") {
						sessions++
					} else {
						posts++
					}
					if i > 0 && newestFirst(f.feed.items[i-1], it) > 0 {
						t.Errorf("%s: item %d (%s) is out of order", f.name, i, it.id)
					}
				}
				if sessions != tc.wantSessions || posts != tc.wantP {
					t.Errorf("%s: %d sessions and %d posts, want %d and %d", f.name, sessions, posts, tc.wantSessions, tc.wantP)
				}
			}
		})
	}
}

// An edited session keeps its id and its published date and moves its
// updated date: readers show it once, updated, never as a second item.
func TestEditedSessionKeepsIdentity(t *testing.T) {
	before := demoSnapshots(t)
	after := demoSnapshots(t)
	s := &after[0].Sessions[1]
	s.Title = "Smart Cities and Territories (new title)"
	s.Start, s.End = wall(t, "2021-11-17T15:00"), wall(t, "2021-11-17T16:00")
	s.Sequence++
	s.Updated = utc("2021-11-15T08:00:00Z")

	find := func(snaps []agenda.Snapshot) item {
		f, err := Build(snaps, "cities-are-listening", Options{Layout: feeds.NewLayout("https://other.example.net/x/"), ItemLimit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var found []item
		for _, it := range f.items {
			if strings.Contains(it.id, "ba9a036a") {
				found = append(found, it)
			}
		}
		if len(found) != 1 {
			t.Fatalf("found %d items for the session, want 1", len(found))
		}
		return found[0]
	}
	a, b := find(before), find(after)
	if a.id != b.id || a.id != "urn:uid:ba9a036a-2e3e-4388-8000-000000000002@agenda.example.org" {
		t.Errorf("ids %q and %q: want the UID-based id, unchanged", a.id, b.id)
	}
	if !a.published.Equal(b.published) || !b.updated.Equal(utc("2021-11-15T08:00:00Z")) {
		t.Errorf("published %v -> %v, updated %v -> %v", a.published, b.published, a.updated, b.updated)
	}
	if !strings.HasPrefix(b.title, "17 Nov 2021, 15:00-16:00 CET · ") {
		t.Errorf("title %q does not carry the new time", b.title)
	}
}

func TestIDs(t *testing.T) {
	tests := []struct{ uid, want string }{
		{"6fd69967-ebfb-421c-9a1b-000000000001@agenda.example.org", "urn:uid:6fd69967-ebfb-421c-9a1b-000000000001@agenda.example.org"},
		{"040000008200E00074C5B7101A82E008@outlook.com", "urn:uid:040000008200E00074C5B7101A82E008@outlook.com"},
		{"a{b}%c@x", "urn:uid:a%7Bb%7D%25c@x"},
		{"a&amp;b@x", "urn:uid:a%26amp;b@x"},
		{"événement@x", "urn:uid:%C3%A9v%C3%A9nement@x"},
		{"", "urn:uid:key.slug"},
	}
	for _, tc := range tests {
		if got := sessionID(tc.uid, "slug", "key"); got != tc.want {
			t.Errorf("sessionID(%q) = %q, want %q", tc.uid, got, tc.want)
		}
	}
}

func TestXMLText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"tab\tnl\n", "tab\tnl\n"},
		{"crlf\r\ncr\rend\r", "crlf\ncr\nend\n"},
		{"a\x00b\x01c\x08d\x0Be\x0Cf\x1Fg", "abcdefg"},
		{"del\x7F and C1 \u0085 stay", "del\x7F and C1 \u0085 stay"},
		{"nonchars \uFFFE\uFFFF gone, \uFFFD kept", "nonchars  gone, \uFFFD kept"},
		{"bad \xff\xfe utf-8", "bad  utf-8"},
		{"lone surrogate \xed\xa0\x80!", "lone surrogate !"},
		{"astral 😀 kept", "astral 😀 kept"},
		{"]]> stays (the encoder splits CDATA)", "]]> stays (the encoder splits CDATA)"},
		{"long clean ASCII run 0123456789 then \x01 late", "long clean ASCII run 0123456789 then  late"},
		{"0123456\x00", "0123456"},
		{"\x1f1234567", "1234567"},
		{"12345678\x7f\x1e", "12345678\x7f"},
		{"ab\tcd\nef\x0bgh ij~~~~~~~~", "ab\tcd\nefgh ij~~~~~~~~"},
	}
	for _, tc := range tests {
		if got := xmlText(tc.in); got != tc.want {
			t.Errorf("xmlText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
