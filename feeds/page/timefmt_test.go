package page

import (
	"math/rand/v2"
	"testing"
	"time"
)

// The hand-written layouts give time.Format's bytes: for instants across
// four centuries and beyond, in zones with abbreviations, with numeric
// ones ("-03"), with none (FixedZone ""), and at odd offsets.
func TestTimeLayouts(t *testing.T) {
	var locs []*time.Location
	for _, name := range []string{"UTC", "Europe/Madrid", "America/Sao_Paulo", "Asia/Kathmandu", "Pacific/Chatham", "America/St_Johns", "Africa/Monrovia", "Europe/Dublin"} {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		locs = append(locs, loc)
	}
	locs = append(locs, time.FixedZone("", 0), time.FixedZone("", -(3*3600+30*60)), time.FixedZone("", 5*3600+45*60), time.FixedZone("X", 60))
	rng := rand.New(rand.NewPCG(1, 2))
	instants := []time.Time{
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-1, 6, 1, 12, 0, 0, 0, time.UTC),
		time.Date(2021, 11, 17, 11, 0, 0, 0, time.UTC), time.Date(2021, 10, 31, 1, 30, 0, 0, time.UTC),
	}
	for range 20000 {
		instants = append(instants, time.Unix(rng.Int64N(8e9)-2e9, int64(rng.IntN(1e9))))
	}
	for _, at := range instants {
		for _, loc := range locs {
			tt := at.In(loc)
			check := func(what, got, want string) {
				t.Helper()
				if got != want {
					t.Fatalf("%s of %v in %s: %q, want %q", what, at, loc, got, want)
				}
			}
			check("clock", string(appendClock(nil, tt)), tt.Format("15:04"))
			check("stamp", string(appendStamp(nil, tt, false)), tt.UTC().Format("2006-01-02T15:04:05Z"))
			check("compact stamp", string(appendStamp(nil, tt, true)), tt.UTC().Format("20060102T150405Z"))
			check("date", string(appendDate(nil, tt, false)), tt.Format("2006-01-02"))
			check("compact date", string(appendDate(nil, tt, true)), tt.Format("20060102"))
			check("day heading", string(appendDayHeading(nil, tt)), tt.Format("Monday 2 January 2006"))
			check("zone", zoneAbbrev(tt), tt.Format("MST"))
		}
	}
}
