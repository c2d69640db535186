package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/agendafeed/agendafeed/feeds"
	"github.com/agendafeed/agendafeed/internal/agenda"
	"github.com/agendafeed/agendafeed/internal/store"
)

// The document changes only with the binary, so a client may keep it and
// revalidate (no-cache) instead of fetching it whole each time (no-store).
func (a *API) openAPI(_ *http.Request) (*reply, error) {
	return &reply{body: json.RawMessage(openAPIDoc), etag: a.openAPIETag, cacheControl: "no-cache"}, nil
}

// locked runs a write under the API's write lock and triggers a
// regeneration when it succeeded.
func (a *API) locked(fn func() (*reply, error)) (*reply, error) {
	a.writeMu.Lock()
	rep, err := fn()
	a.writeMu.Unlock()
	if err == nil {
		a.trigger()
	}
	return rep, err
}

// staleErr decides what a conflict from the store means: when the
// resource's ETag moved since it was read (another process wrote it), the
// write lost a race: 412 if the client asked for a precondition, else 409.
func staleErr(err error, cond condition, before string, now func() (string, error)) error {
	if !errors.Is(err, agenda.ErrConflict) {
		return err
	}
	cur, nerr := now()
	if nerr != nil || cur == before {
		return err
	}
	if cond.set() {
		return errf(http.StatusPreconditionFailed, "", "", "If-Match %s: the resource changed meanwhile (now %s); GET it again and retry", cond.header, cur)
	}
	return errf(http.StatusConflict, "", "", "the resource changed while it was being written (now %s); retry", cur)
}

// takenErr decides what a conflict from a create-only write means: another
// process created the resource after the API looked. taken looks again and
// gives the 409 the API's own check gives, naming what is there now.
func takenErr(err error, taken func() error) error {
	if !errors.Is(err, agenda.ErrConflict) {
		return err
	}
	if terr := taken(); terr != nil {
		return terr
	}
	return err
}

// seriesWritten builds the response of a series write; old is the series
// before it (nil: created).
func (a *API) seriesWritten(ctx context.Context, key string, s agenda.Series, old *agenda.Series, before int64, sc scope, status int) (*reply, error) {
	body := map[string]any{key: toSeriesJSON(s), "revision": s.Revision, "changed": []string{}}
	if s.Revision != before {
		var keys []string
		if sc != scopePosts {
			sessions, err := a.db.Sessions(ctx, store.SessionFilter{Series: s.Slug})
			if err != nil {
				return nil, err
			}
			for _, x := range sessions {
				keys = append(keys, x.Key)
			}
		}
		changed := a.changedURLs(s.Slug, keys, sc)
		if old != nil {
			omit := a.seriesEditOmits(*old, s, keys)
			changed = slices.DeleteFunc(changed, func(u string) bool { return slices.Contains(omit, u) })
		}
		body["changed"] = changed
	}
	rep := &reply{status: status, etag: seriesETag(s), body: body}
	return rep, nil
}

func (a *API) listSeries(r *http.Request) (*reply, error) {
	if err := checkQuery(r); err != nil {
		return nil, err
	}
	limit, offset, err := page(r)
	if err != nil {
		return nil, err
	}
	all, err := a.db.ListSeries(r.Context())
	if err != nil {
		return nil, err
	}
	items, more := pageOf(all, limit, offset)
	out := make([]seriesJSON, len(items))
	for i, s := range items {
		out[i] = toSeriesJSON(s)
	}
	return listReply("series", out, r, limit, offset, more), nil
}

func (a *API) getSeries(r *http.Request) (*reply, error) {
	s, err := a.db.Series(r.Context(), r.PathValue("slug"))
	if err != nil {
		return nil, err
	}
	return &reply{etag: seriesETag(s), body: map[string]any{"series": toSeriesJSON(s)}}, nil
}

func (a *API) createSeries(r *http.Request) (*reply, error) {
	var in seriesJSON
	if err := a.decodeBody(r, seriesPatch.envelope, &in); err != nil {
		return nil, err
	}
	s, err := a.fromSeriesJSON(in)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	return a.locked(func() (*reply, error) {
		s.Normalize()
		if err := a.seriesTaken(ctx, s.Slug); err != nil {
			return nil, err
		}
		// Create only: another process may create the slug after the
		// check above, and the store refuses it inside the write.
		out, err := a.db.PutSeries(ctx, s, store.Absent)
		if err != nil {
			return nil, takenErr(err, func() error { return a.seriesTaken(ctx, s.Slug) })
		}
		rep, err := a.seriesWritten(ctx, "series", out, nil, 0, scopeSeries, http.StatusCreated)
		if rep != nil {
			rep.location = Prefix + "/series/" + out.Slug
		}
		return rep, err
	})
}

// seriesTaken is the 409 of a create whose slug exists; nil if it does not.
func (a *API) seriesTaken(ctx context.Context, slug string) error {
	cur, err := a.db.Series(ctx, slug)
	switch {
	case err == nil:
		return errf(http.StatusConflict, "slug", slug, "series %q already exists (revision %d); use PUT or PATCH to change it", cur.Slug, cur.Revision)
	case errors.Is(err, agenda.ErrNotFound):
		return nil
	}
	return err
}

