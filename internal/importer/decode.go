package importer

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/agendafeed/agendafeed/internal/agenda"
	"github.com/agendafeed/agendafeed/internal/suggest"
)

// decoder walks the node tree into agenda values, remembering the line of
// every key path so that agenda's validation errors can be placed.
type decoder struct {
	file  string
	lines map[string]int  // key path -> line of its value
	bad   map[string]bool // key paths that failed to decode: validation errors on them are noise
	errs  Errors
}

// parsed is a decoded file before validation, with what validation needs to
// map its messages back to the file.
type parsed struct {
	snap agenda.Snapshot
	// File order of the tags and reminders, which Normalize sorts: an error
	// about tags[i] of the sorted list is reported at the file's item.
	// Unreadable reminders are -1.
	tags      [][]string
	reminders []time.Duration
	// The series keys the file sets: a key left out of a stored series
	// keeps its stored value.
	given map[string]bool
}

func (d *decoder) add(line int, field, msg string) {
	d.errs = append(d.errs, &Error{File: d.file, Line: line, Field: field, Msg: msg})
}

// unreadable reports a value that could not be decoded; validation errors
// about that field or its children are then left out as noise.
func (d *decoder) unreadable(n *yaml.Node, field, msg string) {
	d.add(n.Line, field, msg)
	d.bad[field] = true
}

// fail reports a bad value in agenda's `"value": message` form.
func (d *decoder) fail(n *yaml.Node, field, value, msg string) {
	fe := &agenda.FieldError{Field: field, Value: value, Msg: msg}
	d.unreadable(n, field, strings.TrimPrefix(fe.Error(), field+": "))
}

func (d *decoder) note(n *yaml.Node, path string) { d.lines[path] = n.Line }

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	if isNull(n) {
		return "null"
	}
	return "a single value"
}

// mapping calls f for each key of a mapping node, refusing keys not in keys,
// duplicate keys, aliases and non-mappings. A null node is an empty mapping.
func (d *decoder) mapping(n *yaml.Node, path string, keys []string, f func(key string, v *yaml.Node)) bool {
	d.note(n, path)
	if isNull(n) {
		return true
	}
	if n.Kind != yaml.MappingNode {
		d.unreadable(n, path, fmt.Sprintf("expected a mapping of keys (%s, ...), not %s", strings.Join(keys[:min(3, len(keys))], ", "), kindName(n)))
		return false
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.add(k.Line, path, "expected a key name, not "+kindName(k))
			continue
		}
		switch {
		case !slices.Contains(keys, k.Value):
			d.add(k.Line, path, unknownKey(k.Value, keys))
		case seen[k.Value] > 0:
			d.add(k.Line, join(path, k.Value), fmt.Sprintf("key given twice (first on line %d)", seen[k.Value]))
		case v.Kind == yaml.AliasNode || v.Anchor != "":
			d.unreadable(v, join(path, k.Value), "YAML anchors and aliases (&name, *name) are not supported; write the value out")
		default:
			seen[k.Value] = k.Line
			d.note(v, join(path, k.Value))
			f(k.Value, v)
		}
	}
	return true
}

// list calls f for each item of a sequence node. A null node is an empty list.
func (d *decoder) list(n *yaml.Node, path, what string, f func(i int, item *yaml.Node)) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.SequenceNode {
		d.unreadable(n, path, fmt.Sprintf("expected a list of %s, not %s", what, kindName(n)))
		return
	}
	for i, item := range n.Content {
		p := fmt.Sprintf("%s[%d]", path, i)
		if item.Kind == yaml.AliasNode || item.Anchor != "" {
			d.unreadable(item, p, "YAML anchors and aliases (&name, *name) are not supported; write the value out")
			continue
		}
		d.note(item, p)
		f(i, item)
	}
}

// text returns a scalar as text. Numbers, booleans and dates are taken as
// written ("title: 2021" is the text 2021); null is empty.
func (d *decoder) text(n *yaml.Node, path string) string {
	if n.Kind != yaml.ScalarNode {
		d.unreadable(n, path, "expected text, not "+kindName(n))
		return ""
	}
	switch n.ShortTag() {
	case "!!null":
		return ""
	case "!!str", "!!int", "!!float", "!!bool", "!!timestamp":
		return n.Value
	}
	d.unreadable(n, path, fmt.Sprintf("expected text, not a value tagged %s", n.Tag))
	return ""
}

