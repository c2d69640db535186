package api

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/agendafeed/agendafeed/internal/agenda"
	"github.com/agendafeed/agendafeed/internal/store"
)

// The JSON resources use the agenda file format's field names
// (docs/agenda-format.md), plus read-only fields the store sets. On input,
// read-only fields are accepted (so that a GET body can be sent back as a
// PUT) and ignored; identity fields must agree with the URL. On output, an
// optional value that is not set is left out rather than sent as "": an
// empty string is not a valid email, URI or date, which is what the OpenAPI
// schema says those fields hold, and a left-out field decodes to the same
// zero value, so a GET body sent back as a PUT still changes nothing.

// seriesJSON is a series.
type seriesJSON struct {
	Slug        string         `json:"slug"`
	Title       string         `json:"title"`
	Description string         `json:"description,omitempty"`
	Homepage    string         `json:"homepage,omitempty"`
	Zone        string         `json:"zone,omitempty"`
	Language    string         `json:"language,omitempty"`
	Reminders   *[]string      `json:"reminders"` // absent or null: the configured default
	Organizer   *organizerJSON `json:"organizer,omitempty"`
	// Read-only.
	Revision int64  `json:"revision"`
	Created  string `json:"created,omitempty"`
	Updated  string `json:"updated,omitempty"`
}

type organizerJSON struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
}

var seriesPatch = patchFields{
	envelope: "series",
	writable: []string{"title", "description", "homepage", "zone", "language", "reminders", "organizer"},
	readOnly: []string{"slug", "revision", "created", "updated"},
	nested:   map[string][]string{"organizer": {"name", "email"}},
}

// sessionJSON is a session.
type sessionJSON struct {
	UID         string       `json:"uid,omitempty"`
	Series      string       `json:"series,omitempty"`
	Key         string       `json:"key"`
	Title       string       `json:"title"`
	Description string       `json:"description,omitempty"`
	Start       string       `json:"start,omitempty"`
	End         string       `json:"end,omitempty"`
	Zone        string       `json:"zone,omitempty"`
	AllDay      bool         `json:"all_day"`
	StartDate   string       `json:"start_date,omitempty"`
	EndDate     string       `json:"end_date,omitempty"`
	Venue       string       `json:"venue,omitempty"`
	Address     string       `json:"address,omitempty"`
	OnlineURL   string       `json:"online_url,omitempty"`
	Status      string       `json:"status"`
	Language    string       `json:"language,omitempty"`
	Tags        []string     `json:"tags"`
	URL         string       `json:"url,omitempty"`
	People      []peopleJSON `json:"people"`
	// Read-only.
	Sequence int64  `json:"sequence"`
	Created  string `json:"created,omitempty"`
	Updated  string `json:"updated,omitempty"`
}

// peopleJSON is one appearance in a session.
type peopleJSON struct {
	Name        string `json:"name"`
	Role        string `json:"role,omitempty"`
	Affiliation string `json:"affiliation,omitempty"`
	URL         string `json:"url,omitempty"`
}

var sessionPatch = patchFields{
	envelope: "session",
	writable: []string{"key", "title", "description", "start", "end", "zone", "all_day", "start_date", "end_date",
		"venue", "address", "online_url", "status", "language", "tags", "url", "people"},
	readOnly: []string{"uid", "series", "sequence", "created", "updated"},
}

// postJSON is a news post.
type postJSON struct {
	ID        string `json:"id"`
	Series    string `json:"series,omitempty"`
	Title     string `json:"title"`
	Summary   string `json:"summary,omitempty"`
	Author    string `json:"author,omitempty"`
	Published string `json:"published"`
	Updated   string `json:"updated,omitempty"`
	URL       string `json:"url,omitempty"`
	Session   string `json:"session,omitempty"` // the linked session's key
	Body      string `json:"body,omitempty"`
	// Read-only.
	BodyHTML   string `json:"body_html,omitempty"`
	SessionUID string `json:"session_uid,omitempty"`
	Version    int64  `json:"version"`
}

var postPatch = patchFields{
	envelope: "post",
	writable: []string{"title", "summary", "author", "published", "updated", "url", "session", "body"},
	readOnly: []string{"id", "series", "body_html", "session_uid", "version"},
}

// personJSON is a person.
type personJSON struct {
	ID          int64  `json:"id"` // read-only
	Name        string `json:"name"`
	Affiliation string `json:"affiliation,omitempty"`
	URL         string `json:"url,omitempty"`
}

