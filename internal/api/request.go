package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// MaxBody is the largest JSON body a resource request may have.
const MaxBody = 1 << 20

type tokenKey struct{}

func withToken(ctx context.Context, t *tokenHash) context.Context {
	return context.WithValue(ctx, tokenKey{}, t)
}

func tokenFrom(ctx context.Context) *tokenHash {
	t, _ := ctx.Value(tokenKey{}).(*tokenHash)
	return t
}

// reply is a successful response.
type reply struct {
	status   int // 0: 200
	etag     string
	location string
	body     any
	// bodyETag asks for an ETag that is the hash of the body sent, for a
	// response (a list) that no single counter in the store versions.
	bodyETag bool
	// cacheControl is the Cache-Control of the response; "": no-store,
	// which is right for everything read with a token.
	cacheControl string
}

// decodeBody reads a JSON resource body strictly into v: the bare object,
// or the object wrapped as a GET answers it ({"session": {...}}), which
// envelope names.
func (a *API) decodeBody(r *http.Request, envelope string, v any) error {
	data, err := readBody(r, MaxBody, jsonTypes)
	if err != nil {
		return err
	}
	return decodeResource(data, envelope, v, sentPathOf(r))
}

// decodeResource decodes a resource body strictly into v, unwrapping the
// one-key envelope a GET answers with, so that a client may send back what
// it read as it read it. The object inside is decoded as a bare one would
// be, and sent records that it came wrapped: every error about one of its
// fields, from this decoding, the validation or the store, then names the
// field under the envelope (writeError). No resource has a field named as
// its own envelope, so the two forms cannot be confused.
func decodeResource(data []byte, envelope string, v any, sent *sentPath) error {
	// Before enveloped decodes anything.
	if err := checkJSONText(data); err != nil {
		return err
	}
	inner, ok, err := enveloped(data, envelope)
	switch {
	case err != nil:
		return err
	case !ok:
		return decodeStrict(data, v)
	}
	sent.envelope = envelope
	return decodeStrict(inner, v)
}

// enveloped reports whether data is a JSON object with exactly one key,
// envelope, and returns its value. That key alone can only mean the
// envelope, so a value that is not an object is an error naming it, not
// an unknown field. Anything else (other keys beside it, not an object at
// all) is left to the strict decoding of the bare form, which names what
// is wrong.
func enveloped(data []byte, envelope string) (json.RawMessage, bool, error) {
	var m map[string]json.RawMessage
	if envelope == "" || json.Unmarshal(data, &m) != nil || len(m) != 1 {
		return nil, false, nil
	}
	inner, ok := m[envelope]
	if !ok {
		return nil, false, nil
	}
	if t := bytes.TrimSpace(inner); len(t) == 0 || t[0] != '{' {
		return nil, false, errf(http.StatusBadRequest, envelope, "",
			"%s: expected an object (the %s, as a GET answers it), not %s", envelope, envelope, jsonValueKind(t))
	}
	return inner, true, nil
}

// jsonValueKind names the kind of a JSON value by its first byte, in
// jsonKind's words.
func jsonValueKind(v []byte) string {
	switch {
	case len(v) == 0:
		return "nothing"
	case v[0] == 'n':
		return "null"
	case v[0] == '"':
		return jsonKind("string")
	case v[0] == 't' || v[0] == 'f':
		return jsonKind("bool")
	case v[0] == '[':
		return jsonKind("array")
	}
	return jsonKind("number")
}

func (a *API) writeReply(w http.ResponseWriter, r *http.Request, rep *reply) {
	status := rep.status
	if status == 0 {
		status = http.StatusOK
	}
	raw, isRaw := rep.body.(json.RawMessage)
	data := []byte(raw)
	if !isRaw {
		data, status = encodeJSON(rep.body, status)
	}
	etag := rep.etag
	if rep.bodyETag && status == http.StatusOK {
		etag = hashETag(data)
	}
	h := w.Header()
	// RFC 9110 section 15.4.5: a 304 carries the Cache-Control, ETag (and
	// Vary, Expires, Content-Location, were there any) that the 200 would,
	// so they are set before the choice between the two.
	cache := rep.cacheControl
	if cache == "" {
		cache = "no-store"
	}
	h.Set("Cache-Control", cache)
	if etag != "" {
		h.Set("ETag", etag)
		if (r.Method == http.MethodGet || r.Method == http.MethodHead) && etagListed(r.Header.Get("If-None-Match"), etag, true) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	if rep.location != "" {
		h.Set("Location", rep.location)
	}
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(data) //nolint:errcheck // the client went away
}

// hashETag is the strong ETag of a response body: the same bytes, the
// same ETag, so it covers exactly the page and the query it answers.
// Truncated as personETag is: a validator compared with one earlier value
// needs no more than 64 bits.
func hashETag(body []byte) string {
	sum := sha256.Sum256(body)
	return `"l-` + hex.EncodeToString(sum[:8]) + `"`
}

// etagListed reports whether an If-Match / If-None-Match list names etag
// (or is "*"). If-Match compares strongly; If-None-Match weakly.
func etagListed(header, etag string, weak bool) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" {
			return true
		}
		if weak {
			t = strings.TrimPrefix(t, "W/")
		}
		if t == etag {
			return true
		}
	}
	return false
}

