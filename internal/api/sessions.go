package api

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/agendafeed/agendafeed/internal/agenda"
	"github.com/agendafeed/agendafeed/internal/store"
)

// findSession loads the session a URL names: /sessions/{uid} or
// /series/{slug}/sessions/{key}.
func (a *API) findSession(ctx context.Context, r *http.Request) (agenda.Session, error) {
	if uid := r.PathValue("uid"); uid != "" {
		return a.db.Session(ctx, uid)
	}
	slug := r.PathValue("slug")
	s, err := a.db.SessionByKey(ctx, slug, r.PathValue("key"))
	if errors.Is(err, agenda.ErrNotFound) {
		// Under a series that does not exist, the series is what is
		// missing (as for posts), not the session.
		if _, serr := a.db.Series(ctx, slug); serr != nil {
			return s, serr
		}
	}
	return s, err
}

// sessionLocation is the session's path in the form the request addressed
// it: by series and key under /series/{slug}/sessions, so that after a PATCH
// that renames the key it names the new key (the URL the client used is
// gone); else by UID, which no write changes.
func sessionLocation(r *http.Request, s agenda.Session) string {
	if r.PathValue("slug") != "" {
		return Prefix + "/series/" + url.PathEscape(s.Series) + "/sessions/" + url.PathEscape(s.Key)
	}
	return Prefix + "/sessions/" + url.PathEscape(s.UID)
}

// sessionWritten builds the response of a session write; old is the
// session before it (nil: created).
func (a *API) sessionWritten(r *http.Request, s agenda.Session, before int64, old *agenda.Session, status int) (*reply, error) {
	series, err := a.db.Series(r.Context(), s.Series)
	if err != nil {
		return nil, err
	}
	body := map[string]any{"session": toSessionJSON(s), "revision": series.Revision, "changed": []string{}}
	if series.Revision != before {
		keys, sessions := []string{s.Key}, []agenda.Session{s}
		if old != nil {
			sessions = append(sessions, *old)
			if old.Key != s.Key {
				keys = append(keys, old.Key)
			}
		}
		body["changed"] = a.changedURLs(s.Series, keys, eventsScope(a.now(), sessions...))
	}
	return &reply{status: status, etag: sessionETag(s), location: sessionLocation(r, s), body: body}, nil
}

func (a *API) listSessions(r *http.Request) (*reply, error) {
	slug := r.PathValue("slug")
	known := []string{"series", "from", "to", "status"}
	if slug != "" {
		known = known[1:]
	}
	if err := checkQuery(r, known...); err != nil {
		return nil, err
	}
	limit, offset, err := page(r)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	f := store.SessionFilter{Series: q.Get("series"), Limit: limit + 1, Offset: offset}
	// A series that does not exist is a 404 whether the path or the filter
	// names it: an empty list would say the series has no sessions.
	if slug != "" {
		f.Series = slug
		if _, err := a.db.Series(r.Context(), slug); err != nil {
			return nil, err
		}
	} else if f.Series != "" {
		_, err := a.db.Series(r.Context(), f.Series)
		if errors.Is(err, agenda.ErrNotFound) {
			return nil, errf(http.StatusNotFound, "series", f.Series,
				"series %q not found: query parameter series: expected the slug of an existing series", f.Series)
		}
		if err != nil {
			return nil, err
		}
	}
	if v := q.Get("from"); v != "" {
		if f.From, err = parseBound("from", v); err != nil {
			return nil, err
		}
	}
	if v := q.Get("to"); v != "" {
		if f.To, err = parseBound("to", v); err != nil {
			return nil, err
		}
	}
	// [from, to) is empty when to is from, and meaningless before it: a
	// client that swapped them learns so rather than getting a list.
	from, to := q.Get("from"), q.Get("to")
	if from != "" && to != "" && f.To.Before(f.From) {
		return nil, errf(http.StatusBadRequest, "to", to, "from %q and to %q: expected to on or after from; the range is [from, to)", from, to)
	}
	if v := q.Get("status"); v != "" {
		st := agenda.Status(strings.ToLower(v))
		if st != agenda.StatusConfirmed && st != agenda.StatusTentative && st != agenda.StatusCancelled {
			return nil, queryError("status", v, "expected confirmed, tentative or cancelled")
		}
		f.Status = st
	}
	var list []agenda.Session
	if from == "" || to == "" || !f.To.Equal(f.From) {
		if list, err = a.db.Sessions(r.Context(), f); err != nil {
			return nil, err
		}
	}
	more := len(list) > limit
	if more {
		list = list[:limit]
	}
	out := make([]sessionJSON, len(list))
	for i, s := range list {
		out[i] = toSessionJSON(s)
	}
	return listReply("sessions", out, r, limit, offset, more), nil
}

func (a *API) getSession(r *http.Request) (*reply, error) {
	s, err := a.findSession(r.Context(), r)
	if err != nil {
		return nil, err
	}
	return &reply{etag: sessionETag(s), body: map[string]any{"session": toSessionJSON(s)}}, nil
}

