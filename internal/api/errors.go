package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/agendafeed/agendafeed/internal/agenda"
	"github.com/agendafeed/agendafeed/internal/importer"
	"github.com/agendafeed/agendafeed/internal/store"
)

// httpError is an error the API raises itself, with the status it means.
type httpError struct {
	status       int
	msg          string
	field, value string
	// refs are the other field paths msg names, quoted (a suggested
	// field), which sentPath.rename renames with field.
	refs []string
}

func (e *httpError) Error() string { return e.msg }

// errf builds an httpError.
func errf(status int, field, value, format string, args ...any) error {
	return &httpError{status: status, field: field, value: value, msg: fmt.Sprintf(format, args...)}
}

func errUnauthorized(msg string) error { return &httpError{status: http.StatusUnauthorized, msg: msg} }

// errorBody is the JSON of every error response.
type errorBody struct {
	Error  string      `json:"error"`
	Field  string      `json:"field,omitempty"`
	Value  string      `json:"value,omitempty"`
	Line   int         `json:"line,omitempty"`
	Errors []errorBody `json:"errors,omitempty"`
}

// statusOf is the one place where errors become statuses.
func statusOf(err error) int {
	var he *httpError
	switch {
	case errors.As(err, &he):
		return he.status
	case errors.Is(err, store.ErrBusy):
		return http.StatusServiceUnavailable
	case errors.Is(err, store.ErrReplaced):
		// The store's message says what happened and what to do (stop the
		// daemon, restore again): an operator's job, so no Retry-After.
		return http.StatusServiceUnavailable
	case errors.Is(err, store.ErrReadOnlyFile), errors.Is(err, store.ErrReadOnlyDir):
		// The server is fine; the storage under it cannot be written, and
		// the store's message names the file or directory and the fix: an
		// operator's job, so no Retry-After either.
		return http.StatusServiceUnavailable
	case errors.Is(err, store.ErrFull):
		// Not 503: nothing is wrong with the server, and retrying helps
		// only once someone frees space.
		return http.StatusInsufficientStorage
	case errors.Is(err, agenda.ErrInvalid):
		return http.StatusUnprocessableEntity
	case errors.Is(err, agenda.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, agenda.ErrConflict):
		return http.StatusConflict
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// bodyOf turns an error into its JSON body: validation errors with their
// field and value (the first at the top, all of them in "errors" when
// there are several); internal errors without detail.
func bodyOf(err error, status int) errorBody {
	if status == http.StatusInternalServerError {
		return errorBody{Error: "internal error; the server log has the details"}
	}
	var he *httpError
	if errors.As(err, &he) {
		return errorBody{Error: he.msg, Field: he.field, Value: he.value}
	}
	if status == http.StatusNotFound {
		return errorBody{Error: notFoundText(err)}
	}
	if errors.Is(err, store.ErrBusy) {
		// Without the store's context ("put series: ..."): the client can
		// only retry.
		return errorBody{Error: store.ErrBusy.Error()}
	}
	var items []errorBody
	var ies importer.Errors
	var ie *importer.Error
	var ite *store.ItemError
	var fes agenda.Errors
	var fe *agenda.FieldError
	switch {
	case errors.As(err, &ite) && ite.File != "" && errors.As(ite.Err, &fes):
		// What the store found while importing a file, in the form of the
		// importer's own errors.
		for _, e := range fes {
			items = append(items, errorBody{Error: fmt.Sprintf("%s:%d: %v", ite.File, ite.Line, e), Field: e.Field, Value: e.Value, Line: ite.Line})
		}
	case errors.As(err, &ies):
		for _, e := range ies {
			items = append(items, errorBody{Error: e.Error(), Field: e.Field, Line: e.Line})
		}
	case errors.As(err, &ie):
		items = append(items, errorBody{Error: ie.Error(), Field: ie.Field, Line: ie.Line})
	case errors.As(err, &fes):
		for _, e := range fes {
			items = append(items, errorBody{Error: e.Error(), Field: e.Field, Value: e.Value})
		}
	case errors.As(err, &fe):
		items = append(items, errorBody{Error: fe.Error(), Field: fe.Field, Value: fe.Value})
	}
	if len(items) == 0 {
		return errorBody{Error: err.Error()}
	}
	b := items[0]
	if len(items) > 1 {
		b.Errors = items
	}
	return b
}

// writeError answers with the error's status and JSON body. Internal
// errors are logged with the request line, never with its headers.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status := statusOf(err)
	if status == http.StatusInternalServerError {
		a.log.ErrorContext(r.Context(), "admin API request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="agendafeed"`)
	}
	if errors.Is(err, store.ErrBusy) {
		w.Header().Set("Retry-After", "1")
	}
	writeErrorBody(w, status, bodyOf(err, status))
}

func writeErrorBody(w http.ResponseWriter, status int, b errorBody) {
	writeJSON(w, status, b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	data, status := encodeJSON(v, status)
	writeBody(w, status, data)
}

// encodeJSON is the text of every JSON body, with the status to send it
// with.
func encodeJSON(v any, status int) ([]byte, int) {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		// Every body is built from plain structs; this cannot happen.
		data = []byte(`{"error": "internal error: encoding the response failed"}`)
		status = http.StatusInternalServerError
	}
	return append(data, '\n'), status
}

func writeBody(w http.ResponseWriter, status int, data []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(data) //nolint:errcheck // the client went away; nothing to do
}
