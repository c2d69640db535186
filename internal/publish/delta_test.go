package publish

import (
	"maps"
	"testing"
)

func TestDeltaOnto(t *testing.T) {
	fi := func(path string, rev int64) FileInfo { return FileInfo{Path: path, Revision: rev} }
	base := map[string]FileInfo{"a": fi("a", 1), "b": fi("b", 1), "c": fi("c", 1)}
	orig := maps.Clone(base)
	for _, tc := range []struct {
		name string
		base map[string]FileInfo
		do   func(d *delta)
		want map[string]FileInfo
	}{
		{"nothing", base, func(*delta) {}, base},
		{"set, add, remove", base, func(d *delta) {
			d.put(fi("a", 2))
			d.put(fi("d", 2))
			d.remove("b")
		}, map[string]FileInfo{"a": fi("a", 2), "c": fi("c", 1), "d": fi("d", 2)}},
		{"removed, then set again", base, func(d *delta) {
			d.remove("c")
			d.put(fi("c", 3))
		}, map[string]FileInfo{"a": fi("a", 1), "b": fi("b", 1), "c": fi("c", 3)}},
		{"set, then removed", base, func(d *delta) {
			d.put(fi("d", 2))
			d.remove("d")
			d.remove("a")
		}, map[string]FileInfo{"b": fi("b", 1), "c": fi("c", 1)}},
		{"first pass", map[string]FileInfo{}, func(d *delta) {
			d.put(fi("a", 1))
			d.put(fi("b", 1))
			d.remove("b")
		}, map[string]FileInfo{"a": fi("a", 1)}},
		{"first pass, nothing", nil, func(*delta) {}, map[string]FileInfo{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var d delta
			tc.do(&d)
			got := d.onto(tc.base)
			if got == nil || !maps.Equal(got, tc.want) {
				t.Errorf("onto = %v, want %v", got, tc.want)
			}
			if !maps.Equal(base, orig) {
				t.Errorf("base modified: %v", base)
			}
		})
	}
}

// accept records an unchanged file only when its entry moved: a forced
// pass over unchanged files builds no second list of them.
func TestAcceptRecordsOnlyMovedEntries(t *testing.T) {
	fi := FileInfo{Path: "madrid/calendar.ics", ETag: `"x"`, Size: 1, Revision: 1, Kind: "calendar.ics", Series: "madrid"}
	fi.ContentType = fi.Kind.ContentType()
	old := &Manifest{Files: map[string]FileInfo{fi.Path: fi}}
	st := &passState{p: &Publisher{}, old: old, base: old.Files, res: &Result{}}
	st.accept("madrid", []rendered{{info: fi}}, "")
	if len(st.delta.set) != 0 || len(st.delta.gone) != 0 || st.res.FilesUnchanged != 1 {
		t.Errorf("an unchanged entry was recorded: %+v", st.delta)
	}
	moved := fi
	moved.Revision = 2
	st.accept("madrid", []rendered{{info: moved}}, "")
	if got := st.delta.set[fi.Path]; got != moved {
		t.Errorf("a new revision of the same bytes: recorded %+v, want %+v", got, moved)
	}
}
