// Package api owns agendafeed's admin HTTP API under /api/v1/: JSON
// resources for series, sessions, people and posts (list, get, create,
// replace, merge-patch, delete, cancel), the import of agenda files, bearer
// token authentication, optimistic concurrency with ETag and If-Match, and
// the OpenAPI description of all of it.
//
// Every value that comes in is converted to the agenda types and validated
// by package agenda (through the store), so the API accepts and rejects
// exactly what the CLI and import files do, with the same messages. Errors
// become HTTP statuses in one place (writeError). One route table drives
// both the mux and the test that keeps openapi.json honest.
package api

import (
	"crypto/sha256"
	"crypto/subtle"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/agendafeed/agendafeed/config"
	"github.com/agendafeed/agendafeed/feeds"
	"github.com/agendafeed/agendafeed/internal/importer"
	"github.com/agendafeed/agendafeed/internal/store"
)

// Prefix is the path the API is mounted at. The server hands requests over
// with their full path, so the routes carry the prefix.
const Prefix = "/api/v1"

// ErrNoTokens is returned by New when no admin token is configured: an API
// nobody can call is left off rather than served.
var ErrNoTokens = errors.New("admin API off: no admin_tokens configured; create one with 'agendafeed token NAME' and add it to the config")

// Options configure the API.
type Options struct {
	Store   *store.DB
	Tokens  []config.Token
	Layout  feeds.Layout
	Trigger func() // asks for a (debounced) regeneration after a write; nil: none
	Import  importer.Options
	Logger  *slog.Logger // for internal errors only; never sees a token
	// Now is the clock the pages are made by, which tells the sessions
	// that may be the index page's next one; nil: time.Now.
	Now func() time.Time
}

//go:embed openapi.json
var openAPIDoc []byte

// docETag is the strong ETag of the OpenAPI document: its whole sha256,
// so that a binary with another document never answers 304 to a client
// holding the old one.
func docETag(doc []byte) string {
	sum := sha256.Sum256(doc)
	return `"o-` + hex.EncodeToString(sum[:]) + `"`
}

// access is what a route needs from the caller's token.
type access int

const (
	public access = iota // no token: the OpenAPI description
	readAccess
	writeAccess
)

// route is one endpoint. The table below registers the mux and is checked
// against openapi.json by the tests.
type route struct {
	method, path string
	access       access
	handle       func(a *API, r *http.Request) (*reply, error)
	summary      string
}

