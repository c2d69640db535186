package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// CronSpec rewrites a cron value as written in the config into the spec
// robfig/cron reads, which the scheduler must be given (Validate checks
// the same rewrite), or says what is wrong with it. It accepts what
// crontab(5) and the rest of the config accept and robfig/cron does not:
//   - any whitespace after the CRON_TZ= or TZ= zone (robfig/cron cuts
//     the zone at the first space only, so a tab made the zone "UTC\t0");
//   - 7 for Sunday in the day-of-week field, alone, in lists and as the
//     end of a range (5-7);
//   - @every with the config's durations: 1d, 1w, 1d12h, as well as Go's
//     90s or 1h30m. An interval that is not whole seconds is refused:
//     robfig/cron would silently round it down.
func CronSpec(spec string) (string, error) {
	rest := strings.TrimSpace(spec)
	prefix := ""
	for _, p := range []string{"CRON_TZ=", "TZ="} {
		if !strings.HasPrefix(rest, p) {
			continue
		}
		zone, after := rest[len(p):], ""
		if i := strings.IndexFunc(zone, unicode.IsSpace); i >= 0 {
			zone, after = zone[:i], strings.TrimSpace(zone[i:])
		}
		if after == "" {
			return "", fmt.Errorf("expected a schedule after %s%s, such as \"%s%s */5 * * * *\"", p, zone, p, zone)
		}
		if _, err := agenda.LoadZone(zone); err != nil {
			return "", fmt.Errorf("expected an IANA time zone after %s, such as %sEurope/Madrid%s", p, p, agenda.ZoneHint(zone))
		}
		prefix, rest = p+zone+" ", after
		break
	}
	fields := strings.Fields(rest)
	switch {
	case len(fields) == 0:
		return "", errors.New("required: five fields (minute hour day-of-month month day-of-week) or a descriptor such as @hourly or @every 5m")
	case fields[0] == "@every":
		if len(fields) != 2 {
			return "", errors.New("expected one interval after @every, such as @every 5m, @every 1h or @every 1d")
		}
		d, err := ParseDuration(fields[1])
		if err != nil {
			return "", fmt.Errorf("expected an interval after @every such as 5m, 1h, 1d or 1w, not %q", fields[1])
		}
		if time.Duration(d) < time.Minute {
			// robfig/cron would run one under 1s every second; edits are
			// published within a second by the trigger after each edit,
			// not by the cron.
			return "", errors.New("expected an interval of at least 1m after @every, such as @every 5m")
		}
		if d := time.Duration(d); d%time.Second != 0 {
			return "", fmt.Errorf("expected an interval of whole seconds after @every, such as @every 5m or @every 1h30m; "+
				"the scheduler would round %s down to %s", fields[1], d.Truncate(time.Second))
		}
		return prefix + "@every " + time.Duration(d).String(), nil
	case len(fields) == 5:
		fields[4] = sundaySeven(fields[4])
	}
	return prefix + strings.Join(fields, " "), nil
}

// sundaySeven rewrites the 7s of a day-of-week field, which crontab(5)
// reads as Sunday and robfig/cron refuses (its week is 0-6), as 0: 7 is
// 0, and a range or stepped range ending at 7 (5-7, 1-7/2) is listed
// day by day (5,6,0), since robfig/cron refuses a range that ends below
// its start. Anything else is left for the parser to read or refuse.
func sundaySeven(field string) string {
	items := strings.Split(field, ",")
	for i, item := range items {
		rng, step := item, 1
		if r, s, ok := strings.Cut(item, "/"); ok {
			n, err := strconv.Atoi(s)
			if err != nil || n <= 0 {
				continue
			}
			rng, step = r, n
		}
		lo, hi, isRange := strings.Cut(rng, "-")
		if !isRange {
			if item == "7" {
				items[i] = "0"
			}
			continue
		}
		if hi != "7" {
			continue
		}
		start, ok := weekday(lo)
		if !ok {
			continue
		}
		var days []string
		for d := start; d <= 7; d += step {
			days = append(days, strconv.Itoa(d%7))
		}
		items[i] = strings.Join(days, ",")
	}
	return strings.Join(items, ",")
}

// weekday reads the start of a day-of-week range: 0-7 or a name.
func weekday(s string) (int, bool) {
	if n, err := strconv.Atoi(s); err == nil {
		return n, n >= 0 && n <= 7
	}
	for i, name := range []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"} {
		if strings.EqualFold(s, name) {
			return i, true
		}
	}
	return 0, false
}
