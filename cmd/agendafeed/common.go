package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/sys/unix"

	"github.com/agendafeed/agendafeed/config"
	"github.com/agendafeed/agendafeed/internal/agenda"
	"github.com/agendafeed/agendafeed/internal/store"
)

// command is one subcommand's flag set plus the -config flag every command takes.
type command struct {
	fs     *flag.FlagSet
	config *string
	e      env
	// out holds what the flag package prints (the usage, a parse error):
	// parse sends it to stdout for -h, which asked for it, and to stderr
	// for an error, as the top level does.
	out bytes.Buffer
}

func newCommand(name, usage string, e env) *command {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	c := &command{fs: fs, e: e}
	fs.SetOutput(&c.out)
	c.config = fs.String("config", "", "config `file` (default $AGENDAFEED_CONFIG, else built-in defaults)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage:\n  agendafeed %s\n\nFlags:\n", usage)
		fs.PrintDefaults()
	}
	return c
}

// actionHelp answers `agendafeed GROUP -h` (series, session, post), whose
// first argument is otherwise an action: the group's usage, exit 0, as
// `GROUP ACTION -h` gives.
func actionHelp(args []string, usage string, e env) (bool, error) {
	if len(args) == 0 || (args[0] != "-h" && args[0] != "-help" && args[0] != "--help") {
		return false, nil
	}
	fmt.Fprintf(e.stdout, "Usage:\n  agendafeed %s\n\nEach action takes -config FILE and -h; run 'agendafeed GROUP ACTION -h' for its flags.\n", usage)
	return true, errHelp
}

// parse parses flags that may stand before, between or after the positional
// arguments, and returns the positional ones.
func (c *command) parse(args []string) ([]string, error) {
	var pos []string
	for {
		if err := c.fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				c.e.stdout.Write(c.out.Bytes())
				return nil, errHelp
			}
			// The flag package printed the problem and the usage.
			c.e.stderr.Write(c.out.Bytes())
			return nil, usagef("%s: %v", c.fs.Name(), err)
		}
		args = c.fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// set reports which flags were given on the command line, so edits change
// only what the user named.
func (c *command) set() map[string]bool {
	m := map[string]bool{}
	c.fs.Visit(func(f *flag.Flag) { m[f.Name] = true })
	return m
}

func (c *command) loadConfig() (config.Config, error) {
	path, from := *c.config, "-config"
	if path == "" {
		path, from = c.e.getenv("AGENDAFEED_CONFIG"), "AGENDAFEED_CONFIG"
	}
	// Reading a directory fails with "read X: is a directory", which says
	// neither where the path came from nor what belongs there.
	if st, err := os.Stat(path); path != "" && err == nil && st.IsDir() {
		return config.Config{}, fmt.Errorf("%s: %s: is a directory; expected a YAML config file", from, quoteArg(path))
	}
	// The loader's "open X: no such file or directory" says neither.
	if _, err := os.Stat(path); path != "" && errors.Is(err, fs.ErrNotExist) {
		return config.Config{}, fmt.Errorf("%s: %s: no such file; expected the path of a YAML config file "+
			"(docs/config.md describes it), or neither -config nor AGENDAFEED_CONFIG for the built-in defaults", from, quoteArg(path))
	}
	cfg, err := config.LoadEnviron(path, c.e.environ())
	if err != nil {
		return config.Config{}, fmt.Errorf("config: %w", err)
	}
	return cfg, nil
}

// openStore loads the config and opens the database it names. Only
// commands that are meant to create data pass create: for any other, a
// missing database is a mistyped or deleted path, and an empty one in its
// place would read as "nothing stored" (serve would unpublish everything).
func (c *command) openStore(ctx context.Context, create bool) (config.Config, *store.DB, error) {
	cfg, err := c.loadConfig()
	if err != nil {
		return cfg, nil, err
	}
	db, err := openStore(ctx, cfg, create, c.e.stderr)
	return cfg, db, err
}

// A schema update is told on notes: an older release cannot refuse the
// database afterwards (README, "Upgrading").
func openStore(ctx context.Context, cfg config.Config, create bool, notes io.Writer) (*store.DB, error) {
	dir := filepath.Dir(cfg.Database)
	if create {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("database %s: cannot create its directory: %w; create it, or run as a user who can%s",
				cfg.Database, err, databaseKey)
		}
	}
	// A command runs for moments, so it may read a database in a
	// directory it cannot write (store.Options.ReadOnlyFallback).
	db, err := store.Open(ctx, cfg.Database, store.Options{UIDDomain: cfg.UIDDomain, Create: create, ReadOnlyFallback: true})
	if err == nil {
		if from, to, ok := db.Migrated(); ok {
			fmt.Fprintf(notes, "agendafeed: database %s: schema updated from version %d to %d; an older agendafeed must not use it (README: Upgrading)\n",
				cfg.Database, from, to)
		}
		return db, nil
	}
	// SQLite says only "unable to open database file" when it cannot
	// create a missing file.
	if _, serr := os.Stat(cfg.Database); create && errors.Is(serr, fs.ErrNotExist) {
		if aerr := unix.Access(dir, unix.W_OK|unix.X_OK); aerr != nil {
			return nil, cannotCreate(cfg.Database, dir, aerr)
		}
	}
	return nil, missingDatabase(cfg.Database, fmt.Errorf("open database %s: %w", cfg.Database, err))
}