func (a *API) replaceSeries(r *http.Request) (*reply, error) {
	var in seriesJSON
	if err := a.decodeBody(r, seriesPatch.envelope, &in); err != nil {
		return nil, err
	}
	return a.updateSeries(r, func(cur agenda.Series) (seriesJSON, error) {
		// Trimmed as the post's id and the session's UID are: white space
		// alone is the slug left out, as everywhere else.
		if slug := strings.TrimSpace(in.Slug); slug != "" && slug != cur.Slug {
			return in, errf(http.StatusUnprocessableEntity, "slug", in.Slug, "slug: %q: expected %q, the series in the URL; a series' slug never changes", in.Slug, cur.Slug)
		}
		return in, nil
	})
}

func (a *API) patchSeries(r *http.Request) (*reply, error) {
	data, err := readBody(r, MaxBody, patchTypes)
	if err != nil {
		return nil, err
	}
	return a.updateSeries(r, func(cur agenda.Series) (seriesJSON, error) {
		var in seriesJSON
		err := applyPatch(data, toSeriesJSON(cur), seriesPatch, &in, sentPathOf(r))
		return in, err
	})
}

// updateSeries is PUT and PATCH: read, check If-Match, build the new value
// from the current one, write conditionally on the revision read.
func (a *API) updateSeries(r *http.Request, build func(cur agenda.Series) (seriesJSON, error)) (*reply, error) {
	ctx, slug, cond := r.Context(), r.PathValue("slug"), conditionOf(r)
	return a.locked(func() (*reply, error) {
		cur, err := a.db.Series(ctx, slug)
		if err != nil {
			return nil, notFoundOnWrite(err, r, Prefix+"/series")
		}
		if err := cond.check(seriesETag(cur), "series "+slug); err != nil {
			return nil, err
		}
		in, err := build(cur)
		if err != nil {
			return nil, err
		}
		s, err := a.fromSeriesJSON(in)
		if err != nil {
			return nil, err
		}
		s.Slug = cur.Slug
		out, err := a.db.PutSeries(ctx, s, cur.Revision)
		if err != nil {
			return nil, staleErr(err, cond, seriesETag(cur), func() (string, error) {
				s, err := a.db.Series(ctx, slug)
				return seriesETag(s), err
			})
		}
		return a.seriesWritten(ctx, "series", out, &cur, cur.Revision, listScope(&cur, out), 0)
	})
}

// seriesEditOmits lists the files an edit of a series from old to cur
// cannot change, when it changed only fields whose reach is known
// (publishing.md, and the renderers): the description is in the series'
// calendar, feeds and page and on the index page, in no event and in none
// of the all-series files; the reminders are in the series' calendars and
// the all-series one, and move the events' stamps, which every feed shows
// but the pages do not. An edit of any other field omits nothing.
func (a *API) seriesEditOmits(old, cur agenda.Series, keys []string) []string {
	if old.Title != cur.Title || old.Homepage != cur.Homepage || old.Zone != cur.Zone ||
		old.Language != cur.Language || old.Organizer != cur.Organizer {
		return nil
	}
	description := old.Description != cur.Description
	reminders := !slices.Equal(old.Reminders, cur.Reminders)
	all := func(k feeds.Kind) string { return a.layout.SeriesURL("", k) }
	own := func(k feeds.Kind) string { return a.layout.SeriesURL(cur.Slug, k) }
	switch {
	case description && reminders:
		return nil // each changes what the other leaves alone
	case description:
		omit := []string{all(feeds.Calendar), all(feeds.RSS), all(feeds.Atom), all(feeds.JSONFeed)}
		for _, k := range keys {
			omit = append(omit, a.layout.SessionURL(cur.Slug, k))
		}
		return omit
	case reminders:
		return []string{own(feeds.Page), all(feeds.Page)}
	}
	return nil
}

func (a *API) deleteSeries(r *http.Request) (*reply, error) {
	ctx, slug, cond := r.Context(), r.PathValue("slug"), conditionOf(r)
	return a.locked(func() (*reply, error) {
		cur, err := a.db.Series(ctx, slug)
		if err != nil {
			return nil, err
		}
		if err := cond.check(seriesETag(cur), "series "+slug); err != nil {
			return nil, err
		}
		sessions, err := a.db.Sessions(ctx, store.SessionFilter{Series: slug})
		if err != nil {
			return nil, err
		}
		keys := make([]string, len(sessions))
		for i, s := range sessions {
			keys[i] = s.Key
		}
		if err := a.db.DeleteSeries(ctx, slug, cur.Revision); err != nil {
			return nil, staleErr(err, cond, seriesETag(cur), func() (string, error) {
				s, err := a.db.Series(ctx, slug)
				return seriesETag(s), err
			})
		}
		return &reply{body: map[string]any{"deleted": map[string]any{"series": slug},
			"changed": a.changedURLs(slug, keys, scopeSeries)}}, nil
	})
}
