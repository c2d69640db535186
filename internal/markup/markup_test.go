package markup

import (
	"regexp"
	"testing"
)

func TestRender(t *testing.T) {
	tests := []renderCase{
		{"paragraph", "Hello *world*", "<p>Hello <em>world</em></p>\n"},
		{"link gets rel", "[site](https://example.org/a)",
			`<p><a href="https://example.org/a" rel="nofollow noopener">site</a></p>` + "\n"},
		{"relative link gets rel", "[page](/x/y)",
			`<p><a href="/x/y" rel="nofollow noopener">page</a></p>` + "\n"},
		{"linkify", "see https://example.org today",
			`<p>see <a href="https://example.org" rel="nofollow noopener">https://example.org</a> today</p>` + "\n"},
		{"autolink", "<https://example.org/b>",
			`<p><a href="https://example.org/b" rel="nofollow noopener">https://example.org/b</a></p>` + "\n"},
		{"strikethrough", "~~old~~ new", "<p><del>old</del> new</p>\n"},
		{"table", "| a | b |\n|---|---|\n| 1 | 2 |",
			"<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>\n"},
		{"script block dropped", "<script>alert(1)</script>\n\ntext", "\n<p>text</p>\n"},
		{"inline script dropped", "a <script>alert(1)</script> b", "<p>a  b</p>\n"},
		{"javascript link", "[x](javascript:alert(1))", "<p>x</p>\n"},
		{"javascript link upper case", "[x](JaVaScRiPt:alert(1))", "<p>x</p>\n"},
		{"javascript autolink", "<javascript:alert(1)>", "<p>javascript:alert(1)</p>\n"},
		{"email linkified", "write to foo@example.org",
			`<p>write to <a href="mailto:foo@example.org" rel="nofollow noopener">foo@example.org</a></p>` + "\n"},
		{"onerror attribute", `<img src=x onerror="alert(1)">`, `<img src="x">`},
		{"image kept", "![alt](https://example.org/i.png)",
			`<p><img src="https://example.org/i.png" alt="alt"></p>` + "\n"},
		{"escaped text", "5 < 6 & 7 > 3", "<p>5 &lt; 6 &amp; 7 &gt; 3</p>\n"},
		{"no target on links", "[a](https://example.org)",
			`<p><a href="https://example.org" rel="nofollow noopener">a</a></p>` + "\n"},
		{"empty", "", ""},
	}
	checkRenders(t, tests)
}

func TestRenderDeterministic(t *testing.T) {
	md := "# T\n\n[a](https://a.example) and https://b.example\n\n| x | y |\n|---|---|\n| 1 | ~~2~~ |\n"
	first, err := Render(md)
	if err != nil {
		t.Fatal(err)
	}
	r := New()
	for i := 0; i < 20; i++ {
		got, err := r.Render(md)
		if err != nil {
			t.Fatal(err)
		}
		if got != first {
			t.Fatalf("render %d differs:\n%q\n%q", i, got, first)
		}
	}
}

var (
	scriptRE  = regexp.MustCompile(`(?i)<script`)
	onAttrRE  = regexp.MustCompile(`(?i)<[^>]*\son[a-z]+\s*=`)
	jsSchemeR = regexp.MustCompile(`(?i)javascript:`)
)

// assertSafe fails when rendered HTML could run script. javascript: may appear
// as escaped text content, so it is only searched for in tags.
func assertSafe(t *testing.T, md, html string) {
	t.Helper()
	if scriptRE.MatchString(html) {
		t.Errorf("Render(%q) kept a script tag: %q", md, html)
	}
	if onAttrRE.MatchString(html) {
		t.Errorf("Render(%q) kept an event handler attribute: %q", md, html)
	}
	for _, tag := range regexp.MustCompile(`<[^>]*>`).FindAllString(html, -1) {
		if jsSchemeR.MatchString(tag) {
			t.Errorf("Render(%q) kept a javascript: URL in %q", md, tag)
		}
	}
	// assertTight finds a target attribute, in tags only.
	assertTight(t, md, html)
	assertStable(t, md, html)
}

func FuzzRender(f *testing.F) {
	for _, s := range []string{
		"", "plain", "*em* **strong** `code`", "[a](https://example.org)",
		"<script>alert(1)</script>", "[x](javascript:alert(1))", "<a href=\"javascript:alert(1)\">x</a>",
		"<img src=x onerror=alert(1)>", "| a |\n|---|\n| <b onclick=x>1</b> |",
		"https://example.org/?q=<script>", "~~x~~", "<svg onload=alert(1)>", "[x](  jAvAsCrIpT:alert(1) )",
		"<div style=\"background:url(javascript:alert(1))\">x</div>", "```\n<script>\n```",
	} {
		f.Add(s)
	}
	for _, s := range hostile {
		f.Add(s)
	}
	r := New()
	f.Fuzz(func(t *testing.T, md string) {
		html, err := r.Render(md)
		if err != nil {
			t.Fatalf("Render(%q): %v", md, err)
		}
		assertSafe(t, md, html)
	})
}

// renderCase is a Markdown input and the HTML Render must give for it.
type renderCase struct{ name, md, want string }

// checkRenders renders each case with one Renderer and checks its output,
// exactly and against the safety rules (assertSafe).
func checkRenders(t *testing.T, tests []renderCase) {
	t.Helper()
	r := New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.Render(tt.md)
			if err != nil {
				t.Fatalf("Render(%q): %v", tt.md, err)
			}
			if got != tt.want {
				t.Errorf("Render(%q)\n got %q\nwant %q", tt.md, got, tt.want)
			}
			assertSafe(t, tt.md, got)
		})
	}
}
