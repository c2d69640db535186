package main

import (
	"errors"
	"io/fs"
	"os"
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

// A backup killed midway leaves its temporary file and -journal in the
// backup directory; the next backup there removes them and says so.
func TestBackupRemovesWhatAKilledOneLeft(t *testing.T) {
	te := newTestEnv(t)
	te.must("series", "add", "news", "-title", "News")
	left := []string{te.writeFile(".monday.db.agendafeed-backup-2525595413", "partial"),
		te.writeFile(".monday.db.agendafeed-backup-2525595413-journal", "journal")}
	dst := filepath.Join(te.dir, "tuesday.db")
	out := te.must("backup", dst)
	want := "removed " + left[1] + ", left by a backup that did not finish\n" +
		"removed " + left[0] + ", left by a backup that did not finish\n" +
		"backup of " + te.env["AGENDAFEED_DATABASE"] + " written to " + dst + "\n"
	if out != want {
		t.Errorf("backup printed:\n%s\nwant:\n%s", out, want)
	}
	for _, p := range left {
		if _, err := os.Lstat(p); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s is still there: %v", p, err)
		}
	}
}
