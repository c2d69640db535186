// Package importer owns the agenda file format: one YAML (or JSON) file per
// series with its sessions and posts, read by Parse into an agenda.Snapshot
// and written back by Encode and EncodeJSON. Every value is validated by
// package agenda, so a file is accepted or rejected exactly as the CLI and
// the admin API would accept or reject the same values; this package adds
// only what a file needs: line numbers, key paths, strict keys and
// uniqueness within the file. The format is described in
// docs/agenda-format.md.
package importer

import (
	"bytes"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// MaxFileSize is the largest agenda file Parse reads: far more than any real
// series, small enough that an upload cannot exhaust memory.
const MaxFileSize = 10 << 20

// Options are what a file falls back on for the series keys it leaves out.
type Options struct {
	DefaultZone      string          // series.zone of a new series when the file has none
	DefaultLanguage  string          // series.language of a new series when the file has none
	DefaultReminders []time.Duration // series.reminders of a new series when the key is absent ([] means none)
	// Stored holds the series already in the database, by slug. A series
	// key the file leaves out keeps the stored series' value, as `series
	// edit` keeps the flags it is not given: a file of posts alone must not
	// reset the organizer, reminders or zone. Nil treats every series as new.
	Stored map[string]agenda.Series
	// Now is the clock the series' and each session's created and updated
	// are checked against (not in the future); nil is time.Now.
	Now func() time.Time
}

// Error is one problem in a file: `file:line: field: message`.
type Error struct {
	File  string
	Line  int    // 1-based line of the offending value (or of its parent when it is missing)
	Field string // key path such as sessions[1].start
	Msg   string // `"value": expected ...`, or a message without a value
}

func (e *Error) Error() string { return fmt.Sprintf("%s:%d: %s: %s", e.File, e.Line, e.Field, e.Msg) }

// Is makes every Error match agenda.ErrInvalid.
func (e *Error) Is(target error) bool { return target == agenda.ErrInvalid }

// Errors is every problem found in a file, in line order, one per line.
type Errors []*Error

func (es Errors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// Is makes Errors match agenda.ErrInvalid.
func (es Errors) Is(target error) bool { return target == agenda.ErrInvalid }

// Unwrap exposes the individual errors to errors.As.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// Parse reads one agenda file. name is used in messages and decides the
// syntax: a name ending in .json, or data starting with '{', is JSON;
// anything else is YAML. The file is accepted whole or not at all: every
// problem is reported at once as Errors, each `name:line: field: message`.
//
// The snapshot's sessions are ordered by start then key and its posts newest
// first then by id, as agenda.Snapshot promises. Of the store-set fields
// the file gives the series' Created and Updated and each session's
// Sequence, Created and Updated, as export writes them, so that re-creating
// a series from its export publishes the same bytes (feed ids, CREATED,
// DTSTAMP, LAST-MODIFIED, the feeds' updated times) and never lowers a
// session's SEQUENCE; the others (Revision, Version, BodyHTML, Person.ID,
// SessionUID) are left zero.
func Parse(name string, data []byte, opts Options) (agenda.Snapshot, error) {
	f, err := ParseFile(name, data, opts)
	if err != nil {
		return agenda.Snapshot{}, err
	}
	return f.Snapshot, nil
}

// File is an agenda file as ParseFile reads it: the snapshot Parse returns,
// and where each of its sessions and posts is in the file, so that errors
// found later (the store's, while writing) name the item as the file does.
type File struct {
	Snapshot agenda.Snapshot
	name     string
	// Index and line in the file of each of Snapshot.Sessions and .Posts.
	sessions, posts []origin
}

type origin struct{ index, line int }

// Locate names session or post i of the snapshot (kind "sessions" or
// "posts") as the file does: its path ("sessions[3]"), the file's name and
// the item's line. It fits store.ImportDoc.Locate.
func (f *File) Locate(kind string, i int) (path, file string, line int) {
	list := f.sessions
	if kind == "posts" {
		list = f.posts
	}
	if i < 0 || i >= len(list) {
		return fmt.Sprintf("%s[%d]", kind, i), "", 0
	}
	o := list[i]
	return fmt.Sprintf("%s[%d]", kind, o.index), f.name, o.line
}

// ParseFile is Parse, keeping where each session and post is in the file.
func ParseFile(name string, data []byte, opts Options) (*File, error) {
	if len(data) > MaxFileSize {
		return nil, Errors{{File: name, Line: 1, Field: "file",
			Msg: fmt.Sprintf("%d bytes is over the limit of %d bytes (10 MB); split the series into smaller files", len(data), MaxFileSize)}}
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var (
		root *yaml.Node
		err  *Error
	)
	if isJSON(name, data) {
		root, err = parseJSON(name, data)
	} else {
		root, err = parseYAML(name, data)
	}
	if err != nil {
		return nil, Errors{err}
	}
	d := &decoder{file: name, lines: map[string]int{}, bad: map[string]bool{}}
	f := d.decodeFile(root, opts)
	snap := d.validate(f)
	if len(d.errs) > 0 {
		slices.SortStableFunc(d.errs, func(a, b *Error) int { return a.Line - b.Line })
		return nil, d.errs
	}
	out := &File{name: name, sessions: make([]origin, len(snap.Sessions)), posts: make([]origin, len(snap.Posts))}
	for i := range out.sessions {
		out.sessions[i] = origin{i, d.line(fmt.Sprintf("sessions[%d]", i))}
	}
	for i := range out.posts {
		out.posts[i] = origin{i, d.line(fmt.Sprintf("posts[%d]", i))}
	}
	sortSnapshot(&snap, out.sessions, out.posts)
	out.Snapshot = snap
	return out, nil
}

func isJSON(name string, data []byte) bool {
	if strings.EqualFold(filepath.Ext(name), ".json") {
		return true
	}
	t := bytes.TrimLeft(data, " \t\r\n")
	return len(t) > 0 && t[0] == '{'
}

// sortSnapshot orders sessions by start instant then key, and posts newest
// first then by id, and their origins with them. It runs on a validated
// snapshot, so Interval succeeds.
func sortSnapshot(s *agenda.Snapshot, sessions, posts []origin) {
	type session struct {
		s     agenda.Session
		start time.Time
		o     origin
	}
	ss := make([]session, len(s.Sessions))
	for i := range s.Sessions {
		start, _, _ := s.Sessions[i].Interval()
		ss[i] = session{s.Sessions[i], start, sessions[i]}
	}
	slices.SortStableFunc(ss, func(a, b session) int {
		if c := a.start.Compare(b.start); c != 0 {
			return c
		}
		return strings.Compare(a.s.Key, b.s.Key)
	})
	for i := range ss {
		s.Sessions[i], sessions[i] = ss[i].s, ss[i].o
	}
	type post struct {
		p agenda.Post
		o origin
	}
	ps := make([]post, len(s.Posts))
	for i := range s.Posts {
		ps[i] = post{s.Posts[i], posts[i]}
	}
	slices.SortStableFunc(ps, func(a, b post) int {
		if c := b.p.Published.Compare(a.p.Published); c != 0 {
			return c
		}
		return strings.Compare(a.p.ID, b.p.ID)
	})
	for i := range ps {
		s.Posts[i], posts[i] = ps[i].p, ps[i].o
	}
}
