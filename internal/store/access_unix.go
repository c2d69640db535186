//go:build unix

package store

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// dirWritable reports whether this process may create files in dir.
func dirWritable(dir string) bool { return unix.Access(dir, unix.W_OK|unix.X_OK) == nil }

// fileUnwritable returns why this process may not write the file at path,
// or nil when it may.
func fileUnwritable(path string) error { return unix.Access(path, unix.W_OK) }

// unwritableJournal lists the -wal and -shm files next to the database at
// path that exist and that this process cannot write, with their owners,
// and the database file's owner (-1 if unknown). Nothing when the database
// file cannot be written either: SQLite gives the files it creates the
// file's mode, so a read-only file has read-only -wal and -shm, and the
// file is what to fix.
func unwritableJournal(path string) (files []journalFile, dbUID, dbGID int) {
	if unix.Access(path, unix.W_OK) != nil {
		return nil, -1, -1
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		name := path + suffix
		fi, err := os.Lstat(name)
		if err != nil || unix.Access(name, unix.W_OK) == nil {
			continue
		}
		f := journalFile{name: name, uid: -1, size: fi.Size()}
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			f.uid = int(st.Uid)
		}
		files = append(files, f)
	}
	dbUID, dbGID = -1, -1
	if fi, err := os.Stat(path); err == nil {
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			dbUID, dbGID = int(st.Uid), int(st.Gid)
		}
	}
	return files, dbUID, dbGID
}
