package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/internal/agenda"
	"github.com/agendafeed/agendafeed/internal/suggest"
)

// env returns a getenv reading from m.
func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestDefaultValidates(t *testing.T) {
	c := Default()
	if err := c.Validate(); err != nil {
		t.Fatalf("Default().Validate() = %v", err)
	}
	if !reflect.DeepEqual(c, Default()) {
		t.Errorf("Validate changed the defaults: %+v", c)
	}
	if got := c.ReminderDurations(); !reflect.DeepEqual(got, []time.Duration{15 * time.Minute, 24 * time.Hour}) {
		t.Errorf("ReminderDurations() = %v", got)
	}
}

func TestHashToken(t *testing.T) {
	// sha256("test"), as `printf %s test | sha256sum` prints it.
	const want = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	if got := HashToken("test"); got != want {
		t.Errorf("HashToken(test) = %s, want %s", got, want)
	}
}

// withDir returns want with the relative paths the file sets resolved
// against dir, as Load does.
func withDir(want Config, dir string) Config {
	want.Database = filepath.Join(dir, want.Database)
	want.OutputDir = filepath.Join(dir, want.OutputDir)
	return want
}

func TestExampleFile(t *testing.T) {
	const path = "agendafeed.example.yaml"
	c, err := Load(path, env(nil))
	if err != nil {
		t.Fatalf("Load(%s): %v", path, err)
	}
	if len(c.AdminTokens) != 0 {
		t.Errorf("admin_tokens = %v, want none", c.AdminTokens)
	}
	c.AdminTokens = nil
	if want := withDir(Default(), "."); !reflect.DeepEqual(c, want) {
		t.Errorf("the example file differs from the defaults it documents:\n got %+v\nwant %+v", c, want)
	}
	// Every key of Config is in the example, so none is undocumented; a key
	// whose default must not be copied (uid_domain) is there commented out.
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ty := reflect.TypeFor[Config]()
	for i := range ty.NumField() {
		key := ty.Field(i).Tag.Get("yaml")
		if !strings.Contains(string(data), "\n"+key+":") && !strings.Contains(string(data), "\n# "+key+":") {
			t.Errorf("key %s is missing from %s", key, path)
		}
	}
}

func TestGoodFiles(t *testing.T) {
	full := Config{
		Database:        "/srv/agendafeed/agendafeed.db",
		OutputDir:       filepath.Join("testdata/good", "public"),
		BaseURL:         "https://agenda.example.org:8443/feeds/",
		Listen:          ":9090",
		Cron:            "CRON_TZ=Europe/Madrid @every 10m",
		DefaultZone:     "America/New_York",
		DefaultLanguage: "es-ES",
		UIDDomain:       "events.example.org",
		AdminTokens: []Token{{Name: "ci", Access: AccessWrite,
			SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}},
		Reminders:        []Duration{Duration(36 * time.Hour), Duration(30 * time.Minute)},
		FeedItemLimit:    100,
		RefreshInterval:  Duration(2 * time.Hour),
		Debounce:         Duration(750 * time.Millisecond),
		LogFormat:        "json",
		LogLevel:         "debug",
		SessionCalendars: SessionCalendarsServed,
	}
	minimal := Default()
	minimal.BaseURL = "https://agenda.example.org/"
	minimal.UIDDomain = "agenda.example.org"
	tests := []struct {
		file string
		want Config
	}{
		{"empty.yaml", Default()},
		{"comments-only.yaml", Default()},
		{"minimal.yaml", minimal},
		{"full.yaml", full},
	}
	files, _ := filepath.Glob("testdata/good/*.yaml")
	if len(files) != len(tests) {
		t.Errorf("testdata/good has %d files, the table %d", len(files), len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			c, err := Load(filepath.Join("testdata/good", tt.file), env(nil))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(c, tt.want) {
				t.Errorf("got  %+v\nwant %+v", c, tt.want)
			}
		})
	}
}

