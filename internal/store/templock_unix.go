//go:build unix

package store

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// lockTemp takes an exclusive flock on f without waiting, and reports
// whether it got it. flock is independent of the fcntl locks SQLite
// takes on the same file, and is released when the process dies, however
// it dies: so a temporary file whose lock can be taken belongs to no
// running backup.
func lockTemp(f *os.File) (bool, error) {
	err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
	if errors.Is(err, unix.EWOULDBLOCK) {
		return false, nil
	}
	return err == nil, err
}

// tempLocks reports whether lockTemp can tell a dead backup's temporary
// file from a running one's.
const tempLocks = true
