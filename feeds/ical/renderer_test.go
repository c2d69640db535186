package ical

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// oddZones have irregular or unusual rules: DST abolished or moved, half-hour
// and negative DST, Ramadan breaks, fixed offsets.
var oddZones = []string{"Europe/Madrid", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "America/Sao_Paulo",
	"Africa/Casablanca", "Europe/Dublin", "Australia/Lord_Howe", "Pacific/Apia", "America/Santiago", "Asia/Tehran",
	"Europe/Moscow", "UTC", "Etc/GMT+5", "Antarctica/Troll", "Pacific/Chatham", "Asia/Kathmandu", "America/Havana"}

// TestZoneCacheMatchesObservances asks one zone cache for VTIMEZONEs of
// random spans (1900-2060, an hour to four years) in random order, so that
// its transition table grows mid-way and its memo is hit, and compares each
// with the block computed from scratch.
func TestZoneCacheMatchesObservances(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	n := 400
	if testing.Short() {
		n = 100
	}
	r := NewRenderer()
	hits := 0
	for _, zone := range oddZones {
		z := r.zone(zone)
		if z == nil {
			t.Fatalf("zone %s not loaded", zone)
		}
		seen := map[string]bool{}
		for k := range n {
			var first time.Time
			if k%3 == 0 { // near one another, to hit the memo
				first = time.Date(2024+rng.IntN(4), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), rng.IntN(24), 0, 0, 0, time.UTC)
			} else {
				first = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rng.Int64N(160*365*24)) * time.Hour)
			}
			last := first.Add(time.Duration(1+rng.Int64N(4*365*24)) * time.Hour)
			if k%2 == 0 {
				last = first.Add(time.Duration(1+rng.IntN(5)) * time.Hour)
			}
			got := z.vtimezone(first, last)
			var b bytes.Buffer
			w := bufio.NewWriter(&b)
			e := &encoder{w: w}
			e.vtimezone(zone, observances(z.loc, first, last))
			if err := e.flush(); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, b.Bytes()) {
				t.Fatalf("%s %s..%s: cached block differs\ncached:\n%s\nfresh:\n%s", zone, first, last, got, b.Bytes())
			}
			if seen[string(got)] {
				hits++
			}
			seen[string(got)] = true
		}
	}
	if hits == 0 {
		t.Error("no span gave a block seen before: the memo is not exercised")
	}
}

// multiZoneSnapshots are series whose sessions move through oddZones and
// 1985-2044, with all-day sessions, sessions in the series' zone, and
// sessions that last years.
func multiZoneSnapshots() []agenda.Snapshot {
	var out []agenda.Snapshot
	for zi, z := range oddZones[:8] {
		snap := benchSnapshot(120)
		snap.Series.Slug = fmt.Sprintf("s%d", zi)
		snap.Series.Zone = z
		for i := range snap.Sessions {
			s := &snap.Sessions[i]
			day := time.Date(1985+(i*7+zi)%60, time.Month(1+(i*5)%12), 1+(i*3)%28, 0, 0, 0, 0, time.UTC)
			s.Start = agenda.NewWallTime(day.Year(), day.Month(), day.Day(), 9+i%10, (i%4)*15, 0)
			s.End = agenda.NewWallTime(day.Year(), day.Month(), day.Day(), 10+i%10, (i%4)*15, 0)
			if i%11 == 0 {
				s.End = agenda.NewWallTime(day.Year()+i%3, day.Month(), day.Day(), 10+i%10, (i%4)*15, 0)
			}
			s.Zone = oddZones[(zi+i/7)%len(oddZones)]
			if i%13 == 0 {
				s.Zone = ""
			}
			if i%17 == 0 {
				s.AllDay = true
				s.StartDate = agenda.Date{Year: day.Year(), Month: day.Month(), Day: day.Day()}
				s.EndDate = s.StartDate.AddDays(i % 3)
			}
		}
		out = append(out, snap)
	}
	return out
}

