package store

import (
	"context"
	"errors"
	"testing"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// Every lookup that finds nothing says what was missing, so that the API can
// name it as the client addressed it: under a series that does not exist,
// the series is what is missing, not the session or post.
func TestNotFoundSaysWhatIsMissing(t *testing.T) {
	db, _ := newTestDB(t)
	ctx := context.Background()
	mustPutSeries(t, db, madrid())
	slug := madrid().Slug
	tests := []struct {
		name   string
		lookup func() error
		want   NotFoundError
	}{
		{"series", func() error { _, err := db.Series(ctx, "nope"); return err }, NotFoundError{Kind: "series", Name: "nope"}},
		{"session by uid", func() error { _, err := db.Session(ctx, "nope@x"); return err }, NotFoundError{Kind: "session", Name: "nope@x"}},
		{"session by key", func() error { _, err := db.SessionByKey(ctx, slug, "k"); return err }, NotFoundError{Kind: "session", Series: slug, Name: "k"}},
		{"post", func() error { _, err := db.Post(ctx, slug, "p"); return err }, NotFoundError{Kind: "post", Series: slug, Name: "p"}},
		{"post in a missing series", func() error { _, err := db.Post(ctx, "nope", "p"); return err }, NotFoundError{Kind: "series", Name: "nope"}},
		{"person", func() error { _, err := db.Person(ctx, 999); return err }, NotFoundError{Kind: "person", Name: "999"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.lookup()
			var nf *NotFoundError
			if !errors.As(err, &nf) || *nf != tc.want || !errors.Is(err, agenda.ErrNotFound) {
				t.Errorf("got %v (%#v), want %#v matching agenda.ErrNotFound", err, nf, tc.want)
			}
		})
	}
}
