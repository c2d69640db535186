// Package config owns agendafeed's configuration: the Config type, its
// defaults, loading it from a strict YAML file and AGENDAFEED_* environment
// variables, and validating it with messages that name the field, the value
// and what was expected.
//
// There is no global configuration: Load returns a value that the caller
// hands down explicitly.
package config

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// Token is an admin API token. Only the SHA-256 of the token is configured,
// so a leaked config file does not leak a usable token.
type Token struct {
	Name   string `yaml:"name"`   // who holds it, for logs: "ci", "alice"
	SHA256 string `yaml:"sha256"` // lower-case hex of sha256(token); see HashToken
	Access string `yaml:"access"` // AccessRead or AccessWrite
}

// The access levels a token can have.
const (
	AccessRead  = "read"
	AccessWrite = "write"
)

// Config is everything agendafeed reads from its config file and
// environment. The zero value is not useful: start from Default or Load.
type Config struct {
	Database        string     `yaml:"database"`
	OutputDir       string     `yaml:"output_dir"`
	BaseURL         string     `yaml:"base_url"`
	Listen          string     `yaml:"listen"`
	Cron            string     `yaml:"cron"`
	DefaultZone     string     `yaml:"default_zone"`
	DefaultLanguage string     `yaml:"default_language"`
	UIDDomain       string     `yaml:"uid_domain"`
	AdminTokens     []Token    `yaml:"admin_tokens"`
	Reminders       []Duration `yaml:"reminders"`
	FeedItemLimit   int        `yaml:"feed_item_limit"`
	RefreshInterval Duration   `yaml:"refresh_interval"`
	Debounce        Duration   `yaml:"debounce"`
	LogFormat       string     `yaml:"log_format"`
	LogLevel        string     `yaml:"log_level"`
	// SessionCalendars says how each session's own calendar (the "add to
	// calendar" .ics) reaches people: SessionCalendarsFiles or
	// SessionCalendarsServed.
	SessionCalendars string `yaml:"session_calendars"`
}

// The values of session_calendars.
const (
	// SessionCalendarsFiles: every pass writes one .ics per session to the
	// output directory, beside the series' calendar.
	SessionCalendarsFiles = "files"
	// SessionCalendarsServed: the daemon renders a session's .ics when it
	// is requested (and caches it); passes write none. At 100,000 sessions
	// that is 100,000 files fewer to create and sync, 40% of a full
	// pass (docs/performance.md). `agendafeed generate` writes them anyway,
	// since whoever hosts its output has no daemon to render them.
	SessionCalendarsServed = "served"
)

// Limits checked by Validate.
const (
	MinRefreshInterval = 5 * time.Minute
	MaxRefreshInterval = 7 * 24 * time.Hour
	MaxDebounce        = time.Second
	MaxFeedItemLimit   = 10000
)

// Default returns the configuration used when neither the file nor the
// environment says otherwise.
func Default() Config {
	return Config{
		Database:         "var/agendafeed.db",
		OutputDir:        "var/public",
		BaseURL:          "http://localhost:8080/",
		Listen:           "127.0.0.1:8080",
		Cron:             "*/5 * * * *",
		DefaultZone:      "Europe/Madrid",
		DefaultLanguage:  "en",
		UIDDomain:        "localhost",
		Reminders:        []Duration{Duration(15 * time.Minute), Duration(24 * time.Hour)},
		FeedItemLimit:    50,
		RefreshInterval:  Duration(time.Hour),
		Debounce:         Duration(500 * time.Millisecond),
		LogFormat:        "text",
		LogLevel:         "info",
		SessionCalendars: SessionCalendarsServed,
	}
}

// ReminderDurations returns the default reminders as durations.
func (c Config) ReminderDurations() []time.Duration {
	out := make([]time.Duration, len(c.Reminders))
	for i, r := range c.Reminders {
		out[i] = time.Duration(r)
	}
	return out
}

// HashToken returns the lower-case hex SHA-256 of token, the form
// admin_tokens[].sha256 takes.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CronParser returns the parser Validate checks cron with, after CronSpec:
// five fields or a descriptor, with an optional CRON_TZ= prefix. The
// scheduler should use the same one, on CronSpec's rewrite, so that what
// validates is what runs.
func CronParser() cron.Parser {
	return cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)
}

