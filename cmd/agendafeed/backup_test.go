package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// backup writes a copy that the other commands read as the database, and
// refuses to overwrite a file.
func TestBackupCommand(t *testing.T) {
	te := newTestEnv(t)
	te.must("series", "add", "news", "-title", "News")
	dst := filepath.Join(te.dir, "copy.db")
	if out := te.must("backup", dst); !strings.Contains(out, "written to "+dst) {
		t.Errorf("backup printed %q", out)
	}
	if _, errs, code := te.run("", "backup", dst); code != 1 || !strings.Contains(errs, "the file exists") {
		t.Errorf("backup over an existing file: exit %d, %q", code, errs)
	}
	if _, _, code := te.run("", "backup"); code != 2 {
		t.Errorf("backup without FILE: exit %d, want 2", code)
	}
	te.env["AGENDAFEED_DATABASE"] = dst
	if out := te.must("series", "list"); !strings.Contains(out, "news") {
		t.Errorf("series list on the backup:\n%s", out)
	}
	te.must("check")
}