func TestBadFiles(t *testing.T) {
	tests := []struct {
		file string
		want string // every line of the error, with the file's path
	}{
		{"unknown-key.yaml", `:4: unknown key "databse"; did you mean "database"?`},
		{"unknown-token-key.yaml", `:3: unknown key "acess" in admin_tokens[0]; did you mean "access"?`},
		{"bad-cron.yaml", `:1: cron: "61 * * * *": expected five fields (minute hour day-of-month month day-of-week) or a descriptor such as @hourly or @every 5m: end of range (61) above maximum (59): 61`},
		{"cron-tz-only.yaml", `:1: cron: "CRON_TZ=Europe/Madrid": expected a schedule after CRON_TZ=Europe/Madrid, such as "CRON_TZ=Europe/Madrid */5 * * * *"`},
		{"cron-every-negative.yaml", `:1: cron: "@every -5m": expected an interval of at least 1m after @every, such as @every 5m`},
		{"cron-bad-tz.yaml", `:1: cron: "CRON_TZ=Mars/Olympus */5 * * * *": expected an IANA time zone after CRON_TZ=, such as CRON_TZ=Europe/Madrid`},
		{"bad-zone.yaml", `:1: default_zone: "Europe/Madird": expected an IANA time zone such as Europe/Madrid or America/New_York; did you mean "Europe/Madrid"?`},
		{"cron-tz-case.yaml", `:1: cron: "CRON_TZ=europe/madrid */5 * * * *": expected an IANA time zone after CRON_TZ=, such as CRON_TZ=Europe/Madrid; did you mean "Europe/Madrid"?`},
		{"bad-url.yaml", `:1: base_url: "agenda.example.org": expected an absolute http or https URL without query or fragment, such as https://agenda.example.org/`},
		{"ftp-url.yaml", `:1: base_url: "ftp://agenda.example.org/": expected an absolute http or https URL without query or fragment, such as https://agenda.example.org/`},
		{"bad-listen.yaml", `:1: listen: "localhost:80800": expected host:port with a port between 0 and 65535, such as 127.0.0.1:8080 or :8080`},
		{"bad-token.yaml", `:3: admin_tokens[0].sha256: "not-a-hash": expected 64 hex digits: the SHA-256 of the token, e.g. from ` + "`printf %s \"$TOKEN\" | sha256sum`" + `
:4: admin_tokens[0].access: "admin": expected read or write`},
		{"negative-limit.yaml", `:1: feed_item_limit: "-5": expected a whole number between 1 and 10000`},
		{"refresh-too-small.yaml", `:1: refresh_interval: "1m": expected a duration between 5m and 1w`},
		{"bad-reminder.yaml", `:3: reminders[1]: "2x": expected a duration such as 15m, 1h, 1d or 1w`},
		{"reminder-seconds.yaml", `:1: reminders[0]: "30s": expected a whole number of minutes between 1m and 4w before the start`},
		// Items on one line are told apart by their column.
		{"reminder-empty-first.yaml", `:1: reminders[0]: "": expected a duration such as 15m, 1h, 1d or 1w`},
		{"reminder-empty-middle.yaml", `:2: reminders[1]: "": expected a duration such as 15m, 1h, 1d or 1w`},
		// Values are quoted as written, not as Go spells the duration.
		{"reminder-90s.yaml", `:1: reminders[0]: "90s": expected a whole number of minutes between 1m and 4w before the start`},
		{"too-many-reminders.yaml", `:1: reminders: "[1m, 2m, 3m, 4m, 5m, 6m, 7m, 8m, 9m, 10m, 11m]": expected at most 10 reminders, not 11`},
		{"debounce-too-long.yaml", `:1: debounce: "1001ms": expected a duration between 0s and 1s (edits reach subscribers at most 1 s after a burst)`},
		{"debounce-not-duration.yaml", `:1: debounce: "soon": expected a duration such as 250ms, 500ms or 1s`},
		{"base-url-dots.yaml", `:2: base_url: "http://localhost:8080/x/../agenda/": expected a path without . or .. segments: browsers and curl remove them before asking, so published URLs would not reach the files; write the path they resolve to, as in http://localhost:8080/agenda/`},
		{"base-url-ipv6.yaml", `:2: base_url: "http://[::1]:8080/": its host "::1" is not a DNS name, and uid_domain, not set, is derived from it; set uid_domain to a DNS name such as agenda.example.org (session UIDs end in @uid_domain)`},
		{"wrong-type.yaml", `:1: feed_item_limit: "lots": expected a whole number between 1 and 10000
:2: reminders: "15m": expected a list of durations such as [15m, 1d]`},
		{"bad-session-calendars.yaml", `:2: session_calendars: "none": expected files (every pass writes one .ics per session) or served (the daemon renders them on request)`},
		{"two-documents.yaml", `:2: expected one YAML document, found another starting here`},
		{"syntax.yaml", `:1: did not find expected ',' or ']'`},
		{"not-a-mapping.yaml", `:1: expected a mapping of keys such as database: and base_url:`},
		{"duplicate-key.yaml", `:2: database: mapping key "database" already defined at line 1`},
		{"many.yaml", `:5: default_language: "english": expected a BCP 47 language tag such as en, es-ES or zh-Hant-TW
:6: uid_domain: "not_a_domain": expected a DNS name such as agenda.example.org (session UIDs end in @uid_domain)
:2: debounce: "1m": expected a duration between 0s and 1s (edits reach subscribers at most 1 s after a burst)
:3: log_format: "xml": expected text or json
:4: log_level: "verbose": expected debug, info, warn or error`},
	}
	files, _ := filepath.Glob("testdata/bad/*.yaml")
	if len(files) != len(tests) {
		t.Errorf("testdata/bad has %d files, the table %d", len(files), len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join("testdata/bad", tt.file)
			_, err := Load(path, env(nil))
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			if !errors.Is(err, agenda.ErrInvalid) {
				t.Errorf("error does not match agenda.ErrInvalid: %v", err)
			}
			lines := strings.Split(tt.want, "\n")
			for i := range lines {
				lines[i] = path + lines[i]
			}
			if want := strings.Join(lines, "\n"); err.Error() != want {
				t.Errorf("error:\n%s\nwant:\n%s", err, want)
			}
		})
	}
}

