package store

import (
	"fmt"
	"strings"
	"time"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// interner keeps one copy of each repeated string of a snapshot: a series
// has a handful of zones, venues, roles and tags, and the same speakers and
// affiliations appear in many of its sessions, while the driver returns a
// fresh string for every column of every row. Only the publisher's
// snapshots, held all at once for the all-series files, are worth it.
//
// A nil *interner keeps every string as it is given (str and sub return
// it): the packed rows' strings are parts of one copy of the row already.
type interner struct{ m map[string]string }

func newInterner() *interner { return &interner{m: make(map[string]string, 256)} }

// str returns the kept copy of s, keeping s if it is the first. s must not
// be a substring of a larger string (it would keep that alive): see sub.
func (in *interner) str(s string) string {
	if in == nil || s == "" {
		return s
	}
	if v, ok := in.m[s]; ok {
		return v
	}
	in.m[s] = s
	return s
}

// bytes is str for bytes that the caller will reuse: a first occurrence is
// copied (the lookup itself copies nothing).
func (in *interner) bytes(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if v, ok := in.m[string(b)]; ok {
		return v
	}
	s := string(b)
	in.m[s] = s
	return s
}

// sub is str for a substring: a first occurrence is copied.
func (in *interner) sub(s string) string {
	if in == nil || s == "" {
		return s
	}
	if v, ok := in.m[s]; ok {
		return v
	}
	s = strings.Clone(s)
	in.m[s] = s
	return s
}

// badValue is a stored value that cannot be decoded: a database changed by
// hand or damaged. Its message names the column, quotes the value as
// stored and says what was expected; the caller names the row.
type badValue struct {
	column   string
	value    string
	expected string
}

func (e *badValue) Error() string {
	return fmt.Sprintf("%s: stored value %q: %s", e.column, e.value, e.expected)
}

const (
	expectWall  = "expected a local date and time as YYYY-MM-DDTHH:MM, optionally with seconds and a UTC offset such as +01:00"
	expectDate  = "expected a date as YYYY-MM-DD"
	expectStamp = "expected a UTC time as " + timeLayout
)

// sessionName names a session row in errors by its series, key and UID.
func sessionName(s *agenda.Session) string {
	return fmt.Sprintf("session %s/%s (%s)", s.Series, s.Key, s.UID)
}

// decodeSession sets a session's times from their stored text, as
// scanSession does.
func (in *interner) decodeSession(s *agenda.Session, startWall, endWall, startDate, endDate, created, updated string) error {
	var err error
	fail := func(column, value, expected string) error {
		return fmt.Errorf("%s: %w", sessionName(s), &badValue{column: column, value: value, expected: expected})
	}
	if startWall != "" {
		if s.Start, err = parseWall(startWall); err != nil {
			return fail("start_wall", startWall, expectWall)
		}
	}
	if endWall != "" {
		if s.End, err = parseWall(endWall); err != nil {
			return fail("end_wall", endWall, expectWall)
		}
	}
	if startDate != "" {
		if s.StartDate, err = agenda.ParseDate(startDate); err != nil {
			return fail("start_date", startDate, expectDate)
		}
	}
	if endDate != "" {
		if s.EndDate, err = agenda.ParseDate(endDate); err != nil {
			return fail("end_date", endDate, expectDate)
		}
	}
	if s.Created, err = parseTime(created); err != nil {
		return fail("created", created, expectStamp)
	}
	if s.Updated, err = parseTime(updated); err != nil {
		return fail("updated", updated, expectStamp)
	}
	return nil
}

// parseWall reads a stored wall time. The store writes WallTime.String, so
// nearly every value is "2006-01-02T15:04" (or with ":05" seconds), which is
// decoded by hand, 10 times faster than the layouts ParseWallTime tries;
// anything else (an explicit offset) goes to ParseWallTime.
func parseWall(s string) (agenda.WallTime, error) {
	if (len(s) == 16 || len(s) == 19 && s[16] == ':') && s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':' {
		sec, secOK := 0, true
		if len(s) == 19 {
			sec, secOK = digits(s[17:19])
		}
		y, ok1 := digits(s[0:4])
		mo, ok2 := digits(s[5:7])
		d, ok3 := digits(s[8:10])
		h, ok4 := digits(s[11:13])
		mi, ok5 := digits(s[14:16])
		if ok1 && ok2 && ok3 && ok4 && ok5 && secOK && validClock(y, mo, d, h, mi, sec) {
			return agenda.NewWallTime(y, time.Month(mo), d, h, mi, sec), nil
		}
	}
	return agenda.ParseWallTime(s)
}

// parseStamp decodes timeLayout ("2006-01-02T15:04:05.000000000Z") by hand;
// ok is false for anything else, which time.Parse then reads or rejects.
func parseStamp(s string) (t time.Time, ok bool) {
	if len(s) != len(timeLayout) || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
		s[16] != ':' || s[19] != '.' || s[29] != 'Z' {
		return time.Time{}, false
	}
	y, ok1 := digits(s[0:4])
	mo, ok2 := digits(s[5:7])
	d, ok3 := digits(s[8:10])
	h, ok4 := digits(s[11:13])
	mi, ok5 := digits(s[14:16])
	sec, ok6 := digits(s[17:19])
	ns, ok7 := digits(s[20:29])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7) || !validClock(y, mo, d, h, mi, sec) {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(mo), d, h, mi, sec, ns, time.UTC), true
}

// digits reads a run of ASCII digits.
func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// validClock reports whether the fields name a real date and time, as
// time.Parse requires (no 31 April, no 24:00, no leap second).
func validClock(y, mo, d, h, mi, sec int) bool {
	if mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59 {
		return false
	}
	return d <= time.Date(y, time.Month(mo)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
