package api

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/config"
	"github.com/agendafeed/agendafeed/feeds"
	"github.com/agendafeed/agendafeed/internal/app"
	"github.com/agendafeed/agendafeed/internal/importer"
	"github.com/agendafeed/agendafeed/internal/store"
)

// TestEndToEnd runs the whole daemon on 127.0.0.1:0 with the API mounted,
// creates a session over HTTP and polls the served calendar until the new
// UID is in it. The issue requires that within 2 s of the write.
func TestEndToEnd(t *testing.T) {
	dir := t.TempDir()
	cfg := config.Default()
	cfg.Database = filepath.Join(dir, "agenda.db")
	cfg.OutputDir = filepath.Join(dir, "public")
	cfg.Listen = "127.0.0.1:0"
	cfg.BaseURL = "http://agenda.test/"
	cfg.AdminTokens = testTokens()
	if err := cfg.Validate(); err != nil {
		t.Fatalf("config: %v", err)
	}
	// app.Open opens only a database that exists.
	db, err := store.Open(context.Background(), cfg.Database, store.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, err := app.Open(ctx, app.Options{Config: cfg, API: func(a *app.App) (http.Handler, error) {
		c := a.Config()
		return New(Options{Store: a.DB(), Tokens: c.AdminTokens, Layout: feeds.NewLayout(c.BaseURL), Trigger: a.Trigger,
			Import: importer.Options{DefaultZone: c.DefaultZone, DefaultLanguage: c.DefaultLanguage, DefaultReminders: c.ReminderDurations()}})
	}})
	if err != nil {
		t.Fatalf("app.Open: %v", err)
	}
	defer a.Close()
	addrc := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, func(addr net.Addr) { addrc <- addr }) }()
	var base string
	select {
	case addr := <-addrc:
		base = "http://" + addr.String()
	case err := <-done:
		t.Fatalf("Run: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("the server did not start within 10 s")
	}
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()

	send := func(method, path, body string) *http.Response {
		t.Helper()
		r, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		r.Header.Set("Authorization", "Bearer "+writeToken)
		r.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	if resp := send("POST", "/api/v1/series", seriesBody); resp.StatusCode != http.StatusCreated {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("create series: %d %s", resp.StatusCode, b)
	}
	// The series' first calendar, so that the poll below waits for the
	// session, not for the series.
	poll(t, base+"/debates/calendar.ics", "BEGIN:VCALENDAR")

	start := time.Now()
	resp := send("POST", "/api/v1/sessions", sessionBody)
	var created struct {
		Session sessionJSON
		Changed []string
	}
	json.NewDecoder(resp.Body).Decode(&created)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || created.Session.UID == "" {
		t.Fatalf("create session: %d %+v", resp.StatusCode, created)
	}
	elapsed := poll(t, base+"/debates/calendar.ics", "UID:"+created.Session.UID)
	total := time.Since(start)
	t.Logf("the new session was in the served calendar %v after the write answered (%v after it was sent)", elapsed, total)
	if total > 2*time.Second {
		t.Errorf("the new session appeared in the served calendar %v after it was created; the requirement is at most 2 s", total)
	}
	if want := "http://agenda.test/debates/calendar.ics"; !containsString(created.Changed, want) {
		t.Errorf("changed = %v, want it to list %s", created.Changed, want)
	}
}

// poll GETs url every 50 ms until the body contains want (up to 10 s) and
// returns how long that took.
func poll(t *testing.T, url, want string) time.Duration {
	t.Helper()
	start := time.Now()
	deadline := start.Add(10 * time.Second)
	for {
		resp, err := http.Get(url)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && strings.Contains(string(b), want) {
				return time.Since(start)
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not contain %q within 10 s", url, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
