package publish

import "time"

// maxRemoved bounds how many removed paths removedDates names one by one;
// past it, the dates of further removals fold into one floor for every
// path. A pass that removes a thousand series of a hundred sessions
// removes ~105,000 files; at ~100 bytes an entry, this bounds the record
// at a few MB while the removals still matter.
const maxRemoved = 1 << 16

// removedDates remembers the Modified of files a pass removed, for as long
// as it matters: the manifest no longer lists them, and a path published
// again within the removed version's second (a session deleted and posted
// again) would otherwise get that version's Last-Modified, so that a
// client revalidating with If-Modified-Since alone got 304 for new bytes.
// An entry matters until the clock passes its second (nextModified then
// dates new bytes by the clock alone) or the path is listed again (the
// manifest then holds its date). Only passes touch it.
type removedDates struct {
	at map[string]time.Time
	// floor is the latest date of the removals past maxRemoved: any path
	// not listed is dated past it while it matters.
	floor time.Time
}

// add records that path, dated modified, is no longer published.
func (r *removedDates) add(path string, modified time.Time) {
	if modified.IsZero() {
		return
	}
	if prev, ok := r.at[path]; ok || len(r.at) < maxRemoved {
		if modified.After(prev) {
			if r.at == nil {
				r.at = map[string]time.Time{}
			}
			r.at[path] = modified
		}
		return
	}
	if modified.After(r.floor) {
		r.floor = modified
	}
}

// prev returns the date new bytes at path must be dated past (zero: none):
// the latest of a removed version's and the floor.
func (r *removedDates) prev(path string) time.Time {
	t := r.at[path]
	if r.floor.After(t) {
		t = r.floor
	}
	return t
}

// prune forgets the dates that no longer matter at now, and those of the
// paths listed again.
func (r *removedDates) prune(now time.Time, listed func(path string) bool) {
	matters := func(t time.Time) bool { return !nextModified(now, t).Equal(now.Truncate(time.Second)) }
	for path, t := range r.at {
		if !matters(t) || listed(path) {
			delete(r.at, path)
		}
	}
	if !r.floor.IsZero() && !matters(r.floor) {
		r.floor = time.Time{}
	}
}
