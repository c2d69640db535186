package publish

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// journalName is the file listing the paths a pass is about to publish,
// written before their renames. If the process dies before the pass's
// manifest is written, New reads it: a file the manifest on disk does not
// list is published but listed nowhere, and New deletes it, so that an
// output directory never keeps files no manifest accounts for; a file it
// lists may hold newer bytes than those it hashes, and New marks it to be
// compared with its render, not with the manifest (Publisher.suspect).
const journalName = ".pending"

// journal appends to the pending list during one pass.
type journal struct {
	f *os.File
}

// add appends paths, durably, before the files are renamed into place. On
// Linux the syncfs that commits the batch also commits these lines, so
// only other systems fsync here.
func (j *journal) add(dir string, paths []string) error {
	if len(paths) == 0 {
		return nil
	}
	if j.f == nil {
		f, err := os.OpenFile(filepath.Join(dir, journalName), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			return fmt.Errorf("open journal: %w", err)
		}
		j.f = f
		if err := syncDir(dir); err != nil {
			return err
		}
	}
	var b bytes.Buffer
	for _, p := range paths {
		b.WriteString(p)
		b.WriteByte('\n')
	}
	if _, err := j.f.Write(b.Bytes()); err != nil {
		return fmt.Errorf("write journal: %w", err)
	}
	if runtime.GOOS != "linux" {
		if err := j.f.Sync(); err != nil {
			return fmt.Errorf("sync journal: %w", err)
		}
	}
	return nil
}

// finish drops the journal once the manifest listing its files is durable:
// this pass's, or that of an earlier pass that could not write its
// manifest (the journal names the files that one replaced too).
func (j *journal) finish(dir string) error {
	j.close()
	return removeJournal(dir)
}

func (j *journal) close() {
	if j.f != nil {
		j.f.Close()
		j.f = nil
	}
}

// readJournal returns the paths a killed pass may have published without
// listing them. A torn last line names a file that was never renamed.
func readJournal(dir string) ([]string, error) {
	f, err := os.Open(filepath.Join(dir, journalName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read journal: %w", err)
	}
	defer f.Close()
	var paths []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		paths = append(paths, sc.Text())
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read journal: %w", err)
	}
	return paths, nil
}

func removeJournal(dir string) error {
	err := os.Remove(filepath.Join(dir, journalName))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove journal: %w", err)
	}
	if err == nil {
		return syncDir(dir)
	}
	return nil
}