func TestEnvOverrides(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "agendafeed.yaml")
	if err := os.WriteFile(path, []byte("database: data/a.db\noutput_dir: /srv/out\nbase_url: https://file.example.org/\nreminders: [1h]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	hash, viewer := HashToken("secret"), HashToken("another secret")
	c, err := Load(path, env(map[string]string{
		"AGENDAFEED_BASE_URL":          "https://env.example.org/agenda",
		"AGENDAFEED_REMINDERS":         "15m, 1d",
		"AGENDAFEED_ADMIN_TOKENS":      "ci:write:" + hash + ",viewer:read:" + strings.ToUpper(viewer),
		"AGENDAFEED_FEED_ITEM_LIMIT":   "20",
		"AGENDAFEED_DEBOUNCE":          "0",
		"AGENDAFEED_REFRESH_INTERVAL":  "1d",
		"AGENDAFEED_LOG_LEVEL":         "",
		"AGENDAFEED_SESSION_CALENDARS": "served",
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := Default()
	want.Database = filepath.Join(dir, "data/a.db")
	want.OutputDir = "/srv/out"
	want.BaseURL = "https://env.example.org/agenda/"
	want.UIDDomain = "env.example.org"
	want.Reminders = []Duration{Duration(15 * time.Minute), Duration(24 * time.Hour)}
	want.AdminTokens = []Token{{Name: "ci", Access: "write", SHA256: hash}, {Name: "viewer", Access: "read", SHA256: viewer}}
	want.FeedItemLimit = 20
	want.Debounce = Duration(500 * time.Millisecond) // 0 means the default
	want.RefreshInterval = Duration(24 * time.Hour)
	want.SessionCalendars = SessionCalendarsServed
	if !reflect.DeepEqual(c, want) {
		t.Errorf("got  %+v\nwant %+v", c, want)
	}

	c, err = Load("", env(map[string]string{"AGENDAFEED_REMINDERS": "none", "AGENDAFEED_DATABASE": "rel.db"}))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Reminders) != 0 || c.Database != "rel.db" {
		t.Errorf("reminders = %v, database = %q; want none and rel.db (env paths are not resolved)", c.Reminders, c.Database)
	}
}

func TestEnvErrors(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"AGENDAFEED_FEED_ITEM_LIMIT": "many"},
			`AGENDAFEED_FEED_ITEM_LIMIT: "many": expected a whole number between 1 and 10000`},
		{map[string]string{"AGENDAFEED_FEED_ITEM_LIMIT": "1.5"},
			`AGENDAFEED_FEED_ITEM_LIMIT: "1.5": expected a whole number between 1 and 10000`},
		{map[string]string{"AGENDAFEED_DEBOUNCE": "soon"},
			`AGENDAFEED_DEBOUNCE: "soon": expected a duration such as 250ms, 500ms or 1s`},
		{map[string]string{"AGENDAFEED_REFRESH_INTERVAL": "soon"},
			`AGENDAFEED_REFRESH_INTERVAL: "soon": expected a duration such as 15m, 1h, 1d or 1w`},
		{map[string]string{"AGENDAFEED_REMINDERS": "15m,2x"},
			`AGENDAFEED_REMINDERS: "15m,2x": reminder 2 "2x": expected a duration such as 15m, 1h, 1d or 1w; or none`},
		// Quoted as written: the item, the list, the duration.
		{map[string]string{"AGENDAFEED_REMINDERS": "15m, 90s"},
			`AGENDAFEED_REMINDERS: reminders[1]: "90s": expected a whole number of minutes between 1m and 4w before the start`},
		{map[string]string{"AGENDAFEED_REMINDERS": "1m,2m,3m,4m,5m,6m,7m,8m,9m,10m,11m"},
			`AGENDAFEED_REMINDERS: "1m,2m,3m,4m,5m,6m,7m,8m,9m,10m,11m": expected at most 10 reminders, not 11`},
		{map[string]string{"AGENDAFEED_DEBOUNCE": "1001ms"},
			`AGENDAFEED_DEBOUNCE: "1001ms": expected a duration between 0s and 1s (edits reach subscribers at most 1 s after a burst)`},
		{map[string]string{"AGENDAFEED_BASE_URL": "http://[::1]:8080/"},
			`AGENDAFEED_BASE_URL: "http://[::1]:8080/": its host "::1" is not a DNS name, and uid_domain, not set, is derived from it; set uid_domain to a DNS name such as agenda.example.org (session UIDs end in @uid_domain)`},
		// A uid_domain that is set is blamed itself.
		{map[string]string{"AGENDAFEED_BASE_URL": "http://[::1]:8080/", "AGENDAFEED_UID_DOMAIN": "::1"},
			`AGENDAFEED_UID_DOMAIN: "::1": expected a DNS name such as agenda.example.org (session UIDs end in @uid_domain)`},
		{map[string]string{"AGENDAFEED_BASE_URL": "http://localhost:8080/x/../agenda/"},
			`AGENDAFEED_BASE_URL: "http://localhost:8080/x/../agenda/": expected a path without . or .. segments: browsers and curl remove them before asking, so published URLs would not reach the files; write the path they resolve to, as in http://localhost:8080/agenda/`},
		{map[string]string{"AGENDAFEED_ADMIN_TOKENS": "ci:write"},
			`AGENDAFEED_ADMIN_TOKENS: "ci:write": token 1: expected name:access:sha256hex, comma-separated`},
		// Values that parse but do not validate name the variable too.
		{map[string]string{"AGENDAFEED_CRON": "61 * * * *"},
			`AGENDAFEED_CRON: "61 * * * *": expected five fields (minute hour day-of-month month day-of-week) or a descriptor such as @hourly or @every 5m: end of range (61) above maximum (59): 61`},
		{map[string]string{"AGENDAFEED_ADMIN_TOKENS": "ci:admin:" + HashToken("x")},
			`AGENDAFEED_ADMIN_TOKENS: admin_tokens[0].access: "admin": expected read or write`},
		// One token listed twice would get whichever access matched last.
		{map[string]string{"AGENDAFEED_ADMIN_TOKENS": "viewer:read:" + HashToken("x") + ",ci:write:" + HashToken("x")},
			`AGENDAFEED_ADMIN_TOKENS: admin_tokens[1].sha256: "` + HashToken("x") + `": already used by admin_tokens[0]; each token must be listed once, with one access`},
		{map[string]string{"AGENDAFEED_REFRESH_INTERVAL": "2w"},
			`AGENDAFEED_REFRESH_INTERVAL: "2w": expected a duration between 5m and 1w`},
		{map[string]string{"AGENDAFEED_SESSION_CALENDARS": "disk"},
			`AGENDAFEED_SESSION_CALENDARS: "disk": expected files (every pass writes one .ics per session) or served (the daemon renders them on request)`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			_, err := Load("", env(tt.env))
			if err == nil || err.Error() != tt.want {
				t.Errorf("error:\n%v\nwant:\n%s", err, tt.want)
			}
		})
	}
}

