package ical

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func goldenOptions() Options {
	return Options{Layout: testLayout, RefreshInterval: time.Hour}
}

func TestGolden(t *testing.T) {
	demo := demoSnapshot(t)
	only := func(keys ...string) agenda.Snapshot {
		s := demo
		s.Sessions = nil
		for _, k := range keys {
			for _, ses := range demo.Sessions {
				if ses.Key == k {
					s.Sessions = append(s.Sessions, ses)
				}
			}
		}
		return s
	}
	tests := []struct {
		name  string
		write func(*bytes.Buffer) error
	}{
		{"series", func(b *bytes.Buffer) error { return WriteSeries(b, demo, goldenOptions()) }},
		{"debate", func(b *bytes.Buffer) error { return WriteSeries(b, only("open-policy-debate"), goldenOptions()) }},
		{"cancelled", func(b *bytes.Buffer) error { return WriteSeries(b, only("side-event"), goldenOptions()) }},
		{"allday", func(b *bytes.Buffer) error { return WriteSeries(b, only("expo"), goldenOptions()) }},
		{"online", func(b *bytes.Buffer) error { return WriteSeries(b, only("aspac-dialogue"), goldenOptions()) }},
		{"fold", func(b *bytes.Buffer) error { return WriteSeries(b, only("night-owls"), goldenOptions()) }},
		{"combined", func(b *bytes.Buffer) error {
			return WriteCombined(b, []agenda.Snapshot{demo, otherSnapshot(t)}, goldenOptions())
		}},
		{"session", func(b *bytes.Buffer) error { return WriteSession(b, demo, "open-policy-debate", goldenOptions()) }},
		{"override-reminders", func(b *bytes.Buffer) error {
			o := goldenOptions()
			o.OverrideReminders, o.Reminders, o.ProdID = true, []time.Duration{time.Hour, 7 * 24 * time.Hour}, "-//example//test//EN"
			return WriteSeries(b, only("open-policy-debate"), o)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got bytes.Buffer
			if err := tt.write(&got); err != nil {
				t.Fatal(err)
			}
			var again bytes.Buffer
			if err := tt.write(&again); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), again.Bytes()) {
				t.Fatal("two renderings of the same input differ")
			}
			if _, err := Parse(bytes.NewReader(got.Bytes())); err != nil {
				t.Fatalf("own parser rejects the output: %v", err)
			}
			path := filepath.Join("testdata", tt.name+".ics")
			if *update {
				if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("%s differs from the rendering; run go test -update after checking the diff\ngot:\n%s", path, got.Bytes())
			}
		})
	}
}

func TestErrorsBeforeWriting(t *testing.T) {
	demo := demoSnapshot(t)
	badZone := demo
	badZone.Sessions = append([]agenda.Session(nil), demo.Sessions...)
	badZone.Sessions[3].Zone = "Mars/Olympus_Mons"
	gap := demo
	gap.Sessions = append([]agenda.Session(nil), demo.Sessions...)
	gap.Sessions[0].Start = mustWall(t, "2021-03-28T02:30") // does not exist in Madrid
	ambiguous := demo
	ambiguous.Sessions = append([]agenda.Session(nil), demo.Sessions...)
	ambiguous.Sessions[0].Start = mustWall(t, "2021-10-31T02:30")
	for name, snap := range map[string]agenda.Snapshot{"unknown zone": badZone, "gap": gap, "fold": ambiguous} {
		var b bytes.Buffer
		if err := WriteSeries(&b, snap, goldenOptions()); err == nil {
			t.Errorf("%s: no error", name)
		}
		if b.Len() != 0 {
			t.Errorf("%s: wrote %d bytes before failing", name, b.Len())
		}
	}
	var b bytes.Buffer
	if err := WriteSession(&b, demo, "no-such-key", goldenOptions()); !errors.Is(err, agenda.ErrNotFound) {
		t.Errorf("missing session: got %v, want ErrNotFound", err)
	}
}
