package api

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

var update = flag.Bool("update", false, "rewrite openapi.json from the route table and testdata/openapi-components.json")

// buildOpenAPI generates the OpenAPI description from the route table and
// the hand-written components, so the served document cannot drift from
// the routes: TestOpenAPIIsGenerated fails until `go test -update` is run.
func buildOpenAPI(t *testing.T) []byte {
	t.Helper()
	compData, err := os.ReadFile("testdata/openapi-components.json")
	if err != nil {
		t.Fatal(err)
	}
	var components map[string]any
	if err := json.Unmarshal(compData, &components); err != nil {
		t.Fatalf("openapi-components.json: %v", err)
	}
	schemas, ok := components["schemas"].(map[string]any)
	if !ok {
		t.Fatal("openapi-components.json: no schemas")
	}
	participant, ok := schemas["Participant"].(map[string]any)
	if !ok {
		t.Fatal("openapi-components.json: no schema Participant")
	}
	for _, l := range validatorLimits {
		p, err := schemaAt(schemas, l.path)
		if err != nil {
			t.Fatalf("openapi-components.json: %v", err)
		}
		for kw, v := range l.set {
			p[kw] = v
		}
	}
	for _, name := range []string{"Series", "Session", "Post", "Person", "Participant"} {
		base, ok := schemas[name].(map[string]any)
		if !ok {
			t.Fatalf("openapi-components.json: no schema %s", name)
		}
		requireNotBlank(base)
	}
	schemas["ParticipantInput"] = blankable(participant)
	for _, d := range []struct {
		name, identity string
		patch          patchFields
	}{{"Series", "slug", seriesPatch}, {"Session", "key", sessionPatch}, {"Post", "id", postPatch}, {"Person", "", personPatch}} {
		base, ok := schemas[d.name].(map[string]any)
		if !ok {
			t.Fatalf("openapi-components.json: no schema %s", d.name)
		}
		create := blankable(base)
		create["description"] = "The " + strings.ToLower(d.name) + " to create with POST. " + blankNote
		schemas[d.name+"Create"] = create
		schemas[d.name+"Replace"] = blankable(replaceSchema(create, d.name, d.identity))
		patch, err := patchSchema(create, d.name, d.patch)
		if err != nil {
			t.Fatalf("openapi-components.json: %v", err)
		}
		schemas[d.name+"Patch"] = patch
		if d.name == "Session" {
			// The one read-only field a create honours (createSession);
			// after the PUT and PATCH bodies, which ignore or refuse it.
			props := create["properties"].(map[string]any)
			seq := deepCopy(props["sequence"]).(map[string]any)
			delete(seq, "readOnly")
			seq["minimum"] = 0
			seq["maximum"] = agenda.MaxSequence
			seq["description"] = "With a uid, the sequence the event starts at (as in an agenda file), so that calendars holding an earlier copy take it; " +
				"a uid deleted from the store starts above its last sequence whatever is given. Without a uid, only 0."
			props["sequence"] = seq
		}
		for _, kind := range []string{"Create", "Replace", "Patch"} {
			schemas[d.name+kind+"Request"] = envelopeSchema(d.name+kind, d.patch.envelope)
		}
	}
	paths := map[string]map[string]any{}
	for _, rt := range routes {
		if paths[rt.path] == nil {
			paths[rt.path] = map[string]any{}
		}
		paths[rt.path][strings.ToLower(rt.method)] = operation(rt)
	}
	doc := map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":       "agendafeed admin API",
			"version":     "1",
			"description": "Edit series, sessions, people and posts; every write regenerates the published calendars and feeds within about a second. See docs/api.md.",
		},
		"servers":    []any{map[string]any{"url": "/"}},
		"security":   []any{map[string]any{"bearer": []any{}}},
		"paths":      paths,
		"components": components,
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// validatorLimits are the limits and patterns package agenda enforces on
// each field, by schema and path ("[]": the items of a list), which the
// generator writes into the resource schemas (and so into every request
// schema derived from them) from agenda's own constants: the document
// cannot accept what the server refuses with 422 for a length or a
// pattern. TestOpenAPILimits checks the served document against them, and
// that no writable string field is left without a bound.
var validatorLimits = []struct {
	path string
	set  map[string]any
}{
	{"Series.slug", map[string]any{"pattern": agenda.SlugPattern}},
	{"Series.title", map[string]any{"maxLength": agenda.MaxTitle}},
	{"Series.description", map[string]any{"maxLength": agenda.MaxDescription}},
	{"Series.homepage", map[string]any{"maxLength": agenda.MaxURL}},
	{"Series.zone", map[string]any{"maxLength": agenda.MaxZone}},
	{"Series.language", map[string]any{"maxLength": agenda.MaxLanguage, "pattern": agenda.LanguagePattern}},
	{"Series.reminders", map[string]any{"maxItems": agenda.MaxReminders}},
	{"Series.organizer.name", map[string]any{"maxLength": agenda.MaxName}},
	{"Series.organizer.email", map[string]any{"maxLength": agenda.MaxEmail}},
	{"Participant.name", map[string]any{"maxLength": agenda.MaxName}},
	{"Participant.affiliation", map[string]any{"maxLength": agenda.MaxAffiliation}},
	{"Participant.url", map[string]any{"maxLength": agenda.MaxURL}},
	{"Session.uid", map[string]any{"maxLength": agenda.MaxUID}},
	{"Session.series", map[string]any{"pattern": agenda.SlugPattern}},
	{"Session.key", map[string]any{"pattern": agenda.SlugPattern}},
	{"Session.title", map[string]any{"maxLength": agenda.MaxTitle}},
	{"Session.description", map[string]any{"maxLength": agenda.MaxDescription}},
	{"Session.zone", map[string]any{"maxLength": agenda.MaxZone}},
	{"Session.venue", map[string]any{"maxLength": agenda.MaxVenue}},
	{"Session.address", map[string]any{"maxLength": agenda.MaxAddress}},
	{"Session.online_url", map[string]any{"maxLength": agenda.MaxURL}},
	{"Session.language", map[string]any{"maxLength": agenda.MaxLanguage, "pattern": agenda.LanguagePattern}},
	{"Session.tags", map[string]any{"maxItems": agenda.MaxTags}},
	{"Session.tags[]", map[string]any{"maxLength": agenda.MaxTag}},
	{"Session.url", map[string]any{"maxLength": agenda.MaxURL}},
	{"Session.people", map[string]any{"maxItems": agenda.MaxPeople}},
	{"Post.id", map[string]any{"pattern": agenda.SlugPattern}},
	{"Post.series", map[string]any{"pattern": agenda.SlugPattern}},
	{"Post.title", map[string]any{"maxLength": agenda.MaxTitle}},
	{"Post.summary", map[string]any{"maxLength": agenda.MaxSummary}},
	{"Post.author", map[string]any{"maxLength": agenda.MaxName}},
	{"Post.url", map[string]any{"maxLength": agenda.MaxURL}},
	{"Post.session", map[string]any{"pattern": agenda.SlugPattern}},
	{"Post.body", map[string]any{"maxLength": agenda.MaxBody}},
	{"Person.name", map[string]any{"maxLength": agenda.MaxName}},
	{"Person.affiliation", map[string]any{"maxLength": agenda.MaxAffiliation}},
	{"Person.url", map[string]any{"maxLength": agenda.MaxURL}},
}

