package server

import (
	"container/list"
	"sync"
	"time"

	"github.com/agendafeed/agendafeed/feeds"
)

// lastMods dates the calendars rendered on request (subscriber variants,
// served sessions) by when their own bytes last changed, not by the series
// calendar they come from: it remembers, per calendar (its cache key less
// the revision), the ETag and Last-Modified of its last render. The caches
// key renders by revision, so the entry of a new revision knows nothing of
// the previous one; this does. Bounded by count, least recently dated out
// first.
type lastMods struct {
	now   func() time.Time
	mu    sync.Mutex
	max   int
	ll    *list.List
	items map[string]*list.Element
}

type lastMod struct {
	key, etag string
	mod       time.Time
}

func newLastMods(max int) *lastMods {
	return &lastMods{now: time.Now, max: max, ll: list.New(), items: map[string]*list.Element{}}
}

// date returns the Last-Modified of the bytes whose ETag is etag, just
// rendered for calendar key from a series calendar dated base. The
// previous render's date when the bytes are the same. New bytes: base, but
// at least a second past the previous render's date, so that a client
// revalidating with If-Modified-Since alone never gets 304 for bytes it
// does not have (a render reads the store as it is, ahead of base until a
// pass publishes the edit). A calendar with no previous render remembered
// (the first request since the start, or forgotten) is dated now, unless
// base is later: a client may hold an earlier render dated base (by this
// process or the one before) whose bytes differ. Dates are whole seconds.
func (d *lastMods) date(key, etag string, base time.Time) time.Time {
	base = base.UTC().Truncate(time.Second)
	d.mu.Lock()
	defer d.mu.Unlock()
	if el, ok := d.items[key]; ok {
		it := el.Value.(*lastMod)
		if it.etag != etag {
			it.etag = etag
			it.mod = it.mod.Add(time.Second)
			if base.After(it.mod) {
				it.mod = base
			}
		}
		d.ll.MoveToFront(el)
		return it.mod
	}
	mod := d.now().UTC().Truncate(time.Second)
	if base.After(mod) {
		mod = base
	}
	d.items[key] = d.ll.PushFront(&lastMod{key: key, etag: etag, mod: mod})
	for d.ll.Len() > d.max {
		el := d.ll.Back()
		d.ll.Remove(el)
		delete(d.items, el.Value.(*lastMod).key)
	}
	return mod
}

// memEntry is memEntry for a calendar rendered on request, id naming it
// whatever the revision, dated by date.
func (d *lastMods) memEntry(id string, b []byte, base time.Time) *entry {
	e := memEntry(b, feeds.Calendar.ContentType(), time.Time{})
	e.modTime = d.date(id, e.etag, base)
	return e
}
