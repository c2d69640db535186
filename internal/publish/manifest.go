package publish

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/agendafeed/agendafeed/feeds"
)

// ManifestName is the manifest's file name in the output directory. It
// starts with a dot, like the temp files, so that nothing serving the
// published paths mistakes it for one.
const ManifestName = ".manifest.json"

// Manifest describes what is published: every file with its hash, and the
// revision of every series it was rendered from. The maps of a Manifest
// returned by Publisher.Manifest are shared and must be treated as
// read-only: the publisher never changes a map it has handed out, it builds
// new ones.
type Manifest struct {
	// Version increases by one every time the published set changes, so a
	// reader can tell cheaply that it must reload (Generated may not move
	// under a pinned clock).
	Version   int64               `json:"version"`
	Generated time.Time           `json:"generated"`
	Revisions map[string]int64    `json:"revisions"` // series slug -> published revision
	Files     map[string]FileInfo `json:"files"`     // path -> file
	// Combined is set once the all-series files have been rendered.
	Combined bool `json:"combined,omitempty"`
	// Obsolete lists files that this manifest no longer lists but that may
	// still exist because the process stopped before deleting them; New
	// deletes them.
	Obsolete []string `json:"obsolete,omitempty"`
}

// FileInfo is one published file.
type FileInfo struct {
	Path        string     `json:"-"`    // relative, '/'-separated: "madrid/calendar.ics"
	ETag        string     `json:"etag"` // strong: "\"<sha256 hex>\""
	Size        int64      `json:"size"`
	Modified    time.Time  `json:"modified"` // when the bytes last changed
	Revision    int64      `json:"revision"` // series revision rendered (0 for all-series files)
	Kind        feeds.Kind `json:"kind"`
	ContentType string     `json:"-"`                // from Kind
	Series      string     `json:"series,omitempty"` // owning series; "" for all-series files
}

func emptyManifest() *Manifest {
	return &Manifest{Revisions: map[string]int64{}, Files: map[string]FileInfo{}}
}

// loadManifest reads dir's manifest. A missing manifest is an empty one.
func loadManifest(dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if errors.Is(err, fs.ErrNotExist) {
		return emptyManifest(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	m := emptyManifest()
	if err := json.Unmarshal(b, m); err != nil {
		return nil, fmt.Errorf("parse manifest %s: %w", filepath.Join(dir, ManifestName), err)
	}
	if m.Revisions == nil {
		m.Revisions = map[string]int64{}
	}
	if m.Files == nil {
		m.Files = map[string]FileInfo{}
	}
	for p, fi := range m.Files {
		if err := checkPath(p); err != nil {
			return nil, fmt.Errorf("parse manifest: %w", err)
		}
		fi.Path = p
		fi.ContentType = fi.Kind.ContentType()
		m.Files[p] = fi
	}
	return m, nil
}

// save writes the manifest atomically.
func (m *Manifest) save(dir string) error {
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("encode manifest: %w", err)
	}
	if err := WriteFile(dir, ManifestName, b, 0o644); err != nil {
		return fmt.Errorf("write manifest: %w", err)
	}
	return nil
}

// checkPath accepts only the relative, clean, '/'-separated paths the
// layout produces, so that no renderer (or edited manifest) can make the
// publisher write or delete outside the output directory, or at a name that
// starts with a dot (temp files, the manifest).
func checkPath(p string) error {
	if p == "" || strings.HasPrefix(p, "/") || strings.Contains(p, "\\") || strings.ContainsRune(p, 0) {
		return fmt.Errorf("path %q: expected a relative path such as madrid/calendar.ics", p)
	}
	for _, part := range strings.Split(p, "/") {
		if part == "" || part == "." || part == ".." || strings.HasPrefix(part, ".") {
			return fmt.Errorf("path %q: expected a relative path without empty, dot or dot-dot parts", p)
		}
	}
	return nil
}

// ETagOf formats a sha256 digest as the strong ETag the manifest records.
func ETagOf(sum []byte) string {
	const hexdigits = "0123456789abcdef"
	b := make([]byte, 0, 2+2*len(sum))
	b = append(b, '"')
	for _, c := range sum {
		b = append(b, hexdigits[c>>4], hexdigits[c&15])
	}
	return string(append(b, '"'))
}
