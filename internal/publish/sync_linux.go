package publish

import (
	"fmt"
	"io"
	"io/fs"
	"os"

	"golang.org/x/sys/unix"
)

// syncFiles makes the data of the given files (all under dir) durable
// before they are renamed into place. On Linux one syncfs(2) commits the
// whole batch: an fsync per file costs a journal commit each (~0.6 ms here),
// which for 100,000 session files would be a minute.
func syncFiles(dir string, paths []string) error {
	if len(paths) == 0 {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("syncfs %s: %w", dir, err)
	}
	defer d.Close()
	if err := unix.Syncfs(int(d.Fd())); err != nil {
		return fmt.Errorf("syncfs %s: %w", dir, err)
	}
	return nil
}

// syncDirs makes renames and unlinks in the given directories (all under
// root) durable. One syncfs(2) writes back every dirty inode of the
// filesystem, directories included: one call instead of an fsync per
// directory, which cost ~0.85 ms each here (2,000 of them in a full pass).
func syncDirs(root string, dirs []string) error {
	if len(dirs) == 0 {
		return nil
	}
	return syncFiles(root, dirs)
}

// renameFile renames a temp file over a published path with rename(2)
// alone: os.Rename first lstats the target to refuse renaming over a
// directory (0.6 s of CPU in a full pass). A published path is never a
// directory (checkPath), and rename(2) refuses a file over one anyway.
func renameFile(from, to string) error {
	if err := unix.Rename(from, to); err != nil {
		return &os.LinkError{Op: "rename", Old: from, New: to, Err: err}
	}
	return nil
}

// dropCache evicts a published file, once its data is durable, from the
// page cache: posix_fadvise(POSIX_FADV_DONTNEED), which drops clean pages
// only. A full pass writes ~1.2 GB that nobody reads soon (the server
// loads a file on its first request), and without this each pass grows the
// page cache by that much, taking fresh pages. On a VM that hands free
// memory back to its host (virtio-balloon free page reporting, as on
// Firecracker and many clouds), every fresh page costs a fault in the host
// on first touch: writing 1.2 GB that way cost ~3 s of kernel CPU here,
// against ~0.4 s when each batch reuses the pages the previous one freed
// (docs/performance.md, "Fresh pages"). It also keeps a pass from pushing
// the database and the served files out of a memory-limited cgroup's
// cache. Failure changes nothing but speed, so it is ignored.
func dropCache(path string) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return
	}
	dropCacheFD(fd)
	unix.Close(fd)
}

// dropCacheFD is dropCache on an open file.
func dropCacheFD(fd int) { unix.Fadvise(fd, 0, 0, unix.FADV_DONTNEED) }

// closeFile closes a descriptor createFile handed to keep.
func closeFile(fd int) { unix.Close(fd) }

// heldFileBudget is how many files a pass may hold open for dropCache: a
// quarter of the descriptor limit (Go raises the soft limit to the hard one
// at start), at most 4,096, so that the server's connections keep room.
func heldFileBudget() int {
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		return 0
	}
	return int(min(lim.Cur/4, 4096))
}

// streamNew: a file that cannot be unchanged is written through from its
// first byte (openNew, writeAll, closeNew) instead of held in memory first.
const streamNew = true

// createFile creates path (which must not exist) and writes data to it;
// if that fails after creating the file, it removes it. Nothing is synced:
// the publisher makes a whole batch durable with one syncfs. When keep is
// not nil it is offered the open descriptor, and the file is closed only
// if keep declines it. It uses the system calls directly: os.OpenFile
// would also offer the file to the runtime's poller (an epoll_ctl that
// fails for regular files), allocate an *os.File and attach a cleanup to
// it, a few microseconds that a full pass pays for each of its 100,000
// session files.
func createFile(path string, data []byte, perm os.FileMode, keep func(fd int) bool) error {
	fd, err := openNew(path, perm)
	if err != nil {
		return err
	}
	return closeNew(fd, path, writeAll(fd, path, data), keep)
}

// openNew creates path, which must not exist, for writing.
func openNew(path string, perm os.FileMode) (int, error) {
	for {
		fd, err := unix.Open(path, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC, uint32(perm.Perm()))
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return -1, fmt.Errorf("create: %w", &fs.PathError{Op: "open", Path: path, Err: err})
		}
		return fd, nil
	}
}

// writeAll writes data to fd, a file openNew made at path.
func writeAll(fd int, path string, data []byte) error {
	var err error
	for len(data) > 0 && err == nil {
		var n int
		n, err = unix.Write(fd, data)
		switch {
		case err == unix.EINTR:
			err = nil
		case err == nil && n == 0:
			err = io.ErrShortWrite
		}
		data = data[max(n, 0):]
	}
	if err != nil {
		return fmt.Errorf("write: %w", &fs.PathError{Op: "write", Path: path, Err: err})
	}
	return nil
}

// closeNew ends writing a file openNew made: after an error (err, or
// closing) it removes the file; else it offers the descriptor to keep, if
// any, and closes it unless keep takes it.
func closeNew(fd int, path string, err error, keep func(fd int) bool) error {
	if err == nil && keep != nil && keep(fd) {
		return nil
	}
	if cerr := unix.Close(fd); err == nil && cerr != nil {
		err = fmt.Errorf("write: %w", &fs.PathError{Op: "close", Path: path, Err: cerr})
	}
	if err != nil {
		os.Remove(path)
	}
	return err
}

// startWriteback asks the kernel to start writing a range of f to disk now
// (sync_file_range(2) with SYNC_FILE_RANGE_WRITE: it does not wait, and it
// makes nothing durable; the fsync after it does). Failure changes nothing
// but speed.
func startWriteback(f *os.File, off, n int64) {
	unix.SyncFileRange(int(f.Fd()), off, n, unix.SYNC_FILE_RANGE_WRITE)
}