// yaml decodes a fraction into an int by truncating it: 1.5 loaded as 1.
// Whole-number keys are checked on the YAML node, by its tag.
func TestWholeNumbers(t *testing.T) {
	const want = "expected a whole number between 1 and 10000"
	tests := []struct {
		yaml  string
		want  string // the error, "" to load
		limit int
	}{
		{"feed_item_limit: 10", "", 10},
		{"feed_item_limit: 10000", "", 10000},
		{"feed_item_limit: 1.5", `c.yaml:1: feed_item_limit: "1.5": ` + want, 0},
		{"feed_item_limit: 99.9", `c.yaml:1: feed_item_limit: "99.9": ` + want, 0},
		{"feed_item_limit: !!float 3", `c.yaml:1: feed_item_limit: "3": ` + want, 0},
		{"feed_item_limit: 3.0", `c.yaml:1: feed_item_limit: "3.0": ` + want, 0},
		{"feed_item_limit: 1e3", `c.yaml:1: feed_item_limit: "1e3": ` + want, 0},
		// yaml refuses these itself: reported once.
		{"feed_item_limit: 1e30", `c.yaml:1: feed_item_limit: "1e30": ` + want, 0},
		{"feed_item_limit: .inf", `c.yaml:1: feed_item_limit: ".inf": ` + want, 0},
		// Quoted, it is text, refused like any value of the wrong type.
		{`feed_item_limit: "10"`, `c.yaml:1: feed_item_limit: "10": ` + want, 0},
		{"feed_item_limit: lots", `c.yaml:1: feed_item_limit: "lots": ` + want, 0},
		{"feed_item_limit: 0", `c.yaml:1: feed_item_limit: "0": ` + want, 0},
		// Through a merge key and an alias, as yaml applies them.
		{"<<: {feed_item_limit: 2.5}", `c.yaml:1: feed_item_limit: "2.5": ` + want, 0},
		{"<<: [{log_level: warn}, {feed_item_limit: 2.5}]", `c.yaml:1: feed_item_limit: "2.5": ` + want, 0},
		{"<<: {feed_item_limit: 2.5}\nfeed_item_limit: 20", "", 20},
		{"<<: {log_level: &f 2.5}\nfeed_item_limit: *f", `c.yaml:2: feed_item_limit: "2.5": ` + want, 0},
		// On one line with another type error, both are reported.
		{"{feed_item_limit: 1e30, log_level: [a]}", `c.yaml:1: feed_item_limit: "1e30": ` + want + `
c.yaml:1: log_level: expected text, not a list`, 0},
		// In the file's order among yaml's own type errors.
		{"reminders: 15m\nfeed_item_limit: 1.5\nlog_level: [a]", `c.yaml:1: reminders: "15m": expected a list of durations such as [15m, 1d]
c.yaml:2: feed_item_limit: "1.5": ` + want + `
c.yaml:3: log_level: expected text, not a list`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.yaml, func(t *testing.T) {
			c, err := load("c.yaml", []byte(tt.yaml+"\n"), env(nil), nil)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("error: %v", err)
			case tt.want == "" && c.FeedItemLimit != tt.limit:
				t.Errorf("feed_item_limit = %d, want %d", c.FeedItemLimit, tt.limit)
			case tt.want != "" && (err == nil || err.Error() != tt.want):
				t.Errorf("error:\n%v\nwant:\n%s", err, tt.want)
			}
		})
	}
}

// Every int field of Config is a whole-number key, checked for fractions.
func TestWholeNumbersListsEveryIntKey(t *testing.T) {
	var c Config
	listed := map[string]*int{}
	for _, w := range c.wholeNumbers() {
		listed[w.key] = w.p
	}
	ty := reflect.TypeFor[Config]()
	v := reflect.ValueOf(&c).Elem()
	for i := range ty.NumField() {
		f := ty.Field(i)
		if f.Type == reflect.TypeFor[Duration]() {
			continue // read as text by its UnmarshalYAML: "1.5" has no unit
		}
		switch f.Type.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		default:
			continue
		}
		key := f.Tag.Get("yaml")
		if p, ok := listed[key]; !ok || p != v.Field(i).Addr().Interface() {
			t.Errorf("%s (%s) is not in Config.wholeNumbers with a pointer to its field", key, f.Name)
		}
	}
}

