// Package page owns agendafeed's HTML pages: one agenda page per series
// (<slug>/index.html) and the index of every series (index.html).
//
// The renderers are pure: no clock (the caller passes Options.AsOf, the
// instant that splits upcoming from past sessions), no I/O beyond the writer,
// and the same input gives byte-identical output. Every page is one
// self-contained HTML document: inline CSS, one small inline script that adds
// each session's time in the reader's own zone, no request to another site,
// and a Content-Security-Policy that allows exactly that style and script by
// hash. Everything from the data is escaped by html/template, except a post's
// BodyHTML, which the store has already sanitised; its relative links are
// resolved against the series' page (markup.ResolveURLs), as in the feeds.
package page

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"reflect"
	"sync"
	"time"

	"github.com/agendafeed/agendafeed/feeds"
	"github.com/agendafeed/agendafeed/internal/agenda"
)

//go:embed templates
var templateFS embed.FS

// Options configures a rendering.
type Options struct {
	Layout feeds.Layout
	// AsOf splits upcoming from past sessions: a session is past once its
	// end is at or before AsOf. Renderers have no clock, so the caller
	// passes it (and a page regenerated later moves sessions along).
	AsOf time.Time
	// SiteTitle names the whole site, on the index and in og:site_name;
	// "" means "Agendas".
	SiteTitle string
}

func (o Options) siteTitle() string {
	if o.SiteTitle == "" {
		return "Agendas"
	}
	return o.SiteTitle
}

// Renderer holds the parsed templates, so that a publisher rendering many
// series parses them once. It is safe for concurrent use.
type Renderer struct {
	series *template.Template
	index  *template.Template
	// The same templates, as escaped by html/template, compiled for the
	// view types (see program).
	seriesProg *program
	indexProg  *program
	assets     assets
	// bufs holds output buffers between renderings: a page is rendered
	// whole before it is written, and a pass renders a thousand of them.
	bufs sync.Pool
	// scratch holds *pageScratch between series pages (see pageScratch).
	scratch sync.Pool
	// zones caches the time zones pages use.
	zones agenda.Zones
}

// assets are the inline style and script, with the Content-Security-Policy
// that admits exactly them.
type assets struct {
	Style  template.CSS
	Script template.JS
	CSP    string
}

// New parses the embedded templates and hashes the inline style and script
// for the Content-Security-Policy.
func New() (*Renderer, error) {
	style, err := templateFS.ReadFile("templates/style.css")
	if err != nil {
		return nil, fmt.Errorf("read style: %w", err)
	}
	script, err := templateFS.ReadFile("templates/localtime.js")
	if err != nil {
		return nil, fmt.Errorf("read script: %w", err)
	}
	a := assets{
		// Both files are ours, embedded at build time: trusted.
		Style:  template.CSS(style),
		Script: template.JS(script),
		CSP:    contentSecurityPolicy(style, script),
	}
	series, err := template.New("series.html").ParseFS(templateFS, "templates/base.html", "templates/series.html")
	if err != nil {
		return nil, fmt.Errorf("parse series template: %w", err)
	}
	index, err := template.New("index.html").ParseFS(templateFS, "templates/base.html", "templates/index.html")
	if err != nil {
		return nil, fmt.Errorf("parse index template: %w", err)
	}
	r := &Renderer{series: series, index: index, assets: a}
	// html/template escapes a template on its first execution; run each
	// once on an empty view, then compile what it made.
	if err := series.Execute(io.Discard, &seriesView{Assets: a}); err != nil {
		return nil, fmt.Errorf("escape series template: %w", err)
	}
	if err := index.Execute(io.Discard, &indexView{Assets: a}); err != nil {
		return nil, fmt.Errorf("escape index template: %w", err)
	}
	// The compiled program is an optimisation (html/template's reflection
	// costs ~1 us per printed value). It knows the escapers of the Go
	// releases it was written against; on a release whose escaped templates
	// it does not recognise, compileProgram refuses, and the page is
	// rendered by html/template itself: slower, the same bytes, never a
	// daemon that fails to start.
	if r.seriesProg, err = compileProgram(series, series.Name(), reflect.TypeFor[*seriesView]()); err != nil {
		r.seriesProg = nil
	}
	if r.indexProg, err = compileProgram(index, index.Name(), reflect.TypeFor[*indexView]()); err != nil {
		r.indexProg = nil
	}
	return r, nil
}

