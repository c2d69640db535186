package main

import (
	"log/slog"
	"net/http"

	"github.com/agendafeed/agendafeed/internal/app"
)

// adminAPI builds the admin API for serve; nil until the API exists.
func adminAPI(_ *slog.Logger) func(*app.App) (http.Handler, error) {
	return nil
}
