package agenda

import (
	"testing"
	"time"
)

func TestCheckURL(t *testing.T) {
	const absolute = "expected an absolute http or https URL, such as https://example.org/page"
	tests := []struct {
		v, want string // want "": accepted
	}{
		{"https://example.org/page", ""},
		{"http://example.org:8080/x?y=1#z", ""},
		{"https://[2001:db8::1]:443/", ""},
		{"https://example.org:65535/", ""},
		{"ftp://example.org/", absolute},
		{"javascript:alert(1)", absolute},
		{"https://:443/", absolute},
		{"https:///path", absolute},
		{"https://example.org/a b", absolute},
		// Published to every subscriber: no credentials.
		{"https://user:secret@example.org/", "expected a URL without a user name or password (it is published to every subscriber)"},
		{"https://user@example.org/", "expected a URL without a user name or password (it is published to every subscriber)"},
		{"https://example.org:99999/", "expected a port between 1 and 65535, not 99999"},
		{"https://example.org:0/", "expected a port between 1 and 65535, not 0"},
	}
	for _, tt := range tests {
		t.Run(tt.v, func(t *testing.T) {
			var es Errors
			checkURL(&es, "url", tt.v, false)
			switch {
			case tt.want == "" && len(es) > 0:
				t.Fatalf("refused: %v", es)
			case tt.want != "" && (len(es) != 1 || es[0].Msg != tt.want || es[0].Field != "url" || es[0].Value != tt.v):
				t.Fatalf("got %v; want one error on url, %q: %s", es, tt.v, tt.want)
			}
		})
	}
}

// Text typed on different systems is one text: decomposed (NFD, as macOS
// keyboards and file names give it) and composed (NFC) accents, and runs of
// spaces inside a name, must not make two speakers or two tags.
func TestNormalizeUnicode(t *testing.T) {
	const nfd, nfc = "Jose\u0301 Pe\u0301rez", "José Pérez"
	s := Session{Title: "Cafe\u0301 with " + nfd, Tags: []string{"cafe\u0301", "café"},
		People: []Participant{{Person: Person{Name: "  Jose\u0301   Pe\u0301rez "}, Role: RoleSpeaker}}}
	s.Normalize(&Series{Slug: "s", Zone: "Europe/Madrid", Language: "es"})
	if s.Title != "Café with "+nfc {
		t.Errorf("title %q, want NFC %q", s.Title, "Café with "+nfc)
	}
	if len(s.Tags) != 1 || s.Tags[0] != "café" {
		t.Errorf("tags %q, want one NFC tag café", s.Tags)
	}
	if s.People[0].Name != nfc {
		t.Errorf("person %q, want %q", s.People[0].Name, nfc)
	}
	p := Person{Name: "Emilia \t Saiz"}
	p.Normalize()
	if p.Name != "Emilia Saiz" {
		t.Errorf("person %q, want %q", p.Name, "Emilia Saiz")
	}
	if got := NormalizeText("a\r\nb\rc"); got != "a\nb\nc" {
		t.Errorf("line ends: %q", got)
	}
}

func TestTags(t *testing.T) {
	const msg = "expected letters, digits, spaces and . _ + # - only, starting with a letter or digit"
	tests := []struct{ tag, want string }{
		{"energy", ""},
		{"c++", ""},
		{"हिंदी", ""},    // Devanagari vowel sign and anusvara: combining marks
		{"ラーメン", ""},     // the long-vowel mark is a modifier letter
		{"café", ""},     // NFC; its NFD form is normalised to it first
		{"-energy", msg}, // must start with a letter or digit
		{"\u0301cafe", msg},
		{"a/b", msg},
	}
	for _, tt := range tests {
		t.Run(tt.tag, func(t *testing.T) {
			s := Session{Key: "k", Title: "T", Tags: []string{tt.tag}}
			s.Normalize(&Series{Slug: "s", Zone: "Europe/Madrid", Language: "en"})
			var got string
			for _, fe := range s.Validate().(Errors) {
				if fe.Field == "tags[0]" {
					got = fe.Msg
				}
			}
			if got != tt.want {
				t.Errorf("tag %q: %q, want %q", tt.tag, got, tt.want)
			}
		})
	}
}

// At most 366 days, counted on the wall clock: Europe/Madrid gains an hour
// between these two noons, and must still allow exactly 366 days.
func TestSessionSpan(t *testing.T) {
	for _, tt := range []struct {
		start, end string
		ok         bool
	}{
		{"2021-10-30T12:00", "2022-10-31T12:00", true},  // 366 days, one more hour in instants
		{"2021-03-27T12:00", "2022-03-28T12:00", true},  // 366 days, one hour less in instants
		{"2021-03-27T12:00", "2022-03-28T12:01", false}, // a minute more
	} {
		start, err := ParseWallTime(tt.start)
		if err != nil {
			t.Fatal(err)
		}
		end, err := ParseWallTime(tt.end)
		if err != nil {
			t.Fatal(err)
		}
		s := Session{Key: "k", Title: "T", Start: start, End: end}
		s.Normalize(&Series{Slug: "s", Zone: "Europe/Madrid", Language: "en"})
		err = s.Validate()
		if ok := err == nil; ok != tt.ok {
			t.Errorf("%s - %s: %v, want ok %v", tt.start, tt.end, err, tt.ok)
		}
	}
}

// TestParsePostTimes: the API and the importer read a post's times here;
// errors quote each value as it was written, and a refused value comes
// back zero so that Validate does not quote it again in RFC 3339 form.
func TestParsePostTimes(t *testing.T) {
	madrid := time.FixedZone("", 3600)
	for _, tc := range []struct {
		name, published, updated string
		pub, upd                 time.Time
		err                      string
	}{
		{"instants", "2021-11-17T13:00:00+00:00", " 2021-11-17T14:00:00Z ", time.Date(2021, 11, 17, 13, 0, 0, 0, time.UTC), time.Date(2021, 11, 17, 14, 0, 0, 0, time.UTC), ""},
		{"dates in the zone", "2021-11-17", "", time.Date(2021, 11, 17, 0, 0, 0, 0, madrid), time.Time{}, ""},
		{"blank", "  ", "", time.Time{}, time.Time{}, ""},
		{"not a time", "17/11/2021", "", time.Time{}, time.Time{},
			`published: "17/11/2021": expected a date and time with offset, e.g. 2020-11-23T10:00:00+01:00, or a date, e.g. 2020-11-23`},
		{"year", "1800-01-01", "2300-01-01T00:00:00+00:00", time.Time{}, time.Time{},
			"published: \"1800-01-01\": expected a year between 1900 and 2200\nupdated: \"2300-01-01T00:00:00+00:00\": expected a year between 1900 and 2200"},
		{"updated before published", "2021-11-17T13:00:00+00:00", "2021-11-17", time.Date(2021, 11, 17, 13, 0, 0, 0, time.UTC), time.Time{},
			`updated: "2021-11-17": expected a time on or after published 2021-11-17T13:00:00+00:00`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pub, upd, err := ParsePostTimes(tc.published, tc.updated, "Europe/Madrid")
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tc.err || !pub.Equal(tc.pub) || !upd.Equal(tc.upd) {
				t.Errorf("ParsePostTimes(%q, %q) = %v, %v, %q; want %v, %v, %q", tc.published, tc.updated, pub, upd, got, tc.pub, tc.upd, tc.err)
			}
		})
	}
}
