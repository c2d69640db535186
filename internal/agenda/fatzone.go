package agenda

import (
	"bytes"
	"encoding/binary"
	"time"
)

// Why fatten: Go's zone database is "slim": a zone lists its transitions only
// until its rules settled (1996 for Europe/Madrid) and describes every
// later one with a POSIX TZ rule. For an instant past the last listed
// transition, time.Location parses that rule again on every lookup (every
// Format, Date, Zone or In), which made zone lookups ~6% of a full
// regeneration pass. fatten lists the transitions explicitly until
// fatUntil, so that lookups are a binary search, and keeps the rule for
// later instants. The offsets, abbreviations and DST flags are those the
// slim location gives for every instant (TestFattenedZonesAgree).

// fatUntil is the year up to which transitions are listed: far past any
// agenda's sessions; later instants still get the rule.
const fatUntil = 2070

// probeStep is how far apart fatten probes a rule's offsets. Rule-based
// changes (DST starting and ending) are months apart, so a week cannot
// step over two of them; TestFattenedZonesAgree checks every day.
const probeStep = 7 * 24 * time.Hour

// bigBang is zic's first transition time: an instant before any listed,
// so that times before the zone's first real transition keep its first
// zone (LMT).
const bigBang = -1 << 59

// fatten returns TZif data for the zone loc was loaded from (data), with
// every transition up to fatUntil listed. It returns data unchanged when
// the zone has no rule for later instants (fixed zones, or zones whose
// transitions are all listed already).
func fatten(loc *time.Location, data []byte) []byte {
	fat, whens := buildFat(loc, data)
	if len(fat) == len(data) {
		return data
	}
	// Check the result against loc before anyone uses it: at and just
	// before every transition it lists, and yearly from 1800 to 2300. A
	// zone whose data re-encodes differently (odd abbreviations, say)
	// stays slim.
	floc, err := time.LoadLocationFromTZData(loc.String(), fat)
	if err != nil {
		return data
	}
	same := func(sec int64) bool { return sameZone(time.Unix(sec, 0).In(loc), time.Unix(sec, 0).In(floc)) }
	for _, w := range whens[1:] {
		if !same(w-1) || !same(w) {
			return data
		}
	}
	for y := 1800; y <= 2300; y++ {
		if !same(time.Date(y, 7, 1, 0, 0, 0, 0, time.UTC).Unix()) {
			return data
		}
	}
	return fat
}

// buildFat is fatten without the check; it also returns the transition
// times it listed (the first is bigBang).
func buildFat(loc *time.Location, data []byte) ([]byte, []int64) {
	footer := tzFooter(data)
	if footer == nil {
		return data, nil
	}
	var (
		types []ztype
		whens []int64
		idx   []byte
	)
	typeOf := func(t time.Time) (byte, bool) {
		name, off := t.Zone()
		z := ztype{name, off, t.IsDST()}
		for i, x := range types {
			if x == z {
				return byte(i), true
			}
		}
		if len(types) == 255 {
			return 0, false
		}
		types = append(types, z)
		return byte(len(types) - 1), true
	}
	t := time.Unix(bigBang, 0).In(loc)
	i, _ := typeOf(t)
	whens, idx = append(whens, bigBang), append(idx, i)
	limit := time.Date(fatUntil, 1, 1, 0, 0, 0, 0, time.UTC)
	// Listed transitions: ZoneBounds walks them exactly. Past them, the
	// rule's bounds stop at each year's end and ZoneBounds can answer the
	// instant itself; from there, probe every probeStep and find each
	// change to the second.
	add := func(at time.Time) bool {
		i, ok := typeOf(at)
		if ok && i != idx[len(idx)-1] {
			whens, idx = append(whens, at.Unix()), append(idx, i)
		}
		return ok
	}
	// Never stop before the zone's own last listed transition: past it Go
	// applies the rule, which may not describe the listed years (Hebron
	// lists irregular changes into the 2080s).
	if last, ok := tzLastTransition(data); ok && time.Unix(last, 0).After(limit) {
		limit = time.Unix(last+1, 0)
	}
	for {
		_, end := t.ZoneBounds()
		if end.IsZero() || !end.Before(limit) {
			return encodeTZif(types, whens, idx, footer, data), whens
		}
		if !end.After(t) {
			break
		}
		t = end
		if !add(t) {
			return data, nil
		}
	}
	for t.Before(limit) {
		next := t.Add(probeStep)
		if !sameZone(t, next) {
			lo, hi := t.Unix(), next.Unix() // lo is like t, hi is not
			for hi-lo > 1 {
				mid := lo + (hi-lo)/2
				if sameZone(t, time.Unix(mid, 0).In(loc)) {
					lo = mid
				} else {
					hi = mid
				}
			}
			next = time.Unix(hi, 0).In(loc)
			if !add(next) {
				return data, nil
			}
		}
		t = next
	}
	return encodeTZif(types, whens, idx, footer, data), whens
}