var routes = []route{
	{"GET", Prefix + "/openapi.json", public, (*API).openAPI, "This OpenAPI description"},

	{"GET", Prefix + "/series", readAccess, (*API).listSeries, "List series"},
	{"POST", Prefix + "/series", writeAccess, (*API).createSeries, "Create a series"},
	{"GET", Prefix + "/series/{slug}", readAccess, (*API).getSeries, "Get a series"},
	{"PUT", Prefix + "/series/{slug}", writeAccess, (*API).replaceSeries, "Replace a series"},
	{"PATCH", Prefix + "/series/{slug}", writeAccess, (*API).patchSeries, "Change a series (JSON merge patch)"},
	{"DELETE", Prefix + "/series/{slug}", writeAccess, (*API).deleteSeries, "Delete a series with its sessions and posts"},

	{"GET", Prefix + "/sessions", readAccess, (*API).listSessions, "List sessions"},
	{"POST", Prefix + "/sessions", writeAccess, (*API).createSession, "Create a session"},
	{"GET", Prefix + "/sessions/{uid}", readAccess, (*API).getSession, "Get a session by UID"},
	{"PUT", Prefix + "/sessions/{uid}", writeAccess, (*API).replaceSession, "Replace a session"},
	{"PATCH", Prefix + "/sessions/{uid}", writeAccess, (*API).patchSession, "Change a session (JSON merge patch)"},
	{"DELETE", Prefix + "/sessions/{uid}", writeAccess, (*API).deleteSession, "Delete a session"},
	{"POST", Prefix + "/sessions/{uid}/cancel", writeAccess, (*API).cancelSession, "Cancel a session"},

	{"GET", Prefix + "/series/{slug}/sessions", readAccess, (*API).listSessions, "List a series' sessions"},
	{"POST", Prefix + "/series/{slug}/sessions", writeAccess, (*API).createSession, "Create a session in a series"},
	{"GET", Prefix + "/series/{slug}/sessions/{key}", readAccess, (*API).getSession, "Get a session by series and key"},
	{"PUT", Prefix + "/series/{slug}/sessions/{key}", writeAccess, (*API).replaceSession, "Replace a session by series and key"},
	{"PATCH", Prefix + "/series/{slug}/sessions/{key}", writeAccess, (*API).patchSession, "Change a session by series and key (JSON merge patch)"},
	{"DELETE", Prefix + "/series/{slug}/sessions/{key}", writeAccess, (*API).deleteSession, "Delete a session by series and key"},
	{"POST", Prefix + "/series/{slug}/sessions/{key}/cancel", writeAccess, (*API).cancelSession, "Cancel a session by series and key"},

	{"GET", Prefix + "/series/{slug}/posts", readAccess, (*API).listPosts, "List a series' posts"},
	{"POST", Prefix + "/series/{slug}/posts", writeAccess, (*API).createPost, "Create a post"},
	{"GET", Prefix + "/series/{slug}/posts/{id}", readAccess, (*API).getPost, "Get a post"},
	{"PUT", Prefix + "/series/{slug}/posts/{id}", writeAccess, (*API).replacePost, "Replace a post"},
	{"PATCH", Prefix + "/series/{slug}/posts/{id}", writeAccess, (*API).patchPost, "Change a post (JSON merge patch)"},
	{"DELETE", Prefix + "/series/{slug}/posts/{id}", writeAccess, (*API).deletePost, "Delete a post"},

	{"GET", Prefix + "/people", readAccess, (*API).listPeople, "List people"},
	{"POST", Prefix + "/people", writeAccess, (*API).createPerson, "Create a person"},
	{"GET", Prefix + "/people/{id}", readAccess, (*API).getPerson, "Get a person"},
	{"PUT", Prefix + "/people/{id}", writeAccess, (*API).replacePerson, "Replace a person"},
	{"PATCH", Prefix + "/people/{id}", writeAccess, (*API).patchPerson, "Change a person (JSON merge patch)"},

	{"POST", Prefix + "/import", writeAccess, (*API).importFile, "Import an agenda file (YAML or JSON), all or nothing"},
}

// bodyLimit is the largest request body the route reads: an agenda file
// for the import, one resource otherwise.
func (rt route) bodyLimit() int64 {
	if rt.path == Prefix+"/import" {
		return importer.MaxFileSize
	}
	return MaxBody
}

// API is the admin API handler.
type API struct {
	db      *store.DB
	tokens  []tokenHash
	layout  feeds.Layout
	trigger func()
	imp     importer.Options
	log     *slog.Logger
	now     func() time.Time
	mux     *http.ServeMux
	paths   *http.ServeMux // method-less patterns, to tell 405 from 404

	// openAPIETag is the strong ETag of openapi.json, a constant of the
	// binary: hashed once here rather than on every request.
	openAPIETag string

	// writeMu serialises the API's writes. The store has one writer
	// anyway; holding the lock across read-check-write makes If-Match and
	// the "changed" list exact with respect to other API requests.
	writeMu sync.Mutex
}

type tokenHash struct {
	name  string
	sum   []byte
	write bool
}