// A misspelt AGENDAFEED_ variable used to be ignored: the daemon ran on the
// default of the key it was meant to set.
func TestUnknownVariables(t *testing.T) {
	const unknown = `: unknown variable; expected AGENDAFEED_ followed by a config key in upper case, such as AGENDAFEED_BASE_URL (docs/config.md), or AGENDAFEED_CONFIG`
	tests := []struct {
		environ []string
		want    string // the error, "" to load
	}{
		{[]string{"AGENDAFEED_DATABSE=x.db"}, `AGENDAFEED_DATABSE: unknown variable; did you mean AGENDAFEED_DATABASE?`},
		{[]string{"AGENDAFEED_BASEURL=https://a.example.org/"}, `AGENDAFEED_BASEURL: unknown variable; did you mean AGENDAFEED_BASE_URL?`},
		{[]string{"AGENDAFEED_FEED_ITEMS_LIMIT=5"}, `AGENDAFEED_FEED_ITEMS_LIMIT: unknown variable; did you mean AGENDAFEED_FEED_ITEM_LIMIT?`},
		{[]string{"agendafeed_database=x.db"}, `agendafeed_database: unknown variable; did you mean AGENDAFEED_DATABASE?`},
		{[]string{"AGENDAFEED_CONFG=/etc/a.yaml"}, `AGENDAFEED_CONFG: unknown variable; did you mean AGENDAFEED_CONFIG?`},
		{[]string{"AGENDAFEED_COLOUR=red"}, `AGENDAFEED_COLOUR` + unknown},
		{[]string{"AGENDAFEED_=x"}, `AGENDAFEED_` + unknown},
		// All at once, in name order, with the known variables' problems.
		{[]string{"AGENDAFEED_ZONE=UTC", "AGENDAFEED_FEED_ITEM_LIMIT=1.5", "AGENDAFEED_DATABSE=x.db"},
			`AGENDAFEED_DATABSE: unknown variable; did you mean AGENDAFEED_DATABASE?
AGENDAFEED_ZONE` + unknown + `
AGENDAFEED_FEED_ITEM_LIMIT: "1.5": expected a whole number between 1 and 10000`},
		// Empty sets nothing, known or not.
		{[]string{"AGENDAFEED_DATABSE=", "AGENDAFEED_COLOUR=  "}, ""},
		// Not config keys, but read by the command line and the tests.
		{[]string{"AGENDAFEED_CONFIG=/etc/agendafeed.yaml", "AGENDAFEED_ARTIFACTS=/tmp/a", "AGENDAFEED_TEST_MAIN=1"}, ""},
		{[]string{"PATH=/bin", "AGENDAFEEDX=1", "HOME", "=x", "MY_AGENDAFEED_DATABSE=x"}, ""},
		// What Kubernetes sets beside a Service named agendafeed, and
		// Docker's links to a container of that name.
		{[]string{"AGENDAFEED_SERVICE_HOST=10.96.0.12", "AGENDAFEED_SERVICE_PORT=8080", "AGENDAFEED_SERVICE_PORT_HTTP=8080",
			"AGENDAFEED_PORT=tcp://10.96.0.12:8080", "AGENDAFEED_PORT_8080_TCP=tcp://10.96.0.12:8080",
			"AGENDAFEED_PORT_8080_TCP_ADDR=10.96.0.12", "AGENDAFEED_PORT_8080_TCP_PORT=8080", "AGENDAFEED_PORT_8080_TCP_PROTO=tcp",
			"AGENDAFEED_NAME=/web/agendafeed", "AGENDAFEED_ENV_LANG=C.UTF-8"}, ""},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.environ, " "), func(t *testing.T) {
			_, err := LoadEnviron("", tt.environ)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("error: %v", err)
			case tt.want != "" && (err == nil || err.Error() != tt.want):
				t.Errorf("error:\n%v\nwant:\n%s", err, tt.want)
			case tt.want != "" && !errors.Is(err, agenda.ErrInvalid):
				t.Errorf("error does not match agenda.ErrInvalid: %v", err)
			}
		})
	}

	// The known variables work as through Load, the first of a name counting.
	c, err := LoadEnviron("", []string{"AGENDAFEED_DATABASE=a.db", "AGENDAFEED_FEED_ITEM_LIMIT=20", "AGENDAFEED_DATABASE=b.db"})
	if err != nil || c.Database != "a.db" || c.FeedItemLimit != 20 {
		t.Errorf("database %q, feed_item_limit %d, %v; want a.db, 20, nil", c.Database, c.FeedItemLimit, err)
	}
	// With a file, its errors come first.
	dir := t.TempDir()
	path := filepath.Join(dir, "agendafeed.yaml")
	if err := os.WriteFile(path, []byte("databse: x.db\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = LoadEnviron(path, []string{"AGENDAFEED_OUTPUT_DIRR=/srv"})
	if want := path + `:1: unknown key "databse"; did you mean "database"?
AGENDAFEED_OUTPUT_DIRR: unknown variable; did you mean AGENDAFEED_OUTPUT_DIR?`; err == nil || err.Error() != want {
		t.Errorf("error:\n%v\nwant:\n%s", err, want)
	}
	if _, err := LoadEnviron(filepath.Join(dir, "nope.yaml"), nil); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("error = %v, want one matching os.ErrNotExist", err)
	}
}

