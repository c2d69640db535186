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
