// Package realclient is the support code of the tests that check
// agendafeed's output with real clients: the programs outside Go that
// calendar apps and feed readers are built on (ical.js and the npm feed
// parsers under node, Debian's python3 modules, libical, headless Chromium).
//
// It owns the rule for a missing client: the test skips with a message
// naming what is missing and the command that installs it, except under
// CI=true, where it fails, so that CI never passes by skipping. It also owns
// where the clients are found (the repository root, whose node_modules holds
// the npm packages; Debian's /usr/bin/python3, the only interpreter that sees
// the python3-* packages) and how a check script runs (a timeout, and its
// output in the failure message). What each script checks stays with the
// tests of the package it checks.
//
// Like net/http/httptest, it is meant for tests only.
package realclient

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// python is the interpreter Debian installs the python3-* packages for;
// another python3 on PATH (a virtualenv's, say) does not see them.
const python = "/usr/bin/python3"

// DefaultTimeout bounds a Script whose Timeout is zero. It only stops a
// hung client; the slowest check (python3-icalendar over the DST corpus)
// takes well under a minute.
const DefaultTimeout = 5 * time.Minute

// CI reports whether the tests run under CI=true, where a real-client test
// must run rather than skip.
func CI() bool { return os.Getenv("CI") == "true" }

// Need returns when err is nil. Otherwise what is missing: the test skips
// with a message naming what, why (err) and install, the command that
// installs it, or fails with that message under CI=true.
func Need(t testing.TB, what, install string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	msg := fmt.Sprintf("%s is missing (%v); install it with: %s", what, err, install)
	if CI() {
		t.Fatalf("CI=true, where every real-client test must run: %s", msg)
		return // only a fake testing.TB gets here
	}
	t.Skip(msg)
}

// RepoRoot is the directory holding go.mod above the working directory (a
// test runs in its package's directory).
func RepoRoot(t testing.TB) string {
	t.Helper()
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find the repository root: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("find the repository root: no go.mod above the working directory")
		}
		dir = parent
	}
}

// Python returns /usr/bin/python3 once it has checked that the interpreter
// exists and imports each of modules; otherwise it calls Need with the
// apt-get command that installs what is missing. A module m comes from
// Debian's package python3-m.
func Python(t testing.TB, modules ...string) string {
	t.Helper()
	what, install, err := checkPython(t.Context(), python, modules)
	Need(t, what, install, err)
	return python
}

// checkPython says what of interp and modules is missing, if anything.
func checkPython(ctx context.Context, interp string, modules []string) (what, install string, err error) {
	debs := []string{"python3"}
	for _, m := range modules {
		debs = append(debs, "python3-"+strings.ToLower(strings.ReplaceAll(m, "_", "-")))
	}
	if _, err := os.Stat(interp); err != nil {
		return interp, "apt-get install " + strings.Join(debs, " "), err
	}
	for i, m := range modules {
		ctx, cancel := context.WithTimeout(ctx, time.Minute)
		out, err := exec.CommandContext(ctx, interp, "-c", "import "+m).CombinedOutput()
		cancel()
		if err != nil {
			if last := lastLine(out); last != "" {
				err = fmt.Errorf("%w: %s", err, last)
			}
			return fmt.Sprintf("Python module %s for %s", m, interp), "apt-get install " + debs[i+1], err
		}
	}
	return "", "", nil
}

// Node returns the node on PATH once it has checked that each of packages
// is installed in the repository's node_modules, where the check scripts
// resolve their imports from; otherwise it calls Need with what installs
// it (nodejs, npm ci).
func Node(t testing.TB, packages ...string) string {
	t.Helper()
	node, what, install, err := checkNode(RepoRoot(t), packages)
	Need(t, what, install, err)
	return node
}

