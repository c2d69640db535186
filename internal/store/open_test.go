package store

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOpenCreate: only Options.Create makes a missing database; without it
// a mistyped path fails and leaves no file behind.
func TestOpenCreate(t *testing.T) {
	existing := filepath.Join(t.TempDir(), "agenda.db")
	openTestDB(t, existing, newClock()).Close()
	for _, tc := range []struct {
		name    string
		path    string
		create  bool
		wantErr bool
	}{
		{"missing without Create", filepath.Join(t.TempDir(), "typo.db"), false, true},
		{"missing with Create", filepath.Join(t.TempDir(), "new.db"), true, false},
		{"existing without Create", existing, false, false},
		{"existing with Create", existing, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, err := Open(context.Background(), tc.path, Options{UIDDomain: "test.example", Create: tc.create})
			if tc.wantErr {
				if err == nil {
					db.Close()
					t.Fatal("Open succeeded, want ErrNoDatabase")
				}
				if !errors.Is(err, ErrNoDatabase) || !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), tc.path) {
					t.Errorf("Open error = %v; want one naming %s and matching ErrNoDatabase and fs.ErrNotExist", err, tc.path)
				}
				if _, err := os.Stat(tc.path); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("Open without Create left a file at %s: %v", tc.path, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer db.Close()
			if _, err := db.ListSeries(context.Background()); err != nil {
				t.Errorf("ListSeries: %v", err)
			}
		})
	}
}

// TestReplaced: once the path names another file (deleted, or a copy moved
// over it) the open database is one nobody else sees, and Ping, which the
// daemon's /healthz uses, says so.
func TestReplaced(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, path string)
	}{
		{"deleted", func(t *testing.T, path string) {
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
		}},
		{"replaced by a copy", func(t *testing.T, path string) {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			tmp := path + ".restore"
			if err := os.WriteFile(tmp, b, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(tmp, path); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "agenda.db")
			db := openTestDB(t, path, newClock())
			if r, err := db.Replaced(); r || err != nil {
				t.Fatalf("Replaced right after Open = %v, %v; want false, nil", r, err)
			}
			if err := db.Ping(ctx); err != nil {
				t.Fatalf("Ping right after Open: %v", err)
			}
			tc.change(t, path)
			if r, err := db.Replaced(); !r || err != nil {
				t.Errorf("Replaced = %v, %v; want true, nil", r, err)
			}
			if err := db.Ping(ctx); !errors.Is(err, ErrReplaced) {
				t.Errorf("Ping = %v; want ErrReplaced", err)
			}
		})
	}
}
