package ical

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// benchSnapshot is a series of n sessions in Madrid over about three years
// with varied text, people, tags, places and statuses, and two reminders.
func benchSnapshot(n int) agenda.Snapshot {
	series := agenda.Series{Slug: "bench", Title: "Benchmark series", Description: "Ten thousand sessions.",
		Zone: "Europe/Madrid", Language: "en", Reminders: []time.Duration{15 * time.Minute, 24 * time.Hour},
		Organizer: agenda.Organizer{Name: "UCLG, World Secretariat", Email: "events@uclg.example.org"}, Updated: updated}
	statuses := []agenda.Status{agenda.StatusConfirmed, agenda.StatusConfirmed, agenda.StatusTentative, agenda.StatusCancelled}
	para := "Local and regional governments discuss how data and technology can serve communities; the session covers digital rights, inclusion, and care. "
	snap := agenda.Snapshot{Series: series, Sessions: make([]agenda.Session, n)}
	base := time.Date(2024, 1, 8, 9, 0, 0, 0, time.UTC)
	for i := range n {
		day := base.AddDate(0, 0, i/10)
		start := agenda.NewWallTime(day.Year(), day.Month(), day.Day(), 9+i%10, (i%4)*15, 0)
		end := agenda.NewWallTime(day.Year(), day.Month(), day.Day(), 10+i%10, (i%4)*15, 0)
		s := agenda.Session{
			UID: fmt.Sprintf("%08x-bench-4000-8000-%012d@agenda.example.org", i*2654435761%(1<<32), i), Series: "bench",
			Key: "s" + strconv.Itoa(i), Title: fmt.Sprintf("Session %d: Smart cities, territories and the common agenda", i),
			Description: strings.Repeat(para, 1+i%4), Start: start, End: end, Zone: "Europe/Madrid",
			Status: statuses[i%len(statuses)], Tags: []string{"digital rights", "smart cities"}[:i%3%2+1],
			Sequence: int64(i % 5), Created: created, Updated: updated.Add(time.Duration(i) * time.Minute),
		}
		if i%3 != 2 {
			s.Venue, s.Address = "Fira Gran Via, Hall "+strconv.Itoa(i%8), "Av. Joan Carles I, 64\n08908 L'Hospitalet de Llobregat"
		}
		if i%3 != 0 {
			s.OnlineURL = "https://live.example.org/room/" + strconv.Itoa(i)
		}
		if i%5 != 0 {
			s.URL = "https://www.uclg.example.org/en/session/" + strconv.Itoa(i)
		}
		for p := range i % 7 {
			s.People = append(s.People, agenda.Participant{Role: []agenda.Role{agenda.RoleModerator, agenda.RoleSpeaker}[min(p, 1)],
				Person: agenda.Person{Name: fmt.Sprintf("Speaker Number %d", p), Affiliation: "Mayor of Somewhere, Vice-President of UCLG"}})
		}
		snap.Sessions[i] = s
	}
	return snap
}