func (a *API) createSession(r *http.Request) (*reply, error) {
	var in sessionJSON
	if err := a.decodeBody(r, sessionPatch.envelope, &in); err != nil {
		return nil, err
	}
	ctx, slug := r.Context(), r.PathValue("slug")
	if slug != "" {
		if s := strings.TrimSpace(in.Series); s != "" && s != slug {
			return nil, errf(http.StatusUnprocessableEntity, "series", in.Series, "series: %q: expected %q, the series in the URL, or nothing", in.Series, slug)
		}
		in.Series = slug
	}
	s, err := fromSessionJSON(in)
	if err != nil {
		return nil, err
	}
	// A sequence is honoured on create, as an import honours the one in
	// its file: a client re-creating an event it published elsewhere, or
	// sending back a GET body, must not go back in calendars that hold it.
	// The store starts a UID it deleted above its last sequence anyway.
	switch seq := in.Sequence; {
	case seq < 0 || seq > agenda.MaxSequence:
		return nil, errf(http.StatusUnprocessableEntity, "sequence", itoa64(seq), "sequence: %d: expected a whole number from 0 to %d (iCalendar's SEQUENCE is a 32-bit integer)", seq, agenda.MaxSequence)
	case seq > 0 && s.UID == "":
		return nil, errf(http.StatusUnprocessableEntity, "sequence", itoa64(seq),
			"sequence: %d: expected 0 or nothing without a uid; a session without one is a new event, at sequence 0", seq)
	}
	s.Sequence = in.Sequence
	return a.locked(func() (*reply, error) {
		series, err := a.db.Series(ctx, s.Series)
		switch {
		case errors.Is(err, agenda.ErrNotFound) && slug == "" && s.Series != "":
			return nil, &agenda.FieldError{Field: "series", Value: s.Series, Msg: "expected the slug of an existing series"}
		case err != nil && s.Series != "":
			return nil, err
		}
		if err := a.sessionTaken(ctx, s); err != nil {
			return nil, err
		}
		// Create only: another process may create the session after the
		// check above, and the store refuses it inside the write.
		out, err := a.db.PutSession(ctx, s, store.Absent)
		if err != nil {
			return nil, takenErr(err, func() error { return a.sessionTaken(ctx, s) })
		}
		return a.sessionWritten(r, out, series.Revision, nil, http.StatusCreated)
	})
}

// sessionTaken is the 409 of a create whose key in the series, or UID, is
// taken; nil if neither is.
func (a *API) sessionTaken(ctx context.Context, s agenda.Session) error {
	key := strings.TrimSpace(s.Key)
	cur, err := a.db.SessionByKey(ctx, s.Series, key)
	switch {
	case err == nil:
		return errf(http.StatusConflict, "key", key, "session %s/%s already exists (uid %s); use PUT or PATCH to change it", cur.Series, cur.Key, cur.UID)
	case !errors.Is(err, agenda.ErrNotFound):
		return err
	}
	if s.UID == "" {
		return nil
	}
	cur, err = a.db.Session(ctx, s.UID)
	switch {
	case err == nil:
		return errf(http.StatusConflict, "uid", s.UID, "a session with uid %s already exists (%s/%s)", s.UID, cur.Series, cur.Key)
	case errors.Is(err, agenda.ErrNotFound):
		return nil
	}
	return err
}

// keyTaken is the 409 of a rename of cur to a key another session of its
// series has, as a field error on key like a create's; nil if the key is
// cur's own or free.
func (a *API) keyTaken(ctx context.Context, cur agenda.Session, key string) error {
	key = strings.TrimSpace(key)
	if key == cur.Key {
		return nil
	}
	other, err := a.db.SessionByKey(ctx, cur.Series, key)
	switch {
	case errors.Is(err, agenda.ErrNotFound):
		return nil
	case err != nil:
		return err
	case other.UID == cur.UID:
		return nil
	}
	return errf(http.StatusConflict, "key", key, "key: %q: session %s/%s (uid %s) already has this key; choose another, or rename or delete that session first",
		key, other.Series, other.Key, other.UID)
}

func (a *API) replaceSession(r *http.Request) (*reply, error) {
	var in sessionJSON
	if err := a.decodeBody(r, sessionPatch.envelope, &in); err != nil {
		return nil, err
	}
	return a.updateSession(r, func(cur agenda.Session) (agenda.Session, error) {
		if uid := strings.TrimSpace(in.UID); uid != "" && uid != cur.UID {
			return agenda.Session{}, errf(http.StatusUnprocessableEntity, "uid", in.UID, "uid: %q: expected %q or nothing; a session's UID never changes", in.UID, cur.UID)
		}
		if ser := strings.TrimSpace(in.Series); ser != "" && ser != cur.Series {
			return agenda.Session{}, errf(http.StatusUnprocessableEntity, "series", in.Series, "series: %q: expected %q or nothing; a session cannot move to another series", in.Series, cur.Series)
		}
		if strings.TrimSpace(in.Key) == "" {
			in.Key = cur.Key
		}
		return fromSessionJSON(in)
	}, nil)
}