var personPatch = patchFields{
	envelope: "person",
	writable: []string{"name", "affiliation", "url"},
	readOnly: []string{"id"},
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func toSeriesJSON(s agenda.Series) seriesJSON {
	rs := make([]string, len(s.Reminders))
	for i, r := range s.Reminders {
		rs[i] = agenda.FormatReminder(r)
	}
	out := seriesJSON{Slug: s.Slug, Title: s.Title, Description: s.Description, Homepage: s.Homepage, Zone: s.Zone,
		Language: s.Language, Reminders: &rs, Revision: s.Revision, Created: stamp(s.Created), Updated: stamp(s.Updated)}
	if s.Organizer != (agenda.Organizer{}) {
		out.Organizer = &organizerJSON{Name: s.Organizer.Name, Email: s.Organizer.Email}
	}
	return out
}

// series converts to an agenda.Series, filling what is absent from the
// defaults as an import file would.
func (a *API) fromSeriesJSON(in seriesJSON) (agenda.Series, error) {
	s := agenda.Series{Slug: in.Slug, Title: in.Title, Description: in.Description, Homepage: in.Homepage,
		Zone: in.Zone, Language: in.Language}
	if strings.TrimSpace(s.Zone) == "" {
		s.Zone = a.imp.DefaultZone
	}
	if strings.TrimSpace(s.Language) == "" {
		s.Language = a.imp.DefaultLanguage
	}
	if in.Organizer != nil {
		s.Organizer = agenda.Organizer{Name: in.Organizer.Name, Email: in.Organizer.Email}
	}
	var es agenda.Errors
	if in.Reminders == nil {
		s.Reminders = append([]time.Duration(nil), a.imp.DefaultReminders...)
	} else {
		s.Reminders = []time.Duration{}
		for i, raw := range *in.Reminders {
			r, err := agenda.ParseReminder(raw)
			if err != nil {
				es = append(es, &agenda.FieldError{Field: "reminders[" + itoa(i) + "]", Value: raw, Msg: err.Error()})
				continue
			}
			s.Reminders = append(s.Reminders, r)
		}
	}
	return s, es.Err()
}

func toSessionJSON(s agenda.Session) sessionJSON {
	out := sessionJSON{UID: s.UID, Series: s.Series, Key: s.Key, Title: s.Title, Description: s.Description,
		Start: s.Start.String(), End: s.End.String(), Zone: s.Zone, AllDay: s.AllDay,
		StartDate: s.StartDate.String(), EndDate: s.EndDate.String(), Venue: s.Venue, Address: s.Address,
		OnlineURL: s.OnlineURL, Status: string(s.Status), Language: s.Language, Tags: s.Tags, URL: s.URL,
		People: make([]peopleJSON, len(s.People)), Sequence: s.Sequence, Created: stamp(s.Created), Updated: stamp(s.Updated)}
	if out.Tags == nil {
		out.Tags = []string{}
	}
	for i, p := range s.People {
		out.People[i] = peopleJSON{Name: p.Name, Role: string(p.Role), Affiliation: p.Affiliation, URL: p.URL}
	}
	return out
}

// fromSessionJSON converts the fields; times and dates that do not parse
// are field errors in agenda's form. Everything else is validated by
// agenda (in the store), after Normalize fills the series' defaults.
func fromSessionJSON(in sessionJSON) (agenda.Session, error) {
	s := agenda.Session{UID: strings.TrimSpace(in.UID), Series: strings.TrimSpace(in.Series), Key: in.Key,
		Title: in.Title, Description: in.Description, Zone: in.Zone, AllDay: in.AllDay, Venue: in.Venue,
		Address: in.Address, OnlineURL: in.OnlineURL, Status: agenda.Status(in.Status), Language: in.Language,
		Tags: in.Tags, URL: in.URL}
	var es agenda.Errors
	for _, w := range []struct {
		field, raw string
		dst        *agenda.WallTime
	}{{"start", in.Start, &s.Start}, {"end", in.End, &s.End}} {
		raw := strings.TrimSpace(w.raw)
		if raw == "" {
			continue
		}
		t, err := agenda.ParseWallTime(raw)
		if err != nil {
			es = append(es, &agenda.FieldError{Field: w.field, Value: raw, Msg: err.Error()})
			continue
		}
		*w.dst = t
	}
	for _, d := range []struct {
		field, raw string
		dst        *agenda.Date
	}{{"start_date", in.StartDate, &s.StartDate}, {"end_date", in.EndDate, &s.EndDate}} {
		raw := strings.TrimSpace(d.raw)
		if raw == "" {
			continue
		}
		t, err := agenda.ParseDate(raw)
		if err != nil {
			es = append(es, &agenda.FieldError{Field: d.field, Value: raw, Msg: err.Error()})
			continue
		}
		*d.dst = t
	}
	for _, p := range in.People {
		s.People = append(s.People, agenda.Participant{Person: agenda.Person{Name: p.Name, Affiliation: p.Affiliation, URL: p.URL},
			Role: agenda.Role(p.Role)})
	}
	return s, es.Err()
}

func toPostJSON(p agenda.Post) postJSON {
	return postJSON{ID: p.ID, Series: p.Series, Title: p.Title, Summary: p.Summary, Author: p.Author,
		Published: instant(p.Published), Updated: instant(p.Updated), URL: p.URL, Session: p.SessionKey, Body: p.Body,
		BodyHTML: p.BodyHTML, SessionUID: p.SessionUID, Version: p.Version}
}

func instant(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339Nano)
}

