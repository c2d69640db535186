package page

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/feeds"
	"github.com/agendafeed/agendafeed/internal/agenda"
	"github.com/agendafeed/agendafeed/internal/realclient"
)

// browserResult is what testdata/browser.cjs reports.
type browserResult struct {
	Timings        []string
	Console        []struct{ Type, Text string }
	PageErrors     []string
	FailedRequests []string
	BadResponses   []string
	Dialogs        []string
	Requests       []string
	TimeZone       string
	CSP            []string
	IndexCSP       []string
	Pwned          *string
	Local          map[string]*struct {
		Text   string
		Hidden bool
	}
	When        string
	LAWhen      string
	Subscribe   []struct{ Text, Href string }
	Google      string
	XSSTitle    string
	XSSVisible  bool
	ScriptCount int
	H1          string
	Madrid      struct {
		Zone, Text string
		Hidden     bool
	}
	IndexTitle string
}

// browserTools returns node, the playwright-core directory and Chromium,
// or skips the test when one is missing (fails under CI=true).
func browserTools(t *testing.T) (node, pw, chromium string) {
	t.Helper()
	if testing.Short() && !realclient.CI() {
		t.Skip("browser test skipped in -short mode")
	}
	// Debian's /usr/bin/chromium is a shell launcher whose /dev/shm check
	// breaks when findmnt reports several mounts; run the browser binary it
	// launches, and pass --disable-dev-shm-usage ourselves.
	chromium = "/usr/lib/chromium/chromium"
	if _, err := os.Stat(chromium); err != nil {
		chromium = "/usr/bin/chromium"
	}
	_, err := os.Stat(chromium)
	realclient.Need(t, "Chromium ("+chromium+")", "apt-get install chromium", err)
	node = realclient.Node(t, "playwright-core")
	pw = filepath.Join(realclient.RepoRoot(t), "node_modules", "playwright-core")
	return node, pw, chromium
}