// New returns the API handler, or ErrNoTokens when no token is configured.
func New(opts Options) (http.Handler, error) {
	if opts.Store == nil {
		return nil, errors.New("admin API: Options.Store is required")
	}
	if len(opts.Tokens) == 0 {
		return nil, ErrNoTokens
	}
	a := &API{db: opts.Store, layout: opts.Layout, trigger: opts.Trigger, imp: opts.Import, log: opts.Logger,
		mux: http.NewServeMux(), paths: http.NewServeMux(), openAPIETag: docETag(openAPIDoc)}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if a.now = opts.Now; a.now == nil {
		a.now = time.Now
	}
	if a.trigger == nil {
		a.trigger = func() {}
	}
	for i, t := range opts.Tokens {
		sum, err := hex.DecodeString(strings.ToLower(strings.TrimSpace(t.SHA256)))
		if err != nil || len(sum) != 32 {
			return nil, fmt.Errorf("admin API: admin_tokens[%d] (%s): sha256 is not 64 hex digits", i, t.Name)
		}
		acc := strings.ToLower(strings.TrimSpace(t.Access))
		if acc != config.AccessRead && acc != config.AccessWrite {
			return nil, fmt.Errorf("admin API: admin_tokens[%d] (%s): access %q: expected read or write", i, t.Name, t.Access)
		}
		a.tokens = append(a.tokens, tokenHash{name: t.Name, sum: sum, write: acc == config.AccessWrite})
	}
	allowed := map[string][]string{}
	var order []string
	for _, rt := range routes {
		a.mux.Handle(rt.method+" "+rt.path, a.endpoint(rt))
		if _, ok := allowed[rt.path]; !ok {
			order = append(order, rt.path)
		}
		allowed[rt.path] = append(allowed[rt.path], rt.method)
	}
	for _, p := range order {
		methods := allowed[p]
		a.paths.Handle(p, methodNotAllowed(methods))
	}
	a.mux.Handle(Prefix+"/", http.HandlerFunc(a.unknown))
	return a, nil
}

// ServeHTTP authenticates (except for public routes) and routes.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// The public document's path needs no token whatever the method, so
	// that another method gets its 405 with Allow, not a 401 that would
	// suggest a token could make it work.
	if r.URL.Path != Prefix+"/openapi.json" {
		tok, err := a.authenticate(r)
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		r = r.WithContext(withToken(r.Context(), tok))
	}
	a.mux.ServeHTTP(w, r)
}

// unknown answers requests that match no route: 405 with Allow when the
// path exists for other methods, else 404.
func (a *API) unknown(w http.ResponseWriter, r *http.Request) {
	if h, pattern := a.paths.Handler(r); pattern != "" {
		h.ServeHTTP(w, r)
		return
	}
	a.writeError(w, r, errf(http.StatusNotFound, "", "", "no such endpoint: %s %s; see %s/openapi.json", r.Method, r.URL.Path, Prefix))
}

func methodNotAllowed(methods []string) http.Handler {
	allow := strings.Join(slices.Concat(methods, []string{"HEAD"}), ", ")
	if !containsGET(methods) {
		allow = strings.Join(methods, ", ")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allow)
		writeErrorBody(w, http.StatusMethodNotAllowed, errorBody{Error: fmt.Sprintf("method %s not allowed on %s; allowed: %s", r.Method, r.URL.Path, allow)})
	})
}

func containsGET(ms []string) bool { return slices.Contains(ms, http.MethodGet) }

// authenticate finds the caller's token. Every configured hash is compared
// in constant time, without stopping at a match, so the time taken says
// nothing about which token (or how much of one) matched.
func (a *API) authenticate(r *http.Request) (*tokenHash, error) {
	h := r.Header.Get("Authorization")
	scheme, raw, ok := strings.Cut(h, " ")
	if h == "" {
		return nil, errUnauthorized("missing Authorization header; send 'Authorization: Bearer <token>'")
	}
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(raw) == "" {
		return nil, errUnauthorized("expected 'Authorization: Bearer <token>'")
	}
	sum := hashToken(strings.TrimSpace(raw))
	match := -1
	for i := range a.tokens {
		if subtle.ConstantTimeCompare(sum, a.tokens[i].sum) == 1 {
			match = i
		}
	}
	if match < 0 {
		return nil, errUnauthorized("unknown token")
	}
	return &a.tokens[match], nil
}

func hashToken(tok string) []byte {
	b, _ := hex.DecodeString(config.HashToken(tok))
	return b
}

// endpoint wraps a route's handler: access check, the reply or the error,
// and 304 for a GET whose If-None-Match names the current ETag.
func (a *API) endpoint(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rt.access == writeAccess {
			if tok := tokenFrom(r.Context()); tok == nil || !tok.write {
				name := ""
				if tok != nil {
					name = tok.name
				}
				a.writeError(w, r, errf(http.StatusForbidden, "", "", "token %q has read access; %s %s needs a write token", name, r.Method, rt.path))
				return
			}
		}
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, rt.bodyLimit())
		}
		r, sent := withSentPath(r)
		rep, err := rt.handle(a, r)
		if err != nil {
			a.writeError(w, r, sent.rename(err))
			return
		}
		a.writeReply(w, r, rep)
	})
}
