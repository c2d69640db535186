package server

import (
	"strings"
	"testing"
)

// A calendar rendered on request while the store cannot be read (its file
// replaced or overwritten under the daemon) is a 503, the operator's
// problem, not a 500; and the store's message, which names the database's
// path, stays in the log.
func TestRenderedWhileStoreUnavailable(t *testing.T) {
	f := newFixtureWith(t, fixtureConfig{sessions: true})
	w := f.do(t, "GET", "/madrid/sessions/gone.ics")
	if w.Code != 503 {
		t.Errorf("status %d, want 503", w.Code)
	}
	if body := w.Body.String(); strings.Contains(body, "/srv/private") || body != "Service Unavailable\n" {
		t.Errorf("body %q; want the generic text, not the store's message", body)
	}
	if !strings.Contains(f.logs.String(), "/srv/private/agendafeed.db") {
		t.Errorf("the store's message is not logged:\n%s", f.logs.String())
	}
}