// condition is what If-Match asks of a write: nothing (absent), or that
// the resource's current ETag is one of those listed.
type condition struct {
	header string
}

func conditionOf(r *http.Request) condition {
	return condition{header: strings.TrimSpace(r.Header.Get("If-Match"))}
}

func (c condition) set() bool { return c.header != "" }

// check returns a 412 error when the condition is set and current is not
// listed.
func (c condition) check(current, what string) error {
	if !c.set() || etagListed(c.header, current, false) {
		return nil
	}
	return errf(http.StatusPreconditionFailed, "", "",
		"If-Match %s does not match the current ETag %s of %s; GET it again and retry", c.header, current, what)
}

// mediaTypes accepted for JSON resource bodies.
var jsonTypes = []string{"application/json"}
var patchTypes = []string{"application/merge-patch+json", "application/json"}

// readBody reads a request body of at most limit bytes with one of the
// given media types.
func readBody(r *http.Request, limit int64, types []string) ([]byte, error) {
	ct := r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if ct == "" {
		return nil, errf(http.StatusUnsupportedMediaType, "", "", "missing Content-Type; expected %s", strings.Join(types, " or "))
	}
	if err != nil || !slices.Contains(types, strings.ToLower(mt)) {
		return nil, errf(http.StatusUnsupportedMediaType, "", "", "Content-Type %q: expected %s", ct, strings.Join(types, " or "))
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) || int64(len(data)) > limit {
		return nil, errf(http.StatusRequestEntityTooLarge, "", "", "request body is over the limit of %d bytes", limit)
	}
	if err != nil {
		return nil, errf(http.StatusBadRequest, "", "", "reading the request body: %v", err)
	}
	return data, nil
}

// decodeStrict decodes one JSON object into v, refusing unknown fields,
// wrong types and trailing data, with messages that name the field.
func decodeStrict(data []byte, v any) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return errf(http.StatusBadRequest, "", "", "empty request body; expected a JSON object")
	}
	if err := checkJSONText(data); err != nil {
		return err
	}
	if path, want, ok := inexactKey(data, v); ok {
		// The suggestion is a path too: "organizer.email" for "organizer.EMAIL".
		wantPath := path[:strings.LastIndex(path, ".")+1] + want
		return &httpError{status: http.StatusBadRequest, field: path, refs: []string{wantPath},
			msg: fmt.Sprintf("unknown field %q; did you mean %q? Field names are case-sensitive", path, wantPath)}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			name, _ = strconv.Unquote(name)
			if path, ok := unknownFieldPath(data, v, name); ok {
				return errf(http.StatusBadRequest, path, "", "unknown field %q", path)
			}
		}
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errf(http.StatusBadRequest, "", "", "malformed JSON: more data after the object")
	}
	return nil
}

// jsonError turns encoding/json's errors into 400s naming what was wrong.
func jsonError(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return errf(http.StatusBadRequest, "", "", "malformed JSON at byte %d: %v", se.Offset, se)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errf(http.StatusBadRequest, "", "", "malformed JSON: unexpected end of the body")
	case errors.As(err, &te):
		if te.Field == "" {
			return errf(http.StatusBadRequest, "", "", "expected a JSON object, not %s", jsonKind(te.Value))
		}
		return errf(http.StatusBadRequest, te.Field, "", "%s: expected %s, not %s", te.Field, goKind(te.Type.Kind().String()), jsonKind(te.Value))
	}
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		name, _ = strconv.Unquote(name)
		return errf(http.StatusBadRequest, name, "", "unknown field %q", name)
	}
	return errf(http.StatusBadRequest, "", "", "malformed JSON: %s", strings.TrimPrefix(msg, "json: "))
}

func jsonKind(v string) string {
	switch v {
	case "string":
		return "a string"
	case "number":
		return "a number"
	case "bool":
		return "true or false"
	case "array":
		return "a list"
	case "object":
		return "an object"
	}
	if strings.HasPrefix(v, "number") {
		return "a number " + strings.TrimPrefix(v, "number ")
	}
	return v
}

