package server

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// notModified evaluates If-None-Match (its field lines, which take
// precedence) and If-Modified-Since for a GET or HEAD, per RFC 9110
// section 13.
func notModified(inm []string, ims string, etag string, modTime time.Time) bool {
	if len(inm) > 0 {
		return etagMatch(inm, etag)
	}
	if ims != "" && !modTime.IsZero() {
		t, err := http.ParseTime(ims)
		return err == nil && !modTime.After(t)
	}
	return false
}

// preconditionFailed evaluates If-Match (its field lines) and, only
// without it, If-Unmodified-Since, as RFC 9110 section 13.2.2 orders them
// ahead of If-None-Match and If-Modified-Since: true means 412. If-Match
// compares strongly, so a weak tag never matches; a date that does not
// parse, or a representation without a date, leaves If-Unmodified-Since
// ignored, as section 13.1.4 says.
func preconditionFailed(im []string, ius string, etag string, modTime time.Time) bool {
	if len(im) > 0 {
		return !etagMatchStrong(im, etag)
	}
	if ius != "" && !modTime.IsZero() {
		t, err := http.ParseTime(ius)
		return err == nil && modTime.After(t)
	}
	return false
}

// etagMatch reports whether an If-None-Match field (possibly split over
// several lines) matches etag by weak comparison, or is "*". Entity tags
// are scanned as quoted strings, since an opaque tag may hold a comma.
func etagMatch(fields []string, etag string) bool { return etagListMatch(fields, etag, false) }

// etagMatchStrong is etagMatch by strong comparison, for If-Match.
func etagMatchStrong(fields []string, etag string) bool {
	return !strings.HasPrefix(etag, "W/") && etagListMatch(fields, etag, true)
}

func etagListMatch(fields []string, etag string, strong bool) bool {
	want := strings.TrimPrefix(etag, "W/")
	for _, f := range fields {
		for f != "" {
			f = strings.TrimLeft(f, " \t,")
			if f == "" {
				break
			}
			if f[0] == '*' {
				return true
			}
			weak := strings.HasPrefix(f, "W/")
			f = strings.TrimPrefix(f, "W/")
			if f == "" || f[0] != '"' {
				// Not an entity tag: skip to the next comma.
				i := strings.IndexByte(f, ',')
				if i < 0 {
					break
				}
				f = f[i+1:]
				continue
			}
			end := strings.IndexByte(f[1:], '"')
			if end < 0 {
				break
			}
			if f[:end+2] == want && !(strong && weak) {
				return true
			}
			f = f[end+2:]
		}
	}
	return false
}

// acceptsGzip reports whether Accept-Encoding allows gzip: named (or as
// x-gzip, or through "*" when gzip is not named) with a q-value above 0.
func acceptsGzip(fields []string) bool {
	star := false
	for _, f := range fields {
		if f == "gzip" || f == "gzip, deflate" || f == "gzip, deflate, br" {
			return true // the common spellings, without parsing
		}
		for f != "" {
			var part string
			part, f, _ = strings.Cut(f, ",")
			coding, params, _ := strings.Cut(part, ";")
			coding = strings.ToLower(strings.TrimSpace(coding))
			q := 1.0
			for params != "" {
				var p string
				p, params, _ = strings.Cut(params, ";")
				k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
				if strings.EqualFold(strings.TrimSpace(k), "q") {
					x, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
					if err != nil {
						x = 0
					}
					q = x
				}
			}
			switch coding {
			case "gzip", "x-gzip":
				return q > 0
			case "*":
				star = q > 0
			}
		}
	}
	return star
}