// fromPostJSON converts a post. published and updated are RFC 3339 instants
// or dates meaning midnight in the series' zone, read as an import file
// reads them, with errors that quote them as sent.
func fromPostJSON(in postJSON, zone string) (agenda.Post, error) {
	p := agenda.Post{ID: in.ID, Series: strings.TrimSpace(in.Series), Title: in.Title, Summary: in.Summary,
		Author: in.Author, URL: in.URL, SessionKey: in.Session, Body: in.Body}
	var err error
	p.Published, p.Updated, err = agenda.ParsePostTimes(in.Published, in.Updated, zone)
	return p, err
}

func toPersonJSON(p agenda.Person) personJSON {
	return personJSON{ID: p.ID, Name: p.Name, Affiliation: p.Affiliation, URL: p.URL}
}

// ETags. Series and posts carry the store's own counters, which every
// change to what their bodies show bumps (a post's, when the session it
// links to is renamed or deleted) and which have no cap. A session's
// sequence is no such counter: it stops at agenda.MaxSequence, and a
// person's new URL or name shows in the session's people without bumping
// it. So a session's ETag, like a person's, is a hash of its
// representation: whatever changes the GET body changes the ETag, and
// nothing else does, across reads and restarts alike.
func seriesETag(s agenda.Series) string { return `"r-` + itoa64(s.Revision) + `"` }
func postETag(p agenda.Post) string     { return `"v-` + itoa64(p.Version) + `"` }

func sessionETag(s agenda.Session) string {
	// A struct of strings, numbers and lists of them always encodes.
	data, _ := json.Marshal(toSessionJSON(s))
	sum := sha256.Sum256(data)
	return `"s-` + hex.EncodeToString(sum[:8]) + `"`
}

// sessionUnchanged is the store condition of a write built from cur: the
// session as stored, inside the write's transaction, still has cur's ETag.
// The API's write lock already orders its own writes; this catches another
// process's, which a sequence at its cap would not.
func sessionUnchanged(cur agenda.Session) store.Match {
	before := sessionETag(cur)
	return func(now agenda.Session) error {
		if sessionETag(now) != before {
			return fmt.Errorf("session %s changed since it was read: %w", now.UID, agenda.ErrConflict)
		}
		return nil
	}
}
func personETag(p agenda.Person) string {
	sum := sha256.Sum256([]byte(p.Name + "\x00" + p.Affiliation + "\x00" + p.URL))
	return `"p-` + hex.EncodeToString(sum[:8]) + `"`
}

// notFoundOnWrite adds to the 404 of a PUT or PATCH that neither creates:
// HTTP lets a PUT create, so a client may expect it to; the message names
// the POST that does.
func notFoundOnWrite(err error, r *http.Request, createPath string) error {
	if (r.Method != http.MethodPut && r.Method != http.MethodPatch) || !errors.Is(err, agenda.ErrNotFound) {
		return err
	}
	return errf(http.StatusNotFound, "", "", "%s; %s changes an existing resource only: create it with POST %s", notFoundText(err), r.Method, createPath)
}
