package api

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
)

// A write after the database file was replaced under the daemon (a
// restore while it ran) answers 503 with the store's message, which says
// what happened and what to do; not a bare 500, and no Retry-After: trying
// again does not help until someone stops the daemon and restores again.
func TestWriteAfterDatabaseReplaced(t *testing.T) {
	ta := newTestAPI(t)
	ta.must(t, http.StatusCreated, req{method: "POST", path: "/api/v1/series", token: writeToken, body: seriesBody})
	if err := os.Rename(ta.path, ta.path+".old"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(ta.path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	w := ta.do(t, req{method: "POST", path: "/api/v1/series", token: writeToken,
		body: strings.Replace(seriesBody, `"debates"`, `"other"`, 1)})
	if w.Code != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503; body:\n%s", w.Code, w.Body.String())
	}
	if got := w.Header().Get("Retry-After"); got != "" {
		t.Errorf("Retry-After: %q, want none", got)
	}
	var b errorBody
	if err := json.Unmarshal(w.Body.Bytes(), &b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{ta.path + " was deleted or replaced", "writes nothing more", "stop the daemon, then restore again"} {
		if !strings.Contains(b.Error, want) {
			t.Errorf("error = %q, want it to say %q", b.Error, want)
		}
	}
}