func BenchmarkRender10k(b *testing.B) {
	snap := benchSnapshot(10000)
	opts := Options{Layout: testLayout, RefreshInterval: time.Hour}
	w := bufio.NewWriterSize(io.Discard, 64<<10)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := WriteSeries(w, snap, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGolangICal10k builds and serialises the same events with
// golang-ical v0.3.4, with the same properties written the way it allows
// (DTSTART/DTEND set as TZID strings, since SetStartAt would write UTC; no
// VTIMEZONE content, which it cannot generate).
func BenchmarkGolangICal10k(b *testing.B) {
	snap := benchSnapshot(10000)
	w := bufio.NewWriterSize(io.Discard, 64<<10)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		cal := ics.NewCalendar()
		cal.SetProductId(DefaultProdID)
		cal.SetMethod(ics.MethodPublish)
		cal.SetName(snap.Series.Title)
		cal.SetXWRCalName(snap.Series.Title)
		cal.SetDescription(snap.Series.Description)
		cal.SetXWRTimezone(snap.Series.Zone)
		cal.SetRefreshInterval("PT1H")
		cal.SetXPublishedTTL("PT1H")
		cal.SetUrl(testLayout.SeriesURL("bench", "index.html"))
		for i := range snap.Sessions {
			s := &snap.Sessions[i]
			ev := cal.AddEvent(s.UID)
			ev.SetDtStampTime(s.Updated)
			ev.SetCreatedTime(s.Created)
			ev.SetModifiedAt(s.Updated)
			ev.SetSequence(int(s.Sequence))
			ev.SetProperty(ics.ComponentPropertyDtStart, s.Start.Clock().Format("20060102T150405"), ics.WithTZID(s.Zone))
			ev.SetProperty(ics.ComponentPropertyDtEnd, s.End.Clock().Format("20060102T150405"), ics.WithTZID(s.Zone))
			ev.SetSummary(s.Title)
			var d strings.Builder
			d.WriteString(s.Description)
			for _, p := range s.People {
				d.WriteString("\n" + agenda.RoleLabel(p.Role) + ": " + p.Name + " (" + p.Affiliation + ")")
			}
			if s.OnlineURL != "" {
				d.WriteString("\n\nOnline: " + s.OnlineURL)
			}
			ev.SetDescription(d.String())
			if s.Venue != "" {
				ev.SetLocation(s.Venue + ", " + strings.ReplaceAll(s.Address, "\n", ", "))
			}
			ev.SetURL(s.URL)
			ev.SetStatus(ics.ObjectStatus(strings.ToUpper(string(s.Status))))
			ev.AddCategory(strings.Join(s.Tags, ","))
			ev.SetOrganizer("mailto:"+snap.Series.Organizer.Email, ics.WithCN(snap.Series.Organizer.Name))
			if s.OnlineURL != "" {
				ev.AddProperty("CONFERENCE", s.OnlineURL, ics.WithValue("URI"),
					&ics.KeyValues{Key: "FEATURE", Value: []string{"AUDIO", "VIDEO"}}, &ics.KeyValues{Key: "LABEL", Value: []string{"Join online"}})
			}
			if s.Status != agenda.StatusCancelled {
				for _, t := range []string{"-PT15M", "-P1D"} {
					a := ev.AddAlarm()
					a.SetAction(ics.ActionDisplay)
					a.SetProperty(ics.ComponentPropertyDescription, s.Title)
					a.SetTrigger(t)
				}
			}
		}
		if err := cal.SerializeTo(w, ics.WithNewLineWindows); err != nil {
			b.Fatal(err)
		}
		w.Flush()
	}
}

// BenchmarkSeriesAndSessions100 is what the publisher does for one series
// of 100 sessions: its calendar plus one calendar per session, through one
// Renderer that lives as long as the daemon and a Prepared per series.
func BenchmarkSeriesAndSessions100(b *testing.B) {
	snap := benchSnapshot(100)
	opts := Options{Layout: testLayout, RefreshInterval: time.Hour}
	w := bufio.NewWriterSize(io.Discard, 64<<10)
	r := NewRenderer()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		p, err := r.Prepare(snap, opts)
		if err != nil {
			b.Fatal(err)
		}
		if err := p.WriteSeries(w); err != nil {
			b.Fatal(err)
		}
		for i := range snap.Sessions {
			if err := p.WriteSession(w, snap.Sessions[i].Key); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkSeriesAndSessions100Uncached does the same with the package's
// functions, which load zones and encode events for each file: the way
// the publisher rendered before Prepared.
func BenchmarkSeriesAndSessions100Uncached(b *testing.B) {
	snap := benchSnapshot(100)
	opts := Options{Layout: testLayout, RefreshInterval: time.Hour}
	w := bufio.NewWriterSize(io.Discard, 64<<10)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := WriteSeries(w, snap, opts); err != nil {
			b.Fatal(err)
		}
		for i := range snap.Sessions {
			if err := WriteSession(w, snap, snap.Sessions[i].Key, opts); err != nil {
				b.Fatal(err)
			}
		}
	}
}
