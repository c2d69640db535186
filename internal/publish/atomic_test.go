package publish

import "testing"

// Only the names tempName makes are temp files: the start-up cleaning
// walks the owner's directories in the output directory too.
func TestIsTempName(t *testing.T) {
	made, err := tempName("calendar.ics")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		want bool
	}{
		{made, true},
		{".calendar.ics.tmp-0123456789abcdef", true},
		{".madrid.tmp-0123456789abcdef", true},
		{".all-series.spill.tmp-fedcba9876543210", true},
		{".draft.tmp-1", false},
		{".calendar.ics.tmp-0123456789ABCDEF", false},
		{".calendar.ics.tmp-0123456789abcdef0", false},
		{".calendar.ics.tmp-0123456789abcdeg", false},
		{"calendar.ics.tmp-0123456789abcdef", false},
		{".tmp-0123456789abcdef", false},
		{"notes.txt", false},
	} {
		if got := isTempName(tc.name); got != tc.want {
			t.Errorf("isTempName(%q) = %v, want %v", tc.name, got, tc.want)
		}
	}
}
