package server

import (
	"bytes"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
)

// httpDate is what one second's responses need of the Date, built once
// per second and shared by them (never modified).
type httpDate struct {
	sec int64    // Unix seconds of the server's clock
	h   []string // sec as an HTTP date: the Date the net/http handler sends
	// lmSec is the latest Last-Modified the second's responses may send,
	// lm the same as an HTTP date: no later than the Date either front
	// end sends (see dateCache).
	lmSec int64
	lm    []string
	// retry is when (Unix nanoseconds) a lmSec behind sec is read again.
	retry int64
}

// dateRetry is how often fasthttp's Date is read again while it lags the
// server's second: it moves on some time into the second (a goroutine
// that sleeps a second refreshes it), and read only at the second's first
// request, it lagged nearly always, which dated every file published that
// second a second early, and fetched once more by clients that revalidate
// with If-Modified-Since alone. At most 20 reads a second, on no request
// path but the one that reads.
const dateRetry = 50 * time.Millisecond

// dateCache holds the latest second's httpDate.
//
// A Last-Modified must not be later than the response's Date (RFC 9110
// section 8.8.2.1). The listener's Date is fasthttp's, which ignores one
// set by the handler and refreshes its own from a goroutine that sleeps a
// second between refreshes: it lags the clock by up to a second, more
// under load. So the server reads the Date fasthttp sends (fasthttpDate),
// once a second and again while it lags (dateRetry), and sends no
// Last-Modified later than the one it read last; fasthttp's Date
// only moves forward, so the one it sends later is no earlier. Behind
// net/http the Date is the server's own (ServeHTTP sets it), and no
// earlier.
type dateCache struct {
	cur atomic.Pointer[httpDate]
	// fasthttp reads fasthttp's Date (fasthttpDate when nil); tests set
	// one that lags.
	fasthttp func() (sec int64, ok bool)
}

// at returns the httpDate for now: the cached one when it is of the same
// second (and, if fasthttp's Date lagged, was read less than dateRetry
// ago), else one built (and cached) for now's.
func (c *dateCache) at(now time.Time) *httpDate {
	sec := now.Unix()
	prev := c.cur.Load()
	if prev != nil && prev.sec == sec && (prev.lmSec == sec || now.UnixNano() < prev.retry) {
		return prev
	}
	d := &httpDate{sec: sec, lmSec: sec, retry: now.UnixNano() + int64(dateRetry)}
	if prev != nil && prev.sec == sec {
		d.h = prev.h
	} else {
		d.h = []string{formatSec(sec)}
	}
	read := c.fasthttp
	if read == nil {
		read = fasthttpDate
	}
	if fh, ok := read(); ok && fh < sec {
		d.lmSec = fh
	}
	d.lm = d.h
	if d.lmSec != sec {
		if prev != nil && prev.lmSec == d.lmSec {
			d.lm = prev.lm
		} else {
			d.lm = []string{formatSec(d.lmSec)}
		}
	}
	c.cur.Store(d) // a race stores an equal value, or the next second's
	return d
}

func formatSec(sec int64) string { return time.Unix(sec, 0).UTC().Format(http.TimeFormat) }

// fasthttpDate returns, in Unix seconds, the Date that fasthttp's server
// now sends, read from a header it writes: fasthttp does not export it.
// ok is false if it cannot be read (a fasthttp that writes no Date, or
// writes it otherwise); TestFasthttpDateIsRead checks that it can.
func fasthttpDate() (sec int64, ok bool) {
	var h fasthttp.ResponseHeader
	b := h.AppendBytes(nil)
	_, v, found := bytes.Cut(b, []byte("\r\nDate: "))
	if !found {
		return 0, false
	}
	v, _, _ = bytes.Cut(v, []byte("\r\n"))
	t, err := http.ParseTime(string(v))
	if err != nil {
		return 0, false
	}
	return t.Unix(), true
}