// schemaAt is the schema of the field at path in schemas: "Series.title",
// "Series.organizer.name", "Session.tags[]".
func schemaAt(schemas map[string]any, path string) (map[string]any, error) {
	parts := strings.Split(path, ".")
	s, ok := schemas[parts[0]].(map[string]any)
	for _, part := range parts[1:] {
		if !ok {
			break
		}
		name, items := strings.CutSuffix(part, "[]")
		props, _ := s["properties"].(map[string]any)
		s, ok = props[name].(map[string]any)
		if ok && items {
			s, ok = s["items"].(map[string]any)
		}
	}
	if !ok {
		return nil, fmt.Errorf("no schema for %s", path)
	}
	return s, nil
}

// deepCopy copies a decoded JSON value, so derived schemas share nothing
// with the ones they come from.
func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		s := make([]any, len(v))
		for i, e := range v {
			s[i] = deepCopy(e)
		}
		return s
	}
	return v
}

// blankNote says what blankable does, in the schemas it makes.
const blankNote = "\"\" or only white space on an optional field is the same as leaving it out (or null in a patch), as in an agenda file; responses leave such a field out."

// spaceClass is the body of a regular-expression class of the characters
// strings.TrimSpace removes (unicode.IsSpace), which is how the server
// trims every string field (agenda's Normalize). Written with \uXXXX
// escapes, which ECMA-262 and Python's re read alike, so a validator
// agrees with the server where \s would not (Python's \s takes U+001C to
// U+001F, ECMA-262's takes U+FEFF; the server trims neither).
func spaceClass() string {
	var b strings.Builder
	for lo := rune(0); lo <= 0xFFFF; lo++ {
		if !unicode.IsSpace(lo) {
			continue
		}
		hi := lo
		for hi < 0xFFFF && unicode.IsSpace(hi+1) {
			hi++
		}
		fmt.Fprintf(&b, `\u%04X`, lo)
		if hi > lo {
			fmt.Fprintf(&b, `-\u%04X`, hi)
		}
		lo = hi
	}
	return b.String()
}

