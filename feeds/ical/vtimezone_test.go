package ical

import (
	"bufio"
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// onset is one change of offset, as Go reports it or as a VTIMEZONE says.
type onset struct {
	at       time.Time
	from, to int
}

func (o onset) String() string {
	return fmt.Sprintf("%s %+d->%+d", o.at.UTC().Format(time.RFC3339), o.from, o.to)
}

// goOnsets finds every offset change in [from, to) by scanning in steps of
// an hour and bisecting to the second: deliberately not ZoneBounds, which
// the generator uses.
func goOnsets(loc *time.Location, from, to time.Time) []onset {
	off := func(t time.Time) int { _, o := t.In(loc).Zone(); return o }
	var out []onset
	prev := from
	prevOff := off(prev)
	for t := from.Add(time.Hour); t.Before(to); t = t.Add(time.Hour) {
		o := off(t)
		if o == prevOff {
			prev = t
			continue
		}
		lo, hi := prev, t // off(lo) = prevOff, off(hi) = o
		for hi.Sub(lo) > time.Second {
			mid := lo.Add(hi.Sub(lo) / 2).Truncate(time.Second)
			if off(mid) == prevOff {
				lo = mid
			} else {
				hi = mid
			}
		}
		out = append(out, onset{hi, prevOff, o})
		prev, prevOff = t, o
	}
	return out
}

func parseOffset(t *testing.T, s string) int {
	t.Helper()
	sign := 1
	switch s[0] {
	case '-':
		sign = -1
	case '+':
	default:
		t.Fatalf("offset %q", s)
	}
	h, _ := strconv.Atoi(s[1:3])
	m, _ := strconv.Atoi(s[3:5])
	sec := 0
	if len(s) == 7 {
		sec, _ = strconv.Atoi(s[5:7])
	}
	return sign * (h*3600 + m*60 + sec)
}

// nthWeekday finds the n-th (or, for n < 0, the last) weekday wd of a
// month by walking its days: an implementation independent of ruleDate.
func nthWeekday(y int, m time.Month, n int, wd time.Weekday) int {
	var days []int
	for d := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC); d.Month() == m; d = d.AddDate(0, 0, 1) {
		if d.Weekday() == wd {
			days = append(days, d.Day())
		}
	}
	if n < 0 {
		return days[len(days)+n]
	}
	return days[n-1]
}

// expandVTimezone lists the onsets a VTIMEZONE says, up to the year limit.
func expandVTimezone(t *testing.T, vtz *Component, limit int) []onset {
	t.Helper()
	var out []onset
	for _, obs := range vtz.Components {
		if obs.Name != "STANDARD" && obs.Name != "DAYLIGHT" {
			t.Fatalf("unexpected %s in VTIMEZONE", obs.Name)
		}
		get := func(name string) string {
			p := obs.Prop(name)
			if p == nil {
				t.Fatalf("%s without %s", obs.Name, name)
			}
			return p.Value
		}
		start, err := time.Parse("20060102T150405", get("DTSTART"))
		if err != nil {
			t.Fatal(err)
		}
		from, to := parseOffset(t, get("TZOFFSETFROM")), parseOffset(t, get("TZOFFSETTO"))
		if obs.Prop("TZNAME") == nil {
			t.Errorf("%s at %s without TZNAME", obs.Name, start)
		}
		add := func(local time.Time) {
			out = append(out, onset{local.Add(-time.Duration(from) * time.Second), from, to})
		}
		rr := obs.Prop("RRULE")
		if rr == nil {
			add(start)
			continue
		}
		parts := map[string]string{}
		for _, kv := range strings.Split(rr.Value, ";") {
			k, v, _ := strings.Cut(kv, "=")
			parts[k] = v
		}
		if parts["FREQ"] != "YEARLY" || len(parts) > 4 {
			t.Fatalf("unexpected RRULE %s", rr.Value)
		}
		month, _ := strconv.Atoi(parts["BYMONTH"])
		byday := parts["BYDAY"]
		n, _ := strconv.Atoi(byday[:len(byday)-2])
		wd := time.Weekday(slices.Index([]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}, byday[len(byday)-2:]))
		until := time.Date(limit, 12, 31, 0, 0, 0, 0, time.UTC)
		if u, ok := parts["UNTIL"]; ok {
			if until, err = time.Parse("20060102T150405Z", u); err != nil {
				t.Fatal(err)
			}
		}
		if start.Month() != time.Month(month) || nthWeekday(start.Year(), start.Month(), n, wd) != start.Day() {
			t.Errorf("DTSTART %s is not an occurrence of %s", start, rr.Value)
		}
		for y := start.Year(); y <= limit; y++ {
			local := time.Date(y, time.Month(month), nthWeekday(y, time.Month(month), n, wd),
				start.Hour(), start.Minute(), start.Second(), 0, time.UTC)
			at := local.Add(-time.Duration(from) * time.Second)
			if at.After(until) {
				break
			}
			add(local)
		}
	}
	slices.SortFunc(out, func(a, b onset) int { return a.at.Compare(b.at) })
	return out
}

