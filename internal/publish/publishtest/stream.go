package publishtest

import (
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/agendafeed/agendafeed/internal/agenda"
	"github.com/agendafeed/agendafeed/internal/publish"
)

// StreamingRenderer is Renderer with a CombinedBuilder: its all-series
// files are the same bytes as Renderer's. The builder checks the
// publisher's side of the contract (every series in slug order, once; a
// spill file it may write to) and its outputs fail when it was broken.
type StreamingRenderer struct {
	Renderer
	// FailAdd makes Add fail for this slug, for tests.
	FailAdd string
	// PanicAdd makes Add panic for this slug: a panic on the pass's own
	// goroutine, with batches of files in flight.
	PanicAdd string
	// Adding, when set, is called with each slug Add is given, on the
	// pass's goroutine, before it is added.
	Adding func(slug string)
}

// NewCombined returns a builder that keeps the snapshots (a fake: the
// real renderers keep only what their files need).
func (r *StreamingRenderer) NewCombined(spill func() (*os.File, error)) publish.CombinedBuilder {
	return &combined{r: r, spill: spill}
}

type combined struct {
	r     *StreamingRenderer
	spill func() (*os.File, error)
	f     *os.File
	snaps []agenda.Snapshot
	err   error // the contract broken
}

func (c *combined) Add(snap agenda.Snapshot) error {
	slug := snap.Series.Slug
	if c.r.Adding != nil {
		c.r.Adding(slug)
	}
	if c.r.PanicAdd != "" && slug == c.r.PanicAdd {
		panic("builder exploded on " + slug)
	}
	if c.r.FailAdd != "" && slug == c.r.FailAdd {
		return fmt.Errorf("add %s: failing as asked", slug)
	}
	if n := len(c.snaps); n > 0 && c.snaps[n-1].Series.Slug >= slug && c.err == nil {
		c.err = fmt.Errorf("Add(%q) after Add(%q): not in slug order, or twice", slug, c.snaps[n-1].Series.Slug)
	}
	if c.f == nil {
		f, err := c.spill()
		if err != nil {
			return err
		}
		c.f = f
	}
	if _, err := io.WriteString(c.f, slug+"\n"); err != nil {
		return err
	}
	c.snaps = append(c.snaps, snap)
	return nil
}

func (c *combined) Outputs() []publish.Output {
	outs := slices.Clone(c.r.CombinedOutputs(c.snaps))
	for i := range outs {
		render := outs[i].Render
		outs[i].Render = func(w io.Writer) error {
			if c.err != nil {
				return c.err
			}
			return render(w)
		}
	}
	return outs
}

func (c *combined) Close() error {
	if c.f == nil {
		return nil
	}
	return c.f.Close()
}