// boolean reads true or false; null is false, as absent.
func (d *decoder) boolean(n *yaml.Node, path string) bool {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!bool" {
		b, err := strconv.ParseBool(strings.ToLower(n.Value))
		if err == nil {
			return b
		}
	}
	switch {
	case isNull(n):
		return false
	case n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str":
		// "yes", or "true" in quotes: text that reads like a boolean.
		d.fail(n, path, n.Value, "expected the boolean true or false, unquoted, not text")
	case n.Kind == yaml.ScalarNode:
		d.fail(n, path, n.Value, "expected true or false")
	default:
		d.unreadable(n, path, "expected true or false, not "+kindName(n))
	}
	return false
}

func (d *decoder) texts(n *yaml.Node, path string) []string {
	var out []string
	d.list(n, path, "text items", func(i int, item *yaml.Node) {
		out = append(out, d.text(item, fmt.Sprintf("%s[%d]", path, i)))
	})
	return out
}

// The keys of each mapping, in the order Encode writes them.
var (
	fileKeys      = []string{"series", "sessions", "posts"}
	seriesKeys    = []string{"slug", "title", "description", "homepage", "zone", "language", "reminders", "organizer", "created", "updated"}
	organizerKeys = []string{"name", "email"}
	sessionKeys   = []string{"key", "uid", "sequence", "created", "updated", "title", "description", "start", "end", "zone", "all_day", "start_date", "end_date",
		"venue", "address", "online_url", "status", "language", "tags", "url", "people"}
	personKeys = []string{"name", "role", "affiliation", "url"}
	postKeys   = []string{"id", "title", "summary", "author", "published", "updated", "url", "session", "body"}
)

func (d *decoder) decodeFile(root *yaml.Node, opts Options) *parsed {
	f := &parsed{}
	s := &f.snap
	s.Series = agenda.Series{Zone: opts.DefaultZone, Language: opts.DefaultLanguage}
	s.Series.Reminders = append([]time.Duration(nil), opts.DefaultReminders...)
	f.reminders = s.Series.Reminders
	var seriesNode, postsNode *yaml.Node
	if isNull(root) {
		d.unreadable(root, "series", "required: the file is empty; expected series:, sessions: and posts:")
		return f
	}
	d.mapping(root, "", fileKeys, func(key string, v *yaml.Node) {
		switch key {
		case "series":
			seriesNode = v
		case "sessions":
			d.list(v, "sessions", "sessions", func(i int, item *yaml.Node) {
				sess, tags := d.session(item, fmt.Sprintf("sessions[%d]", i), opts.Now)
				s.Sessions = append(s.Sessions, sess)
				f.tags = append(f.tags, tags)
			})
		case "posts":
			postsNode = v // posts need the series zone for date-only times
		}
	})
	if seriesNode == nil {
		if root.Kind == yaml.MappingNode && !d.bad["series"] {
			d.unreadable(root, "series", "required: a mapping with slug, title, zone, ...")
		}
		d.bad["series"] = true
		return f
	}
	d.series(seriesNode, f, opts.Now)
	keepStored(f, opts.Stored)
	if postsNode != nil {
		d.list(postsNode, "posts", "posts", func(i int, item *yaml.Node) {
			s.Posts = append(s.Posts, d.post(item, fmt.Sprintf("posts[%d]", i), s.Series.Zone))
		})
	}
	return f
}

// keepStored gives the keys the file leaves out of a stored series their
// stored values. It runs before posts are decoded and sessions normalised,
// so that a date-only post time and a session without a zone are read in
// the zone the series will have.
func keepStored(f *parsed, stored map[string]agenda.Series) {
	s := &f.snap.Series
	cur, ok := stored[strings.TrimSpace(s.Slug)]
	if !ok {
		return
	}
	for _, key := range seriesKeys {
		if f.given[key] {
			continue
		}
		switch key {
		case "description":
			s.Description = cur.Description
		case "homepage":
			s.Homepage = cur.Homepage
		case "zone":
			s.Zone = cur.Zone
		case "language":
			s.Language = cur.Language
		case "reminders":
			s.Reminders = slices.Clone(cur.Reminders)
			f.reminders = s.Reminders
		case "organizer":
			s.Organizer = cur.Organizer
		}
	}
}

