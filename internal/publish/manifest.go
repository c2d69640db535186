package publish

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
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
	// under a pinned clock): by two in a pass that serves its series files
	// before its all-series files (one for each manifest it serves).
	Version   int64               `json:"version"`
	Generated time.Time           `json:"generated"`
	Revisions map[string]int64    `json:"revisions"` // series slug -> published revision
	Files     map[string]FileInfo `json:"files"`     // path -> file
	// Combined is set once the all-series files have been rendered.
	Combined bool `json:"combined,omitempty"`
	// Obsolete lists files that this manifest no longer lists but that may
	// still exist because the process stopped before deleting them (or an
	// earlier pass could not write its manifest), and, as "<slug>/", the
	// directories of series it no longer publishes; New deletes them.
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
	if err := writeFileFunc(dir, ManifestName, 0o644, m.writeJSON); err != nil {
		return fmt.Errorf("write manifest: %w", err)
	}
	return nil
}

// manifestChunk is how much encoded manifest is handed to the file at a
// time: it is 23 MB at 105,006 files, and written as it is encoded the
// disk starts on it before the encoding ends (writeFileFunc).
const manifestChunk = 256 << 10

// writeJSON writes the bytes json.Marshal(m) gives to w.
func (m *Manifest) writeJSON(w io.Writer) error {
	b, err := m.encodeJSON(make([]byte, 0, manifestChunk+4096), func(b []byte) error {
		_, err := w.Write(b)
		return err
	})
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// appendJSON appends the bytes json.Marshal(m) gives to b.
func (m *Manifest) appendJSON(b []byte) ([]byte, error) { return m.encodeJSON(b, nil) }

// encodeJSON appends the bytes json.Marshal(m) gives to b, without its
// reflection: at 105,006 files json.Marshal took ~0.3 s of every pass that
// changed anything, the one-series pass included, on the pass goroutine
// after every file was published. With flush, the bytes so far go to it
// whenever they pass manifestChunk, and b starts again empty; what is left
// is returned. TestManifestJSON and FuzzManifestJSON hold the bytes equal
// to json.Marshal's.
func (m *Manifest) encodeJSON(b []byte, flush func([]byte) error) ([]byte, error) {
	var err error
	b = append(b, `{"version":`...)
	b = strconv.AppendInt(b, m.Version, 10)
	b = append(b, `,"generated":`...)
	if b, err = appendJSONTime(b, m.Generated); err != nil {
		return nil, err
	}
	b = append(b, `,"revisions":`...)
	if m.Revisions == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '{')
		for i, slug := range slices.Sorted(maps.Keys(m.Revisions)) {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, slug)
			b = append(b, ':')
			b = strconv.AppendInt(b, m.Revisions[slug], 10)
		}
		b = append(b, '}')
	}
	b = append(b, `,"files":`...)
	if m.Files == nil {
		b = append(b, "null"...)
	} else {
		// Sorted as encoding/json sorts map keys. The paths alone, each
		// looked up again: copying every FileInfo beside its path took
		// 16 MB at 105,006 files, more than the lookups cost.
		paths := slices.Sorted(maps.Keys(m.Files))
		b = append(b, '{')
		for i, path := range paths {
			fi := m.Files[path]
			if flush != nil && len(b) >= manifestChunk {
				if err := flush(b); err != nil {
					return nil, err
				}
				b = b[:0]
			}
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, path)
			b = append(b, `:{"etag":`...)
			b = appendJSONString(b, fi.ETag)
			b = append(b, `,"size":`...)
			b = strconv.AppendInt(b, fi.Size, 10)
			b = append(b, `,"modified":`...)
			if b, err = appendJSONTime(b, fi.Modified); err != nil {
				return nil, err
			}
			b = append(b, `,"revision":`...)
			b = strconv.AppendInt(b, fi.Revision, 10)
			b = append(b, `,"kind":`...)
			b = appendJSONString(b, string(fi.Kind))
			if fi.Series != "" {
				b = append(b, `,"series":`...)
				b = appendJSONString(b, fi.Series)
			}
			b = append(b, '}')
		}
		b = append(b, '}')
	}
	if m.Combined {
		b = append(b, `,"combined":true`...)
	}
	if len(m.Obsolete) > 0 {
		b = append(b, `,"obsolete":[`...)
		for i, path := range m.Obsolete {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, path)
		}
		b = append(b, ']')
	}
	return append(b, '}'), nil
}

// appendJSONString appends s as encoding/json quotes it. The manifest's
// strings are paths, slugs, quoted hex ETags and kinds: printable ASCII
// that JSON keeps as it is, but for the ETags' quotes. Anything else goes
// through encoding/json.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // a string always marshals
			return append(b, q...)
		}
	}
	b = append(b, '"')
	last := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '"' || c == '\\' {
			b = append(b, s[last:i]...)
			b = append(b, '\\', c)
			last = i + 1
		}
	}
	b = append(b, s[last:]...)
	return append(b, '"')
}

// appendJSONTime appends t as time.Time's MarshalJSON does (RFC 3339 with
// nanoseconds), through MarshalJSON itself for the times it would refuse.
func appendJSONTime(b []byte, t time.Time) ([]byte, error) {
	if y := t.Year(); y < 0 || y > 9999 {
		q, err := t.MarshalJSON()
		return append(b, q...), err
	}
	if _, off := t.Zone(); off%60 != 0 {
		q, err := t.MarshalJSON()
		return append(b, q...), err
	}
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"'), nil
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

// etagOfIs reports whether etag is ETagOf(sum), without building it.
func etagOfIs(etag string, sum []byte) bool {
	const hexdigits = "0123456789abcdef"
	if len(etag) != 2+2*len(sum) || etag[0] != '"' || etag[len(etag)-1] != '"' {
		return false
	}
	for i, c := range sum {
		if etag[1+2*i] != hexdigits[c>>4] || etag[2+2*i] != hexdigits[c&15] {
			return false
		}
	}
	return true
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
