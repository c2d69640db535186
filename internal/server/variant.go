package server

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// VariantRenderer renders subscriber variants of calendars.
type VariantRenderer interface {
	// Calendar renders a series calendar ("" = all series) with subscriber
	// options; it returns an error wrapping agenda.ErrNotFound or
	// agenda.ErrInvalid when it cannot. rev is the series' revision the
	// bytes were rendered from (0 for all series): the server caches a
	// series' variant only under it.
	Calendar(ctx context.Context, slug string, v Variant) (b []byte, rev int64, err error)
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
	// written at feeds.Layout.SessionPath. rev is the series' revision the
	// bytes were rendered from: the server caches them only under it. An
	// unknown series or session is an error wrapping agenda.ErrNotFound.
	Session(ctx context.Context, slug, key string, v Variant) (b []byte, rev int64, err error)
}

// Variant is what a subscriber asked for in a calendar URL's query.
type Variant struct {
	Reminders         []time.Duration // sorted, unique
	OverrideReminders bool            // reminders=… was given (none = no reminders)
	Tag               string          // as agenda.NormalizeTag stores tags
	Speaker           string          // as agenda.NormalizeName stores names
}

// maxSpeaker bounds the speaker parameter.
const maxSpeaker = 200

// ParseVariant reads ?reminders=15m,1d (or none, in any case), ?tag= and
// ?speaker=. The bool says whether any parameter was given. Errors are
// *agenda.FieldError naming the parameter and value.
//
// Parameters named utm_… are ignored: mail and social tools append them to
// the links they carry, and a subscription made from such a link must
// work. Any other unknown parameter is refused, since it is most likely a
// typo (?reminder=) that would otherwise go unnoticed.
func ParseVariant(q url.Values) (Variant, bool, error) {
	var v Variant
	keys := make([]string, 0, len(q))
	for k := range q {
		if !strings.HasPrefix(k, "utm_") {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return v, false, nil
	}
	slices.Sort(keys)
	for _, k := range keys {
		vals := q[k]
		shown := strings.Join(vals, ",")
		if sensitiveParam(k) || looksLikeToken(k) || slices.ContainsFunc(vals, looksLikeToken) {
			// A credential sent where it does not belong is not
			// repeated: error bodies end up in proxies' and browsers'
			// logs and caches.
			shown = "REDACTED"
		}
		if k != "reminders" && k != "tag" && k != "speaker" {
			return v, true, &agenda.FieldError{Field: paramName(k), Value: shown, Msg: "unknown parameter; expected reminders, tag or speaker"}
		}
		if len(vals) != 1 {
			return v, true, &agenda.FieldError{Field: k, Value: shown, Msg: "given more than once"}
		}
		// Checked before any normalisation, which would turn the bytes
		// into U+FFFD and filter by a tag or name nobody typed.
		if !utf8.ValidString(vals[0]) {
			return v, true, &agenda.FieldError{Field: k, Value: vals[0], Msg: "expected valid UTF-8 text (a percent-encoded byte such as %ff is not)"}
		}
	}
	if vals, ok := q["reminders"]; ok {
		s := strings.TrimSpace(vals[0])
		v.OverrideReminders = true
		const want = "expected a comma-separated list such as 15m,1d, or none"
		if s == "" {
			return v, true, &agenda.FieldError{Field: "reminders", Value: vals[0], Msg: want}
		}
		// none in any case: subscribers type it, and mail clients and
		// phones capitalise it.
		if !strings.EqualFold(s, "none") {
			parts := strings.Split(s, ",")
			// In a list, the message names the value at fault; each value
			// is checked before the list is counted, since a list of
			// malformed values is wrong for that reason, not its length.
			which := func(p, is string) string {
				if len(parts) == 1 {
					return ""
				}
				return fmt.Sprintf("; %q is %s", strings.TrimSpace(p), is)
			}
			for _, p := range parts {
				d, err := agenda.ParseReminder(p)
				if err != nil {
					return v, true, &agenda.FieldError{Field: "reminders", Value: s, Msg: want + which(p, "not a reminder")}
				}
				if d <= 0 || d > agenda.MaxReminder {
					return v, true, &agenda.FieldError{Field: "reminders", Value: s, Msg: "expected each reminder between 1m and 4w before the start" + which(p, "not")}
				}
				v.Reminders = append(v.Reminders, d)
			}
			if len(parts) > agenda.MaxReminders {
				return v, true, &agenda.FieldError{Field: "reminders", Value: s, Msg: fmt.Sprintf("expected at most %d reminders", agenda.MaxReminders)}
			}
			slices.Sort(v.Reminders)
			v.Reminders = slices.Compact(v.Reminders)
		}
	}
	if vals, ok := q["tag"]; ok {
		// The store's own normalisation, so that "café" typed decomposed
		// finds the sessions tagged "café".
		t := agenda.NormalizeTag(vals[0])
		switch {
		case t == "" || hasControl(t):
			return v, true, &agenda.FieldError{Field: "tag", Value: vals[0], Msg: "expected a tag such as housing"}
		case utf8.RuneCountInString(t) > agenda.MaxTag:
			return v, true, &agenda.FieldError{Field: "tag", Value: vals[0], Msg: fmt.Sprintf("expected at most %d characters", agenda.MaxTag)}
		}
		v.Tag = t
	}
	if vals, ok := q["speaker"]; ok {
		// The store's own normalisation: "Jane  Roe" or a name typed with
		// decomposed accents is the person stored as "Jane Roe".
		sp := agenda.NormalizeName(vals[0])
		switch {
		case sp == "" || hasControl(sp):
			return v, true, &agenda.FieldError{Field: "speaker", Value: vals[0], Msg: "expected a speaker's name"}
		case utf8.RuneCountInString(sp) > maxSpeaker:
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

// paramName shows a parameter's name in an error as the values are shown
// (agenda.FieldError quotes them): as it was sent when it prints, else
// quoted with Go escapes, so that raw control bytes or bytes that are not
// UTF-8 never reach the response, and a name that is empty (?=x) or looks
// like a token is still described.
func paramName(k string) string {
	switch {
	case k == "":
		return "(parameter with an empty name)"
	case looksLikeToken(k):
		return "REDACTED"
	}
	for _, r := range k {
		if r == utf8.RuneError || !unicode.IsPrint(r) {
			return strconv.Quote(k)
		}
	}
	return k
}

func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return true
		}
	}
	return false
}

// Query is the variant's canonical query string, "" for none: the
// parameters in name order (reminders, speaker, tag) with their normalised
// values (reminders sorted, unique and in their shortest form), so that
// every spelling of one variant gives one string. It is the cache key and
// the SOURCE a variant's calendar names, where a client refreshes it from.
func (v Variant) Query() string {
	var b strings.Builder
	sep := func() {
		if b.Len() > 0 {
			b.WriteByte('&')
		}
	}
	if v.OverrideReminders {
		b.WriteString("reminders=")
		if len(v.Reminders) == 0 {
			b.WriteString("none")
		}
		for i, d := range v.Reminders {
			if i > 0 {
				b.WriteByte(',') // a sub-delimiter: allowed unescaped in a query
			}
			b.WriteString(agenda.FormatReminder(d))
		}
	}
	if v.Speaker != "" {
		sep()
		b.WriteString("speaker=" + url.QueryEscape(v.Speaker))
	}
	if v.Tag != "" {
		sep()
		b.WriteString("tag=" + url.QueryEscape(v.Tag))
	}
	return b.String()
}
