package config

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/agendafeed/agendafeed/internal/agenda"
	"github.com/agendafeed/agendafeed/internal/suggest"
)

// EnvPrefix starts the name of every environment variable Load reads:
// AGENDAFEED_ followed by the upper-cased key (AGENDAFEED_BASE_URL).
const EnvPrefix = "AGENDAFEED_"

// MaxFileSize bounds the config file Load reads.
const MaxFileSize = 1 << 20

// Errors lists every problem Load found, one per line, each naming where the
// value came from: `agendafeed.yaml:7: cron: "61 * * * *": expected ...`,
// `AGENDAFEED_FEED_ITEM_LIMIT: "abc": expected a whole number`.
type Errors []string

func (es Errors) Error() string { return strings.Join(es, "\n") }

// Is makes Errors match agenda.ErrInvalid.
func (es Errors) Is(target error) bool { return target == agenda.ErrInvalid }

// Load returns the defaults, overridden by the YAML file at path (if path is
// not empty), overridden by AGENDAFEED_<KEY> variables read through getenv,
// then validated. Relative database and output_dir paths written in the
// file are resolved against the file's directory; defaults and values from
// the environment stay relative to the working directory. uid_domain,
// unless set, is the host of the final base_url. Through getenv Load sees
// only the names it asks for, so a misspelt variable goes unnoticed:
// LoadEnviron refuses those too.
func Load(path string, getenv func(string) string) (Config, error) {
	var data []byte
	if path != "" {
		var err error
		if data, err = readFile(path); err != nil {
			return Config{}, fmt.Errorf("load config: %w", err)
		}
	}
	return load(path, data, getenv, nil)
}

// LoadEnviron is Load with the environment given as os.Environ gives it,
// "NAME=value" (the first of two with one name counts, as with os.Getenv).
// Seeing every name, it also refuses an AGENDAFEED_ variable that is neither
// a key's nor one of the other variables agendafeed reads (OtherVariables),
// with the key it probably means: AGENDAFEED_DATABSE would otherwise be
// ignored, and the daemon would run on the default database.
func LoadEnviron(path string, environ []string) (Config, error) {
	vars := map[string]string{}
	var names []string
	for _, kv := range environ {
		name, v, _ := strings.Cut(kv, "=")
		if _, dup := vars[name]; !dup {
			vars[name] = v
			names = append(names, name)
		}
	}
	var data []byte
	if path != "" {
		var err error
		if data, err = readFile(path); err != nil {
			return Config{}, fmt.Errorf("load config: %w", err)
		}
	}
	return load(path, data, func(name string) string { return vars[name] }, names)
}

// OtherVariables returns the AGENDAFEED_ variables that are not config keys
// but are read elsewhere, which LoadEnviron lets through: the config file's
// path for the command line, and those the tests set for themselves and
// the processes they start.
func OtherVariables() []string {
	return []string{
		"AGENDAFEED_CONFIG",               // the config file, when -config is not given
		"AGENDAFEED_ARTIFACTS",            // where tests keep what they produce (make test)
		"AGENDAFEED_TEST_MAIN",            // cmd/agendafeed's tests run their binary as the program
		"AGENDAFEED_CRASH_HELPER",         // internal/app's crash test
		"AGENDAFEED_PUBLISH_CRASH_HELPER", // internal/publish's crash test
		"AGENDAFEED_PUBLISH_LOCK_HELPER",  // internal/publish's lock test
		"AGENDAFEED_TEST_READONLY_DB",     // internal/store's read-only directory test
		"AGENDAFEED_TEST_API_STORAGE",     // internal/api's read-only database test
		"AGENDAFEED_TEST_API_FULL",        // internal/api's full disk test
	}
}

// keys returns the config's keys, in Config's order; each can be set with
// the variable EnvPrefix + its upper case.
func keys() []string { return yamlKeys(reflect.TypeFor[Config]()) }

// yamlKeys returns the keys of the struct type ty, in field order.
func yamlKeys(ty reflect.Type) []string {
	out := make([]string, 0, ty.NumField())
	for i := range ty.NumField() {
		out = append(out, ty.Field(i).Tag.Get("yaml"))
	}
	return out
}