// contentSecurityPolicy allows the one inline style and the one inline
// script by their hashes and nothing else but images: post bodies may show
// pictures, and the favicon is a data: URL so that browsers do not ask for
// /favicon.ico.
func contentSecurityPolicy(style, script []byte) string {
	return "default-src 'none'; script-src '" + sha256Source(script) + "'; style-src '" + sha256Source(style) +
		"'; img-src 'self' https: data:; base-uri 'none'; form-action 'none'"
}

func sha256Source(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

// WriteSeries writes the agenda page of one series.
func (r *Renderer) WriteSeries(w io.Writer, snap agenda.Snapshot, opts Options) error {
	sc, _ := r.scratch.Get().(*pageScratch)
	if sc == nil {
		sc = new(pageScratch)
	}
	v, err := buildSeriesView(snap, opts, &r.zones, sc)
	if err != nil {
		return fmt.Errorf("series page %q: %w", snap.Series.Slug, err)
	}
	v.Assets = r.assets
	err = r.execute(w, r.seriesProg, r.series, v, "series page "+snap.Series.Slug)
	// The view points into the scratch: it is reused only now that the
	// page is written (and not at all if rendering panicked).
	if cap(sc.links.b) <= maxPooledBuffer {
		sc.release()
		r.scratch.Put(sc)
	}
	return err
}

// WriteIndex writes the page that lists every series.
func (r *Renderer) WriteIndex(w io.Writer, snaps []agenda.Snapshot, opts Options) error {
	v, err := buildIndexView(snaps, opts, &r.zones)
	if err != nil {
		return fmt.Errorf("index page: %w", err)
	}
	v.Assets = r.assets
	return r.execute(w, r.indexProg, r.index, v, "index page")
}

// execute renders into memory first, so that a failing template never
// leaves half a page in w.
func (r *Renderer) execute(w io.Writer, p *program, t *template.Template, data any, what string) error {
	if p == nil {
		var buf bytes.Buffer
		if err := t.Execute(&buf, data); err != nil {
			return fmt.Errorf("render %s: %w", what, err)
		}
		if _, err := w.Write(buf.Bytes()); err != nil {
			return fmt.Errorf("write %s: %w", what, err)
		}
		return nil
	}
	bp, _ := r.bufs.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	defer func() {
		// A buffer grown by an unusually large page is not kept.
		if cap(*bp) <= maxPooledBuffer {
			r.bufs.Put(bp)
		}
	}()
	buf, err := p.execute((*bp)[:0], data)
	*bp = buf
	if err != nil {
		return fmt.Errorf("render %s: %w", what, err)
	}
	if _, err := w.Write(buf); err != nil {
		return fmt.Errorf("write %s: %w", what, err)
	}
	return nil
}

// maxPooledBuffer bounds the output buffers kept for reuse (a 200-session
// page is about 1 MB).
const maxPooledBuffer = 4 << 20

// WriteSeries is New().WriteSeries, for callers that render one page.
func WriteSeries(w io.Writer, snap agenda.Snapshot, opts Options) error {
	r, err := New()
	if err != nil {
		return err
	}
	return r.WriteSeries(w, snap, opts)
}

// WriteIndex is New().WriteIndex, for callers that render one page.
func WriteIndex(w io.Writer, snaps []agenda.Snapshot, opts Options) error {
	r, err := New()
	if err != nil {
		return err
	}
	return r.WriteIndex(w, snaps, opts)
}
