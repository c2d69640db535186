package realclient

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeTB records what a helper decides instead of stopping the test, so
// that a skip or a failure can be asserted. Its Skip and Fatal return, as
// the helpers allow for.
type fakeTB struct {
	testing.TB // nil: a method not overridden here panics
	ctx        context.Context
	skipped    []string
	failed     []string
	logged     []string
}

func newFake(t *testing.T) *fakeTB { return &fakeTB{ctx: t.Context()} }

func (f *fakeTB) Helper()                  {}
func (f *fakeTB) Context() context.Context { return f.ctx }
func (f *fakeTB) Skip(args ...any)         { f.skipped = append(f.skipped, fmt.Sprint(args...)) }
func (f *fakeTB) Fatal(args ...any)        { f.failed = append(f.failed, fmt.Sprint(args...)) }
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.failed = append(f.failed, fmt.Sprintf(format, args...))
}
func (f *fakeTB) Logf(format string, args ...any) {
	f.logged = append(f.logged, fmt.Sprintf(format, args...))
}

// decision is what a helper did to the test: "", "skip" or "fail", and
// the message.
func (f *fakeTB) decision(t *testing.T) (string, string) {
	t.Helper()
	switch {
	case len(f.skipped)+len(f.failed) > 1:
		t.Fatalf("more than one decision: skipped %q, failed %q", f.skipped, f.failed)
	case len(f.skipped) == 1:
		return "skip", f.skipped[0]
	case len(f.failed) == 1:
		return "fail", f.failed[0]
	}
	return "", ""
}

func checkDecision(t *testing.T, f *fakeTB, want string, wantIn ...string) {
	t.Helper()
	got, msg := f.decision(t)
	if got != want {
		t.Fatalf("decision %q (%q), want %q", got, msg, want)
	}
	for _, s := range wantIn {
		if !strings.Contains(msg, s) {
			t.Errorf("message %q does not say %q", msg, s)
		}
	}
}

func TestNeed(t *testing.T) {
	missing := errors.New("exec: \"tool\": executable file not found in $PATH")
	for _, tc := range []struct {
		name string
		ci   string
		err  error
		want string
	}{
		{"present", "", nil, ""},
		{"present under CI", "true", nil, ""},
		{"missing", "", missing, "skip"},
		{"missing under CI", "true", missing, "fail"},
		// Only CI=true forbids skipping, as .ci/run sets it.
		{"missing with CI=1", "1", missing, "skip"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("CI", tc.ci)
			f := newFake(t)
			Need(f, "the tool", "apt-get install tool", tc.err)
			var wantIn []string
			if tc.want != "" {
				wantIn = []string{"the tool", "apt-get install tool", "executable file not found"}
			}
			if tc.want == "fail" {
				wantIn = append(wantIn, "CI=true")
			}
			checkDecision(t, f, tc.want, wantIn...)
		})
	}
}

func TestPythonMissingModule(t *testing.T) {
	for _, tc := range []struct{ ci, want string }{{"", "skip"}, {"true", "fail"}} {
		t.Run("CI="+tc.ci, func(t *testing.T) {
			t.Setenv("CI", tc.ci)
			f := newFake(t)
			if got := Python(f, "agendafeed_no_such_module"); got != "/usr/bin/python3" {
				t.Errorf("Python = %q", got)
			}
			// Without /usr/bin/python3 the message names it instead; the
			// command names the module's package either way.
			checkDecision(t, f, tc.want, "apt-get install", "python3-agendafeed-no-such-module")
		})
	}
}

func TestCheckPython(t *testing.T) {
	what, install, err := checkPython(t.Context(), "/nonexistent/python3", []string{"icalendar", "jsonschema"})
	if err == nil || what != "/nonexistent/python3" || install != "apt-get install python3 python3-icalendar python3-jsonschema" {
		t.Errorf("missing interpreter: %q, %q, %v", what, install, err)
	}
	if _, err := os.Stat(python); err != nil {
		t.Skipf("the rest needs %s: %v", python, err)
	}
	what, install, err = checkPython(t.Context(), python, []string{"json", "agendafeed_no_such_module"})
	if err == nil || !strings.Contains(err.Error(), "No module named 'agendafeed_no_such_module'") ||
		what != "Python module agendafeed_no_such_module for /usr/bin/python3" || install != "apt-get install python3-agendafeed-no-such-module" {
		t.Errorf("missing module: %q, %q, %v", what, install, err)
	}
	if what, install, err := checkPython(t.Context(), python, []string{"json"}); err != nil {
		t.Errorf("standard module: %q, %q, %v", what, install, err)
	}
}