// cannotCreate says that a missing database cannot be created because its
// directory cannot be written.
func cannotCreate(path, dir string, err error) error {
	return fmt.Errorf("database %s does not exist and cannot be created: its directory %s cannot be written (%v); "+
		"make %s writable by this user, or run as its owner%s", path, dir, err, dir, databaseKey)
}

// databaseKey ends a message about a database that cannot be opened or
// written with where its path comes from.
const databaseKey = " (the path is config key database / AGENDAFEED_DATABASE)"

// unwritableDatabase adds databaseKey to an error saying that the database
// cannot be written (its directory or its file): the store names the path
// and what to do, not where the path was set. run applies it to every
// command's error, so that each command that writes says it. Other errors
// pass unchanged.
func unwritableDatabase(err error) error {
	if errors.Is(err, store.ErrReadOnlyDir) || errors.Is(err, store.ErrReadOnlyFile) {
		return fmt.Errorf("%w%s", err, databaseKey)
	}
	return err
}

// writeError gives the error of a write the action it was, unless it is a
// validation error (which names its fields) or a conflict: the store's
// own message for a database that cannot be written does not say what
// was being written.
func writeError(action string, err error) error {
	if err == nil || errors.Is(err, agenda.ErrInvalid) || errors.Is(err, agenda.ErrConflict) {
		return err
	}
	return fmt.Errorf("%s: %w", action, err)
}

// missingDatabase rewrites the error for a database that does not exist,
// or holds no agendafeed data, to say which commands create one, and adds
// databaseKey to the errors for a path that cannot be an agendafeed
// database; other errors pass unchanged.
func missingDatabase(path string, err error) error {
	switch {
	case errors.Is(err, store.ErrNoDatabase):
		nd := &noDatabaseError{path: path, err: err}
		if errors.Is(err, store.ErrEmptyDatabase) {
			nd.empty = "an SQLite database without any agendafeed table (an empty database, or one still being created?)"
			if st, serr := os.Stat(path); serr == nil && st.Size() == 0 {
				nd.empty = "empty (0 bytes), not an agendafeed database (truncated, made by touch, or a copy that failed?)"
			}
		}
		return nd
	case errors.Is(err, store.ErrNotDatabaseFile), errors.Is(err, store.ErrNewerSchema), errors.Is(err, store.ErrNotAgendafeed):
		return fmt.Errorf("%w%s", err, databaseKey)
	}
	return err
}

// noDatabaseError says which commands create a database, and still
// matches store.ErrNoDatabase for those that go on without one.
type noDatabaseError struct {
	path string
	// empty, when set, says what the file is: it exists, but a reading
	// command must not take it for an agenda with nothing in it.
	empty string
	err   error
}

func (e *noDatabaseError) Error() string {
	if e.empty != "" {
		return fmt.Sprintf("database %s is %s; restore it from a backup, or set the right path; "+
			"only import, demo, serve -demo and series add initialise an empty one%s", e.path, e.empty, databaseKey)
	}
	return fmt.Sprintf("database %s does not exist (mistyped or deleted?); only import, demo, serve -demo and series add create one%s",
		e.path, databaseKey)
}

func (e *noDatabaseError) Unwrap() error { return e.err }

// flagErrors rewrites validation errors so that the fields they name, both
// the one in error and those its message refers to (FieldError.Refs), are
// named by the flags of this command that set them (-online-url rather
// than online_url, -start-date rather than start_date): the user sees the
// names they type. Import files and the API name the same fields by their
// keys, from the same validation.
func flagErrors(err error, fs *flag.FlagSet) error {
	var es agenda.Errors
	var fe *agenda.FieldError
	switch {
	case errors.As(err, &es):
	case errors.As(err, &fe):
		es = agenda.Errors{fe}
	default:
		return err
	}
	out := make(fieldErrors, len(es))
	for i, e := range es {
		c := *e
		if name, ok := fieldFlag(fs, c.Field); ok {
			c.Field = name
		}
		if len(c.Refs) > 0 {
			c.Msg = renameRefs(c.Msg, c.Refs, func(ref string) (string, bool) { return fieldFlag(fs, ref) })
			c.Refs = nil
		}
		out[i] = &c
	}
	return out
}

// fieldErrors are validation errors as the CLI shows them: like
// agenda.Errors, one per line, but with each value quoted as typed
// (quoteArg). They match agenda.ErrInvalid: rejected input, exit 1.
type fieldErrors []*agenda.FieldError

