package suggest

import (
	"strings"
	"testing"
)

func TestClosest(t *testing.T) {
	keys := []string{"database", "output_dir", "base_url", "status", "venue"}
	tests := []struct {
		word, want string
	}{
		{"database", "database"},
		{"DATABASE", "database"},
		{"databse", "database"},
		{"stauts", "status"},
		{"venu", "venue"},
		{"dtabse", "database"},
		{"dtbse", ""},
		{"colour", ""},
		{"", ""},
		{strings.Repeat("k", 1<<20), ""},
	}
	for _, tt := range tests {
		if got := Closest(tt.word, keys); got != tt.want {
			t.Errorf("Closest(%.20q) = %q, want %q", tt.word, got, tt.want)
		}
	}
}

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"a", "", 1},
		{"status", "stauts", 1},
		{"kitten", "sitting", 3},
		{"ab", "ba", 1},
	}
	for _, tt := range tests {
		if got := Distance(tt.a, tt.b); got != tt.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
