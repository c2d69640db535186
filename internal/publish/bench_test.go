package publish_test

import (
	"context"
	"testing"

	"github.com/agendafeed/agendafeed/internal/publish"
	"github.com/agendafeed/agendafeed/internal/publish/publishtest"
)

// BenchmarkPassNoChange1000Series: the pass the schedule runs most often.
// Target: ≤ 10 ms/op.
func BenchmarkPassNoChange1000Series(b *testing.B) {
	src := publishtest.NewGenSource(1000, 2)
	p, err := publish.New(publish.Options{Dir: b.TempDir(), Source: src, Renderer: &publishtest.Renderer{PerSession: 50}})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := p.Pass(context.Background(), false); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		res, err := p.Pass(context.Background(), false)
		if err != nil || res.SeriesRendered != 0 {
			b.Fatalf("%+v %v", res, err)
		}
	}
}

// BenchmarkFullPass100kSessions: a first pass over 1,000 series of 100
// sessions, about 300 bytes per session per format, into an empty
// directory (105,000 series files + 6 all-series files). Target: ≤ 5 s/op.
// Peak RSS is measured by bench/cmd/passbench.
func BenchmarkFullPass100kSessions(b *testing.B) {
	src := publishtest.NewGenSource(1000, 100)
	for b.Loop() {
		b.StopTimer()
		dir := b.TempDir()
		p, err := publish.New(publish.Options{Dir: dir, Source: src, Renderer: &publishtest.Renderer{PerSession: 300}})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		res, err := p.Pass(context.Background(), false)
		if err != nil || res.FilesWritten != 1000*105+6 {
			b.Fatalf("%+v %v", res, err)
		}
	}
}

// BenchmarkForcedPassNothingToWrite: a forced pass (a restart's first, the
// daily one) over 1,000 series of 100 sessions whose files are all
// published already: it renders every file, finds each unchanged, and
// hashes each on disk (verifyForced). Nothing is written.
func BenchmarkForcedPassNothingToWrite(b *testing.B) {
	src := publishtest.NewGenSource(1000, 100)
	p, err := publish.New(publish.Options{Dir: b.TempDir(), Source: src, Renderer: &publishtest.Renderer{PerSession: 300}})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := p.Pass(context.Background(), false); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		res, err := p.Pass(context.Background(), true)
		if err != nil || res.FilesWritten != 0 {
			b.Fatalf("%+v %v", res, err)
		}
	}
}
