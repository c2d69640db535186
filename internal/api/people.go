package api

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"

	"github.com/agendafeed/agendafeed/internal/agenda"
	"github.com/agendafeed/agendafeed/internal/importer"
	"github.com/agendafeed/agendafeed/internal/store"
)

// importChanged lists the URLs an import changed, as the single writes
// list theirs: for each series whose revision moved, by slug, its files
// and the calendars of the sessions whose events changed (keys, from the
// store), then the all-series files once. The imported series' calendar
// is listed only when the series itself or one of its sessions changed
// (sc, as for a series write); posts alone change its feeds and page. A
// series the import reached only through a person's URL changed by the
// sessions showing that person. Nothing changed, nothing is listed.
func (a *API) importChanged(before, after map[string]int64, keys store.ImportChanges, slug string, res store.ImportResult, sc scope) []string {
	changed := []string{}
	widest, some := scopePosts, false
	for _, s := range slices.Sorted(maps.Keys(after)) {
		if after[s] == before[s] {
			continue
		}
		this := scopeSessions
		if s == slug {
			switch {
			case res.SeriesCreated+res.SeriesUpdated > 0:
				this = sc
			case len(keys[s]) == 0:
				this = scopePosts
			}
		}
		changed = append(changed, a.seriesURLs(s, keys[s], this)...)
		widest, some = max(widest, this), true
	}
	if some {
		changed = append(changed, a.allSeriesURLs(widest)...)
	}
	return changed
}

// revisionsWritten lists what moved between two revision maps: the new
// revision of each series that changed (or vanished: -1 is not used, it
// simply drops out) and the URLs that change: each series' own, by slug,
// then the all-series files once, as a write to one series lists them.
func (a *API) revisionsWritten(before, after map[string]int64, keys map[string][]string, sc scope) (map[string]int64, []string) {
	revs := map[string]int64{}
	changed := []string{}
	for _, slug := range slices.Sorted(maps.Keys(after)) {
		if after[slug] == before[slug] {
			continue
		}
		revs[slug] = after[slug]
		changed = append(changed, a.seriesURLs(slug, keys[slug], sc)...)
	}
	if len(revs) > 0 {
		changed = append(changed, a.allSeriesURLs(sc)...)
	}
	return revs, changed
}

func (a *API) personID(r *http.Request) (int64, error) {
	raw := r.PathValue("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, &store.NotFoundError{Kind: "person", Name: raw}
	}
	return id, nil
}

func (a *API) listPeople(r *http.Request) (*reply, error) {
	if err := checkQuery(r); err != nil {
		return nil, err
	}
	limit, offset, err := page(r)
	if err != nil {
		return nil, err
	}
	all, err := a.db.People(r.Context())
	if err != nil {
		return nil, err
	}
	items, more := pageOf(all, limit, offset)
	out := make([]personJSON, len(items))
	for i, p := range items {
		out[i] = toPersonJSON(p)
	}
	return listReply("people", out, r, limit, offset, more), nil
}

func (a *API) getPerson(r *http.Request) (*reply, error) {
	id, err := a.personID(r)
	if err != nil {
		return nil, err
	}
	p, err := a.db.Person(r.Context(), id)
	if err != nil {
		return nil, err
	}
	return &reply{etag: personETag(p), body: map[string]any{"person": toPersonJSON(p)}}, nil
}

func (a *API) personWritten(ctx context.Context, p agenda.Person, old *agenda.Person, before map[string]int64, status int) (*reply, error) {
	after, err := a.db.Revisions(ctx)
	if err != nil {
		return nil, err
	}
	// The person's name is in the events of the sessions they appear in,
	// so those sessions' own calendars change too.
	keys := map[string][]string{}
	for slug, rev := range after {
		if rev == before[slug] {
			continue
		}
		sessions, err := a.db.Sessions(ctx, store.SessionFilter{Series: slug})
		if err != nil {
			return nil, err
		}
		for _, s := range sessions {
			if slices.ContainsFunc(s.People, func(x agenda.Participant) bool { return x.ID == p.ID }) {
				keys[slug] = append(keys[slug], s.Key)
			}
		}
	}
	// The name is in the events; a new URL alone is only in the feeds and
	// pages (publishing.md). The index page shows no people.
	sc := scopeEvents
	if old != nil && old.Name == p.Name {
		sc = scopePosts
	}
	revs, changed := a.revisionsWritten(before, after, keys, sc)
	return &reply{status: status, etag: personETag(p), location: Prefix + "/people/" + strconv.FormatInt(p.ID, 10),
		body: map[string]any{"person": toPersonJSON(p), "revisions": revs, "changed": changed}}, nil
}

