package page

import (
	"bytes"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// referenceSeries renders a series page with html/template's own Execute,
// which the compiled program must match byte for byte.
func referenceSeries(t testing.TB, r *Renderer, snap agenda.Snapshot, opts Options) string {
	t.Helper()
	v, err := buildSeriesView(snap, opts, &r.zones, new(pageScratch))
	if err != nil {
		t.Fatal(err)
	}
	v.Assets = r.assets
	var b bytes.Buffer
	if err := r.series.Execute(&b, v); err != nil {
		t.Fatalf("html/template: %v", err)
	}
	return b.String()
}

func referenceIndex(t testing.TB, r *Renderer, snaps []agenda.Snapshot, opts Options) string {
	t.Helper()
	v, err := buildIndexView(snaps, opts, &r.zones)
	if err != nil {
		t.Fatal(err)
	}
	v.Assets = r.assets
	var b bytes.Buffer
	if err := r.index.Execute(&b, v); err != nil {
		t.Fatalf("html/template: %v", err)
	}
	return b.String()
}

func checkMatchesTemplate(t testing.TB, r *Renderer, snap agenda.Snapshot, opts Options, got string) {
	t.Helper()
	if want := referenceSeries(t, r, snap, opts); got != want {
		t.Errorf("program and html/template differ; first difference near:\n%s", firstDiff([]byte(got), []byte(want)))
	}
}

// TestProgramMatchesTemplate renders pages through the compiled program and
// through html/template's Execute and wants the same bytes.
func TestProgramMatchesTemplate(t *testing.T) {
	r := newRenderer(t)
	opts := testOptions()
	later := opts
	later.AsOf = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	hostile := hostileSnapshot(t)
	hostile.Sessions[len(hostile.Sessions)-1].OnlineURL = "javascript:alert(1)"
	hostile.Sessions[len(hostile.Sessions)-1].People[0].URL = "javascript:window.__pwned=1"
	hostile.Sessions[len(hostile.Sessions)-1].URL = `https://example.org/"><script>alert(1)</script>`
	hostile.Sessions[len(hostile.Sessions)-1].Language = `fr"><b>`
	hostile.Series.Homepage = "https://example.org/a b?c=<d>&e='f'+g"
	hostile.Posts[len(hostile.Posts)-1].URL = "JAVASCRIPT:alert(1)"
	hostile.Posts[0].ID = `"><b>`
	empty := dialoguesSnapshot(t)
	empty.Sessions, empty.Posts = nil, nil
	realistic := realisticSnapshot(t, 30)
	tests := []struct {
		name string
		snap agenda.Snapshot
		opts Options
	}{
		{"debate", debateSnapshot(t), opts},
		{"debate later", debateSnapshot(t), later},
		{"hostile", hostile, opts},
		{"empty", empty, opts},
		{"dialogues", dialoguesSnapshot(t), opts},
		{"realistic", realistic, Options{Layout: opts.Layout, AsOf: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkMatchesTemplate(t, r, tt.snap, tt.opts, renderSeries(t, r, tt.snap, tt.opts))
		})
	}
	t.Run("index", func(t *testing.T) {
		snaps := []agenda.Snapshot{debateSnapshot(t), hostile, empty, dialoguesSnapshot(t), realistic}
		var b bytes.Buffer
		if err := r.WriteIndex(&b, snaps, opts); err != nil {
			t.Fatal(err)
		}
		if want := referenceIndex(t, r, snaps, opts); b.String() != want {
			t.Errorf("program and html/template differ; first difference near:\n%s", firstDiff(b.Bytes(), []byte(want)))
		}
	})
}

// Without the compiled programs (a Go release whose escapers compileProgram
// does not know), the page is rendered by html/template with the same bytes.
func TestTemplateFallback(t *testing.T) {
	r, err := New()
	if err != nil {
		t.Fatal(err)
	}
	slow := &Renderer{series: r.series, index: r.index, assets: r.assets}
	snap := debateSnapshot(t)
	opts := testOptions()
	var fast, fallback bytes.Buffer
	if err := r.WriteSeries(&fast, snap, opts); err != nil {
		t.Fatal(err)
	}
	if err := slow.WriteSeries(&fallback, snap, opts); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fast.Bytes(), fallback.Bytes()) {
		t.Error("the fallback renders different bytes")
	}
}
