// Package demo owns agendafeed's demo data: two agenda files built from real
// UCLG event pages, embedded in the binary so that a new installation can
// import them and show working calendars and feeds at once.
package demo

import (
	"embed"
	"io/fs"
	"path"
)

//go:embed data/*.yaml
var files embed.FS

// File is one demo agenda file, in the format of package importer.
type File struct {
	Name string // file name, e.g. "open-policy-debates.yaml"
	Data []byte
}

// Files returns the demo agenda files, ordered by name. Each call returns
// fresh copies, so a caller may modify them.
func Files() []File {
	entries, err := fs.ReadDir(files, "data")
	if err != nil {
		panic("demo: embedded data missing: " + err.Error()) // cannot happen: go:embed checked it at build time
	}
	out := make([]File, 0, len(entries))
	for _, e := range entries {
		data, err := files.ReadFile(path.Join("data", e.Name()))
		if err != nil {
			panic("demo: embedded file unreadable: " + err.Error())
		}
		out = append(out, File{Name: e.Name(), Data: data})
	}
	return out
}