// requireNotBlank gives every required string field without a pattern of
// its own one that wants a character other than white space: the server
// trims, then refuses an empty required field (422), and the schema must
// not accept what the server refuses.
func requireNotBlank(s map[string]any) {
	props, _ := s["properties"].(map[string]any)
	required, _ := s["required"].([]any)
	for _, k := range required {
		p, _ := props[k.(string)].(map[string]any)
		if p == nil || !hasType(p, "string") || p["enum"] != nil {
			continue
		}
		if _, ok := p["pattern"]; !ok {
			p["pattern"] = "[^" + spaceClass() + "]"
		}
	}
}

// blankable is the request form of a resource schema: an optional field
// may be "" or only white space, which the API trims and reads as the
// field left out, as the importer does. The resource schemas themselves, which describe responses, keep
// their formats: a response leaves an unset field out instead of sending
// "". Participants refer to the request form of Participant.
func blankable(schema map[string]any) map[string]any {
	s := deepCopy(schema).(map[string]any)
	var walk func(s map[string]any)
	walk = func(s map[string]any) {
		if s["$ref"] == "#/components/schemas/Participant" {
			s["$ref"] = "#/components/schemas/ParticipantInput"
		}
		if items, ok := s["items"].(map[string]any); ok {
			walk(items)
		}
		props, _ := s["properties"].(map[string]any)
		required, _ := s["required"].([]any)
		for k, v := range props {
			p, _ := v.(map[string]any)
			walk(p)
			if slices.Contains(required, any(k)) || !hasType(p, "string") {
				continue
			}
			asserts := map[string]any{}
			for _, kw := range []string{"enum", "format", "pattern", "minLength"} {
				if a, ok := p[kw]; ok {
					asserts[kw] = a
					delete(p, kw)
				}
			}
			if len(asserts) > 0 {
				p["anyOf"] = []any{asserts, map[string]any{"pattern": "^[" + spaceClass() + "]*$"}}
			}
		}
	}
	walk(s)
	return s
}

// hasType reports whether a schema's type is, or includes, ty.
func hasType(p map[string]any, ty string) bool {
	switch t := p["type"].(type) {
	case string:
		return t == ty
	case []any:
		return slices.Contains(t, any(ty))
	}
	return false
}

