package page

import (
	"slices"
	"strings"
	"testing"
)

// paragraphsReference is the plain way of splitting that appendParagraphs
// does without copying: the bytes it must give.
func paragraphsReference(text string) []string {
	var out, cur []string
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.Join(cur, "\n"))
			cur = nil
		}
	}
	for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		if strings.TrimSpace(line) == "" {
			flush()
			continue
		}
		cur = append(cur, strings.TrimRight(line, " \t"))
	}
	flush()
	return out
}

var paragraphSeeds = []string{
	"",
	"one line",
	"one\ntwo\n\nthree",
	"trailing spaces  \t\nnext line\n",
	"windows\r\nlines\r\n\r\nsecond\r\n",
	"lone\rreturn\r",
	"\r\r\n\r\nx\r\r\ny",
	"  indented\n\t\n \u00a0\nafter a no-break space line",
	"\n\n\nfirst after blanks\n   \n\n",
	"a \nb\nc  \r\nd",
	"x\u2028y\n\u3000\nz",
}

func TestParagraphs(t *testing.T) {
	for _, text := range paragraphSeeds {
		if got, want := paragraphs(text), paragraphsReference(text); !slices.Equal(got, want) {
			t.Errorf("paragraphs(%q) = %q, want %q", text, got, want)
		}
	}
	// Appending keeps what was there.
	got := appendParagraphs([]string{"kept"}, "a\n\nb")
	if want := []string{"kept", "a", "b"}; !slices.Equal(got, want) {
		t.Errorf("appendParagraphs = %q, want %q", got, want)
	}
}

func FuzzParagraphs(f *testing.F) {
	for _, text := range paragraphSeeds {
		f.Add(text)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if got, want := paragraphs(text), paragraphsReference(text); !slices.Equal(got, want) {
			t.Errorf("paragraphs(%q) = %q, want %q", text, got, want)
		}
	})
}
