//go:build !linux

package publish

import (
	"fmt"
	"os"
)

// syncFiles makes the data of the given files durable before they are
// renamed into place: without syncfs(2), one fsync per file.
func syncFiles(dir string, paths []string) error {
	for _, p := range paths {
		f, err := os.OpenFile(p, os.O_RDWR, 0)
		if err != nil {
			return fmt.Errorf("sync %s: %w", p, err)
		}
		err = f.Sync()
		f.Close()
		if err != nil {
			return fmt.Errorf("sync %s: %w", p, err)
		}
	}
	return nil
}