// replaceSchema is a PUT body: the resource, except that the identity
// field the URL already names may be left out.
func replaceSchema(base map[string]any, name, identity string) map[string]any {
	s := deepCopy(base).(map[string]any)
	var req []any
	for _, r := range s["required"].([]any) {
		if r != identity {
			req = append(req, r)
		}
	}
	s["required"] = req
	s["description"] = "The whole " + strings.ToLower(name) + " for PUT: absent fields take their defaults; read-only fields are accepted and ignored, so a GET body can be sent back. " + blankNote
	if identity != "" {
		s["description"] = s["description"].(string) + " `" + identity + "` may be left out (the URL names it); if given it must agree with the URL."
	}
	return s
}

// patchSchema is a PATCH body, derived from the handler's own patchFields
// so that the document cannot promise another set of keys: only the
// writable keys, none required, and null allowed wherever applyPatch's
// null (which removes the key before the strict decode) leaves a valid
// resource, that is on every field the resource does not require.
func patchSchema(base map[string]any, name string, pf patchFields) (map[string]any, error) {
	baseProps, _ := base["properties"].(map[string]any)
	var required []string
	for _, r := range base["required"].([]any) {
		required = append(required, r.(string))
	}
	for k := range baseProps {
		if !slices.Contains(pf.writable, k) && !slices.Contains(pf.readOnly, k) {
			return nil, fmt.Errorf("%s.%s is neither writable nor read-only in the handler's patch fields", name, k)
		}
	}
	out := map[string]any{}
	for _, k := range pf.writable {
		p, ok := baseProps[k].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s has no property %q, which PATCH may set", name, k)
		}
		p = deepCopy(p).(map[string]any)
		delete(p, "default")
		if nested, ok := pf.nested[k]; ok {
			np, _ := p["properties"].(map[string]any)
			for _, nk := range nested {
				q, ok := np[nk].(map[string]any)
				if !ok {
					return nil, fmt.Errorf("%s.%s has no property %q, which PATCH may set", name, k, nk)
				}
				np[nk] = nullable(q)
			}
		}
		if !slices.Contains(required, k) {
			p = nullable(p)
		}
		out[k] = p
	}
	var ro []string
	for _, k := range pf.readOnly {
		ro = append(ro, "`"+k+"`")
	}
	return map[string]any{
		"type": "object",
		"description": "A JSON merge patch (RFC 7396) of a " + strings.ToLower(name) + ": the fields named change, null clears a field back to its default, nested objects merge and lists are replaced whole. " +
			"Required fields cannot be cleared. " + strings.Join(ro, ", ") + " cannot be patched (422). " + blankNote,
		"properties":           out,
		"additionalProperties": false,
	}, nil
}

// envelopeSchema is a request body: the schema named, bare or wrapped in the
// one-key object a GET answers with ({"series": {...}}), which the server
// unwraps (decodeResource, applyPatch). The two cannot both match: the
// bare schemas take no other keys than their fields, and no resource has a
// field named as its envelope.
func envelopeSchema(schema, envelope string) map[string]any {
	ref := map[string]any{"$ref": "#/components/schemas/" + schema}
	return map[string]any{
		"description": "A " + schema + ", bare or as a GET answers it, wrapped in an object whose one key is `" + envelope + "`: " +
			"the body of a GET can be edited and sent back as it is.",
		"oneOf": []any{ref, map[string]any{
			"type":                 "object",
			"properties":           map[string]any{envelope: ref},
			"required":             []any{envelope},
			"additionalProperties": false,
		}},
	}
}

// nullable lets a schema also accept null.
func nullable(p map[string]any) map[string]any {
	switch ty := p["type"].(type) {
	case string:
		p["type"] = []any{ty, "null"}
	case []any:
		if !slices.Contains(ty, any("null")) {
			p["type"] = append(ty, "null")
		}
	}
	if enum, ok := p["enum"].([]any); ok && !slices.Contains(enum, nil) {
		p["enum"] = append(enum, nil)
	}
	return p
}