// Every AGENDAFEED_ variable the code or its build reads is a key's or in
// OtherVariables, so LoadEnviron does not refuse it. A name one or two
// edits from a known one is a misspelling a test makes on purpose.
func TestOtherVariablesAreAllThere(t *testing.T) {
	known, lower := knownVariables()
	nameRE := regexp.MustCompile(`AGENDAFEED_[A-Z0-9_]*[A-Z0-9]`)
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "node_modules", "var", "testdata", "config":
				return filepath.SkipDir
			}
			return nil
		}
		if ext := filepath.Ext(path); ext != ".go" && ext != ".sh" && d.Name() != "Makefile" && d.Name() != "run" {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, name := range nameRE.FindAllString(string(data), -1) {
			if !known[name] && suggest.Closest(strings.TrimPrefix(name, EnvPrefix), lower) == "" {
				t.Errorf("%s reads %s, which is neither a key's variable nor in OtherVariables", path, name)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"), env(nil))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("error = %v, want one matching os.ErrNotExist", err)
	}
}

func TestCron(t *testing.T) {
	const fields = "expected five fields (minute hour day-of-month month day-of-week) or a descriptor such as @hourly or @every 5m"
	tests := []struct {
		spec string
		want string // "" for valid
	}{
		{"*/5 * * * *", ""},
		{"0 6 * * MON-FRI", ""},
		{"@hourly", ""},
		{"@every 10m", ""},
		{"CRON_TZ=Europe/Madrid 0 6 * * *", ""},
		{"TZ=UTC @daily", ""},
		{"", `cron: "": required: five fields (minute hour day-of-month month day-of-week) or a descriptor such as @hourly or @every 5m`},
		{"CRON_TZ=Europe/Madrid", `cron: "CRON_TZ=Europe/Madrid": expected a schedule after CRON_TZ=Europe/Madrid, such as "CRON_TZ=Europe/Madrid */5 * * * *"`},
		{"TZ=UTC", `cron: "TZ=UTC": expected a schedule after TZ=UTC, such as "TZ=UTC */5 * * * *"`},
		{"CRON_TZ=Local * * * * *", `cron: "CRON_TZ=Local * * * * *": expected an IANA time zone after CRON_TZ=, such as CRON_TZ=Europe/Madrid`},
		{"* * * *", `cron: "* * * *": ` + fields + `: expected exactly 5 fields, found 4: [* * * *]`},
		{"0 0 * * * *", `cron: "0 0 * * * *": ` + fields + `: expected exactly 5 fields, found 6: [0 0 * * * *]`},
		{"@every soon", `cron: "@every soon": expected an interval after @every such as 5m, 1h, 1d or 1w, not "soon"`},
		{"@every", `cron: "@every": expected one interval after @every, such as @every 5m, @every 1h or @every 1d`},
		{"@every 1d", ""},
		{"@every 1w", ""},
		{"@every 1d12h", ""},
		{"CRON_TZ=UTC\t@every\t1d", ""},
		{"@every 1h0m0.5s", `cron: "@every 1h0m0.5s": expected an interval of whole seconds after @every, such as @every 5m or @every 1h30m; the scheduler would round 1h0m0.5s down to 1h0m0s`},
		{"@every 90.5s", `cron: "@every 90.5s": expected an interval of whole seconds after @every, such as @every 5m or @every 1h30m; the scheduler would round 90.5s down to 1m30s`},
		// Whitespace as crontab reads it: a tab or spaces after the zone
		// and between fields.
		{"CRON_TZ=UTC\t0 4 * * *", ""},
		{"CRON_TZ=UTC  0 4 * * *", ""},
		{"TZ=Europe/Madrid\t0\t4 * * *", ""},
		// 7 is Sunday, as in crontab(5).
		{"0 4 * * 7", ""},
		{"0 4 * * 5-7", ""},
		{"0 4 * * 1,7", ""},
		{"0 4 * * 1-7/2", ""},
		{"0 4 * * fri-7", ""},
		{"0 4 * * 8", `cron: "0 4 * * 8": ` + fields + `: end of range (8) above maximum (6): 8`},
		{"0 4 7 * *", ""}, // the 7th of the month, not a weekday
		{"@every 1m", ""},
		{"@every 90s", ""},
		{"CRON_TZ=UTC @every 1h", ""},
		{"@every 59s", `cron: "@every 59s": expected an interval of at least 1m after @every, such as @every 5m`},
		{"@every 1ms", `cron: "@every 1ms": expected an interval of at least 1m after @every, such as @every 5m`},
		{"@every 0s", `cron: "@every 0s": expected an interval of at least 1m after @every, such as @every 5m`},
		{"@every -5m", `cron: "@every -5m": expected an interval of at least 1m after @every, such as @every 5m`},
		{"CRON_TZ=UTC @every -1h", `cron: "CRON_TZ=UTC @every -1h": expected an interval of at least 1m after @every, such as @every 5m`},
		// Dates that parse but do not exist: the schedule would never run.
		{"0 0 31 2 *", `cron: "0 0 31 2 *": never fires: no date matches its day-of-month, month and day-of-week fields (such as February 31st); expected a schedule that runs, such as */5 * * * *`},
		{"0 0 30 2 *", `cron: "0 0 30 2 *": never fires: no date matches its day-of-month, month and day-of-week fields (such as February 31st); expected a schedule that runs, such as */5 * * * *`},
		{"CRON_TZ=Europe/Madrid 0 4 31 4,6,9,11 *", `cron: "CRON_TZ=Europe/Madrid 0 4 31 4,6,9,11 *": never fires: no date matches its day-of-month, month and day-of-week fields (such as February 31st); expected a schedule that runs, such as */5 * * * *`},
		// Rare but real days are accepted: February 29th comes every four years.
		{"0 0 29 2 *", ""},
		{"0 0 31 2 MON", ""}, // day-of-month or day-of-week: every Monday in February
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			c := Default()
			c.Cron = tt.spec
			err := c.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tt.want != "" && (err == nil || err.Error() != tt.want):
				t.Errorf("Validate() = %v\nwant %s", err, tt.want)
			}
		})
	}
}