// TestPreparedMatchesWrite renders every series of several corpora with a
// shared Renderer and a Prepared per series, sessions in random order, and
// compares each file with the package's functions (which the golden files
// pin), byte for byte.
func TestPreparedMatchesWrite(t *testing.T) {
	demo := demoSnapshot(t)
	snaps := append([]agenda.Snapshot{demo, otherSnapshot(t)}, multiZoneSnapshots()...)
	snaps = append(snaps, dstCorpus(t)...)
	opts := goldenOptions()
	r := NewRenderer()
	rng := rand.New(rand.NewPCG(3, 4))
	for _, snap := range snaps {
		p, err := r.Prepare(snap, opts)
		if err != nil {
			t.Fatalf("%s: %v", snap.Series.Slug, err)
		}
		var got, want bytes.Buffer
		if err := p.WriteSeries(&got); err != nil {
			t.Fatal(err)
		}
		if err := WriteSeries(&want, snap, opts); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Fatalf("%s: series calendar differs", snap.Series.Slug)
		}
		for _, i := range rng.Perm(len(snap.Sessions)) {
			key := snap.Sessions[i].Key
			got.Reset()
			want.Reset()
			if err := p.WriteSession(&got, key); err != nil {
				t.Fatal(err)
			}
			if err := WriteSession(&want, snap, key, opts); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Fatalf("%s/%s: session calendar differs\ngot:\n%s\nwant:\n%s", snap.Series.Slug, key, got.Bytes(), want.Bytes())
			}
		}
	}
	var got, want bytes.Buffer
	if err := r.WriteCombined(&got, snaps, opts); err != nil {
		t.Fatal(err)
	}
	if err := WriteCombined(&want, snaps, opts); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Fatal("combined calendar differs")
	}
}

// TestPreparedGolden checks the Prepared path against the golden files.
func TestPreparedGolden(t *testing.T) {
	p, err := NewRenderer().Prepare(demoSnapshot(t), goldenOptions())
	if err != nil {
		t.Fatal(err)
	}
	for name, write := range map[string]func(*bytes.Buffer) error{
		"series":  func(b *bytes.Buffer) error { return p.WriteSeries(b) },
		"session": func(b *bytes.Buffer) error { return p.WriteSession(b, "open-policy-debate") },
	} {
		var got bytes.Buffer
		if err := write(&got); err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join("testdata", name+".ics"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Errorf("%s: Prepared output differs from testdata/%s.ics", name, name)
		}
	}
}

func TestPreparedErrors(t *testing.T) {
	demo := demoSnapshot(t)
	r := NewRenderer()
	bad := demo
	bad.Sessions = append([]agenda.Session(nil), demo.Sessions...)
	bad.Sessions[3].Zone = "Mars/Olympus_Mons"
	if _, err := r.Prepare(bad, goldenOptions()); err == nil {
		t.Error("unknown zone: no error")
	}
	local := demo
	local.Sessions = append([]agenda.Session(nil), demo.Sessions...)
	local.Sessions[0].Zone = "Local"
	if _, err := r.Prepare(local, goldenOptions()); err == nil {
		t.Error("zone Local: no error")
	}
	p, err := r.Prepare(demo, goldenOptions())
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"no-such-key", ""} {
		var b bytes.Buffer
		if err := p.WriteSession(&b, key); !errors.Is(err, agenda.ErrNotFound) {
			t.Errorf("key %q: got %v, want ErrNotFound", key, err)
		}
		if b.Len() != 0 {
			t.Errorf("key %q: wrote %d bytes", key, b.Len())
		}
	}

	// A key twice (the store forbids it) puts both sessions in the
	// session calendar, as WriteSession does.
	dup := demo
	dup.Sessions = append([]agenda.Session(nil), demo.Sessions...)
	dup.Sessions[1].Key = dup.Sessions[0].Key
	p, err = r.Prepare(dup, goldenOptions())
	if err != nil {
		t.Fatal(err)
	}
	var got, want bytes.Buffer
	if err := p.WriteSession(&got, dup.Sessions[0].Key); err != nil {
		t.Fatal(err)
	}
	if err := WriteSession(&want, dup, dup.Sessions[0].Key, goldenOptions()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) || bytes.Count(got.Bytes(), []byte("BEGIN:VEVENT")) != 2 {
		t.Error("duplicated key: session calendar differs from WriteSession's")
	}
}