var paramRE = regexp.MustCompile(`\{([a-z]+)\}`)

func operation(rt route) map[string]any {
	ref := func(name string) map[string]any { return map[string]any{"$ref": "#/components/" + name} }
	content := func(schema string, types ...string) map[string]any {
		c := map[string]any{}
		for _, ty := range types {
			c[ty] = map[string]any{"schema": ref("schemas/" + schema)}
		}
		return c
	}
	resource := "Series"
	switch {
	case strings.Contains(rt.path, "/posts"):
		resource = "Post"
	case strings.Contains(rt.path, "/sessions"):
		resource = "Session"
	case strings.Contains(rt.path, "/people"):
		resource = "Person"
	}
	item := strings.HasSuffix(rt.path, "}")
	op := map[string]any{"summary": rt.summary, "operationId": operationID(rt), "tags": []any{resource}}
	var params []any
	for _, m := range paramRE.FindAllStringSubmatch(rt.path, -1) {
		params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
	}
	responses := map[string]any{"default": ref("responses/Error")}
	ok := func(code, desc, schema string, etag, location bool) {
		r := map[string]any{"description": desc, "content": content(schema, "application/json")}
		h := map[string]any{}
		if etag {
			h["ETag"] = map[string]any{"description": "The version of the resource, for If-Match and If-None-Match.", "required": true, "schema": map[string]any{"type": "string"}}
		}
		if location {
			h["Location"] = map[string]any{"description": "The path of the resource, which a PATCH that renames a session's key changes.", "required": true, "schema": map[string]any{"type": "string"}}
		}
		if len(h) > 0 {
			r["headers"] = h
		}
		responses[code] = r
	}
	// Sessions, posts and people answer every write of one resource with
	// its Location; series only their creation.
	locates := resource != "Series"
	write := rt.method != "GET"
	if write {
		responses["503"] = ref("responses/Busy")
	}
	list := map[string]string{"Series": "SeriesList", "Session": "SessionList", "Post": "PostList", "Person": "PersonList"}
	switch {
	case strings.HasSuffix(rt.path, "/openapi.json"):
		op["tags"] = []any{"Meta"}
		op["security"] = []any{}
		params = append(params, ref("parameters/If-None-Match"))
		responses["200"] = map[string]any{"description": "This document. It changes only with the agendafeed binary: Cache-Control is no-cache, so keep it and revalidate with If-None-Match.",
			"content": map[string]any{"application/json": map[string]any{}},
			"headers": map[string]any{"ETag": map[string]any{"description": "The sha256 of the document, for If-None-Match.", "required": true, "schema": map[string]any{"type": "string"}}}}
		responses["304"] = notModified()
	case strings.HasSuffix(rt.path, "/import"):
		op["tags"] = []any{"Import"}
		op["requestBody"] = map[string]any{"required": true, "description": "One agenda file (docs/agenda-format.md), YAML or JSON, at most 10 MB.",
			"content": map[string]any{"application/yaml": map[string]any{}, "application/x-yaml": map[string]any{}, "text/yaml": map[string]any{}, "application/json": map[string]any{}}}
		ok("200", "Imported, all or nothing.", "ImportResponse", false, false)
	case rt.method == "GET" && !item:
		params = append(params, ref("parameters/limit"), ref("parameters/offset"))
		if resource == "Session" {
			if !strings.Contains(rt.path, "{slug}") {
				params = append(params, ref("parameters/series"))
			}
			params = append(params, ref("parameters/from"), ref("parameters/to"), ref("parameters/status"))
		}
		params = append(params, ref("parameters/If-None-Match"))
		ok("200", "One page of the list; next is the URL of the following page, or null.", list[resource], false, false)
		responses["200"].(map[string]any)["headers"] = map[string]any{"ETag": map[string]any{
			"description": "The hash of this page's body, for If-None-Match: it changes when anything on the page, or the page itself, does.",
			"required":    true, "schema": map[string]any{"type": "string"}}}
		responses["304"] = notModified()
	case rt.method == "GET":
		params = append(params, ref("parameters/If-None-Match"))
		ok("200", "The "+strings.ToLower(resource)+".", resource+"Response", true, false)
		responses["304"] = notModified()
	case rt.method == "POST" && strings.HasSuffix(rt.path, "/cancel"):
		params = append(params, ref("parameters/If-Match"))
		ok("200", "Cancelled: the session stays published with STATUS:CANCELLED and a new sequence.", "SessionResponse", true, true)
	case rt.method == "POST":
		op["requestBody"] = map[string]any{"required": true, "content": content(resource+"CreateRequest", "application/json")}
		ok("201", "Created.", resource+"Response", true, true)
	case rt.method == "PUT":
		op["description"] = neverCreates
		params = append(params, ref("parameters/If-Match"))
		op["requestBody"] = map[string]any{"required": true, "content": content(resource+"ReplaceRequest", "application/json")}
		ok("200", "Replaced. Absent fields take their defaults.", resource+"Response", true, locates)
	case rt.method == "PATCH":
		op["description"] = neverCreates
		params = append(params, ref("parameters/If-Match"))
		op["requestBody"] = map[string]any{"required": true, "description": "A JSON merge patch (RFC 7396): named fields change, null clears.",
			"content": content(resource+"PatchRequest", "application/merge-patch+json", "application/json")}
		ok("200", "Changed.", resource+"Response", true, locates)
	case rt.method == "DELETE":
		params = append(params, ref("parameters/If-Match"))
		ok("200", "Deleted.", "DeleteResponse", false, false)
	}
	if len(params) > 0 {
		op["parameters"] = params
	}
	op["responses"] = responses
	return op
}

