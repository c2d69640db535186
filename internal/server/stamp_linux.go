package server

import (
	"os"
	"runtime"
	"syscall"
)

func sysStamp(fi os.FileInfo, s *fileStamp) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		s.dev, s.ino = st.Dev, st.Ino
		s.ctime, s.nlink = st.Ctim.Nano(), uint64(st.Nlink)
	}
}

// statStamp is f's stamp now. It is one fstat(2) and, unlike f.Stat, no
// allocation: it runs on every response sent from an open file.
func statStamp(f *os.File) (fileStamp, error) {
	var st syscall.Stat_t
	// Fd does not change the descriptor's mode here: regular files are
	// not in the poller, so they are never non-blocking.
	err := syscall.Fstat(int(f.Fd()), &st)
	runtime.KeepAlive(f) // f's finalizer must not close the descriptor under fstat
	if err != nil {
		return fileStamp{}, &os.PathError{Op: "fstat", Path: f.Name(), Err: err}
	}
	return fileStamp{dev: st.Dev, ino: st.Ino, size: st.Size, mtime: st.Mtim.Nano(), ctime: st.Ctim.Nano(), nlink: uint64(st.Nlink)}, nil
}