func (d *decoder) series(n *yaml.Node, f *parsed, now func() time.Time) {
	s := &f.snap.Series
	f.given = map[string]bool{}
	var updated *yaml.Node
	d.mapping(n, "series", seriesKeys, func(key string, v *yaml.Node) {
		p := "series." + key
		// A key given sets the field, even to empty (description: "" clears
		// it), except where empty reads as absent below.
		f.given[key] = true
		switch key {
		case "slug":
			s.Slug = d.text(v, p)
		case "title":
			s.Title = d.text(v, p)
		case "description":
			s.Description = d.text(v, p)
		case "homepage":
			s.Homepage = d.text(v, p)
		// "" (or white space) is the key left out, as in the API: the
		// stored value, or the configured default for a new series.
		case "zone":
			if z := d.text(v, p); strings.TrimSpace(z) != "" {
				s.Zone = z
			} else {
				f.given[key] = false // a series always has a zone
			}
		case "language":
			if l := d.text(v, p); strings.TrimSpace(l) != "" {
				s.Language = l
			} else {
				f.given[key] = false // a series always has a language
			}
		case "reminders":
			if isNull(v) {
				f.given[key] = false
				break // as absent: the default reminders ([] means none)
			}
			s.Reminders = []time.Duration{}
			f.reminders = nil
			d.list(v, p, "reminders such as [15m, 1d]", func(i int, item *yaml.Node) {
				ip := fmt.Sprintf("%s[%d]", p, i)
				raw := d.text(item, ip)
				r, err := agenda.ParseReminder(raw)
				if err != nil {
					if !d.bad[ip] {
						d.fail(item, ip, raw, err.Error())
					}
					r = -1 // keeps the file's indices in f.reminders
				} else {
					s.Reminders = append(s.Reminders, r)
				}
				f.reminders = append(f.reminders, r)
			})
		case "created":
			s.Created = d.stamp(v, p, "when the series was created", now)
		case "updated":
			s.Updated, updated = d.stamp(v, p, "when the series last changed", now), v
		case "organizer":
			d.mapping(v, p, organizerKeys, func(key string, v *yaml.Node) {
				switch key {
				case "name":
					s.Organizer.Name = d.text(v, p+".name")
				case "email":
					s.Organizer.Email = d.text(v, p+".email")
				}
			})
		}
	})
	d.notBeforeCreated(updated, "series.updated", s.Created, s.Updated)
}

func (d *decoder) session(n *yaml.Node, path string, now func() time.Time) (agenda.Session, []string) {
	var s agenda.Session
	var tags []string
	var updated *yaml.Node
	d.mapping(n, path, sessionKeys, func(key string, v *yaml.Node) {
		p := path + "." + key
		switch key {
		case "key":
			s.Key = d.text(v, p)
		case "uid":
			s.UID = strings.TrimSpace(d.text(v, p))
		case "sequence":
			s.Sequence = d.sequence(v, p)
		case "created":
			s.Created = d.stamp(v, p, "when the session was created", now)
		case "updated":
			s.Updated, updated = d.stamp(v, p, "when the session last changed", now), v
		case "title":
			s.Title = d.text(v, p)
		case "description":
			s.Description = d.text(v, p)
		case "start":
			s.Start = d.wallTime(v, p)
		case "end":
			s.End = d.wallTime(v, p)
		case "zone":
			s.Zone = d.text(v, p)
		case "all_day":
			s.AllDay = d.boolean(v, p)
		case "start_date":
			s.StartDate = d.date(v, p)
		case "end_date":
			s.EndDate = d.date(v, p)
		case "venue":
			s.Venue = d.text(v, p)
		case "address":
			s.Address = d.text(v, p)
		case "online_url":
			s.OnlineURL = d.text(v, p)
		case "status":
			s.Status = agenda.Status(d.text(v, p))
		case "language":
			s.Language = d.text(v, p)
		case "tags":
			tags = d.texts(v, p)
			s.Tags = append([]string(nil), tags...)
		case "url":
			s.URL = d.text(v, p)
		case "people":
			d.list(v, p, "people", func(i int, item *yaml.Node) {
				s.People = append(s.People, d.person(item, fmt.Sprintf("%s[%d]", p, i)))
			})
		}
	})
	if d.bad[path+".all_day"] {
		// Unreadable: take it from the fields given, so that validation
		// does not add "start: required" to an all-day session (or
		// "start_date: only all-day sessions") for the one mistake.
		s.AllDay = s.Start.IsZero() && s.End.IsZero() && (s.StartDate != agenda.Date{} || s.EndDate != agenda.Date{})
	}
	d.notBeforeCreated(updated, path+".updated", s.Created, s.Updated)
	return s, tags
}