func renderVTimezone(t *testing.T, zone string, first, last time.Time) *Component {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	w := bufio.NewWriter(&b)
	e := &encoder{w: w}
	e.line("BEGIN", "VCALENDAR")
	e.vtimezone(zone, observances(loc, first, last))
	e.line("END", "VCALENDAR")
	if err := e.flush(); err != nil {
		t.Fatal(err)
	}
	cal, err := Parse(&b)
	if err != nil {
		t.Fatal(err)
	}
	return cal.Components[0]
}

func TestVTimezoneMatchesGo(t *testing.T) {
	tests := []struct {
		zone     string
		from, to int // years, inclusive
	}{
		{"Europe/Madrid", 2019, 2030},
		{"Europe/Madrid", 1990, 2000},
		{"America/New_York", 2019, 2030},
		{"America/New_York", 2004, 2010},
		{"Australia/Sydney", 2019, 2030},
		{"Asia/Kolkata", 2019, 2030},
		{"Asia/Kathmandu", 2019, 2030},
		{"Asia/Kuala_Lumpur", 2019, 2030},
		{"Pacific/Chatham", 2019, 2030},
		{"America/Sao_Paulo", 2019, 2030},
		{"America/Sao_Paulo", 2015, 2022},
		{"Europe/Moscow", 2009, 2016},
		{"UTC", 2019, 2030},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%d-%d", tt.zone, tt.from, tt.to), func(t *testing.T) {
			loc, _ := time.LoadLocation(tt.zone)
			first := time.Date(tt.from, 1, 1, 0, 0, 0, 0, loc)
			last := time.Date(tt.to+1, 1, 1, 0, 0, 0, 0, loc)
			vtz := renderVTimezone(t, tt.zone, first, last)
			said := expandVTimezone(t, vtz, tt.to+3)
			if len(said) == 0 || said[0].at.After(first) {
				t.Fatalf("no observance starts before the first session: %v", said)
			}
			// The offset in effect at the first session.
			var inEffect onset
			var inRange []onset
			for _, o := range said {
				if !o.at.After(first) {
					inEffect = o
				} else if o.at.Before(last) && o.from != o.to {
					inRange = append(inRange, o)
				}
			}
			if _, off := first.Zone(); inEffect.to != off {
				t.Errorf("offset at %s: VTIMEZONE says %d, Go %d", first, inEffect.to, off)
			}
			want := goOnsets(loc, first, last)
			str := func(os []onset) string { return fmt.Sprint(os) }
			if str(inRange) != str(want) {
				t.Errorf("onsets differ\nVTIMEZONE: %v\nGo:        %v", inRange, want)
			}
			// Some zones must show real rules, not one observance per change.
			if len(want) > 6 && len(vtz.Components) > 6 {
				t.Errorf("%d observances for %d changes: yearly rules were not grouped", len(vtz.Components), len(want))
			}
		})
	}
}

func TestVTimezoneShapes(t *testing.T) {
	madrid := renderVTimezone(t, "Europe/Madrid",
		time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2000, 12, 31, 0, 0, 0, 0, time.UTC))
	var rules []string
	for _, c := range madrid.Components {
		if rr := c.Prop("RRULE"); rr != nil {
			rules = append(rules, c.Name+" "+c.Prop("DTSTART").Value+" "+rr.Value)
		}
	}
	wantRules := []string{
		"DAYLIGHT 19890326T020000 RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
		"STANDARD 19890924T030000 RRULE:FREQ=YEARLY;BYMONTH=9;BYDAY=-1SU;UNTIL=19950924T010000Z",
		"STANDARD 19961027T030000 RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
	}
	for i := range wantRules {
		wantRules[i] = strings.Replace(wantRules[i], " RRULE:", " ", 1)
	}
	if !slices.Equal(rules, wantRules) {
		t.Errorf("Madrid 1990-2000 rules:\n got %q\nwant %q", rules, wantRules)
	}
	kolkata := renderVTimezone(t, "Asia/Kolkata",
		time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC))
	if len(kolkata.Components) != 1 {
		t.Fatalf("Kolkata: %d observances, want 1", len(kolkata.Components))
	}
	std := kolkata.Components[0]
	for name, want := range map[string]string{"DTSTART": "19700101T000000", "TZOFFSETFROM": "+0530", "TZOFFSETTO": "+0530", "TZNAME": "IST"} {
		if got := std.Prop(name).Value; got != want || std.Name != "STANDARD" {
			t.Errorf("Kolkata %s %s = %q, want STANDARD %q", std.Name, name, got, want)
		}
	}
	chatham := renderVTimezone(t, "Pacific/Chatham",
		time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	var offs []string
	for _, c := range chatham.Components {
		offs = append(offs, c.Prop("TZOFFSETTO").Value)
	}
	if !slices.Contains(offs, "+1245") || !slices.Contains(offs, "+1345") {
		t.Errorf("Chatham offsets %v, want +1245 and +1345", offs)
	}
}

func TestAppendOffset(t *testing.T) {
	for off, want := range map[int]string{0: "+0000", 3600: "+0100", -18000: "-0500", 19800: "+0530",
		20700: "+0545", 45900: "+1245", -(3600 + 15*60 + 8): "-011508"} {
		if got := string(appendOffset(nil, off)); got != want {
			t.Errorf("appendOffset(%d) = %q, want %q", off, got, want)
		}
	}
}
