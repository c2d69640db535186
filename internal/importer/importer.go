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

// Options are the defaults a file falls back on, from the configuration.
type Options struct {
	DefaultZone      string          // series.zone when the file has none
	DefaultLanguage  string          // series.language when the file has none
	DefaultReminders []time.Duration // series.reminders when the key is absent ([] means none)
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
// first then by id, as agenda.Snapshot promises. Store-set fields (Created,
// Updated, Revision, Sequence, Version, BodyHTML, Person.ID, SessionUID)
// are left zero.
func Parse(name string, data []byte, opts Options) (agenda.Snapshot, error) {
	if len(data) > MaxFileSize {
		return agenda.Snapshot{}, Errors{{File: name, Line: 1, Field: "file",
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
		return agenda.Snapshot{}, Errors{err}
	}
	d := &decoder{file: name, lines: map[string]int{}, bad: map[string]bool{}}
	f := d.decodeFile(root, opts)
	snap := d.validate(f)
	if len(d.errs) > 0 {
		slices.SortStableFunc(d.errs, func(a, b *Error) int { return a.Line - b.Line })
		return agenda.Snapshot{}, d.errs
	}
	sortSnapshot(&snap)
	return snap, nil
}

func isJSON(name string, data []byte) bool {
	if strings.EqualFold(filepath.Ext(name), ".json") {
		return true
	}
	t := bytes.TrimLeft(data, " \t\r\n")
	return len(t) > 0 && t[0] == '{'
}

// sortSnapshot orders sessions by start instant then key, and posts newest
// first then by id. It runs on a validated snapshot, so Interval succeeds.
func sortSnapshot(s *agenda.Snapshot) {
	starts := make(map[string]time.Time, len(s.Sessions))
	for i := range s.Sessions {
		start, _, _ := s.Sessions[i].Interval()
		starts[s.Sessions[i].Key] = start
	}
	slices.SortStableFunc(s.Sessions, func(a, b agenda.Session) int {
		if c := starts[a.Key].Compare(starts[b.Key]); c != 0 {
			return c
		}
		return strings.Compare(a.Key, b.Key)
	})
	slices.SortStableFunc(s.Posts, func(a, b agenda.Post) int {
		if c := b.Published.Compare(a.Published); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}