func (d *decoder) person(n *yaml.Node, path string) agenda.Participant {
	var pt agenda.Participant
	d.mapping(n, path, personKeys, func(key string, v *yaml.Node) {
		p := path + "." + key
		switch key {
		case "name":
			pt.Name = d.text(v, p)
		case "role":
			pt.Role = agenda.Role(d.text(v, p))
		case "affiliation":
			pt.Affiliation = d.text(v, p)
		case "url":
			pt.URL = d.text(v, p)
		}
	})
	return pt
}

func (d *decoder) post(n *yaml.Node, path, zone string) agenda.Post {
	var p agenda.Post
	// published and updated are read together, after the mapping, since
	// one is checked against the other; nodes places their errors.
	times := map[string]string{}
	nodes := map[string]*yaml.Node{}
	d.mapping(n, path, postKeys, func(key string, v *yaml.Node) {
		f := path + "." + key
		switch key {
		case "id":
			p.ID = d.text(v, f)
		case "title":
			p.Title = d.text(v, f)
		case "summary":
			p.Summary = d.text(v, f)
		case "author":
			p.Author = d.text(v, f)
		case "published", "updated":
			times[key], nodes[key] = d.text(v, f), v
		case "url":
			p.URL = d.text(v, f)
		case "session":
			p.SessionKey = d.text(v, f)
		case "body":
			p.Body = d.text(v, f)
		}
	})
	var err error
	p.Published, p.Updated, err = agenda.ParsePostTimes(times["published"], times["updated"], zone)
	var fes agenda.Errors
	if errors.As(err, &fes) {
		for _, fe := range fes {
			d.fail(nodes[fe.Field], path+"."+fe.Field, fe.Value, fe.Msg)
		}
	}
	// In a fixed zone of its offset, so that Encode writes back the
	// offset the file gave.
	for _, t := range []*time.Time{&p.Published, &p.Updated} {
		if !t.IsZero() {
			_, off := t.Zone()
			*t = t.In(time.FixedZone("", off))
		}
	}
	return p
}

const maxSequence = agenda.MaxSequence

// sequence reads a session's SEQUENCE: a whole number, 0 or more.
func (d *decoder) sequence(n *yaml.Node, path string) int64 {
	raw := strings.TrimSpace(d.text(n, path))
	if raw == "" || d.bad[path] {
		return 0
	}
	v, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || v < 0 || v > maxSequence {
		d.fail(n, path, raw, fmt.Sprintf("expected a whole number from 0 to %d, the session's SEQUENCE as export writes it", maxSequence))
		return 0
	}
	return v
}

