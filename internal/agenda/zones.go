package agenda

import (
	"archive/zip"
	"bytes"
	_ "embed" // the zone database travels inside the binary
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/agendafeed/agendafeed/internal/suggest"
)

// zoneinfoZip is Go's own zone database ($GOROOT/lib/time/zoneinfo.zip, the
// same data time/tzdata embeds), kept in the repository. time.LoadLocation
// prefers the host's /usr/share/zoneinfo over the embedded copy, so a host
// with older or newer rules would change what a calendar says; reading
// zones from this file makes the binary's answer the same everywhere
// (DESIGN decision 1). Refresh it when Go's tzdata moves: see
// TestZoneDatabaseIsGos.
//
//go:embed zoneinfo.zip
var zoneinfoZip []byte

// zoneIndex is the archive's directory, read once. It is an immutable index
// of embedded, immutable data, not state: reading the directory on every
// call cost 1 ms and 2,400 allocations.
var zoneIndex = sync.OnceValues(func() (map[string]*zip.File, error) {
	zr, err := zip.NewReader(bytes.NewReader(zoneinfoZip), int64(len(zoneinfoZip)))
	if err != nil {
		return nil, fmt.Errorf("embedded zone database: %w", err)
	}
	idx := make(map[string]*zip.File, len(zr.File))
	for _, f := range zr.File {
		idx[f.Name] = f
	}
	return idx, nil
})

// LoadZone loads an IANA zone by name from the zone database embedded in
// the binary, never from the host. "Local", "" and names that do not look
// like IANA names are refused. Callers on hot paths cache the result: each
// call parses the zone's rules.
func LoadZone(name string) (*time.Location, error) {
	loc, _, err := loadZone(name)
	return loc, err
}

// LoadFastZone is LoadZone for zones that will be looked up many times (by
// a cache such as Zones): the same zone, with its transitions until
// fatUntil listed (see fatten). Loading costs ~1 ms instead of ~9 µs; a
// lookup in 2030 then costs ~17 ns instead of ~180 ns.
func LoadFastZone(name string) (*time.Location, error) {
	if loc, ok := fastZones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, data, err := loadZone(name)
	if err != nil || data == nil {
		return loc, err
	}
	if fat := fatten(loc, data); len(fat) != len(data) {
		if floc, err := time.LoadLocationFromTZData(name, fat); err == nil {
			loc = floc
		}
	}
	fastZones.Store(name, loc)
	return loc, nil
}

// fastZones memoizes LoadFastZone, a pure function of the embedded
// database, like zoneIndex: renderers that build a short-lived Zones per
// feed (one per series in a pass) would otherwise fatten the same zone a
// thousand times. It holds one entry per zone ever asked for (at most the
// database's ~600) and never changes one.
var fastZones sync.Map // name -> *time.Location

// SuggestZone returns the zone of the embedded database that name, which
// is not one, was most likely meant to be, or "" when none is close:
// first the zone whose name is the same ignoring case ("Europe/madrid") or
// within suggest.MaxEdits of it ("Europe/Madird"), else the zone whose
// city is ("Madrid", "new york"). Names are case-sensitive (the
// database is a set of files), so a user who writes the right name in the
// wrong case is told the right one rather than only refused.
func SuggestZone(name string) string {
	idx, err := zoneIndex()
	if err != nil || strings.TrimSpace(name) == "" {
		return ""
	}
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range idx {
			if !yield(n) {
				return
			}
		}
	})
	byLower := make(map[string]string, len(names))
	lower := make([]string, 0, len(names))
	for _, n := range names {
		l := strings.ToLower(n)
		byLower[l] = n
		lower = append(lower, l)
	}
	want := strings.ReplaceAll(strings.TrimSpace(name), " ", "_")
	if best := suggest.Closest(want, lower); best != "" {
		return byLower[best]
	}
	// The city alone: the last part of a name with a region. Of two zones
	// with one city (a link and its target), the first in order.
	byCity := map[string]string{}
	var cities []string
	for _, n := range names {
		i := strings.LastIndexByte(n, '/')
		if i < 0 {
			continue
		}
		c := strings.ToLower(n[i+1:])
		if _, ok := byCity[c]; !ok {
			byCity[c] = n
			cities = append(cities, c)
		}
	}
	// A city is short, and two edits from a short word reach too many
	// others ("Local" to Asia/Oral): one edit in four letters at most.
	if best := suggest.Closest(want, cities); best != "" && suggest.Distance(strings.ToLower(want), best) <= len(want)/4 {
		return byCity[best]
	}
	return ""
}

// ZoneHint is what an error about a zone name that does not load adds:
// `; did you mean "Europe/Madrid"?`, or "" when no zone is close.
func ZoneHint(name string) string {
	if best := SuggestZone(name); best != "" && best != name {
		return fmt.Sprintf("; did you mean %q?", best)
	}
	return ""
}

// loadZone returns the zone and the TZif data it was read from (nil for UTC).
func loadZone(name string) (*time.Location, []byte, error) {
	if name == "" || name == "Local" || len(name) > MaxZone || strings.ContainsAny(name, " \\\x00") || strings.HasPrefix(name, "/") || strings.Contains(name, "..") {
		return nil, nil, fmt.Errorf("unknown time zone %q", name)
	}
	if name == "UTC" {
		return time.UTC, nil, nil
	}
	idx, err := zoneIndex()
	if err != nil {
		return nil, nil, err
	}
	zf, ok := idx[name]
	if !ok {
		return nil, nil, fmt.Errorf("unknown time zone %q%s", name, ZoneHint(name))
	}
	f, err := zf.Open()
	if err != nil {
		return nil, nil, fmt.Errorf("read time zone %q: %w", name, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, 1<<20))
	if err != nil {
		return nil, nil, fmt.Errorf("read time zone %q: %w", name, err)
	}
	loc, err := time.LoadLocationFromTZData(name, data)
	if err != nil {
		return nil, nil, fmt.Errorf("time zone %q: %w", name, err)
	}
	return loc, data, nil
}

// Zones keeps the zones loaded so far, for renderers that resolve thousands
// of sessions over a handful of zones: loading one parses its rules, and a
// zone's rules do not change while the program runs. The zero value is
// ready; safe for concurrent use. Failed loads are not kept, so that every
// caller gets the error naming the zone.
type Zones struct {
	m sync.Map // name -> *time.Location
}

// Load returns the named zone, loading it with LoadFastZone the first time.
func (z *Zones) Load(name string) (*time.Location, error) {
	if loc, ok := z.m.Load(name); ok {
		return loc.(*time.Location), nil
	}
	// Kept for the cache's life, in the key and the location's name: a
	// copy, not a part of the snapshot text the name may come from.
	name = strings.Clone(name)
	loc, err := LoadFastZone(name)
	if err != nil {
		return nil, err
	}
	z.m.Store(name, loc)
	return loc, nil
}
