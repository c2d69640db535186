//go:build linux

// Command freshpages measures what the page cache's fresh pages cost the
// kernel when a pass writes its files, and what dropping each synced batch
// from the cache (as internal/publish does) saves. It writes -mb megabytes
// in files of -kb kilobytes into a new directory under -out, making each
// batch of -batch files durable with one syncfs(2), once keeping the files
// cached and once dropping each batch with posix_fadvise(DONTNEED) after
// its sync, alternating -runs times, and prints the wall and kernel CPU
// time of each run. Nothing is deleted until the end, so that no run reuses
// pages another run freed.
//
//	go run ./bench/cmd/freshpages -out /work/x [-mb 1200] [-kb 400] [-batch 256] [-runs 2]
//
// On a VM whose balloon reports free pages to the host (Firecracker and
// many clouds), a page the guest has not used lately costs a fault in the
// host when the page cache first takes it: here, writing 1.2 GB cost ~3 s
// of kernel CPU kept, ~0.4 s dropped (docs/performance.md, "Fresh pages").
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "freshpages:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fset := flag.NewFlagSet("freshpages", flag.ContinueOnError)
	out := fset.String("out", "", "new directory to write into (must not exist; removed at the end)")
	mb := fset.Int("mb", 1200, "megabytes to write per run")
	kb := fset.Int("kb", 400, "kilobytes per file")
	batch := fset.Int("batch", 256, "files per syncfs")
	runs := fset.Int("runs", 2, "pairs of runs (kept, dropped)")
	pause := fset.Duration("pause", 10*time.Second, "pause before each run")
	if err := fset.Parse(args); err != nil {
		return err
	}
	if *out == "" || *mb < 1 || *kb < 1 || *batch < 1 || *runs < 1 {
		return errors.New("-out is required; -mb, -kb, -batch and -runs must be positive")
	}
	if _, err := os.Stat(*out); err == nil {
		return fmt.Errorf("-out %s: exists; give a new directory", *out)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	defer os.RemoveAll(*out)
	data := make([]byte, *kb<<10)
	for i := range data {
		data[i] = 'a' + byte(i%26)
	}
	files := (*mb << 20) / len(data)
	for i := range 2 * *runs {
		drop := i%2 == 1
		time.Sleep(*pause)
		dir := filepath.Join(*out, fmt.Sprint(i))
		wall, sys, err := write(dir, data, files, *batch, drop)
		if err != nil {
			return err
		}
		what := "kept in the page cache"
		if drop {
			what = "dropped after each sync"
		}
		fmt.Printf("%d files of %d KB, %s: %v (kernel CPU %v)\n", files, *kb, what, wall.Round(time.Millisecond), sys.Round(time.Millisecond))
	}
	return nil
}

// write creates n files of data in dir, syncing every batch files and,
// with drop, then dropping that batch from the page cache.
func write(dir string, data []byte, n, batch int, drop bool) (wall, sys time.Duration, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, 0, err
	}
	d, err := os.Open(dir)
	if err != nil {
		return 0, 0, err
	}
	defer d.Close()
	sys0 := kernelCPU()
	start := time.Now()
	var pending []int
	flush := func() error {
		if err := unix.Syncfs(int(d.Fd())); err != nil {
			return fmt.Errorf("syncfs: %w", err)
		}
		for _, fd := range pending {
			if drop {
				unix.Fadvise(fd, 0, 0, unix.FADV_DONTNEED)
			}
			unix.Close(fd)
		}
		pending = pending[:0]
		return nil
	}
	for i := range n {
		fd, err := unix.Open(filepath.Join(dir, fmt.Sprint(i)), unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC, 0o644)
		if err != nil {
			return 0, 0, err
		}
		if _, err := unix.Write(fd, data); err != nil {
			unix.Close(fd)
			return 0, 0, err
		}
		pending = append(pending, fd)
		if len(pending) == batch {
			if err := flush(); err != nil {
				return 0, 0, err
			}
		}
	}
	if err := flush(); err != nil {
		return 0, 0, err
	}
	return time.Since(start), kernelCPU() - sys0, nil
}

func kernelCPU() time.Duration {
	var r syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &r)
	return time.Duration(r.Stime.Nano())
}
