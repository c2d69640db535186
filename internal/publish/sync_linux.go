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
	var fd int
	var err error
	for {
		fd, err = unix.Open(path, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC, uint32(perm.Perm()))
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("create: %w", &fs.PathError{Op: "open", Path: path, Err: err})
	}
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
	if err == nil && keep != nil && keep(fd) {
		return nil
	}
	if cerr := unix.Close(fd); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("write: %w", &fs.PathError{Op: "write", Path: path, Err: err})
	}
	return nil
}

// startWriteback asks the kernel to start writing a range of f to disk now
// (sync_file_range(2) with SYNC_FILE_RANGE_WRITE: it does not wait, and it
// makes nothing durable; the fsync after it does). Failure changes nothing
// but speed.
func startWriteback(f *os.File, off, n int64) {
	unix.SyncFileRange(int(f.Fd()), off, n, unix.SYNC_FILE_RANGE_WRITE)
}
