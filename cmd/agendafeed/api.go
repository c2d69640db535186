package main

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/agendafeed/agendafeed/feeds"
	"github.com/agendafeed/agendafeed/internal/api"
	"github.com/agendafeed/agendafeed/internal/app"
)

// adminAPI builds the admin API for serve. Without a configured token the
// API stays off (serve still runs) and the log says how to turn it on.
func adminAPI(logger *slog.Logger) func(*app.App) (http.Handler, error) {
	return func(a *app.App) (http.Handler, error) {
		cfg := a.Config()
		h, err := api.New(api.Options{
			Store:   a.DB(),
			Tokens:  cfg.AdminTokens,
			Layout:  feeds.NewLayout(cfg.BaseURL),
			Trigger: a.Trigger,
			Import:  importOptions(cfg),
			Logger:  logger,
		})
		if errors.Is(err, api.ErrNoTokens) {
			logger.Info(err.Error())
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		logger.Info("admin API on", "path", api.Prefix+"/", "tokens", len(cfg.AdminTokens))
		return h, nil
	}
}
