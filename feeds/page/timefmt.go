package page

import "time"

// The few time layouts a page prints for every session, by hand: through
// time.Format they were an eighth of a series page's CPU (a layout is
// parsed on every call). Each is checked against time.Format by
// TestTimeLayouts.

// appendClock appends t as "15:04".
func appendClock(b []byte, t time.Time) []byte {
	h, m, _ := t.Clock()
	return append(b, byte('0'+h/10), byte('0'+h%10), ':', byte('0'+m/10), byte('0'+m%10))
}

// appendDigits appends n (0 <= n) in width digits, zero-padded.
func appendDigits(b []byte, n, width int) []byte {
	var d [8]byte
	for i := width - 1; i >= 0; i-- {
		d[i] = byte('0' + n%10)
		n /= 10
	}
	return append(b, d[:width]...)
}

// appendStamp appends t as "2006-01-02T15:04:05Z" (compact: false) or
// "20060102T150405Z" (compact: true), in UTC. Years outside 0-9999 go to
// time.Format, which writes them its own way.
func appendStamp(b []byte, t time.Time, compact bool) []byte {
	t = t.UTC()
	if y := t.Year(); y < 0 || y > 9999 {
		if compact {
			return t.AppendFormat(b, "20060102T150405Z")
		}
		return t.AppendFormat(b, "2006-01-02T15:04:05Z")
	}
	h, mi, s := t.Clock()
	b = append(appendDate(b, t, compact), 'T')
	b = appendDigits(b, h, 2)
	if !compact {
		b = append(b, ':')
	}
	b = appendDigits(b, mi, 2)
	if !compact {
		b = append(b, ':')
	}
	b = appendDigits(b, s, 2)
	return append(b, 'Z')
}

// appendDate appends t's date in its own zone as "2006-01-02" or, compact,
// "20060102".
func appendDate(b []byte, t time.Time, compact bool) []byte {
	y, mo, d := t.Date()
	if y < 0 || y > 9999 {
		if compact {
			return t.AppendFormat(b, "20060102")
		}
		return t.AppendFormat(b, "2006-01-02")
	}
	b = appendDigits(b, y, 4)
	if !compact {
		b = append(b, '-')
	}
	b = appendDigits(b, int(mo), 2)
	if !compact {
		b = append(b, '-')
	}
	return appendDigits(b, d, 2)
}

// appendDayHeading appends t's date in its own zone as "Monday 2 January
// 2006".
func appendDayHeading(b []byte, t time.Time) []byte {
	y, mo, d := t.Date()
	if y < 0 || y > 9999 {
		return t.AppendFormat(b, "Monday 2 January 2006")
	}
	b = append(append(b, t.Weekday().String()...), ' ')
	if d >= 10 {
		b = append(b, byte('0'+d/10))
	}
	b = append(append(b, byte('0'+d%10), ' '), mo.String()...)
	return appendDigits(append(b, ' '), y, 4)
}

// zoneAbbrev is t.Format("MST"): the zone's abbreviation, or its offset
// as -0700 when the zone has none.
func zoneAbbrev(t time.Time) string {
	name, off := t.Zone()
	if name != "" {
		return name
	}
	sign := byte('+')
	if off < 0 {
		sign, off = '-', -off
	}
	m := off / 60
	return string(appendDigits(append(make([]byte, 0, 5), sign), m/60*100+m%60, 4))
}
