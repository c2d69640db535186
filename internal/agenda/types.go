package agenda

import (
	"strings"
	"time"
)

// Series is one event series: a city network's policy debates, a congress's
// side sessions, an online dialogue series. Each series is published as its
// own calendar and feeds.
type Series struct {
	Slug        string // a-z, 0-9 and '-', 1-64 characters; the key and the file name
	Title       string
	Description string
	Homepage    string          // http(s) URL, optional
	Zone        string          // IANA zone that sessions default to, e.g. Europe/Madrid
	Language    string          // BCP 47 tag, e.g. "en" or "es-ES"
	Reminders   []time.Duration // default reminders, before the start; may be empty
	Organizer   Organizer       // optional; Email makes calendars carry ORGANIZER
	Created     time.Time       // set by the store
	Updated     time.Time       // set by the store on every change to what the series publishes
	Revision    int64           // bumped by the store on every change to what the series publishes
}

// Organizer is the person or body that runs a series.
type Organizer struct {
	Name  string
	Email string
}

// Status is a session's scheduling status, as iCalendar's STATUS.
type Status string

// The statuses a session can have.
const (
	StatusConfirmed Status = "confirmed"
	StatusTentative Status = "tentative"
	StatusCancelled Status = "cancelled"
)

// Statuses lists every valid status, for messages and help texts.
var statuses = []Status{StatusConfirmed, StatusTentative, StatusCancelled}

// Role is what a person does in a session.
type Role string

// The roles a person can have in a session, as conference tools (pretalx,
// Indico) name them.
const (
	RoleModerator  Role = "moderator"
	RoleChair      Role = "chair"
	RoleHost       Role = "host"
	RoleKeynote    Role = "keynote"
	RoleSpeaker    Role = "speaker"
	RolePanelist   Role = "panelist"
	RolePresenter  Role = "presenter"
	RoleDiscussant Role = "discussant"
	RoleRapporteur Role = "rapporteur"
	RoleOrganizer  Role = "organizer"
)

var roles = []Role{RoleModerator, RoleChair, RoleHost, RoleKeynote, RoleSpeaker, RolePanelist,
	RolePresenter, RoleDiscussant, RoleRapporteur, RoleOrganizer}

// Roles returns every valid role, in display order.
func Roles() []Role { return append([]Role(nil), roles...) }

// Statuses returns every valid status.
func Statuses() []Status { return append([]Status(nil), statuses...) }

// Person is someone who appears in sessions. One person is one row, reused by
// every session they appear in; the name is the natural key.
type Person struct {
	ID          int64 // set by the store
	Name        string
	Affiliation string // title and affiliation line, e.g. "Mayor of Tunis"
	URL         string // optional
}

// Participant is a person's appearance in one session.
type Participant struct {
	Person
	Role Role
	// Affiliation (from Person) may differ per session: people change posts.
	// The store keeps the per-session line with the appearance and the latest
	// one with the person.
}

// Session is one event of a series.
// MaxSequence is the largest SEQUENCE iCalendar allows: RFC 5545 makes it
// an INTEGER, a signed 32-bit number. The store bumps a session's sequence
// no further, and every input refuses a larger one, so that whatever is
// stored is published and exported as a valid one, and an export imports.
const MaxSequence = 1<<31 - 1

type Session struct {
	UID    string // assigned once at creation, never changed: "<uuid>@<uid domain>"
	Series string // slug of the series
	Key    string // the organiser's own short id, unique within the series; the import key

	Title       string
	Description string // plain text

	// Timed sessions have Start and End wall times in Zone. All-day sessions
	// set AllDay and use StartDate..EndDate (both inclusive) instead.
	AllDay    bool
	Start     WallTime
	End       WallTime
	StartDate Date
	EndDate   Date
	Zone      string // IANA zone; defaults to the series' zone

	Venue     string
	Address   string
	OnlineURL string

	Status   Status
	People   []Participant // in display order
	Language string        // BCP 47; defaults to the series' language
	Tags     []string      // lower-case, sorted, unique
	URL      string        // the session's own page, optional

	Sequence int64     // bumped by the store on every material change, up to MaxSequence
	Created  time.Time // set by the store
	Updated  time.Time // set by the store on every change
}

// Clone returns a copy of s that shares no memory with it. A snapshot's
// strings may all be parts of one buffer (the store reads each series'
// sessions from one packed row), so something that keeps a session past
// its snapshot keeps a clone, not the whole buffer.
func (s Session) Clone() Session {
	c := s
	for _, f := range []*string{&c.UID, &c.Series, &c.Key, &c.Title, &c.Description, &c.Zone, &c.Venue, &c.Address, &c.OnlineURL, &c.Language, &c.URL} {
		*f = strings.Clone(*f)
	}
	c.Status = Status(strings.Clone(string(s.Status)))
	c.Start, c.End = s.Start.cloneText(), s.End.cloneText()
	if s.People != nil {
		c.People = make([]Participant, len(s.People))
		for i, p := range s.People {
			c.People[i] = Participant{
				Person: Person{ID: p.ID, Name: strings.Clone(p.Name), Affiliation: strings.Clone(p.Affiliation), URL: strings.Clone(p.URL)},
				Role:   Role(strings.Clone(string(p.Role))),
			}
		}
	}
	if s.Tags != nil {
		c.Tags = make([]string, len(s.Tags))
		for i, t := range s.Tags {
			c.Tags[i] = strings.Clone(t)
		}
	}
	return c
}

// Post is a news item of a series.
type Post struct {
	ID         string // slug, unique within the series; stable for ever
	Series     string
	Title      string
	Summary    string // plain text
	Body       string // Markdown
	BodyHTML   string // Body rendered and sanitised when the post was written; set by the store
	Author     string
	Published  time.Time // an instant
	Updated    time.Time // an instant; zero means "same as Published"
	URL        string
	SessionKey string // optional link to a session of the same series, by its key
	SessionUID string // the linked session's UID; resolved by the store from SessionKey
	Version    int64  // bumped by the store on every change; the post's ETag
}

// Snapshot is one series with everything it publishes, consistent at one
// revision. Sessions are ordered by start then key; posts by publication
// (newest first) then id.
type Snapshot struct {
	Series   Series
	Sessions []Session
	Posts    []Post
}
