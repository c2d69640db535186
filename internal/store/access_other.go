//go:build !unix

package store

// dirWritable cannot tell without unix.Access; a directory is taken to be
// writable, so a read-only file gets the file's message.
func dirWritable(string) bool { return true }

// fileUnwritable cannot tell either: SQLite's first write will.
func fileUnwritable(string) error { return nil }

// unwritableJournal needs unix.Access and owners; elsewhere it finds
// nothing, and a write's failure gets the database file's message.
func unwritableJournal(string) (files []journalFile, dbUID, dbGID int) { return nil, -1, -1 }
