package agenda

import (
	"errors"
	"fmt"
	"time"
)

// instants explains an ordering refused although the wall clocks are in
// order: an explicit offset, or a time next to a daylight-saving change,
// puts the start at or after the end as instants (02:30+01:00 and 03:30
// are both 01:30Z in Madrid on the day clocks skip 02:00-03:00). It is ""
// when the wall clocks themselves are out of order, or a time does not
// resolve in the session's zone. given is the field the user gave.
func instants(s Session, given string) string {
	if !s.Start.Clock().Before(s.End.Clock()) {
		return ""
	}
	loc, err := LoadZone(s.Zone)
	if err != nil {
		return ""
	}
	start, serr := s.Start.In(loc)
	end, eerr := s.End.In(loc)
	if serr != nil || eerr != nil || start.Before(end) {
		return "" // (a span over 366 days is refused in order)
	}
	const f = "2006-01-02T15:04:05Z"
	if given == "start" {
		return fmt.Sprintf(" (%s): as instants, the start given is %s", end.UTC().Format(f), start.UTC().Format(f))
	}
	return fmt.Sprintf(" (%s): as instants, the end given is %s", start.UTC().Format(f), end.UTC().Format(f))
}

// BlameEdit rewrites what validation said about a stored value the user
// did not give in an edit (the CLI's `session edit`, the API's PATCH) so
// that it names the field they did give, the change that made the stored
// value fail, and quotes the stored value: a new zone in which the stored
// start does not exist, a start past the stored end. s is the session as
// edited; given reports whether the edit gave a field (by its key, such as
// "start_date"); name is how the messages write a field the user can give
// ("-start-date" for the CLI, "start_date" for the API). Errors keep their
// keys as field; other errors pass unchanged.
func BlameEdit(err error, s Session, given func(field string) bool, name func(field string) string) error {
	var es Errors
	if !errors.As(err, &es) {
		return err
	}
	const year = 366 * 24 * time.Hour
	out := make(Errors, 0, len(es))
	for _, e := range es {
		c := *e
		ordering := len(c.Refs) == 1 && c.Value != ""
		switch {
		// A stored time that does not resolve in the new zone (a gap, a
		// fold, an offset the zone does not have). Every other check of
		// a stored time passed when it was stored.
		case (c.Field == "start" || c.Field == "end") && len(c.Refs) == 0 && c.Value != "" && !given(c.Field) && given("zone"):
			c = FieldError{Field: "zone", Value: s.Zone, Msg: fmt.Sprintf(
				"the session's stored %s %q does not fit the new zone: %s; give the %s you mean as %s, with an explicit UTC offset where it needs one, along with %s",
				c.Field, c.Value, c.Msg, c.Field, name(c.Field), name("zone"))}
		case c.Field == "end" && ordering && c.Refs[0] == "start" && given("start") && !given("end"):
			what := "a time before"
			if s.End.Clock().Sub(s.Start.Clock()) > year {
				what = "at most 366 days before"
			}
			c = FieldError{Field: "start", Value: s.Start.Text(), Msg: fmt.Sprintf(
				"expected %s the session's stored end %q%s; give %s too to move the end", what, s.End.Text(), instants(s, "start"), name("end"))}
		case c.Field == "end" && ordering && c.Refs[0] == "start" && given("end") && !given("start"):
			what := "a time after"
			if s.End.Clock().Sub(s.Start.Clock()) > year {
				what = "at most 366 days after"
			}
			c = FieldError{Field: "end", Value: c.Value, Msg: fmt.Sprintf(
				"expected %s the session's stored start %q%s; give %s too to move the start", what, s.Start.Text(), instants(s, "end"), name("start"))}
		case c.Field == "end" && ordering && c.Refs[0] == "start" && !given("start") && !given("end") && given("zone"):
			c = FieldError{Field: "zone", Value: s.Zone, Msg: fmt.Sprintf(
				"in the new zone the session's stored end %q is not after its stored start %q; give %s and %s, with explicit UTC offsets, along with %s",
				s.End.Text(), s.Start.Text(), name("start"), name("end"), name("zone"))}
		case c.Field == "end_date" && ordering && c.Refs[0] == "start_date" && given("start_date") && !given("end_date"):
			what := "at most 366 days before"
			if s.EndDate.Before(s.StartDate) {
				what = "a date on or before"
			}
			c = FieldError{Field: "start_date", Value: s.StartDate.String(), Msg: fmt.Sprintf(
				"expected %s the session's stored end date %q; give %s too to move the end", what, s.EndDate, name("end_date"))}
		case c.Field == "end_date" && ordering && c.Refs[0] == "start_date" && given("end_date") && !given("start_date"):
			what := "at most 366 days after"
			if s.EndDate.Before(s.StartDate) {
				what = "a date on or after"
			}
			c = FieldError{Field: "end_date", Value: c.Value, Msg: fmt.Sprintf(
				"expected %s the session's stored start date %q; give %s too to move the start", what, s.StartDate, name("start_date"))}
		}
		out = append(out, &c)
	}
	return out
}