func goKind(k string) string {
	switch k {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice":
		return "a list"
	case "struct", "map", "ptr":
		return "an object"
	}
	if strings.HasPrefix(k, "int") || strings.HasPrefix(k, "uint") {
		return "a whole number"
	}
	return k
}

// mergePatch applies an RFC 7396 JSON merge patch to target.
func mergePatch(target, patch any) any {
	p, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	t, ok := target.(map[string]any)
	if !ok {
		t = map[string]any{}
	}
	for k, v := range p {
		if v == nil {
			delete(t, k)
			continue
		}
		t[k] = mergePatch(t[k], v)
	}
	return t
}

// patchFields describes which keys a PATCH may name: writable keys, read-only
// keys (refused) and nested objects with their own keys.
type patchFields struct {
	envelope string // the key a GET wraps the resource in: "series", "session", ...
	writable []string
	readOnly []string
	nested   map[string][]string
}

// applyPatch decodes a merge patch, checks its keys, applies it to the
// current representation and decodes the result strictly into v. The patch
// may come wrapped in the resource's envelope, as a GET answers
// ({"series": {"title": "..."}}), which sent records, as decodeResource
// does: errors name keys as in the bare patch, and writeError puts them
// under the envelope.
func applyPatch(data []byte, current any, fields patchFields, v any, sent *sentPath) error {
	var patch any
	if err := decodeJSONValue(data, &patch); err != nil {
		return err
	}
	pm, ok := patch.(map[string]any)
	if !ok {
		return errf(http.StatusBadRequest, "", "", "a merge patch must be a JSON object")
	}
	innerData, wrapped, err := enveloped(data, fields.envelope)
	if err != nil {
		return err
	}
	if inner, ok := pm[fields.envelope].(map[string]any); ok && wrapped {
		sent.envelope = fields.envelope
		pm, patch = inner, inner
		data = innerData
	}
	// Sorted, so that of several bad keys the same one is reported each time.
	for _, k := range slices.Sorted(maps.Keys(pm)) {
		if slices.Contains(fields.readOnly, k) {
			return errf(http.StatusUnprocessableEntity, k, "", "%s: is read-only; it cannot be patched", k)
		}
	}
	// The patch alone, decoded as a PUT body would be: an unknown field, a
	// name in the wrong case (with the suggestion) or a wrong type is
	// reported as a PUT or POST reports it, the first in the order sent.
	// The merged result below is re-encoded with sorted keys, which would
	// name another of several.
	if err := decodeStrict(data, reflect.New(reflect.TypeOf(v).Elem()).Interface()); err != nil {
		return err
	}
	for _, k := range slices.Sorted(maps.Keys(pm)) {
		val, path := pm[k], k
		switch {
		case !slices.Contains(fields.writable, k):
			return errf(http.StatusBadRequest, path, "", "unknown field %q", path)
		}
		if keys, ok := fields.nested[k]; ok {
			if m, ok := val.(map[string]any); ok {
				for nk := range m {
					if !slices.Contains(keys, nk) {
						return errf(http.StatusBadRequest, path+"."+nk, "", "unknown field %q", path+"."+nk)
					}
				}
			}
		}
	}
	raw, err := json.Marshal(current)
	if err != nil {
		return fmt.Errorf("patch: encode current: %w", err)
	}
	var cur any
	if err := json.Unmarshal(raw, &cur); err != nil {
		return fmt.Errorf("patch: decode current: %w", err)
	}
	merged, err := json.Marshal(mergePatch(cur, patch))
	if err != nil {
		return fmt.Errorf("patch: encode merged: %w", err)
	}
	return decodeStrict(merged, v)
}

// patchKeys is the set of keys a merge patch that applyPatch accepted
// names at its top level, inside the envelope when it came in one.
func patchKeys(data []byte, envelope string) map[string]bool {
	var m map[string]json.RawMessage
	if json.Unmarshal(data, &m) != nil {
		return nil
	}
	if inner, ok, err := enveloped(data, envelope); ok && err == nil {
		m = nil
		if json.Unmarshal(inner, &m) != nil {
			return nil
		}
	}
	keys := make(map[string]bool, len(m))
	for k := range m {
		keys[k] = true
	}
	return keys
}

// decodeJSONValue decodes any one JSON value, with decodeStrict's messages.
func decodeJSONValue(data []byte, v *any) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return errf(http.StatusBadRequest, "", "", "empty request body; expected a JSON object")
	}
	if err := checkJSONText(data); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errf(http.StatusBadRequest, "", "", "malformed JSON: more data after the object")
	}
	return nil
}