// sameZone reports whether a and b are in the same local time type: name,
// offset and DST flag.
func sameZone(a, b time.Time) bool {
	an, ao := a.Zone()
	bn, bo := b.Zone()
	return an == bn && ao == bo && a.IsDST() == b.IsDST()
}

// ztype is one local time type of a zone.
type ztype struct {
	name   string
	offset int
	dst    bool
}

// encodeTZif writes version 2 TZif data with the given transitions, or
// returns orig if they do not fit the format.
func encodeTZif(types []ztype, whens []int64, idx []byte, footer, orig []byte) []byte {
	var chars []byte
	at := map[string]byte{}
	for _, z := range types {
		if _, ok := at[z.name]; !ok {
			at[z.name] = byte(len(chars))
			chars = append(append(chars, z.name...), 0)
		}
	}
	if len(chars) > 255 {
		return orig
	}
	var b bytes.Buffer
	header := func(timecnt, typecnt, charcnt int) {
		b.WriteString("TZif2")
		b.Write(make([]byte, 15))
		for _, n := range []int{0, 0, 0, timecnt, typecnt, charcnt} {
			binary.Write(&b, binary.BigEndian, uint32(n))
		}
	}
	ttinfo := func(z ztype) {
		binary.Write(&b, binary.BigEndian, int32(z.offset))
		dst := byte(0)
		if z.dst {
			dst = 1
		}
		b.WriteByte(dst)
		b.WriteByte(at[z.name])
	}
	// Version 1 block: Go skips it for version 2 data; one zone keeps it
	// well-formed for other readers.
	header(0, 1, len(chars))
	ttinfo(types[idx[0]])
	b.Write(chars)
	// Version 2 block, 64-bit times.
	header(len(whens), len(types), len(chars))
	for _, w := range whens {
		binary.Write(&b, binary.BigEndian, w)
	}
	b.Write(idx)
	for _, z := range types {
		ttinfo(z)
	}
	b.Write(chars)
	b.WriteByte('\n')
	b.Write(footer)
	b.WriteByte('\n')
	return b.Bytes()
}

// tzFooter returns the POSIX TZ rule at the end of version 2+ TZif data,
// or nil if there is none.
func tzFooter(data []byte) []byte {
	if len(data) < 5 || string(data[:4]) != "TZif" || data[4] < '2' || data[len(data)-1] != '\n' {
		return nil
	}
	body := data[:len(data)-1]
	i := bytes.LastIndexByte(body, '\n')
	if i < 0 || i == len(body)-1 {
		return nil
	}
	return body[i+1:]
}

// tzLastTransition returns the last transition time listed in the 64-bit
// block of version 2+ TZif data.
func tzLastTransition(data []byte) (int64, bool) {
	counts := func(at int) ([6]int, bool) {
		var n [6]int
		if len(data) < at+44 {
			return n, false
		}
		for i := range n {
			n[i] = int(binary.BigEndian.Uint32(data[at+20+4*i:]))
		}
		return n, true
	}
	n, ok := counts(0)
	if !ok {
		return 0, false
	}
	// Skip the 32-bit block: times, indices, types, chars, leaps, std, ut.
	at := 44 + n[3]*4 + n[3] + n[4]*6 + n[5] + n[2]*8 + n[1] + n[0]
	if n, ok = counts(at); !ok || n[3] == 0 || len(data) < at+44+n[3]*8 {
		return 0, false
	}
	return int64(binary.BigEndian.Uint64(data[at+44+(n[3]-1)*8:])), true
}
