package server

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/agendafeed/agendafeed/internal/publish"
)

// A crawler walking every published file, with and without gzip, leaves
// the server holding at most its budget of their bytes, and every file
// is still served whole, from disk again once its bytes were let go.
func TestMemoryBudgetBoundsKeptFiles(t *testing.T) {
	bothFronts(t, false, func(t *testing.T, f *fixture) {
		const limit = 4 << 10
		f.srv.mem.limit = limit
		paths := slices.Sorted(func(yield func(string) bool) {
			for p := range f.pub.Manifest().Files {
				if !yield(p) {
					return
				}
			}
		})
		var total int64
		for _, p := range paths {
			total += f.pub.Manifest().Files[p].Size
		}
		if total < 3*limit {
			t.Fatalf("the fixture publishes %d bytes; the test needs several times the budget (%d)", total, limit)
		}
		for round := range 2 {
			for _, p := range paths {
				want, err := os.ReadFile(filepath.Join(f.dir, filepath.FromSlash(p)))
				if err != nil {
					t.Fatal(err)
				}
				if w := f.do(t, "GET", "/"+p); w.Code != 200 || !bytes.Equal(w.Body.Bytes(), want) {
					t.Fatalf("round %d: GET /%s: %d, %d bytes; want 200 and the file's %d", round, p, w.Code, w.Body.Len(), len(want))
				}
				w := f.do(t, "GET", "/"+p, "Accept-Encoding", "gzip")
				body := w.Body.Bytes()
				if w.Header().Get("Content-Encoding") == "gzip" {
					zr, err := gzip.NewReader(bytes.NewReader(body))
					if err != nil {
						t.Fatal(err)
					}
					if body, err = io.ReadAll(zr); err != nil {
						t.Fatal(err)
					}
				}
				if w.Code != 200 || !bytes.Equal(body, want) {
					t.Fatalf("round %d: GET /%s with gzip: %d, %d bytes decoded; want 200 and the file's %d", round, p, w.Code, len(body), len(want))
				}
			}
		}
		var held int64
		for _, e := range f.srv.current().files {
			if b := e.body.Load(); b != nil {
				held += int64(len(*b))
			}
			if g := e.gz.Load(); g != nil {
				held += int64(len(g.b))
			}
		}
		if counted, _ := f.srv.mem.kept(); held > limit || counted > limit {
			t.Errorf("after two crawls of %d bytes the server holds %d bytes of files (counted %d), want at most its budget of %d", total, held, counted, limit)
		}
		if held == 0 {
			t.Errorf("the server holds no file's bytes: the budget should keep the last ones served")
		}
	})
}

// An entry served since the hand last passed it gets a second chance: the
// unmarked ones go first.
func TestMemoryBudgetSecondChance(t *testing.T) {
	m := &memBudget{limit: 300}
	var es []*entry
	keep := func(n int) *entry {
		e := newEntry("d", "f", publish.FileInfo{}, "text/plain")
		e.mem = m
		b := make([]byte, n)
		e.body.Store(&b)
		m.add(e, int64(n))
		es = append(es, e)
		return e
	}
	a, b, c := keep(100), keep(100), keep(100)
	a.markUsed()
	d := keep(100) // over by 100: b goes (a was used, c is the hand's next)
	for _, tc := range []struct {
		e    *entry
		name string
		kept bool
	}{{a, "a (used)", true}, {b, "b", false}, {c, "c", true}, {d, "d (new)", true}} {
		if got := tc.e.body.Load() != nil; got != tc.kept {
			t.Errorf("%s kept: %v, want %v", tc.name, got, tc.kept)
		}
	}
	if used, n := m.kept(); used != 300 || n != 3 {
		t.Errorf("counted %d bytes in %d entries, want 300 in 3", used, n)
	}
	big := keep(1000) // larger than the budget alone: it is not kept, and the others stay
	if used, n := m.kept(); big.body.Load() != nil || used != 300 || n != 3 {
		t.Errorf("an entry larger than the budget: kept %v, and %d bytes in %d entries; want not kept, 300 in 3", big.body.Load() != nil, used, n)
	}
	m.drop(a)
	if used, n := m.kept(); a.body.Load() != nil || n != 2 || used != 200 {
		t.Errorf("after drop: a kept %v, %d bytes in %d entries; want none of a's, 200 in 2", a.body.Load() != nil, used, n)
	}
}