func TestCheckNode(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "node_modules", "@scope", "present"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "node_modules", "@scope", "present", "package.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A stand-in node: only its place on PATH matters.
	bin := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "node"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		path     string
		packages []string
		what     string // "" when nothing is missing
		install  string
	}{
		{"all there", bin, []string{"@scope/present"}, "", ""},
		{"no packages asked for", bin, nil, "", ""},
		{"package missing", bin, []string{"@scope/present", "absent"}, "npm package absent in " + filepath.Join(root, "node_modules"), "npm ci in " + root + " (make deps does it)"},
		{"node missing", t.TempDir(), []string{"@scope/present"}, "node (Node.js)", "apt-get install nodejs, then npm ci in " + root + " (make deps does it)"},
		{"node missing, no packages", t.TempDir(), nil, "node (Node.js)", "apt-get install nodejs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("PATH", tc.path)
			node, what, install, err := checkNode(root, tc.packages)
			if (err != nil) != (tc.what != "") || what != tc.what || install != tc.install {
				t.Errorf("checkNode = %q, %q, %q, %v; want %q, %q", node, what, install, err, tc.what, tc.install)
			}
			if tc.what == "" && node != filepath.Join(bin, "node") {
				t.Errorf("node = %q", node)
			}
		})
	}
}

func TestRepoRoot(t *testing.T) {
	root := RepoRoot(t)
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatal(err)
	}
	if wd, _ := os.Getwd(); wd != filepath.Join(root, "internal", "realclient") {
		t.Errorf("RepoRoot = %q from %q", root, wd)
	}
}

func TestRun(t *testing.T) {
	for _, tc := range []struct {
		name    string
		ci      string
		script  Script
		want    string // the decision: "", "skip" or "fail"
		wantIn  []string
		wantOut string
	}{
		{name: "stdin to stdout", script: Script{What: "cat", Args: []string{"/bin/sh", "-c", "cat"}, Stdin: []byte("hello")},
			wantOut: "hello"},
		{name: "dir and env", script: Script{What: "env", Args: []string{"/bin/sh", "-c", `printf '%s %s' "$REALCLIENT_X" "$(pwd)"`},
			Dir: "/", Env: []string{"REALCLIENT_X=x"}}, wantOut: "x /"},
		{name: "failure shows both streams", script: Script{What: "the check", Args: []string{"/bin/sh", "-c", "echo mismatch; echo trace >&2; exit 3"}},
			want: "fail", wantIn: []string{"the check", "exit status 3", "standard error:\ntrace", "standard output:\nmismatch"}},
		{name: "client missing", script: Script{What: "x check", Install: "apt-get install python3-x",
			Args: []string{"/bin/sh", "-c", "echo no module x >&2; exit 77"}},
			want: "skip", wantIn: []string{"the client of the x check", "apt-get install python3-x", "exits 77: no module x"}},
		{name: "client missing under CI", ci: "true", script: Script{What: "x check", Install: "apt-get install python3-x",
			Args: []string{"/bin/sh", "-c", "echo no module x; exit 77"}},
			want: "fail", wantIn: []string{"CI=true", "apt-get install python3-x", "no module x"}},
		// Without Install, 77 is a failure like any other.
		{name: "77 without the convention", script: Script{What: "the check", Args: []string{"/bin/sh", "-c", "exit 77"}},
			want: "fail", wantIn: []string{"exit status 77"}},
		{name: "hung client", script: Script{What: "the check", Args: []string{"/bin/sh", "-c", "echo started; exec sleep 60"}, Timeout: 100 * time.Millisecond},
			want: "fail", wantIn: []string{"no result within 100ms", "started"}},
		{name: "no program", script: Script{What: "the check"}, want: "fail", wantIn: []string{"without Args"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("CI", tc.ci)
			f := newFake(t)
			out := Run(f, tc.script)
			checkDecision(t, f, tc.want, tc.wantIn...)
			if string(out) != tc.wantOut {
				t.Errorf("output %q, want %q", out, tc.wantOut)
			}
		})
	}
}

func TestRunLogsStderr(t *testing.T) {
	f := newFake(t)
	out := Run(f, Script{What: "the check", Args: []string{"/bin/sh", "-c", "echo ok; echo DeprecationWarning >&2"}})
	if string(out) != "ok\n" || len(f.logged) != 1 || !strings.Contains(f.logged[0], "DeprecationWarning") {
		t.Errorf("output %q, logged %q", out, f.logged)
	}
}