// unknownVariables reports each non-empty variable among names that starts
// with EnvPrefix, in any case, and is not one agendafeed reads. An empty
// one is let through: it sets nothing, as an empty known variable does;
// so are those that container platforms set for a service or container
// named agendafeed (see injected).
func unknownVariables(names []string, getenv func(string) string) Errors {
	known, lower := knownVariables()
	var es Errors
	for _, name := range names {
		if known[name] || len(name) < len(EnvPrefix) || !strings.EqualFold(name[:len(EnvPrefix)], EnvPrefix) ||
			strings.TrimSpace(getenv(name)) == "" || injected(strings.ToUpper(name[len(EnvPrefix):])) {
			continue
		}
		if best := suggest.Closest(name[len(EnvPrefix):], lower); best != "" {
			es = append(es, fmt.Sprintf("%s: unknown variable; did you mean %s?", name, EnvPrefix+strings.ToUpper(best)))
			continue
		}
		es = append(es, fmt.Sprintf("%s: unknown variable; expected %s followed by a config key in upper case, such as %sBASE_URL (docs/config.md), or %s",
			name, EnvPrefix, EnvPrefix, OtherVariables()[0]))
	}
	slices.Sort(es)
	return es
}

// injected reports whether rest, a variable's name after EnvPrefix in
// upper case, is one a container platform sets in every container beside
// a service or a linked container called agendafeed: Kubernetes' service
// links (AGENDAFEED_SERVICE_HOST, AGENDAFEED_SERVICE_PORT,
// AGENDAFEED_PORT, AGENDAFEED_PORT_8080_TCP_ADDR, ...) and Docker's legacy
// links (the same PORT ones, AGENDAFEED_NAME, AGENDAFEED_ENV_...).
// Refusing them would stop the daemon in the very pod its Service fronts.
func injected(rest string) bool {
	return rest == "PORT" || rest == "NAME" || strings.HasPrefix(rest, "PORT_") ||
		strings.HasPrefix(rest, "SERVICE_") || strings.HasPrefix(rest, "ENV_")
}

// knownVariables returns every variable agendafeed reads, and what
// suggest compares a misspelt one with: their names without EnvPrefix, in
// lower case.
func knownVariables() (known map[string]bool, lower []string) {
	known = map[string]bool{}
	for _, k := range keys() {
		known[EnvPrefix+strings.ToUpper(k)] = true
		lower = append(lower, k)
	}
	for _, name := range OtherVariables() {
		known[name] = true
		lower = append(lower, strings.ToLower(strings.TrimPrefix(name, EnvPrefix)))
	}
	return known, lower
}

// load is Load after reading the file: data is its content when path is
// not empty. names, when not nil, lists every variable getenv knows, for
// refusing unknown AGENDAFEED_ ones.
func load(path string, data []byte, getenv func(string) string, names []string) (Config, error) {
	c := Default()
	c.UIDDomain = "" // derived from the final base_url unless set
	src := &sources{lines: map[string]int{}, env: map[string]string{}, envValue: map[string]string{}}
	var es Errors
	if path != "" {
		es = append(es, decodeFile(path, data, &c, src)...)
		dir := filepath.Dir(path)
		for _, p := range []struct {
			key string
			v   *string
		}{{"database", &c.Database}, {"output_dir", &c.OutputDir}} {
			if _, ok := src.lines[p.key]; ok && *p.v != "" && !filepath.IsAbs(*p.v) {
				*p.v = filepath.Join(dir, *p.v)
			}
		}
	}
	if getenv != nil {
		es = append(es, unknownVariables(names, getenv)...)
		es = append(es, applyEnv(&c, getenv, src)...)
	}
	if len(es) > 0 {
		return Config{}, es
	}
	if err := c.Validate(); err != nil {
		var fes agenda.Errors
		if !errors.As(err, &fes) {
			return Config{}, err
		}
		for _, fe := range fes {
			es = append(es, src.locate(fe))
		}
		return Config{}, es
	}
	return c, nil
}

func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("%s: larger than %d bytes; expected a small YAML file", path, MaxFileSize)
	}
	return data, nil
}