// stamp reads one of the times the store sets, as export writes them: when
// a series or session was created, or last changed (meaning says which, for
// the message). An RFC 3339 instant, or a date (00:00 UTC), from 1900, not
// in the future. News feed entry ids carry a series' created date,
// calendars' CREATED and the session announcements' published date a
// session's, and DTSTAMP, LAST-MODIFIED and the feeds' updated times the
// last changes, so re-creating a series from its export keeps them.
func (d *decoder) stamp(n *yaml.Node, path, meaning string, now func() time.Time) time.Time {
	raw := strings.TrimSpace(d.text(n, path))
	if raw == "" || d.bad[path] {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, raw)
	if err != nil {
		t, err = time.Parse(time.DateOnly, raw)
	}
	if err != nil || t.Year() < 1900 {
		d.fail(n, path, raw, "expected an RFC 3339 instant such as 2021-11-12T09:00:00Z, or a date such as 2021-11-12, from 1900 on")
		return time.Time{}
	}
	if now == nil {
		now = time.Now
	}
	if t.After(now()) {
		d.fail(n, path, raw, "expected a time that is not in the future: "+meaning)
		return time.Time{}
	}
	return t.UTC().Truncate(time.Second)
}

// notBeforeCreated refuses a last change (n, at path) before the creation:
// nothing changes before it exists.
func (d *decoder) notBeforeCreated(n *yaml.Node, path string, created, updated time.Time) {
	if n == nil || created.IsZero() || updated.IsZero() || !updated.Before(created) {
		return
	}
	d.fail(n, path, strings.TrimSpace(n.Value),
		"expected a time not before created ("+created.Format(time.RFC3339)+"): when it last changed")
}

func (d *decoder) wallTime(n *yaml.Node, path string) agenda.WallTime {
	raw := strings.TrimSpace(d.text(n, path))
	if raw == "" {
		return agenda.WallTime{}
	}
	w, err := agenda.ParseWallTime(raw)
	if err != nil {
		d.fail(n, path, raw, err.Error())
	}
	return w
}

func (d *decoder) date(n *yaml.Node, path string) agenda.Date {
	raw := strings.TrimSpace(d.text(n, path))
	if raw == "" {
		return agenda.Date{}
	}
	dt, err := agenda.ParseDate(raw)
	if err != nil {
		d.fail(n, path, raw, err.Error())
	}
	return dt
}

// validate normalises and validates the decoded values with package
// agenda, checks what only a whole file can (unique keys, ids and UIDs;
// post links), and places each message at its line.
func (d *decoder) validate(f *parsed) agenda.Snapshot {
	s := &f.snap
	series := &s.Series
	series.Normalize()
	d.place(series.Validate(), "series", nil, f.reminders)
	keys := map[string]int{}
	uids := map[string]int{}
	type personURL struct{ path, url string }
	personURLs := map[string]personURL{}
	for i := range s.Sessions {
		sess := &s.Sessions[i]
		p := fmt.Sprintf("sessions[%d]", i)
		sess.Normalize(series)
		d.place(sess.Validate(), p, f.tags[i], nil)
		if j, dup := keys[sess.Key]; dup && sess.Key != "" {
			d.fail(d.node(p+".key"), p+".key", sess.Key, fmt.Sprintf("already used by sessions[%d]; keys must be unique in a series", j))
		} else {
			keys[sess.Key] = i
		}
		if j, dup := uids[sess.UID]; dup && sess.UID != "" {
			d.fail(d.node(p+".uid"), p+".uid", sess.UID, fmt.Sprintf("already used by sessions[%d]; UIDs must be unique", j))
		} else if sess.UID != "" {
			uids[sess.UID] = i
		}
		// A person is one row with one URL: two URLs for one name would
		// keep whichever is written last, and re-importing the same file
		// would swap it back and republish every time.
		for k, pt := range sess.People {
			if pt.URL == "" || pt.Name == "" {
				continue
			}
			pp := fmt.Sprintf("%s.people[%d]", p, k)
			if first, seen := personURLs[pt.Name]; !seen {
				personURLs[pt.Name] = personURL{pp, pt.URL}
			} else if first.url != pt.URL && !d.bad[pp+".url"] {
				d.fail(d.node(pp+".url"), pp+".url", pt.URL, fmt.Sprintf("%s has the URL %q at %s; a person has one URL, so give the same one (or none) everywhere", pt.Name, first.url, first.path))
			}
		}
		if len(sess.Tags) == 0 {
			sess.Tags = nil
		}
	}
	ids := map[string]int{}
	for i := range s.Posts {
		post := &s.Posts[i]
		p := fmt.Sprintf("posts[%d]", i)
		post.Normalize(series)
		d.place(post.Validate(), p, nil, nil)
		if j, dup := ids[post.ID]; dup && post.ID != "" {
			d.fail(d.node(p+".id"), p+".id", post.ID, fmt.Sprintf("already used by posts[%d]; post ids must be unique in a series", j))
		} else {
			ids[post.ID] = i
		}
		// A link is checked here when the file lists sessions; a file of
		// posts only leaves it to the store, which knows every session.
		if _, ok := keys[post.SessionKey]; post.SessionKey != "" && len(s.Sessions) > 0 && !ok && !d.bad[p+".session"] {
			d.fail(d.node(p+".session"), p+".session", post.SessionKey, "expected the key of a session in this file")
		}
	}
	if len(series.Reminders) == 0 {
		series.Reminders = nil
	}
	return *s
}