// neverCreates is said of every PUT and PATCH, since HTTP lets a PUT
// create and a client may expect this one to.
const neverCreates = "Changes an existing resource only: on a missing one the answer is 404, naming the POST that creates it (201 with Location)."

// notModified is the 304 of a GET whose If-None-Match names the current
// ETag.
func notModified() map[string]any {
	return map[string]any{"description": "Not modified: If-None-Match names the current ETag. The answer carries the headers that describe the 200 (RFC 9110 section 15.4.5): ETag and Cache-Control.",
		"headers": map[string]any{
			"ETag":          map[string]any{"description": "The current version.", "required": true, "schema": map[string]any{"type": "string"}},
			"Cache-Control": map[string]any{"description": "As the 200 would have it.", "required": true, "schema": map[string]any{"type": "string"}},
		}}
}

// operationID is the method and the path in camel case:
// GET /api/v1/series/{slug}/posts -> getSeriesBySlugPosts.
func operationID(rt route) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(rt.method))
	for _, seg := range strings.Split(strings.TrimPrefix(rt.path, Prefix+"/"), "/") {
		if strings.HasPrefix(seg, "{") {
			seg = "by-" + strings.Trim(seg, "{}")
		}
		for _, part := range strings.FieldsFunc(seg, func(r rune) bool { return r == '-' || r == '.' }) {
			rs := []rune(part)
			rs[0] = unicode.ToUpper(rs[0])
			b.WriteString(string(rs))
		}
	}
	return b.String()
}