func TestBaseURL(t *testing.T) {
	const form = "expected an absolute http or https URL without query or fragment, such as https://agenda.example.org/"
	const query = "expected a URL without query (?) or fragment (#): the published files' URLs are made by adding their paths to it"
	const user = "expected a URL without a user name or password (it is published to every subscriber)"
	const root = "expected a path outside /api/v1/, /healthz and /metrics: the built-in server answers those at the root, and they would shadow the published files"
	const dots = "expected a path without . or .. segments: browsers and curl remove them before asking, so published URLs would not reach the files"
	tests := []struct {
		in   string
		want string // the URL after Validate, or the error
		err  bool
	}{
		{"https://agenda.example.org/", "https://agenda.example.org/", false},
		{"https://agenda.example.org/feeds", "https://agenda.example.org/feeds/", false},
		{"https://agenda.example.org:8443/feeds/", "https://agenda.example.org:8443/feeds/", false},
		{"http://localhost:1", "http://localhost:1/", false},
		{"http://[::1]:65535/", "http://[::1]:65535/", false},
		{"  https://agenda.example.org  ", "https://agenda.example.org/", false},
		// The port is held to the data's rules (agenda.CheckURL).
		{"https://agenda.example.org:99999/", `base_url: "https://agenda.example.org:99999/": expected a port between 1 and 65535, not 99999`, true},
		{"https://agenda.example.org:0/", `base_url: "https://agenda.example.org:0/": expected a port between 1 and 65535, not 0`, true},
		// Quoted as written: no slash added to a URL that is refused.
		{"https://agenda.example.org:0", `base_url: "https://agenda.example.org:0": expected a port between 1 and 65535, not 0`, true},
		{"https://agenda.example.org/?x=1", `base_url: "https://agenda.example.org/?x=1": ` + query, true},
		{"https://agenda.example.org/feeds?x=1", `base_url: "https://agenda.example.org/feeds?x=1": ` + query, true},
		{"https://agenda.example.org/?", `base_url: "https://agenda.example.org/?": ` + query, true},
		{"https://agenda.example.org/#top", `base_url: "https://agenda.example.org/#top": ` + query, true},
		{"https://agenda.example.org/#", `base_url: "https://agenda.example.org/#": ` + query, true},
		{"https://user@agenda.example.org/", `base_url: "https://user@agenda.example.org/": ` + user, true},
		{"https://user:secret@agenda.example.org", `base_url: "https://user:secret@agenda.example.org": ` + user, true},
		{"agenda.example.org", `base_url: "agenda.example.org": ` + form, true},
		{"ftp://agenda.example.org/", `base_url: "ftp://agenda.example.org/": ` + form, true},
		{"https:///feeds/", `base_url: "https:///feeds/": ` + form, true},
		// The built-in server answers these at the root, before the
		// published files under base_url's path: they would shadow them.
		{"https://agenda.example.org/api/v1/", `base_url: "https://agenda.example.org/api/v1/": ` + root, true},
		{"https://agenda.example.org/api/v1", `base_url: "https://agenda.example.org/api/v1": ` + root, true},
		{"https://agenda.example.org/api/v1/feeds/", `base_url: "https://agenda.example.org/api/v1/feeds/": ` + root, true},
		{"https://agenda.example.org/%61pi/v1/", `base_url: "https://agenda.example.org/%61pi/v1/": ` + root, true},
		{"https://agenda.example.org/healthz", `base_url: "https://agenda.example.org/healthz": ` + root, true},
		{"https://agenda.example.org/healthz/x/", `base_url: "https://agenda.example.org/healthz/x/": ` + root, true},
		{"https://agenda.example.org/metrics/", `base_url: "https://agenda.example.org/metrics/": ` + root, true},
		// Clients remove dot segments (%2e is a dot) before they ask, so
		// the published URLs would not be the ones asked for; the roots
		// above are looked for in the path they resolve to.
		{"http://localhost:8080/x/../agenda/", `base_url: "http://localhost:8080/x/../agenda/": ` + dots + "; write the path they resolve to, as in http://localhost:8080/agenda/", true},
		{"https://agenda.example.org/agenda/.", `base_url: "https://agenda.example.org/agenda/.": ` + dots + "; write the path they resolve to, as in https://agenda.example.org/agenda/", true},
		{"https://agenda.example.org/%2e%2E/agenda", `base_url: "https://agenda.example.org/%2e%2E/agenda": ` + dots + "; write the path they resolve to, as in https://agenda.example.org/agenda/", true},
		{"https://agenda.example.org/a/%2e/b/", `base_url: "https://agenda.example.org/a/%2e/b/": ` + dots + "; write the path they resolve to, as in https://agenda.example.org/a/b/", true},
		{"https://agenda.example.org/./healthz/", `base_url: "https://agenda.example.org/./healthz/": ` + dots + "; and it resolves to /healthz/, under /api/v1/, /healthz or /metrics, which the built-in server answers at the root", true},
		{"https://agenda.example.org/a/../metrics/", `base_url: "https://agenda.example.org/a/../metrics/": ` + dots + "; and it resolves to /metrics/, under /api/v1/, /healthz or /metrics, which the built-in server answers at the root", true},
		{"https://agenda.example.org/agenda/../api/v1/x", `base_url: "https://agenda.example.org/agenda/../api/v1/x": ` + dots + "; and it resolves to /api/v1/x/, under /api/v1/, /healthz or /metrics, which the built-in server answers at the root", true},
		{"https://agenda.example.org//healthz/", `base_url: "https://agenda.example.org//healthz/": ` + root, true},
		{"https://agenda.example.org/a..b/.well/", "https://agenda.example.org/a..b/.well/", false},
		{"https://agenda.example.org/api/", "https://agenda.example.org/api/", false},
		{"https://agenda.example.org/api/v10/", "https://agenda.example.org/api/v10/", false},
		{"https://agenda.example.org/healthzone/", "https://agenda.example.org/healthzone/", false},
		{"https://agenda.example.org/agenda/metrics/", "https://agenda.example.org/agenda/metrics/", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			c := Default()
			c.BaseURL = tt.in
			err := c.Validate()
			switch {
			case !tt.err && err != nil:
				t.Errorf("Validate() = %v", err)
			case !tt.err && c.BaseURL != tt.want:
				t.Errorf("base_url = %q, want %q", c.BaseURL, tt.want)
			case tt.err && (err == nil || err.Error() != tt.want):
				t.Errorf("Validate() = %v\nwant %s", err, tt.want)
			}
		})
	}
	// From the file, the error names the line and the URL as written.
	_, err := load("c.yaml", []byte("base_url: https://agenda.example.org/?x=1\n"), env(nil), nil)
	if want := `c.yaml:1: base_url: "https://agenda.example.org/?x=1": ` + query; err == nil || err.Error() != want {
		t.Errorf("error:\n%v\nwant:\n%s", err, want)
	}
}

// uid_domain, when not set, is base_url's host. An IPv6 address cannot be
// one (its error blames base_url, see TestBadFiles); with uid_domain set,
// such a base_url is fine.
func TestUIDDomainDerived(t *testing.T) {
	tests := []struct{ yaml, want string }{
		{"base_url: https://Agenda.Example.org/feeds/", "agenda.example.org"},
		{"base_url: http://127.0.0.1:8080/", "127.0.0.1"},
		{"base_url: http://localhost:8080/", "localhost"},
		{"base_url: http://[::1]:8080/\nuid_domain: agenda.example.org", "agenda.example.org"},
	}
	for _, tt := range tests {
		t.Run(tt.yaml, func(t *testing.T) {
			c, err := load("c.yaml", []byte(tt.yaml+"\n"), env(nil), nil)
			if err != nil {
				t.Fatal(err)
			}
			if c.UIDDomain != tt.want {
				t.Errorf("uid_domain = %q, want %q", c.UIDDomain, tt.want)
			}
		})
	}
}