// sources remembers where each value came from, so that a validation error
// can point at the file line or the environment variable that set it.
type sources struct {
	path  string
	lines map[string]int    // "cron", "reminders[1]", "admin_tokens[0].sha256" -> line
	env   map[string]string // top-level key -> environment variable
	// envValue is each variable's value as given (trimmed), by key, for
	// quoting it as written.
	envValue map[string]string
	// expect overrides describeType for a key: "a whole number between 1
	// and 10000" where yaml knows only an int.
	expect map[string]string
	index  []nodeEntry
}

type nodeEntry struct {
	path string
	node *yaml.Node
	key  *yaml.Node // nil for list items
}

func (s *sources) locate(fe *agenda.FieldError) string {
	top := topKey(fe.Field)
	if v, ok := s.written(fe.Field, top); ok {
		fe.Value = v
	}
	if name, ok := s.env[top]; ok {
		if fe.Field == top {
			fe.Field = name
		} else {
			fe.Field = name + ": " + fe.Field
		}
		return fe.Error()
	}
	for p := fe.Field; p != ""; p = parentPath(p) {
		if line, ok := s.lines[p]; ok {
			return fmt.Sprintf("%s:%d: %s", s.path, line, fe.Error())
		}
	}
	return fe.Error()
}

// written returns the value of field as the user wrote it, in the
// variable or the file, where Validate quotes it as it reads it: a
// duration in Go's spelling ("1m30s" for 90s), a name lower-cased. top is
// field's top-level key.
func (s *sources) written(field, top string) (string, bool) {
	if _, ok := s.env[top]; ok {
		v := s.envValue[top]
		if field == top {
			return v, true
		}
		// AGENDAFEED_REMINDERS=15m,90s: reminders[1] is the second item.
		if rest, ok := strings.CutPrefix(field, "reminders["); ok {
			i, err := strconv.Atoi(strings.TrimSuffix(rest, "]"))
			if items := strings.Split(v, ","); err == nil && strings.HasSuffix(rest, "]") && i >= 0 && i < len(items) {
				return strings.TrimSpace(items[i]), true
			}
		}
		return "", false
	}
	for _, e := range s.index {
		if e.path == field {
			return writtenNode(resolveAlias(e.node))
		}
	}
	return "", false
}

// writtenNode returns a scalar's text, or a list of scalars as
// "[15m, 90s]".
func writtenNode(n *yaml.Node) (string, bool) {
	switch n.Kind {
	case yaml.ScalarNode:
		return n.Value, true
	case yaml.SequenceNode:
		items := make([]string, len(n.Content))
		for i, c := range n.Content {
			if c = resolveAlias(c); c.Kind != yaml.ScalarNode {
				return "", false
			}
			items[i] = c.Value
		}
		return "[" + strings.Join(items, ", ") + "]", true
	}
	return "", false
}

// topKey returns the top-level key of a field's path: "admin_tokens" for
// "admin_tokens[0].sha256".
func topKey(p string) string {
	if i := strings.IndexAny(p, ".["); i >= 0 {
		return p[:i]
	}
	return p
}

func parentPath(p string) string {
	i := strings.LastIndexAny(p, ".[")
	if i < 0 {
		return ""
	}
	return p[:i]
}

