package importer

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// The file layout, in the order Encode writes it. Empty fields are left
// out, except series.reminders, where [] (none) differs from an absent key
// (the configured default).
type fileOut struct {
	Series   seriesOut    `yaml:"series" json:"series"`
	Sessions []sessionOut `yaml:"sessions,omitempty" json:"sessions,omitempty"`
	Posts    []postOut    `yaml:"posts,omitempty" json:"posts,omitempty"`
}

type seriesOut struct {
	Slug        string        `yaml:"slug" json:"slug"`
	Title       string        `yaml:"title" json:"title"`
	Description string        `yaml:"description,omitempty" json:"description,omitempty"`
	Homepage    string        `yaml:"homepage,omitempty" json:"homepage,omitempty"`
	Zone        string        `yaml:"zone,omitempty" json:"zone,omitempty"`
	Language    string        `yaml:"language,omitempty" json:"language,omitempty"`
	Reminders   []string      `yaml:"reminders,flow" json:"reminders"`
	Organizer   *organizerOut `yaml:"organizer,omitempty,flow" json:"organizer,omitempty"`
	Created     string        `yaml:"created,omitempty" json:"created,omitempty"`
	Updated     string        `yaml:"updated,omitempty" json:"updated,omitempty"`
}

type organizerOut struct {
	Name  string `yaml:"name,omitempty" json:"name,omitempty"`
	Email string `yaml:"email,omitempty" json:"email,omitempty"`
}

type sessionOut struct {
	Key         string      `yaml:"key" json:"key"`
	UID         string      `yaml:"uid,omitempty" json:"uid,omitempty"`
	Sequence    int64       `yaml:"sequence,omitempty" json:"sequence,omitempty"`
	Created     string      `yaml:"created,omitempty" json:"created,omitempty"`
	Updated     string      `yaml:"updated,omitempty" json:"updated,omitempty"`
	Title       string      `yaml:"title" json:"title"`
	Description string      `yaml:"description,omitempty" json:"description,omitempty"`
	Start       string      `yaml:"start,omitempty" json:"start,omitempty"`
	End         string      `yaml:"end,omitempty" json:"end,omitempty"`
	Zone        string      `yaml:"zone,omitempty" json:"zone,omitempty"`
	AllDay      bool        `yaml:"all_day,omitempty" json:"all_day,omitempty"`
	StartDate   string      `yaml:"start_date,omitempty" json:"start_date,omitempty"`
	EndDate     string      `yaml:"end_date,omitempty" json:"end_date,omitempty"`
	Venue       string      `yaml:"venue,omitempty" json:"venue,omitempty"`
	Address     string      `yaml:"address,omitempty" json:"address,omitempty"`
	OnlineURL   string      `yaml:"online_url,omitempty" json:"online_url,omitempty"`
	Status      string      `yaml:"status,omitempty" json:"status,omitempty"`
	Language    string      `yaml:"language,omitempty" json:"language,omitempty"`
	Tags        []string    `yaml:"tags,omitempty,flow" json:"tags,omitempty"`
	URL         string      `yaml:"url,omitempty" json:"url,omitempty"`
	People      []personOut `yaml:"people,omitempty" json:"people,omitempty"`
}

type personOut struct {
	Name        string `yaml:"name" json:"name"`
	Role        string `yaml:"role,omitempty" json:"role,omitempty"`
	Affiliation string `yaml:"affiliation,omitempty" json:"affiliation,omitempty"`
	URL         string `yaml:"url,omitempty" json:"url,omitempty"`
}

type postOut struct {
	ID        string `yaml:"id" json:"id"`
	Title     string `yaml:"title" json:"title"`
	Summary   string `yaml:"summary,omitempty" json:"summary,omitempty"`
	Author    string `yaml:"author,omitempty" json:"author,omitempty"`
	Published string `yaml:"published,omitempty" json:"published,omitempty"`
	Updated   string `yaml:"updated,omitempty" json:"updated,omitempty"`
	URL       string `yaml:"url,omitempty" json:"url,omitempty"`
	Session   string `yaml:"session,omitempty" json:"session,omitempty"`
	Body      string `yaml:"body,omitempty" json:"body,omitempty"`
}