// checkNode says what of node and packages is missing, if anything.
func checkNode(root string, packages []string) (node, what, install string, err error) {
	npm := "npm ci in " + root + " (make deps does it)"
	node, err = exec.LookPath("node")
	if err != nil {
		install = "apt-get install nodejs"
		if len(packages) > 0 {
			install += ", then " + npm
		}
		return "", "node (Node.js)", install, err
	}
	modules := filepath.Join(root, "node_modules")
	for _, p := range packages {
		if _, err := os.Stat(filepath.Join(modules, p, "package.json")); err != nil {
			return node, fmt.Sprintf("npm package %s in %s", p, modules), npm, err
		}
	}
	return node, "", "", nil
}

// Script is one run of a client's check script.
type Script struct {
	// What names the run in messages: "feedparser check".
	What string
	// Args are the program and its arguments.
	Args []string
	// Dir is the working directory; the test's own when empty.
	Dir string
	// Env is added to the test's environment.
	Env []string
	// Stdin is the script's standard input.
	Stdin []byte
	// Timeout bounds the run; DefaultTimeout when zero.
	Timeout time.Duration
	// Install, when set, says the script follows the convention of
	// exiting 77 when its client is missing (a module import fails), and
	// is the command that installs the client: Run then calls Need.
	Install string
}

// Run runs s and returns its standard output. A run that fails, or takes
// longer than its timeout, fails the test with the script's standard error
// and output in the message; a run that exits 77 while s.Install is set
// calls Need. The standard error of a run that succeeds is logged.
func Run(t testing.TB, s Script) []byte {
	t.Helper()
	if len(s.Args) == 0 {
		t.Fatalf("%s: realclient.Script without Args", s.What)
		return nil
	}
	timeout := cmp.Or(s.Timeout, DefaultTimeout)
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.Args[0], s.Args[1:]...)
	cmd.Dir = s.Dir
	if len(s.Env) > 0 {
		cmd.Env = append(os.Environ(), s.Env...)
	}
	cmd.Stdin = bytes.NewReader(s.Stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// Once the script is killed, whatever it started (a browser) may
	// still hold the pipes open: do not wait for them for long.
	cmd.WaitDelay = 10 * time.Second
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
		t.Fatalf("%s: no result within %v (%v): %q\n%s", s.What, timeout, err, s.Args, outputs(stdout.Bytes(), stderr.Bytes()))
		return nil
	case s.Install != "" && errors.As(err, &exit) && exit.ExitCode() == 77:
		said := strings.TrimSpace(string(stderr.Bytes()) + "\n" + string(stdout.Bytes()))
		Need(t, "the client of the "+s.What, s.Install, fmt.Errorf("%s exits 77: %s", filepath.Base(s.Args[0]), said))
		return nil
	case err != nil:
		t.Fatalf("%s: %v: %q\n%s", s.What, err, s.Args, outputs(stdout.Bytes(), stderr.Bytes()))
		return nil
	}
	if e := bytes.TrimSpace(stderr.Bytes()); len(e) > 0 {
		t.Logf("%s wrote to standard error:\n%s", s.What, e)
	}
	return stdout.Bytes()
}

// maxOutput caps each stream in a failure message; a script that lists
// its mismatches stays well under it.
const maxOutput = 32 << 10

// outputs is the standard error and output of a failed run, for its
// failure message.
func outputs(stdout, stderr []byte) string {
	var b strings.Builder
	for _, s := range []struct {
		name string
		text []byte
	}{{"standard error", stderr}, {"standard output", stdout}} {
		text := bytes.TrimSpace(s.text)
		if len(text) == 0 {
			fmt.Fprintf(&b, "%s: empty\n", s.name)
			continue
		}
		more := ""
		if len(text) > maxOutput {
			more = fmt.Sprintf("\n... (%d bytes more)", len(text)-maxOutput)
			text = text[:maxOutput]
		}
		fmt.Fprintf(&b, "%s:\n%s%s\n", s.name, text, more)
	}
	return b.String()
}

// lastLine is the last non-empty line of out: for Python, the exception.
func lastLine(out []byte) string {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