func (a *API) patchSession(r *http.Request) (*reply, error) {
	data, err := readBody(r, MaxBody, patchTypes)
	if err != nil {
		return nil, err
	}
	return a.updateSession(r, func(cur agenda.Session) (agenda.Session, error) {
		var in sessionJSON
		if err := applyPatch(data, toSessionJSON(cur), sessionPatch, &in, sentPathOf(r)); err != nil {
			return agenda.Session{}, err
		}
		return fromSessionJSON(in)
	}, func(err error, s agenda.Session) error {
		// A stored value the patch did not give, which a field it gave
		// made fail (a new zone in which the stored start does not
		// exist), is reported under that field, as the CLI does.
		given := patchKeys(data, sessionPatch.envelope)
		return agenda.BlameEdit(err, s, func(f string) bool { return given[f] }, strconv.Quote)
	})
}

func (a *API) cancelSession(r *http.Request) (*reply, error) {
	return a.updateSession(r, nil, nil)
}

// updateSession is PUT, PATCH and cancel: read, check If-Match, build the
// new session from the current one (nil build: cancel), and write it
// conditionally on the sequence read. blame, when not nil, rewrites the
// store's validation errors of the session built.
func (a *API) updateSession(r *http.Request, build func(cur agenda.Session) (agenda.Session, error), blame func(error, agenda.Session) error) (*reply, error) {
	ctx, cond := r.Context(), conditionOf(r)
	return a.locked(func() (*reply, error) {
		cur, err := a.findSession(ctx, r)
		if err != nil {
			create := Prefix + "/sessions"
			if slug := r.PathValue("slug"); slug != "" {
				// Under a series that does not exist the answer is
				// the series' 404, as for posts: the POST the hint
				// would name fails the same way.
				if errors.Is(err, agenda.ErrNotFound) {
					if _, serr := a.db.Series(ctx, slug); serr != nil {
						return nil, serr
					}
				}
				create = Prefix + "/series/" + slug + "/sessions"
			}
			return nil, notFoundOnWrite(err, r, create)
		}
		if err := cond.check(sessionETag(cur), "session "+cur.UID); err != nil {
			return nil, err
		}
		series, err := a.db.Series(ctx, cur.Series)
		if err != nil {
			return nil, err
		}
		// The store writes only if the session is still at the sequence
		// read, so an edit by another process meanwhile is not overwritten.
		var out agenda.Session
		if build == nil {
			out, err = a.db.CancelSessionMatching(ctx, cur.UID, cur.Sequence, sessionUnchanged(cur))
		} else {
			var s agenda.Session
			if s, err = build(cur); err != nil {
				return nil, err
			}
			s.UID, s.Series = cur.UID, cur.Series
			if err := a.keyTaken(ctx, cur, s.Key); err != nil {
				return nil, err
			}
			out, err = a.db.PutSessionMatching(ctx, s, cur.Sequence, sessionUnchanged(cur))
			if err != nil && blame != nil {
				err = blame(err, s)
			}
			if err != nil {
				// Another process may have taken the key after the check.
				err = takenErr(err, func() error { return a.keyTaken(ctx, cur, s.Key) })
			}
		}
		if err != nil {
			return nil, staleErr(err, cond, sessionETag(cur), func() (string, error) {
				s, err := a.db.Session(ctx, cur.UID)
				return sessionETag(s), err
			})
		}
		return a.sessionWritten(r, out, series.Revision, &cur, 0)
	})
}

func (a *API) deleteSession(r *http.Request) (*reply, error) {
	ctx, cond := r.Context(), conditionOf(r)
	return a.locked(func() (*reply, error) {
		cur, err := a.findSession(ctx, r)
		if err != nil {
			return nil, err
		}
		if err := cond.check(sessionETag(cur), "session "+cur.UID); err != nil {
			return nil, err
		}
		if err := a.db.DeleteSessionMatching(ctx, cur.UID, cur.Sequence, sessionUnchanged(cur)); err != nil {
			return nil, staleErr(err, cond, sessionETag(cur), func() (string, error) {
				s, err := a.db.Session(ctx, cur.UID)
				return sessionETag(s), err
			})
		}
		series, err := a.db.Series(ctx, cur.Series)
		if err != nil {
			return nil, err
		}
		return &reply{body: map[string]any{
			"deleted":  map[string]any{"uid": cur.UID, "series": cur.Series, "key": cur.Key},
			"revision": series.Revision,
			"changed":  a.changedURLs(cur.Series, []string{cur.Key}, eventsScope(a.now(), cur)),
		}}, nil
	})
}