// Encode writes snap as an agenda file in YAML, in the layout Parse reads,
// with a stable key order and empty fields left out. Of the store-set
// fields only the series' created and updated times and each session's
// UID, sequence, created and updated times are written: what re-creating
// the series from the file needs to keep its feed ids, calendar versions
// and every published time stamp (CREATED, DTSTAMP, LAST-MODIFIED, the
// feeds' updated), so that it publishes the same bytes. Each session's
// zone and language are written, even when they are the series'. The
// same snapshot always gives the same bytes.
func Encode(w io.Writer, snap agenda.Snapshot) error {
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(layout(snap)); err != nil {
		return fmt.Errorf("encode series %q: %w", snap.Series.Slug, err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("encode series %q: %w", snap.Series.Slug, err)
	}
	return nil
}

// EncodeJSON writes snap in the same structure as Encode, as JSON.
func EncodeJSON(w io.Writer, snap agenda.Snapshot) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(layout(snap)); err != nil {
		return fmt.Errorf("encode series %q as JSON: %w", snap.Series.Slug, err)
	}
	return nil
}

func layout(snap agenda.Snapshot) fileOut {
	s := snap.Series
	out := fileOut{Series: seriesOut{
		Slug:        s.Slug,
		Title:       s.Title,
		Description: s.Description,
		Homepage:    s.Homepage,
		Zone:        s.Zone,
		Language:    s.Language,
		Reminders:   make([]string, len(s.Reminders)),
		Created:     formatInstant(s.Created.UTC()),
		Updated:     formatInstant(s.Updated.UTC()),
	}}
	for i, r := range s.Reminders {
		out.Series.Reminders[i] = agenda.FormatReminder(r)
	}
	if s.Organizer != (agenda.Organizer{}) {
		out.Series.Organizer = &organizerOut{Name: s.Organizer.Name, Email: s.Organizer.Email}
	}
	for _, x := range snap.Sessions {
		so := sessionOut{
			Key:         x.Key,
			UID:         x.UID,
			Sequence:    x.Sequence,
			Created:     formatInstant(x.Created.UTC()),
			Updated:     formatInstant(x.Updated.UTC()),
			Title:       x.Title,
			Description: x.Description,
			Start:       x.Start.String(),
			End:         x.End.String(),
			AllDay:      x.AllDay,
			StartDate:   x.StartDate.String(),
			EndDate:     x.EndDate.String(),
			Venue:       x.Venue,
			Address:     x.Address,
			OnlineURL:   x.OnlineURL,
			Status:      string(x.Status),
			Tags:        x.Tags,
			URL:         x.URL,
		}
		// Always written: a session's wall times are read in its zone, so a
		// file that left it out would move every session to the new zone
		// when the series' zone is edited in the file, where `series edit
		// -zone` keeps them where they are. Likewise the language: left out,
		// editing the series' language in the file would change every
		// session (and bump its SEQUENCE), where `series edit -language`
		// changes none.
		so.Zone = x.Zone
		so.Language = x.Language
		for _, p := range x.People {
			so.People = append(so.People, personOut{Name: p.Name, Role: string(p.Role), Affiliation: p.Affiliation, URL: p.URL})
		}
		out.Sessions = append(out.Sessions, so)
	}
	for _, p := range snap.Posts {
		out.Posts = append(out.Posts, postOut{
			ID:        p.ID,
			Title:     p.Title,
			Summary:   p.Summary,
			Author:    p.Author,
			Published: formatInstant(p.Published),
			Updated:   formatInstant(p.Updated),
			URL:       p.URL,
			Session:   p.SessionKey,
			Body:      p.Body,
		})
	}
	return out
}

func formatInstant(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339Nano)
}
