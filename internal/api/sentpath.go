package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// sentPath records how a write's body was sent: bare, or in the
// resource's envelope ({"session": {...}}). The decoding, the validation
// and the store all name a field as in the bare object ("people[1].name");
// the client that sent the envelope wrote it as "session.people[1].name",
// so the endpoint renames every error that names a field, whichever step
// raised it, in one place (rename), and none of them needs to know.
type sentPath struct {
	envelope string // "" for a bare body
}

type sentPathKey struct{}

func withSentPath(r *http.Request) (*http.Request, *sentPath) {
	s := &sentPath{}
	return r.WithContext(context.WithValue(r.Context(), sentPathKey{}, s)), s
}

// sentPathOf is the request's record; a throwaway one for a request that
// did not come through endpoint (nothing then renames its errors).
func sentPathOf(r *http.Request) *sentPath {
	if s, ok := r.Context().Value(sentPathKey{}).(*sentPath); ok {
		return s
	}
	return &sentPath{}
}

// rename names the fields of err as the client wrote them: under the
// envelope, when the body came in one.
func (s *sentPath) rename(err error) error {
	if s == nil || s.envelope == "" || err == nil {
		return err
	}
	var he *httpError
	if errors.As(err, &he) {
		if he.field == "" {
			return err
		}
		return he.under(s.envelope)
	}
	if statusOf(err) != http.StatusUnprocessableEntity {
		return err
	}
	var fes agenda.Errors
	var fe *agenda.FieldError
	switch {
	case errors.As(err, &fes):
	case errors.As(err, &fe):
		fes = agenda.Errors{fe}
	default:
		return err
	}
	out := make(agenda.Errors, len(fes))
	for i, e := range fes {
		c := *e
		if c.Field != "" {
			c.Field = s.envelope + "." + c.Field
		}
		out[i] = &c
	}
	return out
}

// under is e with its field, and the paths its message names, put under
// envelope. An httpError's message names its field either first
// ("title: expected a string") or quoted ("unknown field \"title\""), and
// any other path (refs: a suggested field) quoted; values, which come
// after the leading field, are left alone.
func (e *httpError) under(envelope string) *httpError {
	c := *e
	c.field = envelope + "." + e.field
	msg, lead := strings.CutPrefix(e.msg, e.field+":")
	quoted := e.refs
	if lead {
		msg = c.field + ":" + msg
	} else {
		quoted = append([]string{e.field}, e.refs...)
	}
	for _, p := range quoted {
		msg = strings.Replace(msg, strconv.Quote(p), strconv.Quote(envelope+"."+p), 1)
	}
	c.msg = msg
	c.refs = nil
	return &c
}
