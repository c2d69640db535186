package main

import (
	"bytes"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// A database file that holds no agendafeed data (0 bytes from ": >" or
// touch, an SQLite file without tables), one written by a newer agendafeed,
// and a directory are refused by every command that refuses a missing
// database, with the path, what is wrong, the config key and what to do,
// and are left as they were: otherwise serve publishes an empty agenda,
// deleting every published file.
func TestDatabaseThatIsNoAgenda(t *testing.T) {
	const key = "(the path is config key database / AGENDAFEED_DATABASE)"
	empty := "restore it from a backup, or set the right path; only import, demo, serve -demo and series add initialise an empty one " + key
	for _, tc := range []struct {
		name string
		make func(t *testing.T, path string)
		want func(path string) string
	}{
		{"0 bytes", func(t *testing.T, path string) {
			if err := os.WriteFile(path, nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}, func(path string) string {
			return "database " + path + " is empty (0 bytes), not an agendafeed database (truncated, made by touch, or a copy that failed?); " + empty
		}},
		{"SQLite without tables", func(t *testing.T, path string) {
			rawExec(t, path, `VACUUM`)
		}, func(path string) string {
			return "database " + path + " is an SQLite database without any agendafeed table (an empty database, or one still being created?); " + empty
		}},
		{"newer schema", func(t *testing.T, path string) {
			te := newTestEnv(t)
			te.env["AGENDAFEED_DATABASE"] = path
			te.must("demo")
			rawExec(t, path, `INSERT INTO schema_migrations (version, applied) VALUES (999, '2030-01-01T00:00:00Z')`)
		}, func(path string) string {
			return path + " has schema version 999, newer than version " + strconv.Itoa(knownSchema(t)) +
				", the newest this agendafeed knows (a newer agendafeed wrote it); " +
				"run that newer agendafeed, or restore a backup made with this version " + key
		}},
		{"directory", func(t *testing.T, path string) {
			if err := os.Mkdir(path, 0o755); err != nil {
				t.Fatal(err)
			}
		}, func(path string) string {
			return path + " is a directory, not a database file; expected the path of an agendafeed database file (such as " +
				path + "/agendafeed.db) " + key
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, args := range [][]string{
				{"generate"}, {"check"}, {"export"}, {"backup", "BACKUP"}, {"series", "list"}, {"session", "list"}, {"post", "list", "-series", "x"},
			} {
				t.Run(strings.Join(args, " "), func(t *testing.T) {
					te := newTestEnv(t)
					db := te.env["AGENDAFEED_DATABASE"]
					tc.make(t, db)
					before := fileState(t, db)
					if args[0] == "backup" {
						args = []string{"backup", filepath.Join(te.dir, "backup.db")}
					}
					_, errs, code := te.run("", args...)
					if want := tc.want(db); code != 1 || !strings.Contains(errs, want) {
						t.Errorf("exit %d, stderr:\n%s\nwant exit 1 and:\n%s", code, errs, want)
					}
					if after := fileState(t, db); after != before {
						t.Errorf("the database changed: %s, was %s", after, before)
					}
				})
			}
			// serve as a process, over an output directory published from
			// a good database: it must leave every file there.
			dir := t.TempDir()
			good := newTestEnv(t)
			good.env["AGENDAFEED_DATABASE"] = filepath.Join(dir, "good.db")
			good.env["AGENDAFEED_OUTPUT_DIR"] = filepath.Join(dir, "public")
			good.must("demo")
			good.must("generate")
			published := tree(t, filepath.Join(dir, "public"))
			db := filepath.Join(dir, "agendafeed.db")
			tc.make(t, db)
			cmd := daemonCmd(dir, nil, "serve")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			cmd.Run()
			if want := tc.want(db); cmd.ProcessState.ExitCode() != 1 || !strings.Contains(stderr.String(), want) {
				t.Errorf("serve: exit %d, stderr:\n%s\nwant exit 1 and:\n%s", cmd.ProcessState.ExitCode(), stderr.String(), want)
			}
			if got := tree(t, filepath.Join(dir, "public")); got != published {
				t.Errorf("serve changed the output directory:\n%s\nwas:\n%s", got, published)
			}
		})
	}
}

// The commands that create a database initialise an empty one.
func TestCreatingCommandsInitialiseAnEmptyDatabase(t *testing.T) {
	for _, args := range [][]string{{"series", "add", "news", "-title", "News"}, {"demo"}, {"import", "SERIES_FILE"}} {
		for _, sqliteFile := range []bool{false, true} {
			t.Run(strings.Join(args[:1], " ")+map[bool]string{false: " 0 bytes", true: " SQLite"}[sqliteFile], func(t *testing.T) {
				te := newTestEnv(t)
				db := te.env["AGENDAFEED_DATABASE"]
				if sqliteFile {
					rawExec(t, db, `VACUUM`)
				} else if err := os.WriteFile(db, nil, 0o644); err != nil {
					t.Fatal(err)
				}
				if args[0] == "import" {
					args = []string{"import", te.writeFile("news.yaml", "series:\n  slug: news\n  title: News\n")}
				}
				te.must(args...)
				te.must("check")
			})
		}
	}
}

func rawExec(t *testing.T, path, query string) {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(query); err != nil {
		t.Fatal(err)
	}
}

// knownSchema is the newest schema version this build knows: the one
// demo leaves in a new database.
func knownSchema(t *testing.T) int {
	t.Helper()
	te := newTestEnv(t)
	te.must("demo")
	raw, err := sql.Open("sqlite", "file:"+te.env["AGENDAFEED_DATABASE"])
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var v int
	if err := raw.QueryRow(`SELECT max(version) FROM schema_migrations`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// fileState describes what is at path, to show a command left it alone.
func fileState(t *testing.T, path string) string {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.IsDir() {
		return "directory"
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// tree lists the files under dir with their sizes.
func tree(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if fi, err := d.Info(); err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			fmt.Fprintf(&b, "%s %d\n", rel, fi.Size())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// A command that brings an older schema up to date says so on standard
// error, once: an older release cannot refuse the result (README,
// "Upgrading"). The older schema is made by undoing the last migration.
func TestSchemaUpdateIsTold(t *testing.T) {
	te := newTestEnv(t)
	te.must("demo")
	db := te.env["AGENDAFEED_DATABASE"]
	v := knownSchema(t)
	rawExec(t, db, `DROP INDEX sessions_by_end`)
	rawExec(t, db, `DELETE FROM schema_migrations WHERE version = `+strconv.Itoa(v))
	want := "database " + db + ": schema updated from version " + strconv.Itoa(v-1) + " to " + strconv.Itoa(v)
	if _, errs, code := te.run("", "series", "list"); code != 0 || !strings.Contains(errs, want) {
		t.Errorf("first command: exit %d, stderr %q; want %q", code, errs, want)
	}
	if _, errs, code := te.run("", "series", "list"); code != 0 || strings.Contains(errs, "schema updated") {
		t.Errorf("second command: exit %d, stderr %q; want nothing about the schema", code, errs)
	}
}