func TestOpenAPIIsGenerated(t *testing.T) {
	got := buildOpenAPI(t)
	if *update {
		if err := os.WriteFile("openapi.json", got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(got, openAPIDoc) {
		t.Fatal("openapi.json is not what the route table and testdata/openapi-components.json give; run: go test ./internal/api -run TestOpenAPIIsGenerated -update")
	}
}

// documented lists "METHOD path" of every operation in the served document.
func documented(t *testing.T) []string {
	t.Helper()
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}
	var out []string
	for p, ops := range doc.Paths {
		for m := range ops {
			out = append(out, strings.ToUpper(m)+" "+p)
		}
	}
	slices.Sort(out)
	return out
}

// TestOpenAPIMatchesRoutes: every registered route is documented with the
// same method and path, and every documented operation is served by the
// mux under exactly that pattern.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	var registered []string
	for _, rt := range routes {
		registered = append(registered, rt.method+" "+rt.path)
	}
	slices.Sort(registered)
	docs := documented(t)
	for _, r := range registered {
		if _, found := slices.BinarySearch(docs, r); !found {
			t.Errorf("route %s is not in openapi.json", r)
		}
	}
	for _, d := range docs {
		if _, found := slices.BinarySearch(registered, d); !found {
			t.Errorf("openapi.json documents %s, which is not a route", d)
		}
	}

	ta := newTestAPI(t)
	a := ta.h.(*API)
	for _, d := range docs {
		method, path, _ := strings.Cut(d, " ")
		concrete := paramRE.ReplaceAllString(path, "x")
		r := httptest.NewRequest(method, concrete, nil)
		if _, pattern := a.mux.Handler(r); pattern != d {
			t.Errorf("%s %s is served by pattern %q, want %q", method, concrete, pattern, d)
		}
	}
}

// TestOpenAPILimits: the served document states agenda's limits and
// patterns on every field they apply to, in the resource schemas and in
// the request schemas derived from them, and leaves no writable string or
// list field without a bound the server enforces.
func TestOpenAPILimits(t *testing.T) {
	var doc struct {
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatal(err)
	}
	schemas := doc.Components.Schemas
	// has reports whether the schema, or one of its anyOf branches (where
	// blankable moves a pattern), says kw: want.
	var has func(s map[string]any, kw string, want any) bool
	has = func(s map[string]any, kw string, want any) bool {
		if v, ok := s[kw]; ok && fmt.Sprint(v) == fmt.Sprint(want) {
			return true
		}
		for _, b := range asSlice(s["anyOf"]) {
			if bs, ok := b.(map[string]any); ok && has(bs, kw, want) {
				return true
			}
		}
		return false
	}
	for _, l := range validatorLimits {
		name, field, _ := strings.Cut(l.path, ".")
		forms := []string{"", "Create", "Replace", "Patch"}
		if name == "Participant" {
			forms = []string{"", "Input"}
		}
		for _, form := range forms {
			p, err := schemaAt(schemas, name+form+"."+field)
			if err != nil {
				if form == "" || name == "Participant" {
					t.Errorf("%s: %v", l.path, err)
				}
				continue // not in this form: a read-only field of a patch
			}
			for kw, want := range l.set {
				if !has(p, kw, want) {
					t.Errorf("%s%s.%s: %s is not %v: %v", name, form, field, kw, want, p)
				}
			}
		}
	}
	// Fields whose form a parser checks (wall times, instants) rather than a
	// length or a pattern.
	unbounded := []string{"Session.start", "Session.end", "Post.published", "Post.updated"}
	var walk func(path string, s map[string]any)
	walk = func(path string, s map[string]any) {
		props, _ := s["properties"].(map[string]any)
		for k, v := range props {
			p, _ := v.(map[string]any)
			fp := path + "." + k
			if p["readOnly"] == true || p["enum"] != nil || slices.Contains(unbounded, fp) {
				continue
			}
			switch {
			case hasType(p, "object"):
				walk(fp, p)
			case hasType(p, "array"):
				if p["maxItems"] == nil {
					t.Errorf("%s: a list without maxItems", fp)
				}
			case hasType(p, "string"):
				if f := p["format"]; f == "date" || f == "date-time" {
					continue
				}
				if p["maxLength"] == nil && p["pattern"] == nil {
					t.Errorf("%s: a string without maxLength or pattern; add agenda's limit to validatorLimits", fp)
				}
			}
		}
	}
	for _, name := range []string{"Series", "Session", "Post", "Person", "Participant"} {
		walk(name, schemas[name].(map[string]any))
	}
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}
