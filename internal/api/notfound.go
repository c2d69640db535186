package api

import (
	"errors"
	"fmt"

	"github.com/agendafeed/agendafeed/internal/store"
)

// notFoundText words a 404 the way the client addressed the resource
// (`post "y" not found in series "x"`), from what the store says was
// missing, without the store's call chain ("get post: ..."), which means
// nothing to a client. A missing series under an item's URL is the series'
// 404. Errors the store did not type keep their own text.
func notFoundText(err error) string {
	var nf *store.NotFoundError
	switch {
	case !errors.As(err, &nf):
		return err.Error()
	case nf.Series != "":
		return fmt.Sprintf("%s %q not found in series %q", nf.Kind, nf.Name, nf.Series)
	}
	return fmt.Sprintf("%s %q not found", nf.Kind, nf.Name)
}
