package server

import "os"

// fileStamp identifies one version of a file's bytes well enough to tell
// that they changed in place: the inode, the size, the modification time
// and, where the system has one, the change time, which a write (or any
// metadata change) moves and which no one can set back. A file whose
// stamp is the one recorded when its bytes were checked against the
// manifest still has those bytes (short of a write within the file
// system's timestamp granularity that keeps the size: see statStamp).
type fileStamp struct {
	dev, ino     uint64
	size         int64
	mtime, ctime int64 // nanoseconds since the epoch
	nlink        uint64
}

// matches reports whether now, a file's stamp now, is still the version
// s recorded. The change time counts only while the file has a name:
// unlinking it (a newer version renamed over the path, a delete) moves
// it too, and the bytes of a file kept open after that are still the
// checked ones, which the anchor serves (fdpool.go).
func (s fileStamp) matches(now fileStamp) bool {
	return s.dev == now.dev && s.ino == now.ino && s.size == now.size && s.mtime == now.mtime &&
		(now.nlink == 0 || s.ctime == now.ctime)
}

// stampOf is the stamp of fi, as os.File.Stat or os.Stat returned it.
func stampOf(fi os.FileInfo) fileStamp {
	s := fileStamp{size: fi.Size(), mtime: fi.ModTime().UnixNano()}
	sysStamp(fi, &s)
	return s
}