func (a *API) createPerson(r *http.Request) (*reply, error) {
	var in personJSON
	if err := a.decodeBody(r, personPatch.envelope, &in); err != nil {
		return nil, err
	}
	p := agenda.Person{Name: in.Name, Affiliation: in.Affiliation, URL: in.URL}
	p.Normalize()
	if err := p.Validate(); err != nil {
		return nil, err
	}
	ctx := r.Context()
	return a.locked(func() (*reply, error) {
		if err := a.personTaken(ctx, p.Name); err != nil {
			return nil, err
		}
		before, err := a.db.Revisions(ctx)
		if err != nil {
			return nil, err
		}
		// Create only (the condition is "nobody"): another process may
		// create the name after the check above, and the store refuses it
		// inside the write.
		out, err := a.db.PutPerson(ctx, p, &agenda.Person{})
		if err != nil {
			return nil, takenErr(err, func() error { return a.personTaken(ctx, p.Name) })
		}
		return a.personWritten(ctx, out, nil, before, http.StatusCreated)
	})
}

// personTaken is the 409 of a create whose name exists; nil if it does not.
func (a *API) personTaken(ctx context.Context, name string) error {
	all, err := a.db.People(ctx)
	if err != nil {
		return err
	}
	for _, cur := range all {
		if cur.Name == name {
			return errf(http.StatusConflict, "name", name, "person %q already exists (id %d); use PUT or PATCH to change it", cur.Name, cur.ID)
		}
	}
	return nil
}

// nameTaken is the 409 of a rename of cur to the name of another person,
// as a field error on name like a create's; nil if the name is cur's own
// or free. The name is compared as the store will hold it.
func (a *API) nameTaken(ctx context.Context, cur agenda.Person, name string) error {
	p := agenda.Person{Name: name}
	p.Normalize()
	if p.Name == cur.Name {
		return nil
	}
	all, err := a.db.People(ctx)
	if err != nil {
		return err
	}
	for _, other := range all {
		if other.Name == p.Name && other.ID != cur.ID {
			return errf(http.StatusConflict, "name", p.Name, "name: %q: person %d already has this name; choose another, or rename that person first", p.Name, other.ID)
		}
	}
	return nil
}

func (a *API) replacePerson(r *http.Request) (*reply, error) {
	var in personJSON
	if err := a.decodeBody(r, personPatch.envelope, &in); err != nil {
		return nil, err
	}
	return a.updatePerson(r, func(cur agenda.Person) (personJSON, error) {
		if in.ID != 0 && in.ID != cur.ID {
			return in, errf(http.StatusUnprocessableEntity, "id", strconv.FormatInt(in.ID, 10), "id: %d: expected %d or nothing; a person's id never changes", in.ID, cur.ID)
		}
		return in, nil
	})
}

func (a *API) patchPerson(r *http.Request) (*reply, error) {
	data, err := readBody(r, MaxBody, patchTypes)
	if err != nil {
		return nil, err
	}
	return a.updatePerson(r, func(cur agenda.Person) (personJSON, error) {
		var in personJSON
		err := applyPatch(data, toPersonJSON(cur), personPatch, &in, sentPathOf(r))
		return in, err
	})
}

