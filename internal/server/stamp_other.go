//go:build !linux

package server

import "os"

// sysStamp leaves the inode and change time out where they are not read
// portably: the size and modification time still catch most edits.
func sysStamp(_ os.FileInfo, s *fileStamp) { s.nlink = 1 }

// statStamp is f's stamp now.
func statStamp(f *os.File) (fileStamp, error) {
	fi, err := f.Stat()
	if err != nil {
		return fileStamp{}, err
	}
	return stampOf(fi), nil
}