// debounce: 0 means the default, 500ms, as docs/config.md says; the
// scheduler would otherwise wait its own 250 ms fallback.
func TestDebounce(t *testing.T) {
	const over = "expected a duration between 0s and 1s (edits reach subscribers at most 1 s after a burst)"
	tests := []struct {
		in   string
		want time.Duration
		err  string
	}{
		{"0", 500 * time.Millisecond, ""},
		{"0s", 500 * time.Millisecond, ""},
		{"0ms", 500 * time.Millisecond, ""},
		{"1ms", time.Millisecond, ""},
		{"250ms", 250 * time.Millisecond, ""},
		{"1s", time.Second, ""},
		{"-1s", 0, `c.yaml:1: debounce: "-1s": ` + over},
		{"2s", 0, `c.yaml:1: debounce: "2s": ` + over},
	}
	if got := time.Duration(Default().Debounce); got != 500*time.Millisecond {
		t.Errorf("default debounce = %v; the docs and the example say 500ms", got)
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			c, err := load("c.yaml", []byte("debounce: "+tt.in+"\n"), env(nil), nil)
			switch {
			case tt.err == "" && err != nil:
				t.Errorf("error: %v", err)
			case tt.err == "" && time.Duration(c.Debounce) != tt.want:
				t.Errorf("debounce = %v, want %v", time.Duration(c.Debounce), tt.want)
			case tt.err != "" && (err == nil || err.Error() != tt.err):
				t.Errorf("error:\n%v\nwant:\n%s", err, tt.err)
			}
		})
	}
}

func TestDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		str  string
	}{
		{"15m", 15 * time.Minute, "15m"},
		{"1d", 24 * time.Hour, "1d"},
		{"1w", 7 * 24 * time.Hour, "1w"},
		{"1d12h", 36 * time.Hour, "1d12h"},
		{"90s", 90 * time.Second, "1m30s"},
		{"500ms", 500 * time.Millisecond, "500ms"},
		{"0", 0, "0s"},
		{"1h30m0s", 90 * time.Minute, "1h30m"},
	}
	for _, tt := range tests {
		d, err := ParseDuration(tt.in)
		if err != nil || time.Duration(d) != tt.want || d.String() != tt.str {
			t.Errorf("ParseDuration(%q) = %v (%s), %v; want %v (%s)", tt.in, time.Duration(d), d, err, tt.want, tt.str)
		}
	}
	for _, bad := range []string{"", "soon", "1x", "15"} {
		if _, err := ParseDuration(bad); err == nil {
			t.Errorf("ParseDuration(%q) succeeded, want an error", bad)
		}
	}
}

func FuzzLoad(f *testing.F) {
	for _, pattern := range []string{"testdata/*/*.yaml", "agendafeed.example.yaml"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Add([]byte("cron: CRON_TZ=Europe/Madrid"))
	f.Add([]byte("reminders: &a [*a]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := load("fuzz.yaml", data, env(nil), nil)
		if err != nil {
			if !errors.Is(err, agenda.ErrInvalid) {
				t.Fatalf("error does not match agenda.ErrInvalid: %v", err)
			}
			return
		}
		// What Load accepts validates again unchanged.
		again := c
		if err := again.Validate(); err != nil || !reflect.DeepEqual(again, c) {
			t.Fatalf("loaded config does not revalidate: %v", err)
		}
	})
}

// CronSpec gives robfig/cron what it reads: one space after the zone, 0
// for a Sunday written 7 (a range ending at 7 listed day by day, as its
// ranges cannot wrap), and @every in Go's spelling; and the schedule is
// the one crontab(5) means.
func TestCronSpec(t *testing.T) {
	for _, tt := range []struct {
		spec, want string
		fires      []string // the next runs after 2026-06-01 (a Monday) 00:00 UTC
	}{
		{"CRON_TZ=UTC\t0 4 * * *", "CRON_TZ=UTC 0 4 * * *", []string{"2026-06-01 04:00", "2026-06-02 04:00"}},
		{"0 4 * * 7", "0 4 * * 0", []string{"2026-06-07 04:00", "2026-06-14 04:00"}},
		{"0 4 * * 5-7", "0 4 * * 5,6,0", []string{"2026-06-05 04:00", "2026-06-06 04:00", "2026-06-07 04:00", "2026-06-12 04:00"}},
		{"0 4 * * 1-7/3", "0 4 * * 1,4,0", []string{"2026-06-01 04:00", "2026-06-04 04:00", "2026-06-07 04:00", "2026-06-08 04:00"}},
		{"0 4 * * SAT-7,3", "0 4 * * 6,0,3", []string{"2026-06-03 04:00", "2026-06-06 04:00", "2026-06-07 04:00"}},
		{"0 4 * * 7-7", "0 4 * * 0", []string{"2026-06-07 04:00"}},
		{"0 4 * * */2", "0 4 * * */2", []string{"2026-06-02 04:00", "2026-06-04 04:00"}},
		{"CRON_TZ=UTC @every 1d", "CRON_TZ=UTC @every 24h0m0s", []string{"2026-06-02 00:00", "2026-06-03 00:00"}},
		{"@every 1w", "@every 168h0m0s", []string{"2026-06-08 00:00"}},
		{"@daily", "@daily", []string{"2026-06-02 00:00"}},
	} {
		t.Run(tt.spec, func(t *testing.T) {
			got, err := CronSpec(tt.spec)
			if err != nil || got != tt.want {
				t.Fatalf("CronSpec(%q) = %q, %v; want %q", tt.spec, got, err, tt.want)
			}
			sched, err := CronParser().Parse(got)
			if err != nil {
				t.Fatal(err)
			}
			at := time.Date(2026, time.June, 1, 0, 0, 0, 0, time.UTC)
			for _, want := range tt.fires {
				at = sched.Next(at)
				if s := at.UTC().Format("2006-01-02 15:04"); s != want {
					t.Errorf("next run %s, want %s", s, want)
				}
			}
		})
	}
}