// updatePerson is PUT and PATCH. A person has no counter in the store, so
// If-Match is checked against the content hash of the person read, and the
// store writes only if the person is still stored exactly as read, so an
// edit by another process meanwhile is not overwritten.
func (a *API) updatePerson(r *http.Request, build func(cur agenda.Person) (personJSON, error)) (*reply, error) {
	ctx, cond := r.Context(), conditionOf(r)
	id, err := a.personID(r)
	if err != nil {
		return nil, err
	}
	return a.locked(func() (*reply, error) {
		cur, err := a.db.Person(ctx, id)
		if err != nil {
			return nil, notFoundOnWrite(err, r, Prefix+"/people")
		}
		if err := cond.check(personETag(cur), fmt.Sprintf("person %d", id)); err != nil {
			return nil, err
		}
		in, err := build(cur)
		if err != nil {
			return nil, err
		}
		before, err := a.db.Revisions(ctx)
		if err != nil {
			return nil, err
		}
		if err := a.nameTaken(ctx, cur, in.Name); err != nil {
			return nil, err
		}
		out, err := a.db.PutPerson(ctx, agenda.Person{ID: id, Name: in.Name, Affiliation: in.Affiliation, URL: in.URL}, &cur)
		if err != nil {
			// Another process may have taken the name after the check.
			err = takenErr(err, func() error { return a.nameTaken(ctx, cur, in.Name) })
			return nil, staleErr(err, cond, personETag(cur), func() (string, error) {
				p, err := a.db.Person(ctx, id)
				return personETag(p), err
			})
		}
		return a.personWritten(ctx, out, &cur, before, 0)
	})
}

// importFile takes one agenda file, as `agendafeed import` does: YAML or
// JSON, validated whole, written all or nothing.
func (a *API) importFile(r *http.Request) (*reply, error) {
	data, err := readBody(r, importer.MaxFileSize, []string{"application/yaml", "application/x-yaml", "text/yaml", "application/json"})
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	return a.locked(func() (*reply, error) {
		// A series key the file leaves out keeps its stored value, so the
		// file is read against the series as stored, and written only if
		// it is still so (a CLI edit may come in between).
		stored, err := a.db.ListSeries(ctx)
		if err != nil {
			return nil, err
		}
		opts := a.imp
		opts.Stored = make(map[string]agenda.Series, len(stored))
		for _, s := range stored {
			opts.Stored[s.Slug] = s
		}
		f, err := importer.ParseFile("request", data, opts)
		if err != nil {
			return nil, err
		}
		snap := f.Snapshot
		doc := store.ImportDoc{Snapshot: snap, Locate: f.Locate, IfRevision: store.Absent}
		if s, ok := opts.Stored[snap.Series.Slug]; ok {
			doc.IfRevision = s.Revision
		}
		before, err := a.db.Revisions(ctx)
		if err != nil {
			return nil, err
		}
		old, err := a.db.Series(ctx, snap.Series.Slug)
		if err != nil && !errors.Is(err, agenda.ErrNotFound) {
			return nil, err
		}
		var prev *agenda.Series // nil: the import creates the series
		if err == nil {
			prev = &old
		}
		res, keys, err := a.db.ImportDocsChanges(ctx, []store.ImportDoc{doc})
		if err != nil {
			return nil, err
		}
		after, err := a.db.Revisions(ctx)
		if err != nil {
			return nil, err
		}
		cur, err := a.db.Series(ctx, snap.Series.Slug)
		if err != nil {
			return nil, err
		}
		changed := a.importChanged(before, after, keys, snap.Series.Slug, res, listScope(prev, cur))
		return &reply{body: map[string]any{
			"series":   snap.Series.Slug,
			"revision": after[snap.Series.Slug],
			"changed":  changed,
			// The counts agendafeed import prints (store.ImportResult.String).
			"imported": map[string]int{
				"series_created": res.SeriesCreated, "series_updated": res.SeriesUpdated, "series_unchanged": res.SeriesUnchanged,
				"sessions_created": res.SessionsCreated, "sessions_updated": res.SessionsUpdated,
				"sessions_unchanged": res.SessionsUnchanged, "sessions_left_alone": res.SessionsLeftAlone,
				"posts_created": res.PostsCreated, "posts_updated": res.PostsUpdated,
				"posts_unchanged": res.PostsUnchanged, "posts_left_alone": res.PostsLeftAlone,
			},
		}}, nil
	})
}
