package store

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// foreignWAL reports the processes that hold locks on the -shm file next
// to path while nobody holds a lock on the file at path: they have another
// file open under this name (the file was renamed over, a restore, while
// the daemon runs), and the -wal and -shm are theirs. SQLite would replay
// that -wal over this file, write this process's commits into it, and, a
// connection here believing it is the last one, copy it into this file and
// delete it. Every SQLite connection to a WAL database holds a shared
// fcntl lock on the database file and one on the -shm for as long as it
// is open, so a -shm in use beside an unlocked database file is exactly
// this case.
//
// The locks are read from /proc/locks rather than with F_GETLK: opening
// and closing the file here would drop the POSIX locks this process's own
// connections hold on it. No /proc/locks (a sandbox) means no answer: nil.
func foreignWAL(path string) ([]int, error) {
	shm, err := os.Stat(path + "-shm")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("stat %s-shm: %w", path, err)
	}
	db, err := os.Stat(path)
	if err != nil {
		return nil, nil // Open reports a missing file its own way
	}
	f, err := os.Open("/proc/locks")
	if err != nil {
		return nil, nil
	}
	defer f.Close()
	// The -shm must match by device and inode, the database file by
	// inode alone: where stat and /proc/locks disagree on the device
	// (overlay file systems), the check errs towards letting Open go on.
	shmID, dbIno := lockID(shm), ":"+strconv.FormatUint(inode(db), 10)
	var holders []int
	dbHeld := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// "1: POSIX  ADVISORY  READ 16452 fe:00:10430563 128 128";
		// a waiter's line has "->" after the number.
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[1] == "->" {
			fields = append(fields[:1], fields[2:]...)
		}
		if len(fields) < 6 {
			continue
		}
		switch {
		case strings.HasSuffix(fields[5], dbIno):
			dbHeld = true
		case fields[5] == shmID:
			if pid, err := strconv.Atoi(fields[4]); err == nil {
				holders = append(holders, pid)
			}
		}
	}
	if err := sc.Err(); err != nil || dbHeld {
		return nil, nil
	}
	return holders, nil
}

// lockID is a file's device and inode as /proc/locks writes them; "-"
// (matching nothing) if unknown.
func lockID(fi os.FileInfo) string {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return "-"
	}
	dev := uint64(st.Dev) //nolint:unconvert // int32 or uint64 by platform
	return fmt.Sprintf("%02x:%02x:%d", unix.Major(dev), unix.Minor(dev), st.Ino)
}

func inode(fi os.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Ino
	}
	return 0
}
