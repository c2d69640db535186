package store

import (
	"bytes"
	"errors"
	"io"
)

// headerWatch notices a database file overwritten in place (cp over it)
// while this process has it open: the path still names the same inode,
// so Replaced cannot tell, and SQLite mixes the new bytes with its -wal
// and cache until the file is damaged for good.
//
// It compares the parts of the 100-byte header that SQLite never changes
// in a WAL file while any connection has it open: the magic string, the
// page size, the file format versions (2 2 in WAL mode; leaving WAL mode
// needs every other connection closed), the reserved bytes and the
// user_version and application_id, which only their pragmas set. A
// checkpoint rewrites page 1, but with these bytes as they were. So once
// a WAL header was seen, any other bytes there, or a file shorter than a
// header, are another file's. Backup stamps a random user_version into
// each copy, so that a copy of a backup over the file is seen too;
// copying over it a file with this very header (the backup it was
// restored from, a copy of the file itself) is not: docs/publishing.md
// says never to do it, and why.
type headerWatch struct {
	// file reads the database file's first bytes (overwrite_linux.go): a
	// descriptor of its own, which it must not close while any connection
	// of this process has the file open, since closing any descriptor of
	// a file drops every POSIX lock the process holds on it, SQLite's
	// included.
	file headerFile
	want []byte // the stable fields, once a WAL header was seen; guarded by DB.goneMu
}

// headerFile is the database file as headerWatch reads it.
type headerFile interface {
	ReadAt(b []byte, off int64) (int, error)
	// Close closes it, unless this process still holds locks on the file.
	Close() error
}

// stableHeader returns the bytes of the header h (100 bytes) that must not
// change while the file is open in WAL mode.
func stableHeader(h []byte) []byte {
	out := append([]byte(nil), h[0:24]...) // magic, page size, versions, reserved space, payload fractions
	out = append(out, h[60:64]...)         // user_version
	out = append(out, h[68:92]...)         // application_id, reserved for expansion
	return out
}

const sqliteMagic = "SQLite format 3\x00"

// overwritten reports whether the file's header is no longer the one seen
// first. The caller holds DB.goneMu.
func (h *headerWatch) overwritten() bool {
	if h == nil || h.file == nil {
		return false
	}
	buf := make([]byte, 100)
	n, err := h.file.ReadAt(buf, 0)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return false // cannot tell; the next look may
	}
	valid := n == len(buf) && string(buf[:16]) == sqliteMagic
	if h.want == nil {
		// A new database's header may reach the file only with its first
		// checkpoint; a rollback-journal file (opened read-only) changes
		// its header at every commit another process makes, and may be
		// switched to WAL mode.
		if valid && buf[18] == 2 && buf[19] == 2 {
			h.want = stableHeader(buf)
		}
		return false
	}
	return !valid || !bytes.Equal(stableHeader(buf), h.want)
}

// close is called once every connection of the DB is closed.
func (h *headerWatch) close() error {
	if h == nil || h.file == nil {
		return nil
	}
	return h.file.Close()
}

// errShortHeader is a file shorter than the bytes asked for.
var errShortHeader = io.ErrUnexpectedEOF