// TestRendererConcurrent renders from several goroutines through one
// Renderer and one Prepared (run with -race) and checks the bytes.
func TestRendererConcurrent(t *testing.T) {
	snaps := multiZoneSnapshots()[:4]
	opts := goldenOptions()
	want := map[string][]byte{}
	for _, snap := range snaps {
		for _, s := range snap.Sessions {
			var b bytes.Buffer
			if err := WriteSession(&b, snap, s.Key, opts); err != nil {
				t.Fatal(err)
			}
			want[snap.Series.Slug+"/"+s.Key] = b.Bytes()
		}
	}
	r := NewRenderer()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Go(func() {
			snap := snaps[g%len(snaps)]
			p, err := r.Prepare(snap, opts)
			if err != nil {
				errs <- err
				return
			}
			for i := range snap.Sessions {
				s := snap.Sessions[(i+g*7)%len(snap.Sessions)]
				var b bytes.Buffer
				if err := p.WriteSession(&b, s.Key); err != nil {
					errs <- err
					return
				}
				if !bytes.Equal(b.Bytes(), want[snap.Series.Slug+"/"+s.Key]) {
					errs <- fmt.Errorf("%s/%s differs", snap.Series.Slug, s.Key)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// A second Prepare of the same snapshot takes the first's work; any other
// snapshot, or other options, gets its own, with the bytes that snapshot
// and those options give.
func TestPrepareReusesSameSnapshot(t *testing.T) {
	r := NewRenderer()
	opts := goldenOptions()
	snap := demoSnapshot(t)
	first, err := r.Prepare(snap, opts)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := r.Prepare(snap, opts)
	if again != first {
		t.Error("the same snapshot and options were prepared again")
	}
	titled := opts
	titled.CombinedTitle = "Everything"
	if p, _ := r.Prepare(snap, titled); p.body == nil || &p.body[0] != &first.body[0] || p.opts.CombinedTitle != "Everything" {
		t.Error("another all-series title: events not shared, or the title not taken")
	}

	series := func(p *Prepared) []byte {
		var b bytes.Buffer
		if err := p.WriteSeries(&b); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	reread := snap
	reread.Sessions = slices.Clone(snap.Sessions) // equal, but read again
	renamed := snap
	renamed.Series.Title += " (renamed)" // same sessions, another series
	retimed := snap
	retimed.Sessions = slices.Clone(snap.Sessions)
	retimed.Sessions[0].Title = "Moved"
	other := opts
	other.Reminders, other.OverrideReminders = []time.Duration{time.Hour}, true
	for _, tc := range []struct {
		name string
		snap agenda.Snapshot
		opts Options
	}{
		{"read again", reread, opts},
		{"series changed", renamed, opts},
		{"session changed", retimed, opts},
		{"other reminders", snap, other},
	} {
		base, _ := r.Prepare(snap, opts) // what is remembered for the series
		p, err := r.Prepare(tc.snap, tc.opts)
		if err != nil {
			t.Fatal(err)
		}
		if p == base || p.body != nil && &p.body[0] == &base.body[0] {
			t.Errorf("%s: the remembered Prepared was taken", tc.name)
		}
		var want bytes.Buffer
		if err := WriteSeries(&want, tc.snap, tc.opts); err != nil {
			t.Fatal(err)
		}
		if got := series(p); !bytes.Equal(got, want.Bytes()) {
			t.Errorf("%s: series calendar differs from WriteSeries", tc.name)
		}
	}
}
