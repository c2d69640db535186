package api

import (
	"net/http"

	"github.com/agendafeed/agendafeed/internal/jsontext"
)

// checkJSONText holds a request body to the JSON text rules of package
// jsontext (UTF-8, no half surrogate pairs, no key twice), the rules import
// files follow too, in the API's words. It runs before any decoding of the
// body, so that a deeply nested one is refused by a linear scan.
func checkJSONText(data []byte) error {
	e := jsontext.Check(data)
	if e == nil {
		return nil
	}
	switch e.Kind {
	case jsontext.InvalidUTF8:
		return errf(http.StatusBadRequest, "", "", "invalid UTF-8 at byte %d of the body; expected UTF-8 text", e.Offset+1)
	case jsontext.TooDeep:
		return errf(http.StatusBadRequest, "", "", "malformed JSON: %s", e.Error())
	case jsontext.DuplicateKey:
		return errf(http.StatusBadRequest, e.Path, "", "%s", e.Error())
	}
	return errf(http.StatusBadRequest, "", "", "%s", e.Error())
}
