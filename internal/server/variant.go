package server

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// VariantRenderer renders subscriber variants of calendars.
type VariantRenderer interface {
	// Calendar renders a series calendar ("" = all series) with subscriber
	// options; it returns an error wrapping agenda.ErrNotFound or
	// agenda.ErrInvalid when it cannot.
	Calendar(ctx context.Context, slug string, v Variant) ([]byte, error)
	// Session renders one session's calendar with the subscriber's
	// reminders (a session's variant has no tag or speaker).
	SessionRenderer
}

// SessionRenderer renders one session's calendar when it is requested, for
// a daemon whose passes do not write them (session_calendars: served), and
// for ?reminders= on one.
type SessionRenderer interface {
	// Session renders the calendar of the session key of series slug with
	// v's reminders; with the zero Variant, the bytes a pass would have
	// written at feeds.Layout.SessionPath. An unknown series or session is
	// an error wrapping agenda.ErrNotFound.
	Session(ctx context.Context, slug, key string, v Variant) ([]byte, error)
}

// Variant is what a subscriber asked for in a calendar URL's query.
type Variant struct {
	Reminders         []time.Duration // sorted, unique
	OverrideReminders bool            // reminders=… was given (none = no reminders)
	Tag               string          // lower-case
	Speaker           string
}

// maxSpeaker bounds the speaker parameter.
const maxSpeaker = 200

// ParseVariant reads ?reminders=15m,1d (or none), ?tag= and ?speaker=.
// The bool says whether any parameter was given. Errors are
// *agenda.FieldError naming the parameter and value.
func ParseVariant(q url.Values) (Variant, bool, error) {
	var v Variant
	if len(q) == 0 {
		return v, false, nil
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		vals := q[k]
		if k != "reminders" && k != "tag" && k != "speaker" {
			return v, true, &agenda.FieldError{Field: k, Value: strings.Join(vals, ","), Msg: "unknown parameter; expected reminders, tag or speaker"}
		}
		if len(vals) != 1 {
			return v, true, &agenda.FieldError{Field: k, Value: strings.Join(vals, ","), Msg: "given more than once"}
		}
	}
	if vals, ok := q["reminders"]; ok {
		s := strings.TrimSpace(vals[0])
		v.OverrideReminders = true
		const want = "expected a comma-separated list such as 15m,1d, or none"
		if s == "" {
			return v, true, &agenda.FieldError{Field: "reminders", Value: vals[0], Msg: want}
		}
		if s != "none" {
			parts := strings.Split(s, ",")
			if len(parts) > agenda.MaxReminders {
				return v, true, &agenda.FieldError{Field: "reminders", Value: s, Msg: fmt.Sprintf("expected at most %d reminders", agenda.MaxReminders)}
			}
			for _, p := range parts {
				d, err := agenda.ParseReminder(p)
				if err != nil {
					return v, true, &agenda.FieldError{Field: "reminders", Value: s, Msg: want}
				}
				if d <= 0 || d > agenda.MaxReminder {
					return v, true, &agenda.FieldError{Field: "reminders", Value: s, Msg: "expected each reminder between 1m and 4w before the start"}
				}
				v.Reminders = append(v.Reminders, d)
			}
			slices.Sort(v.Reminders)
			v.Reminders = slices.Compact(v.Reminders)
		}
	}
	if vals, ok := q["tag"]; ok {
		t := strings.ToLower(strings.TrimSpace(vals[0]))
		switch {
		case t == "" || hasControl(t):
			return v, true, &agenda.FieldError{Field: "tag", Value: vals[0], Msg: "expected a tag such as housing"}
		case utf8.RuneCountInString(t) > agenda.MaxTag || !utf8.ValidString(t):
			return v, true, &agenda.FieldError{Field: "tag", Value: vals[0], Msg: fmt.Sprintf("expected at most %d characters", agenda.MaxTag)}
		}
		v.Tag = t
	}
	if vals, ok := q["speaker"]; ok {
		sp := strings.TrimSpace(vals[0])
		switch {
		case sp == "" || hasControl(sp):
			return v, true, &agenda.FieldError{Field: "speaker", Value: vals[0], Msg: "expected a speaker's name"}
		case utf8.RuneCountInString(sp) > maxSpeaker || !utf8.ValidString(sp):
			return v, true, &agenda.FieldError{Field: "speaker", Value: vals[0], Msg: fmt.Sprintf("expected at most %d characters", maxSpeaker)}
		}
		v.Speaker = sp
	}
	return v, true, nil
}

// ParseSessionVariant is ParseVariant for one session's calendar, where
// only reminders apply: a filter would leave the session or nothing.
func ParseSessionVariant(q url.Values) (Variant, bool, error) {
	v, any, err := ParseVariant(q)
	if err != nil {
		if fe, ok := err.(*agenda.FieldError); ok && strings.HasPrefix(fe.Msg, "unknown parameter") {
			fe.Msg = "unknown parameter; expected reminders"
		}
		return v, any, err
	}
	for _, f := range []struct{ name, value string }{{"tag", v.Tag}, {"speaker", v.Speaker}} {
		if f.value != "" {
			return v, true, &agenda.FieldError{Field: f.name, Value: q.Get(f.name),
				Msg: "not available on one session's calendar; expected reminders (filters apply to a series' calendar.ics)"}
		}
	}
	return v, any, nil
}

func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return true
		}
	}
	return false
}

// key is the variant's normalised form, for the cache.
func (v Variant) key() string {
	var b strings.Builder
	if v.OverrideReminders {
		b.WriteString("reminders=")
		if len(v.Reminders) == 0 {
			b.WriteString("none")
		}
		for i, d := range v.Reminders {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(agenda.FormatReminder(d))
		}
	}
	b.WriteString("\x00tag=" + v.Tag + "\x00speaker=" + v.Speaker)
	return b.String()
}