// TestBrowser loads the rendered agenda page in headless Chromium with the
// reader in Kuala Lumpur and checks what a person would see: the local time,
// the exact subscribe links, hostile text shown as text, and a clean console.
func TestBrowser(t *testing.T) {
	node, pw, chromium := browserTools(t)

	var (
		mu        sync.Mutex
		pages     = map[string][]byte{}
		requested []string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		body, ok := pages[r.URL.Path]
		requested = append(requested, r.URL.Path)
		mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", feeds.Page.ContentType())
		_, _ = w.Write(body)
	}))
	defer srv.Close()

	// The layout points at the test server, so every link on the page is a
	// link the browser could follow.
	opts := testOptions()
	opts.Layout = feeds.NewLayout(srv.URL)
	snap := debateSnapshot(t)
	hostile := hostileSession(t)
	hostile.Normalize(&snap.Series)
	snap.Sessions = append(snap.Sessions, hostile)
	// 20:00 on the 17th in Los Angeles is the 18th in Madrid, the series'
	// zone: the page shows it under the 18th with its own date in the time.
	la := agenda.Session{
		UID: "3f1c0e7a-1d8e-4c4b-9a57-0b8f2b1f0a07@agenda.example.org", Key: "la-evening", Title: "Evening in Los Angeles",
		Zone: "America/Los_Angeles", Start: wall(t, "2021-11-17T20:00"), End: wall(t, "2021-11-17T21:00"),
	}
	la.Normalize(&snap.Series)
	snap.Sessions = append(snap.Sessions, la)
	snap.Posts = append(snap.Posts, agenda.Post{
		ID: "xss-post", Series: "scewc", Title: `<script>alert("post")</script>`,
		Published: instant(t, "2021-11-11T10:00:00Z"),
	})
	r := newRenderer(t)
	var page, index bytes.Buffer
	if err := r.WriteSeries(&page, snap, opts); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteIndex(&index, []agenda.Snapshot{snap, dialoguesSnapshot(t)}, opts); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	pages["/scewc/"] = page.Bytes()
	pages["/"] = index.Bytes()
	mu.Unlock()

	shots := os.Getenv("AGENDAFEED_ARTIFACTS")
	if shots == "" {
		shots = t.TempDir()
	} else if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}

	stdout := realclient.Run(t, realclient.Script{
		What: "browser script",
		Args: []string{node, filepath.Join("testdata", "browser.cjs"),
			pw, chromium, srv.URL + "/scewc/", srv.URL + "/", filepath.Join(t.TempDir(), "profile"), shots},
		// The zone is also set through the environment, for Chromium's own
		// processes; Playwright's timezoneId is what the page sees.
		Env:     []string{"TZ=Asia/Kuala_Lumpur"},
		Timeout: 150 * time.Second,
	})
	var res browserResult
	if err := json.Unmarshal(stdout, &res); err != nil {
		t.Fatalf("browser script output: %v\n%s", err, stdout)
	}
	t.Logf("browser steps: %s", strings.Join(res.Timings, ", "))
	for _, name := range []string{"page-kuala-lumpur.png", "day.png", "page-mobile.png", "index.png"} {
		t.Logf("screenshot: %s", filepath.Join(shots, name))
	}

	// A clean load: nothing logged as an error, thrown, blocked or failed.
	for _, m := range res.Console {
		if m.Type == "error" || m.Type == "warning" {
			t.Errorf("console %s: %s", m.Type, m.Text)
		}
	}
	for _, list := range []struct {
		what  string
		items []string
	}{
		{"page error", res.PageErrors}, {"failed request", res.FailedRequests}, {"HTTP error", res.BadResponses},
		{"dialog opened", res.Dialogs}, {"CSP violation", res.CSP}, {"CSP violation on the index", res.IndexCSP},
	} {
		for _, it := range list.items {
			t.Errorf("%s: %s", list.what, it)
		}
	}
	mu.Lock()
	for _, p := range requested {
		if p != "/scewc/" && p != "/" {
			t.Errorf("the page asked the server for %s: pages must need nothing but themselves", p)
		}
	}
	mu.Unlock()
	if res.Pwned != nil {
		t.Errorf("injected script ran: window.__pwned = %q", *res.Pwned)
	}

	if res.TimeZone != "Asia/Kuala_Lumpur" {
		t.Fatalf("browser zone %q, want Asia/Kuala_Lumpur", res.TimeZone)
	}
	if res.When != "12:00–13:00 CET" {
		t.Errorf("session time %q, want 12:00–13:00 CET", res.When)
	}
	if l := res.Local["open-policy-debate-2021"]; l == nil || l.Hidden || l.Text != "19:00–20:00 in your time (Asia/Kuala_Lumpur)" {
		t.Errorf("local time of the debate = %+v, want 19:00–20:00 in your time (Asia/Kuala_Lumpur), shown", l)
	}
	// 10:00 in New York is 23:00 in Kuala Lumpur, and the end falls on the next day there.
	if l := res.Local["digital-rights-webinar"]; l == nil || l.Text != "Wed 1 Dec, 23:00 – Thu 2 Dec, 00:30 in your time (Asia/Kuala_Lumpur)" {
		t.Errorf("local time of the webinar = %+v", l)
	}
	// The time line carries a date (its own, not the heading's); the
	// script reads only the datetime attributes and still adds the line.
	if res.LAWhen != "Wed 17 Nov, 20:00–21:00 PST" {
		t.Errorf("time of the Los Angeles session %q, want Wed 17 Nov, 20:00–21:00 PST", res.LAWhen)
	}
	if l := res.Local["la-evening"]; l == nil || l.Hidden || l.Text != "Thu 18 Nov, 12:00–13:00 in your time (Asia/Kuala_Lumpur)" {
		t.Errorf("local time of the Los Angeles session = %+v, want Thu 18 Nov, 12:00–13:00 in your time (Asia/Kuala_Lumpur), shown", l)
	}
	if l := res.Local["scewc-2021"]; l != nil {
		t.Errorf("all-day session got a local time: %+v", l)
	}
	if res.Madrid.Zone != "Europe/Madrid" || !res.Madrid.Hidden || res.Madrid.Text != "" {
		t.Errorf("read from Madrid, the local line = %+v, want hidden and empty", res.Madrid)
	}

	host := strings.TrimPrefix(srv.URL, "http://")
	wantLinks := map[string]string{
		"Subscribe in your calendar app": "webcal://" + host + "/scewc/calendar.ics",
		"Subscribe in Google Calendar":   "https://calendar.google.com/calendar/r?cid=webcal://" + host + "/scewc/calendar.ics",
		"Subscribe in Outlook.com": "https://outlook.live.com/calendar/0/addfromweb?url=http://" + host +
			"/scewc/calendar.ics&name=UCLG+at+Smart+City+Expo+World+Congress",
		"http://" + host + "/scewc/calendar.ics": "http://" + host + "/scewc/calendar.ics",
		"RSS":                                    "http://" + host + "/scewc/rss.xml",
		"Atom":                                   "http://" + host + "/scewc/atom.xml",
		"JSON Feed":                              "http://" + host + "/scewc/feed.json",
	}
	for text, href := range wantLinks {
		// Link texts end with the series' name for screen readers; the
		// visible part comes first.
		var got []string
		for _, a := range res.Subscribe {
			if strings.HasPrefix(a.Text, text) {
				got = append(got, a.Href)
			}
		}
		if len(got) != 1 || got[0] != href {
			t.Errorf("subscribe link %q = %q, want [%q]", text, got, href)
		}
	}
	wantGoogle := "https://calendar.google.com/calendar/render?action=TEMPLATE&text=Smart+Cities+and+Territories,+Pillars+of+the+Common+Agenda&dates=20211117T110000Z/20211117T120000Z&details="
	if !strings.HasPrefix(res.Google, wantGoogle) || !strings.HasSuffix(res.Google, "&ctz=Europe/Madrid") {
		t.Errorf("Add to Google Calendar = %q", res.Google)
	}

	if res.XSSTitle != `<script>alert(1)</script>` || !res.XSSVisible {
		t.Errorf("hostile title shows as %q (visible %v), want the text <script>alert(1)</script>", res.XSSTitle, res.XSSVisible)
	}
	if res.ScriptCount != 1 {
		t.Errorf("%d scripts in the document, want our one", res.ScriptCount)
	}
	if res.H1 != "UCLG at Smart City Expo World Congress" {
		t.Errorf("h1 = %q", res.H1)
	}
	if res.IndexTitle != "Agenda Example" {
		t.Errorf("index title = %q", res.IndexTitle)
	}
}
