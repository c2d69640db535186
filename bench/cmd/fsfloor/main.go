//go:build linux

// Command fsfloor measures what writing a pass's output costs the
// filesystem alone: it recreates the files of an existing output directory
// (same directories, names and sizes; filler bytes) in a new directory,
// from -workers goroutines, with no rendering, hashing, renaming or
// syncing, and prints the wall time and the CPU time (user and kernel).
// No pass can write the same files faster than this on the same machine,
// so it tells how much of a full pass's time is the filesystem's. With
// -sync it then makes everything durable with one syncfs(2), which a pass
// must do (in batches) before it renames files into place: the floor of a
// crash-safe pass. Linux only (syncfs, getrusage), like the machine it measures.
//
//	go run ./bench/cmd/fsfloor -like OUTPUT_DIR -out NEW_DIR [-sync] [-workers 8]
//
// OUTPUT_DIR is a published output (bench/pass.sh -out keeps one); NEW_DIR
// must not exist. Each series directory goes to one goroutine, as the
// publisher hands out series.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "fsfloor:", err)
		os.Exit(1)
	}
}

type file struct {
	rel  string
	size int64
}

func run(args []string) error {
	fset := flag.NewFlagSet("fsfloor", flag.ContinueOnError)
	like := fset.String("like", "", "output directory whose files to recreate")
	out := fset.String("out", "", "new directory to write them into (must not exist)")
	durable := fset.Bool("sync", false, "then make it all durable with one syncfs(2), as a pass must before its renames, and time that too")
	workers := fset.Int("workers", min(16, 4*runtime.GOMAXPROCS(0)), "goroutines writing series directories")
	if err := fset.Parse(args); err != nil {
		return err
	}
	if *like == "" || *out == "" {
		return errors.New("-like and -out are required")
	}
	if _, err := os.Stat(*out); err == nil {
		return fmt.Errorf("-out %s: exists; give a new directory", *out)
	}
	// Top-level entries: a directory per series, plus the all-series files.
	groups := map[string][]file{}
	var total int64
	var n int
	err := filepath.WalkDir(*like, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), ".") && path != *like {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil // the manifest, temp files
		}
		if d.IsDir() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(*like, path)
		top, _, _ := strings.Cut(filepath.ToSlash(rel), "/")
		if top == filepath.ToSlash(rel) {
			top = "" // an all-series file
		}
		groups[top] = append(groups[top], file{rel: rel, size: info.Size()})
		total += info.Size()
		n++
		return nil
	})
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("-like %s: no files", *like)
	}
	var biggest int64
	for _, g := range groups {
		for _, f := range g {
			biggest = max(biggest, f.size)
		}
	}
	filler := make([]byte, min(biggest, 64<<10))
	for i := range filler {
		filler[i] = 'a' + byte(i%26)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}

	jobs := make(chan []file)
	errs := make(chan error, *workers)
	var wg sync.WaitGroup
	u0, s0 := rusage()
	start := time.Now()
	for range *workers {
		wg.Go(func() {
			made := map[string]bool{}
			for g := range jobs {
				for _, f := range g {
					if err := write(filepath.Join(*out, f.rel), f.size, filler, made); err != nil {
						errs <- err
						return
					}
				}
			}
		})
	}
	for _, top := range slices.Sorted(maps.Keys(groups)) {
		jobs <- groups[top]
	}
	close(jobs)
	wg.Wait()
	written := time.Since(start)
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	synced := ""
	if *durable {
		d, err := os.Open(*out)
		if err != nil {
			return err
		}
		err = unix.Syncfs(int(d.Fd()))
		d.Close()
		if err != nil {
			return fmt.Errorf("syncfs: %w", err)
		}
		synced = fmt.Sprintf(", durable after %v", time.Since(start).Round(time.Millisecond))
	}
	u1, s1 := rusage()
	fmt.Printf("wrote %d files, %.2f GB (%.1f KB average) with %d goroutines, GOMAXPROCS %d: %v%s (CPU user %v, kernel %v)\n",
		n, float64(total)/1e9, float64(total)/float64(n)/1e3, *workers, runtime.GOMAXPROCS(0),
		written.Round(time.Millisecond), synced, (u1 - u0).Round(time.Millisecond), (s1 - s0).Round(time.Millisecond))
	return nil
}

// write creates path with size filler bytes, making its directory first.
func write(path string, size int64, filler []byte, made map[string]bool) error {
	dir := filepath.Dir(path)
	if !made[dir] {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		made[dir] = true
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	for size > 0 {
		k := min(size, int64(len(filler)))
		if _, err := f.Write(filler[:k]); err != nil {
			f.Close()
			return err
		}
		size -= k
	}
	return f.Close()
}

func rusage() (user, sys time.Duration) {
	var r syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &r)
	return time.Duration(r.Utime.Nano()), time.Duration(r.Stime.Nano())
}