// decodeFile decodes data over c strictly and records in src the line of
// every value. yaml's messages ("line 7: field databse not found in type
// config.Config") are rewritten into `path:7: unknown key "databse"`.
func decodeFile(path string, data []byte, c *Config, src *sources) Errors {
	src.path = path
	src.expect = map[string]string{}
	for _, w := range c.wholeNumbers() {
		src.expect[w.key] = strings.TrimPrefix(w.expected(), "expected ")
	}
	// First pass: the node tree, for syntax errors, the document count and
	// line numbers.
	var docs []*yaml.Node
	if err := safeYAML(func() error {
		d := yaml.NewDecoder(bytes.NewReader(data))
		for {
			var n yaml.Node
			err := d.Decode(&n)
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			docs = append(docs, &n)
		}
	}); err != nil {
		return Errors{syntaxError(path, err)}
	}
	switch {
	case len(docs) == 0:
		return nil // an empty file (or only comments) keeps the defaults
	case len(docs) > 1:
		return Errors{fmt.Sprintf("%s:%d: expected one YAML document, found another starting here", path, docs[1].Line)}
	}
	root := docs[0]
	if len(root.Content) == 1 && root.Content[0].Kind == yaml.ScalarNode && root.Content[0].ShortTag() == "!!null" {
		return nil
	}
	src.walk(root, "")
	if len(root.Content) == 1 && root.Content[0].Kind == yaml.MappingNode {
		for _, e := range src.index {
			if e.key != nil && !strings.ContainsAny(e.path, ".[") {
				src.lines[e.path] = e.node.Line
			}
		}
	}
	// yaml decodes 1.5 into an int as 1, silently: whole numbers are
	// checked on the nodes, by their tag, before it gets the chance.
	var found []lineError
	flagged := map[int]bool{}
	if len(root.Content) == 1 && root.Content[0].Kind == yaml.MappingNode {
		found = src.checkWholeNumbers(root.Content[0], c.wholeNumbers(), flagged)
	}
	// Second pass: strict decoding into the struct.
	err := safeYAML(func() error {
		d := yaml.NewDecoder(bytes.NewReader(data))
		d.KnownFields(true)
		return d.Decode(c)
	})
	var te *yaml.TypeError
	if errors.As(err, &te) {
		for _, msg := range te.Errors {
			line := 0
			if m := lineMsgRE.FindStringSubmatch(msg); m != nil {
				line, _ = strconv.Atoi(m[1])
			}
			// A fraction yaml cannot truncate (1e30, .inf) is reported
			// once, by checkWholeNumbers.
			if m := cannotRE.FindStringSubmatch(msg); m != nil && m[2] == "float" && m[4] == "int" && flagged[line] {
				continue
			}
			found = append(found, lineError{line, src.typeError(msg)})
		}
	} else if err != nil {
		return Errors{syntaxError(path, err)}
	}
	slices.SortStableFunc(found, func(a, b lineError) int { return cmp.Compare(a.line, b.line) })
	var es Errors
	for _, f := range found {
		es = append(es, f.msg)
	}
	return es
}

// lineError is a message about the file with the line it is about, for
// putting the messages in the file's order.
type lineError struct {
	line int
	msg  string
}

// checkWholeNumbers reports a value tagged !!float (1.5, 99.9, 3.0,
// !!float 3) under a whole-number key of the mapping m, following aliases
// and merge keys (<<) as yaml does, and records the lines it reported. A
// mapping merged into itself is followed a few levels deep, not forever.
func (s *sources) checkWholeNumbers(m *yaml.Node, keys []wholeNumber, flagged map[int]bool) []lineError {
	return s.checkWholeNumbersDepth(m, keys, flagged, 0)
}

func (s *sources) checkWholeNumbersDepth(m *yaml.Node, keys []wholeNumber, flagged map[int]bool, depth int) []lineError {
	var out []lineError
	var merged []*yaml.Node
	written := map[string]bool{} // a key written in m wins over a merged one
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if k.ShortTag() != "!!merge" {
			written[k.Value] = true
		} else {
			switch v = resolveAlias(v); v.Kind {
			case yaml.MappingNode:
				merged = append(merged, v)
			case yaml.SequenceNode:
				for _, item := range v.Content {
					if item = resolveAlias(item); item.Kind == yaml.MappingNode {
						merged = append(merged, item)
					}
				}
			}
			continue
		}
		for _, w := range keys {
			target := resolveAlias(v)
			if k.Value != w.key || target.Kind != yaml.ScalarNode || target.ShortTag() != "!!float" {
				continue
			}
			out = append(out, lineError{v.Line, fmt.Sprintf("%s:%d: %s: %q: %s", s.path, v.Line, w.key, target.Value, w.expected())})
			flagged[v.Line], flagged[target.Line] = true, true
		}
	}
	if depth >= 10 {
		return out
	}
	var rest []wholeNumber
	for _, w := range keys {
		if !written[w.key] {
			rest = append(rest, w)
		}
	}
	for _, mm := range merged {
		out = append(out, s.checkWholeNumbersDepth(mm, rest, flagged, depth+1)...)
	}
	return out
}

