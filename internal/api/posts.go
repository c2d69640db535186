package api

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/agendafeed/agendafeed/internal/agenda"
	"github.com/agendafeed/agendafeed/internal/store"
)

func (a *API) postWritten(ctx context.Context, p agenda.Post, before int64, status int) (*reply, error) {
	series, err := a.db.Series(ctx, p.Series)
	if err != nil {
		return nil, err
	}
	body := map[string]any{"post": toPostJSON(p), "revision": series.Revision, "changed": []string{}}
	if series.Revision != before {
		body["changed"] = a.changedURLs(p.Series, nil, scopePosts)
	}
	return &reply{status: status, etag: postETag(p),
		location: Prefix + "/series/" + p.Series + "/posts/" + url.PathEscape(p.ID), body: body}, nil
}

func (a *API) listPosts(r *http.Request) (*reply, error) {
	if err := checkQuery(r); err != nil {
		return nil, err
	}
	limit, offset, err := page(r)
	if err != nil {
		return nil, err
	}
	all, err := a.db.Posts(r.Context(), r.PathValue("slug"))
	if err != nil {
		return nil, err
	}
	items, more := pageOf(all, limit, offset)
	out := make([]postJSON, len(items))
	for i, p := range items {
		out[i] = toPostJSON(p)
	}
	return listReply("posts", out, r, limit, offset, more), nil
}

func (a *API) getPost(r *http.Request) (*reply, error) {
	p, err := a.db.Post(r.Context(), r.PathValue("slug"), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return &reply{etag: postETag(p), body: map[string]any{"post": toPostJSON(p)}}, nil
}

func (a *API) createPost(r *http.Request) (*reply, error) {
	var in postJSON
	if err := a.decodeBody(r, postPatch.envelope, &in); err != nil {
		return nil, err
	}
	ctx, slug := r.Context(), r.PathValue("slug")
	if err := samePostSeries(in, slug); err != nil {
		return nil, err
	}
	return a.locked(func() (*reply, error) {
		series, err := a.db.Series(ctx, slug)
		if err != nil {
			return nil, err
		}
		p, err := fromPostJSON(in, series.Zone)
		if err != nil {
			return nil, err
		}
		p.Series = slug
		id := strings.TrimSpace(p.ID)
		if err := a.postTaken(ctx, slug, id); err != nil {
			return nil, err
		}
		// Create only: another process may create the post after the
		// check above, and the store refuses it inside the write.
		out, err := a.db.PutPost(ctx, p, store.Absent)
		if err != nil {
			return nil, takenErr(err, func() error { return a.postTaken(ctx, slug, id) })
		}
		return a.postWritten(ctx, out, series.Revision, http.StatusCreated)
	})
}

// postTaken is the 409 of a create whose post exists; nil if it does not.
func (a *API) postTaken(ctx context.Context, slug, id string) error {
	cur, err := a.db.Post(ctx, slug, id)
	switch {
	case err == nil:
		return errf(http.StatusConflict, "id", cur.ID, "post %s/%s already exists (version %d); use PUT or PATCH to change it", slug, cur.ID, cur.Version)
	case errors.Is(err, agenda.ErrNotFound):
		return nil
	}
	return err
}

func samePostSeries(in postJSON, slug string) error {
	if s := strings.TrimSpace(in.Series); s != "" && s != slug {
		return errf(http.StatusUnprocessableEntity, "series", in.Series, "series: %q: expected %q, the series in the URL, or nothing", in.Series, slug)
	}
	return nil
}

func (a *API) replacePost(r *http.Request) (*reply, error) {
	var in postJSON
	if err := a.decodeBody(r, postPatch.envelope, &in); err != nil {
		return nil, err
	}
	return a.updatePost(r, func(cur agenda.Post) (postJSON, error) {
		if err := samePostSeries(in, cur.Series); err != nil {
			return in, err
		}
		if id := strings.TrimSpace(in.ID); id != "" && id != cur.ID {
			return in, errf(http.StatusUnprocessableEntity, "id", in.ID, "id: %q: expected %q or nothing; a post's id never changes", in.ID, cur.ID)
		}
		return in, nil
	})
}

func (a *API) patchPost(r *http.Request) (*reply, error) {
	data, err := readBody(r, MaxBody, patchTypes)
	if err != nil {
		return nil, err
	}
	return a.updatePost(r, func(cur agenda.Post) (postJSON, error) {
		var in postJSON
		err := applyPatch(data, toPostJSON(cur), postPatch, &in, sentPathOf(r))
		return in, err
	})
}

func (a *API) updatePost(r *http.Request, build func(cur agenda.Post) (postJSON, error)) (*reply, error) {
	ctx, slug, id, cond := r.Context(), r.PathValue("slug"), r.PathValue("id"), conditionOf(r)
	return a.locked(func() (*reply, error) {
		series, err := a.db.Series(ctx, slug)
		if err != nil {
			return nil, err
		}
		cur, err := a.db.Post(ctx, slug, id)
		if err != nil {
			return nil, notFoundOnWrite(err, r, Prefix+"/series/"+slug+"/posts")
		}
		if err := cond.check(postETag(cur), "post "+slug+"/"+id); err != nil {
			return nil, err
		}
		in, err := build(cur)
		if err != nil {
			return nil, err
		}
		p, err := fromPostJSON(in, series.Zone)
		if err != nil {
			return nil, err
		}
		p.Series, p.ID = cur.Series, cur.ID
		out, err := a.db.PutPost(ctx, p, cur.Version)
		if err != nil {
			return nil, staleErr(err, cond, postETag(cur), func() (string, error) {
				p, err := a.db.Post(ctx, slug, id)
				return postETag(p), err
			})
		}
		return a.postWritten(ctx, out, series.Revision, 0)
	})
}

func (a *API) deletePost(r *http.Request) (*reply, error) {
	ctx, slug, id, cond := r.Context(), r.PathValue("slug"), r.PathValue("id"), conditionOf(r)
	return a.locked(func() (*reply, error) {
		cur, err := a.db.Post(ctx, slug, id)
		if err != nil {
			return nil, err
		}
		if err := cond.check(postETag(cur), "post "+slug+"/"+id); err != nil {
			return nil, err
		}
		if err := a.db.DeletePost(ctx, slug, id, cur.Version); err != nil {
			return nil, staleErr(err, cond, postETag(cur), func() (string, error) {
				p, err := a.db.Post(ctx, slug, id)
				return postETag(p), err
			})
		}
		series, err := a.db.Series(ctx, slug)
		if err != nil {
			return nil, err
		}
		return &reply{body: map[string]any{
			"deleted":  map[string]any{"series": slug, "id": id},
			"revision": series.Revision,
			"changed":  a.changedURLs(slug, nil, scopePosts),
		}}, nil
	})
}
