package agenda

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// reminderUnits are the units a reminder is written in, largest first.
var reminderUnits = []struct {
	suffix byte
	d      time.Duration
}{{'w', 7 * 24 * time.Hour}, {'d', 24 * time.Hour}, {'h', time.Hour}, {'m', time.Minute}}

// ParseReminder reads a reminder written as whole weeks, days, hours and
// minutes: "15m", "1h", "1d", "1w", "1d12h". Go's "1h30m0s" spelling is also
// accepted. Seconds are refused: calendar apps ignore them.
func ParseReminder(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("expected a duration such as 15m, 1h or 1d")
	}
	var total time.Duration
	rest := strings.TrimSuffix(s, "0s")
	if rest == "" {
		rest = s
	}
	for rest != "" {
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 0 || i == len(rest) || i > 6 {
			return 0, fmt.Errorf("expected a duration such as 15m, 1h, 1d or 1w")
		}
		n, _ := strconv.Atoi(rest[:i])
		unit := rest[i]
		found := false
		for _, u := range reminderUnits {
			if u.suffix == unit {
				total += time.Duration(n) * u.d
				found = true
			}
		}
		if !found {
			return 0, fmt.Errorf("expected a duration such as 15m, 1h, 1d or 1w (units w, d, h, m)")
		}
		rest = rest[i+1:]
	}
	return total, nil
}

// FormatReminder writes d in the form ParseReminder reads: "1d12h", "15m".
func FormatReminder(d time.Duration) string {
	if d <= 0 || d%time.Minute != 0 {
		return d.String()
	}
	var b strings.Builder
	for _, u := range reminderUnits {
		if n := d / u.d; n > 0 {
			fmt.Fprintf(&b, "%d%c", n, u.suffix)
			d -= n * u.d
		}
	}
	return b.String()
}
