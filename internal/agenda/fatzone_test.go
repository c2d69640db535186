package agenda

import (
	"io"
	"math/rand/v2"
	"testing"
	"time"
)

// Every zone of the embedded database, fattened, gives the same name,
// offset and DST flag as Go's own (slim) location at every transition,
// either side of it, and at random instants from 1800 to 2300.
func TestFattenedZonesAgree(t *testing.T) {
	idx, err := zoneIndex()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	lo, hi := time.Date(1800, 1, 1, 0, 0, 0, 0, time.UTC).Unix(), time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	fattened := 0
	day2015, day2040 := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC).Unix(), time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	for name, zf := range idx {
		f, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		slim, err := time.LoadLocationFromTZData(name, data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		fat := fatten(slim, data)
		if len(fat) == len(data) {
			continue
		}
		fattened++
		floc, err := time.LoadLocationFromTZData(name, fat)
		if err != nil {
			t.Fatalf("%s: fattened data does not load: %v", name, err)
		}
		check := func(sec int64) {
			a, b := time.Unix(sec, 0).In(slim), time.Unix(sec, 0).In(floc)
			an, ao := a.Zone()
			bn, bo := b.Zone()
			if an != bn || ao != bo || a.IsDST() != b.IsDST() {
				t.Fatalf("%s at %s: slim %s %d dst=%v, fattened %s %d dst=%v", name, a.UTC(),
					an, ao, a.IsDST(), bn, bo, b.IsDST())
			}
		}
		// Either side of every transition the fattened zone lists (past
		// fatUntil its rule is the slim zone's).
		for at := time.Unix(lo, 0).In(floc); at.Year() < fatUntil; {
			for _, d := range []int64{-3601, -1, 0, 1, 3601} {
				check(at.Unix() + d)
			}
			_, end := at.ZoneBounds()
			if end.IsZero() || !end.After(at) {
				break
			}
			at = end
		}
		// Every day of the years agendas live in, so that a change the
		// slim zone has and the fattened one missed cannot hide.
		for sec := day2015; sec < day2040; sec += 24 * 3600 {
			check(sec)
		}
		for range 300 {
			check(lo + rng.Int64N(hi-lo))
		}
	}
	if fattened < 100 {
		t.Errorf("only %d zones were fattened; expected most of the database", fattened)
	}
	// The zones renderers use every day are among them.
	for _, name := range []string{"Europe/Madrid", "America/New_York", "Australia/Sydney", "Pacific/Chatham"} {
		loc, err := LoadFastZone(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, end := time.Date(fatUntil-1, 1, 1, 0, 0, 0, 0, loc).ZoneBounds(); end.IsZero() {
			t.Errorf("%s: no transition in %d", name, fatUntil-1)
		}
	}
}

func BenchmarkZoneLookup2030(b *testing.B) {
	for _, fat := range []bool{false, true} {
		name := "slim"
		if fat {
			name = "fattened"
		}
		b.Run(name, func(b *testing.B) {
			idx, _ := zoneIndex()
			f, _ := idx["Europe/Madrid"].Open()
			data, _ := io.ReadAll(f)
			f.Close()
			loc, _ := time.LoadLocationFromTZData("Europe/Madrid", data)
			if fat {
				loc, _ = time.LoadLocationFromTZData("Europe/Madrid", fatten(loc, data))
			}
			t0 := time.Date(2030, 3, 1, 12, 0, 0, 0, time.UTC).Unix()
			b.ResetTimer()
			for i := range b.N {
				_, _ = time.Unix(t0+int64(i%1000)*86400, 0).In(loc).Zone()
			}
		})
	}
}

// FuzzFatten: whatever TZif data Go accepts, fatten neither panics nor
// produces data Go refuses, and the two locations agree at a few instants.
func FuzzFatten(f *testing.F) {
	idx, err := zoneIndex()
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range []string{"Europe/Madrid", "Asia/Hebron", "Pacific/Chatham", "Etc/GMT+3", "America/Sao_Paulo"} {
		r, err := idx[name].Open()
		if err != nil {
			f.Fatal(err)
		}
		data, _ := io.ReadAll(r)
		r.Close()
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tzLastTransition(data)
		slim, err := time.LoadLocationFromTZData("Fuzz/Zone", data)
		if err != nil {
			return
		}
		fat := fatten(slim, data)
		floc, err := time.LoadLocationFromTZData("Fuzz/Zone", fat)
		if err != nil {
			t.Fatalf("fattened data refused: %v", err)
		}
		for _, y := range []int{1900, 1990, 2025, 2030, 2069} {
			at := time.Date(y, 6, 1, 0, 0, 0, 0, time.UTC)
			an, ao := at.In(slim).Zone()
			bn, bo := at.In(floc).Zone()
			if an != bn || ao != bo {
				t.Fatalf("%d: slim %s %d, fattened %s %d", y, an, ao, bn, bo)
			}
		}
	})
}