// resolveAlias returns the node an alias stands for (n itself otherwise),
// giving up on a cycle rather than looping.
func resolveAlias(n *yaml.Node) *yaml.Node {
	for range 100 {
		if n.Kind != yaml.AliasNode || n.Alias == nil {
			return n
		}
		n = n.Alias
	}
	return n
}

// safeYAML turns a panic inside the YAML library into an error: a config
// file must never crash the daemon.
func safeYAML(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: cannot parse this file (%v)", r)
		}
	}()
	return f()
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func syntaxError(path string, err error) string {
	msg := err.Error()
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("%s:%s: %s", path, m[1], m[2])
	}
	return fmt.Sprintf("%s: %s", path, strings.TrimPrefix(msg, "yaml: "))
}

// walk records every mapping value and list item under n.
func (s *sources) walk(n *yaml.Node, path string) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			s.walk(c, path)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := k.Value
			if path != "" {
				p = path + "." + k.Value
			}
			s.index = append(s.index, nodeEntry{path: p, node: v, key: k})
			if path != "" {
				s.lines[p] = v.Line
			}
			s.walk(v, p)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			s.index = append(s.index, nodeEntry{path: p, node: c})
			s.lines[p] = c.Line
			s.walk(c, p)
		}
	}
}

var (
	unknownFieldRE = regexp.MustCompile(`^line (\d+): field (.*) not found in type \S+$`)
	cannotRE       = regexp.MustCompile("^line (\\d+): cannot unmarshal !!(\\w+)(?: `(.*)`)? into (\\S+)$")
	lineMsgRE      = regexp.MustCompile(`^line (\d+): (.*)$`)
	// durationErrorRE matches Duration.UnmarshalYAML's error.
	durationErrorRE = regexp.MustCompile(`^line (\d+): column (\d+): not a duration: (".*")$`)
)

// typeError rewrites one of yaml's type errors.
func (s *sources) typeError(msg string) string {
	if m := unknownFieldRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		in, known := "", keys()
		for _, e := range s.index {
			if e.key != nil && e.key.Line == line && e.key.Value == m[2] {
				if parent := parentPath(e.path); parent != "" {
					in, known = " in "+parent, nil
					if strings.HasPrefix(parent, "admin_tokens[") {
						known = yamlKeys(reflect.TypeFor[Token]())
					}
				}
				break
			}
		}
		if best := suggest.Closest(m[2], known); best != "" {
			return fmt.Sprintf("%s:%d: unknown key %q%s; did you mean %q?", s.path, line, m[2], in, best)
		}
		return fmt.Sprintf("%s:%d: unknown key %q%s", s.path, line, m[2], in)
	}
	if m := cannotRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		want := describeType(m[4])
		e := s.find(line, m[2], strings.TrimSuffix(m[3], "..."))
		switch {
		case e == nil && line == 1 && m[4] == "config.Config":
			return fmt.Sprintf("%s:1: expected a mapping of keys such as database: and base_url:", s.path)
		case e == nil:
			return fmt.Sprintf("%s:%d: expected %s", s.path, line, want)
		case e.node.Kind == yaml.ScalarNode:
			if w, ok := s.expect[e.path]; ok {
				want = w
			}
			return fmt.Sprintf("%s:%d: %s: %q: expected %s", s.path, line, e.path, e.node.Value, want)
		default:
			return fmt.Sprintf("%s:%d: %s: expected %s, not a %s", s.path, line, e.path, want, kindName(e.node.Kind))
		}
	}
	if m := durationErrorRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		col, _ := strconv.Atoi(m[2])
		value, _ := strconv.Unquote(m[3])
		for _, e := range s.index {
			if e.node.Line == line && e.node.Column == col {
				return fmt.Sprintf("%s:%d: %s: %q: %s", s.path, line, e.path, value, durationHint(topKey(e.path)))
			}
		}
		// An alias: the node is the anchor's, somewhere else.
		return fmt.Sprintf("%s:%d: %q: %s", s.path, line, value, durationHint(""))
	}
	if m := lineMsgRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		if e := s.find(line, "", ""); e != nil {
			return fmt.Sprintf("%s:%d: %s: %s", s.path, line, e.path, m[2])
		}
		return fmt.Sprintf("%s:%d: %s", s.path, line, m[2])
	}
	return fmt.Sprintf("%s: %s", s.path, msg)
}

