package publish

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/feeds"
)

// checkManifestJSON fails unless appendJSON gives json.Marshal's bytes.
func checkManifestJSON(t *testing.T, m *Manifest) {
	t.Helper()
	want, werr := json.Marshal(m)
	got, gerr := m.appendJSON(nil)
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("json.Marshal error %v, appendJSON error %v", werr, gerr)
	}
	if werr == nil && !bytes.Equal(got, want) {
		t.Fatalf("appendJSON:\n%s\njson.Marshal:\n%s", got, want)
	}
	// The same bytes written in chunks, as save writes them.
	var buf bytes.Buffer
	cw := &chunkCounter{w: &buf}
	if err := m.writeJSON(cw); (err == nil) != (werr == nil) {
		t.Fatalf("json.Marshal error %v, writeJSON error %v", werr, err)
	}
	if werr == nil && !bytes.Equal(buf.Bytes(), want) {
		t.Fatalf("writeJSON (%d writes) differs from json.Marshal", cw.n)
	}
}

// chunkCounter counts the writes it passes on.
type chunkCounter struct {
	w io.Writer
	n int
}

func (c *chunkCounter) Write(b []byte) (int, error) { c.n++; return c.w.Write(b) }

// A manifest of a full pass's size is written in many chunks, which
// together are json.Marshal's bytes.
func TestManifestWrittenInChunks(t *testing.T) {
	m := bigManifest()
	checkManifestJSON(t, m)
	cw := &chunkCounter{w: io.Discard}
	if err := m.writeJSON(cw); err != nil {
		t.Fatal(err)
	}
	if cw.n < 20 {
		t.Errorf("written in %d writes; want one per %d bytes", cw.n, manifestChunk)
	}
}

func TestManifestJSON(t *testing.T) {
	madrid := time.FixedZone("CET", 3600)
	odd := time.FixedZone("LMT", -(17*60 + 32)) // not whole minutes: MarshalJSON refuses
	t0 := time.Date(2026, 11, 17, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		m    Manifest
	}{
		{"empty", Manifest{}},
		{"empty maps", *emptyManifest()},
		{"full", Manifest{
			Version:   42,
			Generated: t0.Add(123456789 * time.Nanosecond),
			Revisions: map[string]int64{"tunis": 3, "madrid": -1, "a": 0},
			Files: map[string]FileInfo{
				"madrid/calendar.ics": {ETag: `"ab12"`, Size: 141, Modified: t0.In(madrid), Revision: 7, Kind: feeds.Calendar, Series: "madrid"},
				"calendar.ics":        {ETag: `"cd"`, Size: 0, Modified: t0, Kind: feeds.Calendar},
				"feeds.opml":          {Kind: feeds.OPML},
			},
			Combined: true,
			Obsolete: []string{"madrid/sessions/gone.ics", "x"},
		}},
		{"strings JSON escapes", Manifest{
			Revisions: map[string]int64{"<b>&": 1, "é": 2, "\u2028": 3, "q\"\\": 4, "\x01": 5, "\xff": 6},
			Files:     map[string]FileInfo{"a<b>/c&d.ics": {ETag: "\xff\xfe", Series: "<script>", Kind: "x\ny"}},
			Obsolete:  []string{"\t", "ü"},
		}},
		{"zero and far times", Manifest{Generated: time.Time{}, Files: map[string]FileInfo{"a": {Modified: time.Date(9999, 12, 31, 23, 59, 59, 999999999, madrid)}}}},
		{"year out of range", Manifest{Generated: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}},
		{"offset with seconds", Manifest{Files: map[string]FileInfo{"a": {Modified: t0.In(odd)}}}},
	} {
		t.Run(tc.name, func(t *testing.T) { checkManifestJSON(t, &tc.m) })
	}
}

