// Package suggest finds the name a user probably meant when they misspelt
// one: a config key, an import file's key, an environment variable. Every
// "did you mean" in agendafeed comes from here, so they agree on what is
// close enough to suggest.
package suggest

import "strings"

// MaxEdits is the most edits a suggestion may be away from what was written:
// "databse" and "stauts" are one, "dtabse" two; further than that the
// suggestion is more often wrong than right.
const MaxEdits = 2

// Closest returns the candidate nearest to word (compared in lower case;
// candidates are expected in their canonical lower case), or "" when none
// is within MaxEdits. Ties go to the earlier candidate.
func Closest(word string, candidates []string) string {
	best, bestD := "", MaxEdits+1
	w := strings.ToLower(word)
	for _, c := range candidates {
		// The distance is at least the difference in length: a word of a
		// megabyte (a broken or hostile file) is compared with none, where
		// Distance would allocate a row per byte of it for every candidate.
		if abs(len(w)-len(c)) >= bestD {
			continue
		}
		if d := Distance(w, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

func abs(n int) int { return max(n, -n) }

// Distance is the optimal string alignment distance between a and b, in
// bytes (Levenshtein plus transposition of neighbours: "stauts" is one edit
// from "status").
func Distance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
