// Package agenda owns agendafeed's domain: series, sessions, the people who
// speak at them and the news posts of a series, with the validation that every
// way in (CLI, admin API, import files) shares, so each of them accepts and
// rejects exactly the same input with exactly the same message.
//
// The package does no I/O and reads no clock.
package agenda

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors. Callers test with errors.Is; the HTTP layer maps them to
// statuses in one place.
var (
	// ErrNotFound: the series, session, person or post does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict: the change was made against an out-of-date revision or
	// sequence, or would break a uniqueness rule.
	ErrConflict = errors.New("conflict")
	// ErrInvalid: the input failed validation. Every *FieldError matches it.
	ErrInvalid = errors.New("invalid input")
	// ErrUnavailable: the data cannot be read or written now for a reason
	// on the operator's side (the database file was replaced or
	// overwritten under the process), not the request's.
	ErrUnavailable = errors.New("unavailable")
)

// FieldError says which field was wrong, what value it held and what was
// expected. Its message has the form `field: "value": expected ...`.
type FieldError struct {
	Field string // dotted path: "sessions[2].start", "title"
	Value string // the offending value as given (shortened if very long)
	Msg   string // what is expected, or why the value cannot be used
	// Refs lists the other fields Msg names, each exactly as written in
	// Msg ("start_date", "all_day: true"), so that a caller that knows the
	// fields by other names (the CLI's flags) can rename them in Msg too
	// without touching words that only look like a field.
	Refs []string
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("%s: %s: %s", e.Field, quoteValue(e.Value), e.Msg)
}

// Is makes every FieldError match ErrInvalid.
func (e *FieldError) Is(target error) bool { return target == ErrInvalid }

// maxShownValue bounds how much of an offending value an error repeats, so
// that a 1 MB description does not produce a 1 MB error message.
const maxShownValue = 80

func quoteValue(v string) string {
	r := []rune(v)
	if len(r) > maxShownValue {
		return fmt.Sprintf("%q… (%d characters)", string(r[:maxShownValue]), len(r))
	}
	return fmt.Sprintf("%q", v)
}

// Errors is a list of validation errors, reported together so that a user
// fixes a file in one round rather than one error at a time.
type Errors []*FieldError

func (es Errors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// Is makes Errors match ErrInvalid.
func (es Errors) Is(target error) bool { return target == ErrInvalid }

// Unwrap exposes the individual errors to errors.As.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// Err returns nil for an empty list, so that `return errs.Err()` is safe.
func (es Errors) Err() error {
	if len(es) == 0 {
		return nil
	}
	return es
}

// Prefix returns a copy whose field paths start with p ("sessions[3]").
func (es Errors) Prefix(p string) Errors {
	out := make(Errors, len(es))
	for i, e := range es {
		c := *e
		if c.Field == "" {
			c.Field = p
		} else {
			c.Field = p + "." + c.Field
		}
		out[i] = &c
	}
	return out
}

// add appends a FieldError built from its parts.
func (es *Errors) add(field, value, format string, args ...any) {
	*es = append(*es, &FieldError{Field: field, Value: value, Msg: fmt.Sprintf(format, args...)})
}

// addRefs is add for a message that names other fields (refs).
func (es *Errors) addRefs(field, value string, refs []string, format string, args ...any) {
	*es = append(*es, &FieldError{Field: field, Value: value, Msg: fmt.Sprintf(format, args...), Refs: refs})
}
