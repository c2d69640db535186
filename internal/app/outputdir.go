package app

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"
)

// outputDirError names the config key, the value and what is expected: the
// one who reads it is editing a config file or a unit's environment.
func outputDirError(dir, problem string) error {
	return fmt.Errorf("output_dir: %q: %s; expected a directory agendafeed can write (config key output_dir / AGENDAFEED_OUTPUT_DIR)", dir, problem)
}

// reason is the part of err a person acts on: "read-only file system"
// rather than "mkdir /a/b: read-only file system".
func reason(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno.Error()
	}
	return err.Error()
}

// CheckOutputDir reports whether serve and generate could publish into dir,
// without writing anything: dir must be a writable directory, or not exist
// yet under a writable one (they create it). `check` calls it; Open creates
// the directory and then checks the same way.
func CheckOutputDir(dir string) error {
	p := dir
	for {
		st, err := os.Stat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR):
			// ENOTDIR: a file stands in the path; the loop finds it.
			parent := filepath.Dir(p)
			if parent == p {
				return outputDirError(dir, "no existing directory above it")
			}
			p = parent
			continue
		case err != nil:
			return outputDirError(dir, reason(err))
		case !st.IsDir() && p == dir:
			return outputDirError(dir, "is a file, not a directory")
		case !st.IsDir():
			return outputDirError(dir, fmt.Sprintf("cannot be created: %s is a file, not a directory", p))
		}
		// Publishing creates, renames and removes files: write and search.
		if err := unix.Access(p, unix.W_OK|unix.X_OK); err != nil {
			if p == dir {
				return outputDirError(dir, "not writable: "+reason(err))
			}
			return outputDirError(dir, fmt.Sprintf("cannot be created: %s is not writable: %s", p, reason(err)))
		}
		return nil
	}
}

// prepareOutputDir creates dir when missing and checks it is writable, so
// that an unusable output_dir stops the daemon at start with a message that
// names it, not at its first pass.
func prepareOutputDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		if err := CheckOutputDir(dir); err != nil {
			return err
		}
		return outputDirError(dir, "cannot be created: "+reason(err))
	}
	return CheckOutputDir(dir)
}
