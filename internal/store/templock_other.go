//go:build !unix

package store

import "os"

// lockTemp cannot lock without flock; Backup then never removes another
// backup's temporary file (tempLocks).
func lockTemp(*os.File) (bool, error) { return true, nil }

const tempLocks = false