// find returns the deepest value at line whose kind matches yaml's tag and
// whose text starts with prefix (yaml shortens long values in messages).
func (s *sources) find(line int, tag, prefix string) *nodeEntry {
	var found *nodeEntry
	for i := range s.index {
		e := &s.index[i]
		if e.node.Line != line {
			continue
		}
		switch {
		case tag == "seq" && e.node.Kind != yaml.SequenceNode,
			tag == "map" && e.node.Kind != yaml.MappingNode,
			tag != "" && tag != "seq" && tag != "map" && (e.node.Kind != yaml.ScalarNode || !strings.HasPrefix(e.node.Value, prefix)):
			continue
		}
		found = e
	}
	return found
}

func describeType(goType string) string {
	switch goType {
	case "int":
		return "a whole number"
	case "string":
		return "text"
	case "[]config.Token":
		return "a list of tokens, each with name, sha256 and access"
	case "config.Token":
		return "a token: a mapping with name, sha256 and access"
	case "[]config.Duration":
		return "a list of durations such as [15m, 1d]"
	case "config.Config":
		return "a mapping of keys such as database: and base_url:"
	}
	return goType
}

// applyEnv applies AGENDAFEED_<KEY> overrides and records them in src.
func applyEnv(c *Config, getenv func(string) string, src *sources) Errors {
	var es Errors
	fail := func(name, v, format string, args ...any) {
		es = append(es, fmt.Sprintf("%s: %q: %s", name, v, fmt.Sprintf(format, args...)))
	}
	str := func(p *string) func(string, string) { return func(_, v string) { *p = v } }
	dur := func(key string, p *Duration) func(string, string) {
		return func(name, v string) {
			d, err := ParseDuration(v)
			if err != nil {
				fail(name, v, "%s", durationHint(key))
				return
			}
			*p = d
		}
	}
	setters := []struct {
		key string
		set func(name, v string)
	}{
		{"database", str(&c.Database)},
		{"output_dir", str(&c.OutputDir)},
		{"base_url", str(&c.BaseURL)},
		{"listen", str(&c.Listen)},
		{"cron", str(&c.Cron)},
		{"default_zone", str(&c.DefaultZone)},
		{"default_language", str(&c.DefaultLanguage)},
		{"uid_domain", str(&c.UIDDomain)},
		{"admin_tokens", func(name, v string) {
			c.AdminTokens = nil
			if strings.EqualFold(v, "none") {
				return
			}
			for i, item := range strings.Split(v, ",") {
				parts := strings.Split(strings.TrimSpace(item), ":")
				if len(parts) != 3 {
					fail(name, v, "token %d: expected name:access:sha256hex, comma-separated", i+1)
					return
				}
				c.AdminTokens = append(c.AdminTokens, Token{Name: parts[0], Access: parts[1], SHA256: parts[2]})
			}
		}},
		{"reminders", func(name, v string) {
			c.Reminders = []Duration{}
			if strings.EqualFold(v, "none") {
				return
			}
			for i, item := range strings.Split(v, ",") {
				d, err := ParseDuration(item)
				if err != nil {
					fail(name, v, "reminder %d %q: %s; or none", i+1, strings.TrimSpace(item), durationHint("reminders"))
					return
				}
				c.Reminders = append(c.Reminders, d)
			}
		}},
		{"refresh_interval", dur("refresh_interval", &c.RefreshInterval)},
		{"debounce", dur("debounce", &c.Debounce)},
		{"log_format", str(&c.LogFormat)},
		{"log_level", str(&c.LogLevel)},
		{"session_calendars", str(&c.SessionCalendars)},
	}
	for _, w := range c.wholeNumbers() {
		setters = append(setters, struct {
			key string
			set func(name, v string)
		}{w.key, func(name, v string) {
			n, err := strconv.Atoi(v)
			if err != nil {
				fail(name, v, "%s", w.expected())
				return
			}
			*w.p = n
		}})
	}
	for _, s := range setters {
		name := EnvPrefix + strings.ToUpper(s.key)
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			continue
		}
		s.set(name, v)
		src.env[s.key] = name
		src.envValue[s.key] = v
	}
	return es
}
