package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agendafeed/agendafeed/internal/asnobody"
)

// Every command that writes, on a database it cannot write, says which
// file or directory it cannot write, what it was doing, what to do, and
// that the path is the database key: not SQLite's "attempt to write a
// readonly database". Permissions do not stop root, so as root the
// commands run as nobody (uid 65534), the program being this test binary
// (AGENDAFEED_TEST_MAIN).
func TestWritingCommandsOnUnwritableDatabase(t *testing.T) {
	te := newTestEnv(t)
	base := te.dir
	roDir := filepath.Join(base, "rodir")  // the directory cannot be written
	roFile := filepath.Join(base, "rwdir") // the directory can, the file cannot
	for _, d := range []string{roDir, roFile} {
		te.env["AGENDAFEED_DATABASE"] = filepath.Join(d, "agendafeed.db")
		te.must("demo")
	}
	post := te.writeFile("post.md", "Hello\n")
	agenda := te.writeFile("agenda.yaml", "series:\n  slug: more\n  title: More\n")
	// nobody must reach the binary, the inputs and the databases: the
	// test's directories are 0700.
	bin := filepath.Join(base, "agendafeed.test")
	asnobody.CopyTestBinary(t, bin)
	for _, c := range []struct {
		path string
		mode os.FileMode
	}{
		{filepath.Dir(base), 0o755}, {base, 0o755}, {post, 0o644}, {agenda, 0o644},
		{roDir, 0o555}, {filepath.Join(roDir, "agendafeed.db"), 0o444},
		{roFile, 0o777}, {filepath.Join(roFile, "agendafeed.db"), 0o444},
	} {
		if err := os.Chmod(c.path, c.mode); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { os.Chmod(roDir, 0o755) })

	const session = "cities-are-listening/smart-recovery-post-covid"
	commands := []struct {
		args   []string
		action string // how the message starts
	}{
		{[]string{"series", "add", "zz", "-title", "Z"}, `add series "zz": `},
		{[]string{"series", "edit", "cities-are-listening", "-title", "X"}, `edit series "cities-are-listening": `},
		{[]string{"series", "remove", "cities-are-listening"}, `remove series "cities-are-listening": `},
		{[]string{"session", "add", "cities-are-listening/new", "-title", "New", "-start", "2030-01-01T10:00", "-end", "2030-01-01T11:00"}, "add session cities-are-listening/new: "},
		{[]string{"session", "edit", session, "-title", "X"}, "edit session " + session + ": "},
		// The session given, not "/": the error lost it.
		{[]string{"session", "cancel", session}, "cancel session " + session + ": "},
		{[]string{"session", "remove", session}, "remove session " + session + ": "},
		{[]string{"post", "add", "cities-are-listening/p1", "-title", "T", "-published", "2030-01-01", "-body-file", post}, "add post cities-are-listening/p1: "},
		{[]string{"import", agenda}, "import " + agenda + ": "},
	}
	for _, dir := range []string{roDir, roFile} {
		db := filepath.Join(dir, "agendafeed.db")
		// What the store says, for each: which file or directory, and
		// what to do.
		problem := db + " cannot be written: the file is read-only for this user, or on a read-only mount; make it writable by this user, or run as its owner"
		if dir == roDir {
			problem = db + " is open for reading only: its directory " + dir + " cannot be written"
		}
		for _, c := range commands {
			want := c.action + problem
			if dir == roDir && c.args[1] == "add" && c.args[0] == "series" {
				// It opens the database to create it if missing: Open
				// refuses at once, as serve does. (import opens an
				// existing database first, to read the stored series.)
				want = "open database " + db + `: open store "` + db + `": cannot open ` + db + ": its directory " + dir + " cannot be written"
			}
			t.Run(filepath.Base(dir)+" "+c.args[0]+" "+filepath.Base(c.args[1]), func(t *testing.T) {
				stderr, code := runAsNobody(t, bin, base, db, c.args...)
				if code != 1 || !strings.Contains(stderr, "agendafeed: "+want) ||
					!strings.HasSuffix(stderr, " (the path is config key database / AGENDAFEED_DATABASE)\n") {
					t.Errorf("exit %d, stderr:\n%s\nwant exit 1 and agendafeed: %s ... (the path is config key database / AGENDAFEED_DATABASE)", code, stderr, want)
				}
				if strings.Contains(stderr, "readonly database") {
					t.Errorf("SQLite's own message leaks:\n%s", stderr)
				}
			})
		}
	}

	// Commands that create the database: a missing file, or directory,
	// under a directory that cannot be written.
	for _, tt := range []struct{ db, want string }{
		{filepath.Join(roDir, "new.db"), "database " + filepath.Join(roDir, "new.db") + " does not exist and cannot be created: its directory " +
			roDir + " cannot be written (permission denied); make " + roDir + " writable by this user, or run as its owner"},
		{filepath.Join(roDir, "sub", "new.db"), "database " + filepath.Join(roDir, "sub", "new.db") + ": cannot create its directory: mkdir " +
			filepath.Join(roDir, "sub") + ": permission denied; create it, or run as a user who can"},
	} {
		t.Run(strings.TrimPrefix(tt.db, base), func(t *testing.T) {
			stderr, code := runAsNobody(t, bin, base, tt.db, "series", "add", "zz", "-title", "Z")
			if want := "agendafeed: " + tt.want + " (the path is config key database / AGENDAFEED_DATABASE)\n"; code != 1 || stderr != want {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 1 and\n%s", code, stderr, want)
			}
		})
	}
}

// runAsNobody runs the program (bin, this test binary) with args on the
// database db, as nobody when the test runs as root, and returns its
// stderr and exit status.
func runAsNobody(t *testing.T, bin, dir, db string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"-test.run=^$", "--"}, args...)...)
	cmd.Dir = dir
	cmd.Env = []string{"AGENDAFEED_TEST_MAIN=1", "AGENDAFEED_DATABASE=" + db, "AGENDAFEED_OUTPUT_DIR=" + filepath.Join(dir, "public"),
		"AGENDAFEED_BASE_URL=https://agenda.example.org/", "HOME=" + dir}
	if os.Geteuid() == 0 {
		cmd.SysProcAttr = asnobody.Attr()
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return stderr.String(), ee.ExitCode()
	}
	if err != nil {
		t.Fatalf("run %v: %v", args, err)
	}
	return stderr.String(), 0
}

// copyExecutable copies this test binary to dst, where nobody can run it.