// node returns a stand-in node carrying the line of path.
func (d *decoder) node(path string) *yaml.Node { return &yaml.Node{Line: d.line(path)} }

// line finds the line of path, or of its nearest parent present in the file.
func (d *decoder) line(path string) int {
	for p := path; p != ""; p = parent(p) {
		if l, ok := d.lines[p]; ok {
			return l
		}
	}
	if l, ok := d.lines[""]; ok {
		return l
	}
	return 1
}

func parent(p string) string {
	i := strings.LastIndexAny(p, ".[")
	if i < 0 {
		return ""
	}
	return p[:i]
}

// place turns agenda's validation errors into file errors. agenda's field
// names are the file's keys, so only the prefix and the index of sorted
// lists (tags, reminders) need mapping back to the file.
func (d *decoder) place(err error, prefix string, tags []string, reminders []time.Duration) {
	if err == nil {
		return
	}
	var fes agenda.Errors
	if !errors.As(err, &fes) {
		d.add(d.line(prefix), prefix, err.Error())
		return
	}
	// Index by value once: a hostile file may have many bad tags.
	tagAt := map[string]int{}
	for i := len(tags) - 1; i >= 0; i-- {
		tagAt[agenda.NormalizeTags(tags[i : i+1])[0]] = i
	}
	reminderAt := map[string]int{}
	for i := len(reminders) - 1; i >= 0; i-- {
		reminderAt[agenda.FormatReminder(reminders[i])] = i
	}
	for _, fe := range fes {
		field := fe.Field
		if field == "series" && prefix != "series" {
			continue // the series slug's own error says it
		}
		if _, set := d.lines[join(prefix, field)]; !set && (field == "zone" || field == "language") && prefix != "series" {
			continue // inherited from the series, whose own error says it
		}
		switch {
		case strings.HasPrefix(field, "tags["):
			if i, ok := tagAt[fe.Value]; ok {
				field = fmt.Sprintf("tags[%d]", i)
			}
		case strings.HasPrefix(field, "reminders["):
			if i, ok := reminderAt[fe.Value]; ok {
				field = fmt.Sprintf("reminders[%d]", i)
			}
		}
		full := join(prefix, field)
		if d.bad[full] || d.bad[parent(full)] {
			continue // already reported as unreadable
		}
		fe := &agenda.FieldError{Field: full, Value: fe.Value, Msg: fe.Msg}
		d.add(d.line(full), full, strings.TrimPrefix(fe.Error(), full+": "))
	}
}

func join(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

// unknownKey names the closest known key when there is one, or lists them.
func unknownKey(k string, keys []string) string {
	if best := suggest.Closest(k, keys); best != "" {
		return fmt.Sprintf("unknown key %s; did you mean %q?", shortQuote(k), best)
	}
	return fmt.Sprintf("unknown key %s; expected one of %s", shortQuote(k), strings.Join(keys, ", "))
}

// maxShownKey bounds how much of an unknown key a message repeats.
const maxShownKey = 80

// shortQuote quotes k, cut to its first maxShownKey characters with its
// length after it when longer.
func shortQuote(k string) string {
	if utf8.RuneCountInString(k) <= maxShownKey {
		return strconv.Quote(k)
	}
	r := []rune(k)
	return fmt.Sprintf("%q… (%d characters)", string(r[:maxShownKey]), len(r))
}