var (
	dnsNameRE   = regexp.MustCompile(`^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)
	tokenNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$`)
	sha256HexRE = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// normalize trims values, gives a zero debounce the default and derives
// the UID domain from the base URL when it is empty. (Validate adds the
// base URL's trailing slash once the URL is found good.)
//
// It reports whether uid_domain was derived, so that an error about it can
// blame base_url, the key the user set.
func (c *Config) normalize() (derived bool) {
	for _, p := range []*string{&c.Database, &c.OutputDir, &c.BaseURL, &c.Listen, &c.Cron,
		&c.DefaultZone, &c.DefaultLanguage, &c.UIDDomain, &c.LogFormat, &c.LogLevel, &c.SessionCalendars} {
		*p = strings.TrimSpace(*p)
	}
	c.LogFormat = strings.ToLower(c.LogFormat)
	c.LogLevel = strings.ToLower(c.LogLevel)
	c.SessionCalendars = strings.ToLower(c.SessionCalendars)
	c.UIDDomain = strings.ToLower(c.UIDDomain)
	// debounce: 0 means the default. Left at 0, the scheduler would wait
	// its own fallback (250 ms), neither what the docs say nor what the
	// loaded config shows.
	if c.Debounce == 0 {
		c.Debounce = Default().Debounce
	}
	if u, err := url.Parse(c.BaseURL); err == nil && u.Host != "" && c.UIDDomain == "" {
		c.UIDDomain = strings.ToLower(u.Hostname())
		derived = true
	}
	for i := range c.AdminTokens {
		t := &c.AdminTokens[i]
		t.Name = strings.TrimSpace(t.Name)
		t.SHA256 = strings.ToLower(strings.TrimSpace(t.SHA256))
		t.Access = strings.ToLower(strings.TrimSpace(t.Access))
	}
	return derived
}

// Validate normalises c in place (trims values, adds the base URL's
// trailing slash, derives an empty uid_domain from base_url, gives a zero
// debounce the default) and checks
// every field, reporting all problems at once as agenda.Errors, one per line:
// `cron: "61 * * * *": expected ...`.
func (c *Config) Validate() error {
	derived := c.normalize()
	baseURL := c.BaseURL // before the slash, for quoting
	var es agenda.Errors
	add := func(field, value, format string, args ...any) {
		es = append(es, &agenda.FieldError{Field: field, Value: value, Msg: fmt.Sprintf(format, args...)})
	}

	if c.Database == "" {
		add("database", c.Database, "required: the path of the SQLite database file")
	}
	if c.OutputDir == "" {
		add("output_dir", c.OutputDir, "required: the directory the published files are written to")
	}
	// The slash is added once the URL is good, so that an error quotes
	// the URL as it was written.
	if checkBaseURL(&es, c.BaseURL) && !strings.HasSuffix(c.BaseURL, "/") {
		c.BaseURL += "/"
	}
	checkListen(&es, c.Listen)
	checkCron(&es, c.Cron)
	if _, err := agenda.LoadZone(c.DefaultZone); err != nil {
		add("default_zone", c.DefaultZone, "expected an IANA time zone such as Europe/Madrid or America/New_York%s", agenda.ZoneHint(c.DefaultZone))
	}
	// The language and the reminders are applied to series, so they are
	// checked exactly as a series checks its own, with the same messages.
	probe := agenda.Series{Slug: "probe", Title: "probe", Zone: "UTC", Language: c.DefaultLanguage, Reminders: c.ReminderDurations()}
	if err := probe.Validate(); err != nil {
		for _, fe := range err.(agenda.Errors) {
			f := *fe
			switch {
			case f.Field == "language":
				f.Field = "default_language"
			case strings.HasPrefix(f.Field, "reminders["):
			default: // the count, below, with the list as its value
				continue
			}
			es = append(es, &f)
		}
	}
	if n := len(c.Reminders); n > agenda.MaxReminders {
		written := make([]string, n)
		for i, r := range c.Reminders {
			written[i] = r.String()
		}
		add("reminders", "["+strings.Join(written, ", ")+"]", "expected at most %d reminders, not %d", agenda.MaxReminders, n)
	}
	// An empty uid_domain is derived from base_url, whose error is enough.
	// A derived one that is not a DNS name (an IPv6 address) is blamed on
	// base_url, the key that was set, and the fix is to set uid_domain:
	// no stand-in is derived, since UIDs are kept by calendar apps for
	// good and one made up now would outlive a later, real uid_domain.
	// (An IPv4 address has the form of a DNS name and is let through.)
	switch {
	case c.UIDDomain == "" || (len(c.UIDDomain) <= 253 && dnsNameRE.MatchString(c.UIDDomain)):
	case derived:
		add("base_url", baseURL, "its host %q is not a DNS name, and uid_domain, not set, is derived from it; set uid_domain to a DNS name such as agenda.example.org (session UIDs end in @uid_domain)", c.UIDDomain)
	default:
		add("uid_domain", c.UIDDomain, "expected a DNS name such as agenda.example.org (session UIDs end in @uid_domain)")
	}
	names, hashes := map[string]int{}, map[string]int{}
	for i, t := range c.AdminTokens {
		f := fmt.Sprintf("admin_tokens[%d]", i)
		if !ValidTokenName(t.Name) {
			add(f+".name", t.Name, "expected 1-64 characters of letters, digits and . _ @ -")
		} else if j, dup := names[t.Name]; dup {
			add(f+".name", t.Name, "already used by admin_tokens[%d]; names must be unique", j)
		} else {
			names[t.Name] = i
		}
		if !sha256HexRE.MatchString(t.SHA256) {
			add(f+".sha256", t.SHA256, "expected 64 hex digits: the SHA-256 of the token, e.g. from `printf %%s \"$TOKEN\" | sha256sum`")
		} else if j, dup := hashes[t.SHA256]; dup {
			// One token under two entries would get whichever access the
			// lookup meets last: a "read" entry could hand out write.
			add(f+".sha256", t.SHA256, "already used by admin_tokens[%d]; each token must be listed once, with one access", j)
		} else {
			hashes[t.SHA256] = i
		}
		if t.Access != AccessRead && t.Access != AccessWrite {
			add(f+".access", t.Access, "expected %s or %s", AccessRead, AccessWrite)
		}
	}
	for _, w := range c.wholeNumbers() {
		if *w.p < w.min || *w.p > w.max {
			add(w.key, strconv.Itoa(*w.p), "%s", w.expected())
		}
	}
	if d := time.Duration(c.RefreshInterval); d < MinRefreshInterval || d > MaxRefreshInterval {
		add("refresh_interval", c.RefreshInterval.String(), "expected a duration between 5m and 1w")
	}
	if d := time.Duration(c.Debounce); d < 0 || d > MaxDebounce {
		add("debounce", c.Debounce.String(), "expected a duration between 0s and 1s (edits reach subscribers at most 1 s after a burst)")
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		add("log_format", c.LogFormat, "expected text or json")
	}
	if !slices.Contains([]string{"debug", "info", "warn", "error"}, c.LogLevel) {
		add("log_level", c.LogLevel, "expected debug, info, warn or error")
	}
	if c.SessionCalendars != SessionCalendarsFiles && c.SessionCalendars != SessionCalendarsServed {
		add("session_calendars", c.SessionCalendars, "expected %s (every pass writes one .ics per session) or %s (the daemon renders them on request)",
			SessionCalendarsFiles, SessionCalendarsServed)
	}
	return es.Err()
}

// wholeNumber is a key whose value is a whole number, with its bounds.
type wholeNumber struct {
	key      string
	p        *int
	min, max int
}

// wholeNumbers lists every key of c whose value is a whole number. The
// file, the environment and Validate all check them from this list, so a
// new one cannot be checked in one place and truncated in another
// (TestWholeNumbersListsEveryIntKey keeps it complete).
func (c *Config) wholeNumbers() []wholeNumber {
	return []wholeNumber{
		{"feed_item_limit", &c.FeedItemLimit, 1, MaxFeedItemLimit},
	}
}

func (w wholeNumber) expected() string {
	return fmt.Sprintf("expected a whole number between %d and %d", w.min, w.max)
}

// checkBaseURL reports what is wrong with the base URL, and whether it is
// good. Beyond its form, it is held to the rules of every URL in the data
// (agenda.CheckURL: no user name or password, a port from 1 to 65535), since
// every published URL starts with it.
func checkBaseURL(es *agenda.Errors, v string) bool {
	fail := func(format string, args ...any) bool {
		*es = append(*es, &agenda.FieldError{Field: "base_url", Value: v, Msg: fmt.Sprintf(format, args...)})
		return false
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || strings.ContainsAny(v, " \"<>\\") {
		return fail("expected an absolute http or https URL without query or fragment, such as https://agenda.example.org/")
	}
	if ues := agenda.CheckURL("base_url", v); len(ues) > 0 {
		*es = append(*es, ues...)
		return false
	}
	// A bare "?" or "#" leaves RawQuery and Fragment empty: look at the text.
	if strings.ContainsAny(v, "?#") {
		return fail("expected a URL without query (?) or fragment (#): the published files' URLs are made by adding their paths to it")
	}
	// The built-in server serves the published files under this path, but
	// answers these routes at the root first (internal/server): under
	// them, published URLs would reach the API, /healthz or /metrics. The
	// server routes on the decoded path, and what reaches it may have been
	// cleaned on the way (dot segments by clients, "//" by proxies such as
	// nginx), so this looks at the decoded, cleaned path.
	clean := strings.TrimSuffix(path.Clean("/"+u.Path), "/") + "/"
	var reserved bool
	for _, root := range []string{"/api/v1/", "/healthz/", "/metrics/"} {
		reserved = reserved || strings.HasPrefix(clean, root)
	}
	// Browsers, curl and proxies remove dot segments ("/x/../agenda/" is
	// "/agenda/") before they ask (RFC 3986, 5.2.4), so every URL made by
	// adding a file's path to this one would ask for another path than
	// the one it names, which the server does not answer. The decoded
	// path is looked at, so that %2e counts as a dot.
	for _, seg := range strings.Split(u.Path, "/") {
		if seg != "." && seg != ".." {
			continue
		}
		const msg = "expected a path without . or .. segments: browsers and curl remove them before asking, so published URLs would not reach the files"
		if reserved {
			return fail("%s; and it resolves to %s, under /api/v1/, /healthz or /metrics, which the built-in server answers at the root", msg, clean)
		}
		fixed := *u
		fixed.Path, fixed.RawPath = clean, ""
		return fail("%s; write the path they resolve to, as in %s", msg, fixed.String())
	}
	if reserved {
		return fail("expected a path outside /api/v1/, /healthz and /metrics: the built-in server answers those at the root, and they would shadow the published files")
	}
	return true
}

func checkListen(es *agenda.Errors, v string) {
	_, port, err := net.SplitHostPort(v)
	n, perr := strconv.Atoi(port)
	if err != nil || perr != nil || n < 0 || n > 65535 || strings.ContainsAny(port, "+-") {
		*es = append(*es, &agenda.FieldError{Field: "listen", Value: v,
			Msg: "expected host:port with a port between 0 and 65535, such as 127.0.0.1:8080 or :8080"})
	}
}

// checkCron checks a cron spec as the scheduler will read it (CronSpec)
// with the scheduler's own parser. CronSpec checks the CRON_TZ= prefix
// first: robfig/cron v3.0.1 panics on a spec that is only
// "CRON_TZ=Zone", and it would accept "Local".
func checkCron(es *agenda.Errors, spec string) {
	fail := func(format string, args ...any) {
		*es = append(*es, &agenda.FieldError{Field: "cron", Value: spec, Msg: fmt.Sprintf(format, args...)})
	}
	norm, err := CronSpec(spec)
	if err != nil {
		fail("%v", err)
		return
	}
	sched, err := parseCron(norm)
	if err != nil {
		fail("expected five fields (minute hour day-of-month month day-of-week) or a descriptor such as @hourly or @every 5m: %v", err)
		return
	}
	// A spec can parse and yet name no real day ("0 0 31 2 *", February
	// 31st): the daemon would then never run a cron pass, only the passes
	// after edits. The schedule's own Next says so: it gives up after five
	// years and returns the zero time, and any day that exists (February
	// 29th included) comes within five years of any start.
	// From a fixed time, so that whether a spec is accepted does not
	// depend on the clock.
	if sched.Next(time.Date(2000, time.January, 1, 0, 0, 0, 0, time.UTC)).IsZero() {
		fail("never fires: no date matches its day-of-month, month and day-of-week fields (such as February 31st); expected a schedule that runs, such as */5 * * * *")
	}
}

// parseCron runs the parser under recover, so that a spec it cannot cope
// with is an error and not a crash.
func parseCron(spec string) (sched cron.Schedule, err error) {
	defer func() {
		if r := recover(); r != nil {
			sched, err = nil, fmt.Errorf("unparseable spec")
		}
	}()
	return CronParser().Parse(spec)
}

// ValidTokenName reports whether name may name an admin token: 1-64
// characters of letters, digits and . _ @ -, starting with a letter or
// digit. The token command checks names with it, so that every name it
// prints is one the config accepts.
func ValidTokenName(name string) bool { return tokenNameRE.MatchString(name) }