func (es fieldErrors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = fmt.Sprintf("%s: %s: %s", e.Field, quoteArg(e.Value), e.Msg)
	}
	return strings.Join(msgs, "\n")
}

func (es fieldErrors) Is(target error) bool { return target == agenda.ErrInvalid }

func (es fieldErrors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// maxShownArg bounds how much of a value a message repeats, as
// agenda.FieldError does: a -description of a megabyte is not echoed.
const maxShownArg = 80

// quoteArg quotes a value the user typed (a flag value, an argument) for a
// message, as they typed it: "Dan\x" for Dan\x, where %q would show
// "Dan\\x", which reads as two backslashes in a program whose values use
// \ as an escape (-person). Only a value with a character that does not
// print (a newline, a control character, invalid UTF-8) is quoted with Go
// escapes, so that nothing invisible reaches the terminal.
func quoteArg(v string) string {
	r := []rune(v)
	more := ""
	if len(r) > maxShownArg {
		v, more = string(r[:maxShownArg]), fmt.Sprintf("… (%d characters)", len(r))
	}
	if !utf8.ValidString(v) || strings.IndexFunc(v, func(c rune) bool { return !unicode.IsPrint(c) }) >= 0 {
		return strconv.Quote(v) + more
	}
	return `"` + v + `"` + more
}

// fieldFlag returns how a command's message names a validation field: as
// the flag of fs that sets it, and whether there is one. Most fields have
// a flag of their own name, with - for _ and . (online_url: -online-url,
// organizer.email: -organizer-email); the cases below are the others.
func fieldFlag(fs *flag.FlagSet, field string) (string, bool) {
	has := func(name string) bool { return fs.Lookup(name) != nil }
	if field == "all_day: true" && has("all-day") {
		// The boolean flag given is the value true.
		return "-all-day", true
	}
	// A list's items come from one flag: tags[2] from -tags, reminders[0]
	// from -reminders; people[1].role from the second -person.
	if base, rest, ok := strings.Cut(field, "["); ok {
		idx, after, _ := strings.Cut(rest, "]")
		n, err := strconv.Atoi(idx)
		switch {
		case err != nil:
		case base == "people" && given(fs, "person"):
			// Only -person lists the people in order; with -add-person
			// the index is into the list as edited, which the field
			// names as it is.
			name := fmt.Sprintf("-person #%d", n+1)
			if part := strings.TrimPrefix(after, "."); part != "" {
				name += " " + part
			}
			return name, true
		case after == "" && has(base):
			return "-" + base, true
		}
		return field, false
	}
	name := strings.NewReplacer("_", "-", ".", "-").Replace(field)
	if has(name) {
		return "-" + name, true
	}
	return field, false
}

// given reports whether the flag name was set on the command line.
func given(fs *flag.FlagSet, name string) bool {
	found := false
	fs.Visit(func(f *flag.Flag) { found = found || f.Name == name })
	return found
}

// renameRefs replaces in msg each whole-word occurrence of a ref by its new
// name, in one pass so that a replacement is never matched again ("start"
// inside "-start-date"), trying longer refs first ("start_date" before
// "start").
func renameRefs(msg string, refs []string, rename func(string) (string, bool)) string {
	refs = slices.Clone(refs)
	slices.SortFunc(refs, func(a, b string) int { return len(b) - len(a) })
	word := func(i int) bool {
		if i < 0 || i >= len(msg) {
			return false
		}
		c := msg[i]
		return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
	}
	var b strings.Builder
	for i := 0; i < len(msg); {
		matched := false
		for _, ref := range refs {
			if ref == "" || !strings.HasPrefix(msg[i:], ref) || word(i-1) || word(i+len(ref)) {
				continue
			}
			if name, ok := rename(ref); ok {
				b.WriteString(name)
				i += len(ref)
				matched = true
				break
			}
		}
		if !matched {
			b.WriteByte(msg[i])
			i++
		}
	}
	return b.String()
}

// valueError reports a flag value that could not be parsed (not a date,
// not one of the choices, a -person without its fields): a usage error,
// exit 2, as an unknown flag is. A value that parses but is refused (an
// end before the start, -remove-person of someone not in the session) is
// rejected input, exit 1: see rejectedValue.
func valueError(flagName, value, msg string) error {
	return &usageError{msg: rejectedValue(flagName, value, msg).Error()}
}

// rejectedValue reports a flag value that parses but is refused: rejected
// input, exit 1, like a value the validation refuses.
func rejectedValue(flagName, value, msg string) error {
	return fieldErrors{{Field: "-" + flagName, Value: value, Msg: msg}}
}

// noArgs refuses positional arguments to a command that takes none.
func noArgs(name string, pos []string) error {
	if len(pos) != 0 {
		return usagef("%s: unexpected argument %s; it takes none", name, quoteArg(pos[0]))
	}
	return nil
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// multiFlag is a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, "; ") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }
