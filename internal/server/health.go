package server

import (
	"context"
	"encoding/json"
	"net/http"
	"time"
)

type healthBody struct {
	Status   string `json:"status"`
	Database string `json:"database"`
	// Files is "ok", or says how many published files are missing on disk.
	Files    string      `json:"files"`
	LastPass *passHealth `json:"last_pass"`
}

type passHealth struct {
	Time       time.Time `json:"time"`
	DurationMS int64     `json:"duration_ms"`
	Error      *string   `json:"error"`
}

// serveHealth answers 200 when the database is reachable, no published
// file is known to be missing on disk and the last pass (if any)
// succeeded, 503 otherwise.
func (s *Server) serveHealth(w http.ResponseWriter, r *http.Request) {
	body := healthBody{Status: "ok", Database: "ok", Files: "ok"}
	if msg := s.missingHealth(); msg != "" {
		body.Status, body.Files = "error", msg
	}
	if s.health != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		err := s.health(ctx)
		cancel()
		if err != nil {
			body.Status, body.Database = "error", err.Error()
		}
	}
	if s.lastPass != nil {
		if res, err, ok := s.lastPass(); ok {
			ph := &passHealth{Time: res.Started.UTC(), DurationMS: res.Duration.Milliseconds()}
			if err != nil {
				msg := err.Error()
				ph.Error = &msg
				body.Status = "error"
			}
			body.LastPass = ph
		}
	}
	code := http.StatusOK
	if body.Status != "ok" {
		code = http.StatusServiceUnavailable
	}
	b, _ := json.Marshal(body)
	h := w.Header()
	h["Content-Type"] = []string{"application/json"}
	h["Cache-Control"] = []string{"no-store"}
	w.WriteHeader(code)
	if r.Method != http.MethodHead {
		w.Write(append(b, '\n'))
	}
}