// A manifest of many files round-trips through loadManifest's decoder.
func TestManifestJSONRoundTrip(t *testing.T) {
	m := emptyManifest()
	m.Version = 9
	m.Generated = time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	for i := range 1000 {
		slug := fmt.Sprintf("series-%03d", i%50)
		m.Revisions[slug] = int64(i % 7)
		p := fmt.Sprintf("%s/sessions/s%04d.ics", slug, i)
		m.Files[p] = FileInfo{Path: p, ETag: fmt.Sprintf(`"%064x"`, i), Size: int64(i * 31), Modified: m.Generated.Add(time.Duration(i) * time.Second), Revision: int64(i), Kind: feeds.Calendar, ContentType: feeds.Calendar.ContentType(), Series: slug}
	}
	checkManifestJSON(t, m)
	dir := t.TempDir()
	if err := m.save(dir); err != nil {
		t.Fatal(err)
	}
	got, err := loadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	for p, fi := range m.Files {
		g := got.Files[p]
		if g.ETag != fi.ETag || g.Size != fi.Size || !g.Modified.Equal(fi.Modified) || g.Revision != fi.Revision || g.Kind != fi.Kind || g.Series != fi.Series || g.Path != p || g.ContentType != fi.ContentType {
			t.Fatalf("%s: loaded %+v, saved %+v", p, g, fi)
		}
	}
	if len(got.Files) != len(m.Files) || len(got.Revisions) != len(m.Revisions) || got.Version != m.Version || !got.Generated.Equal(m.Generated) {
		t.Errorf("loaded %d files, %d revisions, v%d, want %d, %d, v%d", len(got.Files), len(got.Revisions), got.Version, len(m.Files), len(m.Revisions), m.Version)
	}
}

func FuzzManifestJSON(f *testing.F) {
	f.Add("madrid/calendar.ics", "madrid", `"ab"`, "calendar", int64(1), int64(1763380800), int64(3600), true)
	f.Add("a<b>", "\u2028", "\xff", "x\"y", int64(-5), int64(-62135596800), int64(-1052), false)
	f.Fuzz(func(t *testing.T, path, series, etag, kind string, n, unix, off int64, combined bool) {
		tm := time.Unix(unix, n).In(time.FixedZone("z", int(off%100000)))
		m := &Manifest{
			Version:   n,
			Generated: tm,
			Revisions: map[string]int64{series: n, path: -n},
			Files:     map[string]FileInfo{path: {ETag: etag, Size: n, Modified: tm, Revision: n, Kind: feeds.Kind(kind), Series: series}},
			Combined:  combined,
			Obsolete:  []string{path, etag},
		}
		checkManifestJSON(t, m)
	})
}

// bigManifest is a full pass's manifest: 1,000 series of 100 sessions.
func bigManifest() *Manifest {
	m := emptyManifest()
	m.Generated = time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	add := func(p, slug string, k feeds.Kind) {
		m.Files[p] = FileInfo{Path: p, ETag: fmt.Sprintf(`"%064x"`, len(m.Files)), Size: 2200, Modified: m.Generated, Revision: 1, Kind: k, Series: slug}
	}
	for i := range 1000 {
		slug := fmt.Sprintf("series-%04d", i)
		m.Revisions[slug] = 1
		for _, k := range feeds.SeriesKinds() {
			add(slug+"/"+string(k), slug, k)
		}
		for j := range 100 {
			add(fmt.Sprintf("%s/sessions/s%03d.ics", slug, j), slug, feeds.Calendar)
		}
	}
	return m
}

// go test -run '^$' -bench ManifestEncode -benchmem ./internal/publish/
func BenchmarkManifestEncode(b *testing.B) {
	m := bigManifest()
	b.Run("appendJSON", func(b *testing.B) {
		for b.Loop() {
			if _, err := m.appendJSON(make([]byte, 0, 64+230*len(m.Files))); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("writeJSON", func(b *testing.B) {
		for b.Loop() {
			if err := m.writeJSON(io.Discard); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("json.Marshal", func(b *testing.B) {
		for b.Loop() {
			if _, err := json.Marshal(m); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func TestETagOfIs(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 1000 {
		var sum [32]byte
		for i := range sum {
			sum[i] = byte(rng.Uint32())
		}
		etag := ETagOf(sum[:])
		if !etagOfIs(etag, sum[:]) {
			t.Fatalf("etagOfIs(%s, its own sum) = false", etag)
		}
		other := sum
		other[rng.IntN(32)] ^= 1 << rng.IntN(8)
		if etagOfIs(etag, other[:]) {
			t.Fatalf("etagOfIs(%s, a sum one bit off) = true", etag)
		}
	}
	sum := sha256.Sum256([]byte("x"))
	etag := ETagOf(sum[:])
	for _, bad := range []string{"", `""`, etag[1:], etag[:len(etag)-1], strings.ToUpper(etag), "W/" + etag, etag[:1] + "0" + etag[2:]} {
		if etagOfIs(bad, sum[:]) {
			t.Errorf("etagOfIs(%q) = true", bad)
		}
	}
}
