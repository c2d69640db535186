package store

import (
	"bufio"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// rawFile is a descriptor without os.File's finalizer, which would close
// it whenever the garbage collector ran, dropping SQLite's locks.
type rawFile struct {
	fd     int
	lockID string // as /proc/locks names the file
}

// openHeaderFile opens the database file fi, at path, for headerWatch; nil
// when it cannot, or when path names another file by now (the first
// checkReplaced says so).
func openHeaderFile(path string, fi os.FileInfo) headerFile {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil || st.Ino != inode(fi) {
		// Another file (or one that cannot be told): closing it drops
		// no lock of the connections'. An error of fstat on the very
		// file is near impossible; the descriptor is kept then.
		if err == nil {
			unix.Close(fd) //nolint:errcheck // read-only
			return nil
		}
	}
	return &rawFile{fd: fd, lockID: lockID(fi)}
}

func (f *rawFile) ReadAt(b []byte, off int64) (int, error) {
	n, err := unix.Pread(f.fd, b, off)
	if err == nil && n < len(b) {
		return max(n, 0), errShortHeader
	}
	return max(n, 0), err
}

// Close closes the descriptor unless this process still holds a lock on
// the file: another DB, or a connection opened outside the store, has it
// open, and would lose its locks. Then the descriptor stays open until
// the process ends.
func (f *rawFile) Close() error {
	if processLocks(f.lockID) {
		return nil
	}
	return unix.Close(f.fd)
}

// processLocks reports whether /proc/locks lists a lock of this process
// on the file lockID; true when it cannot tell.
func processLocks(lockID string) bool {
	lf, err := os.Open("/proc/locks")
	if err != nil {
		return true
	}
	defer lf.Close()
	pid := strconv.Itoa(os.Getpid())
	sc := bufio.NewScanner(lf)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[1] == "->" {
			fields = append(fields[:1], fields[2:]...)
		}
		if len(fields) >= 6 && fields[4] == pid && fields[5] == lockID {
			return true
		}
	}
	return sc.Err() != nil
}
