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
// crash-safe pass. With -batch N (bytes) it does what the publisher does
// instead: every N bytes written, one syncfs on a goroutine of its own
// while the writing goes on, then the batch's files are dropped from the
// page cache (posix_fadvise DONTNEED), so that later files reuse those
// pages rather than take fresh ones; without it, the kernel time includes
// a fault per fresh page on a VM that hands free memory back to its host.
// Linux only (syncfs, getrusage), like the machine it measures.
//
//	go run ./bench/cmd/fsfloor -like OUTPUT_DIR -out NEW_DIR [-sync | -batch 33554432] [-workers 8]
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
	batch := fset.Int64("batch", 0, "sync and drop the files every this many bytes, as the publisher does (0: write everything, then -sync)")
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
	errs := make(chan error, *workers+1)
	var wg sync.WaitGroup
	u0, s0 := rusage()
	start := time.Now()
	var written chan heldFile // with -batch: files waiting to be synced and dropped
	var committed sync.WaitGroup
	if *batch > 0 {
		written = make(chan heldFile, 4096) // at most this many open, as the publisher holds at most 4,096
		committed.Go(func() {
			if err := commit(*out, written, *batch); err != nil {
				errs <- err
			}
		})
	}
	for range *workers {
		wg.Go(func() {
			made := map[string]bool{}
			for g := range jobs {
				for _, f := range g {
					if err := write(filepath.Join(*out, f.rel), f.size, filler, made, written); err != nil {
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
	wroteAll := time.Since(start)
	synced := ""
	if written != nil {
		close(written)
		committed.Wait()
		synced = fmt.Sprintf(", durable after %v (synced and dropped every %d bytes)", time.Since(start).Round(time.Millisecond), *batch)
	}
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	if *durable && written == nil {
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
		wroteAll.Round(time.Millisecond), synced, (u1 - u0).Round(time.Millisecond), (s1 - s0).Round(time.Millisecond))
	return nil
}

// heldFile is a file written and still open, waiting for its batch's sync.
type heldFile struct {
	f    *os.File
	size int64
}

// commit syncs the filesystem every batch bytes of files received (and at
// the end), then drops those files from the page cache and closes them.
func commit(dir string, files <-chan heldFile, batch int64) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	var held []heldFile
	var n int64
	flush := func() error {
		if err := unix.Syncfs(int(d.Fd())); err != nil {
			return fmt.Errorf("syncfs: %w", err)
		}
		for _, h := range held {
			unix.Fadvise(int(h.f.Fd()), 0, 0, unix.FADV_DONTNEED)
			h.f.Close()
		}
		held, n = held[:0], 0
		return nil
	}
	for h := range files {
		held = append(held, h)
		if n += h.size; n >= batch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// write creates path with size filler bytes, making its directory first;
// with held set, it hands the open file over instead of closing it.
func write(path string, size int64, filler []byte, made map[string]bool, held chan<- heldFile) error {
	total := size
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
	if held != nil {
		held <- heldFile{f: f, size: total}
		return nil
	}
	return f.Close()
}

func rusage() (user, sys time.Duration) {
	var r syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &r)
	return time.Duration(r.Utime.Nano()), time.Duration(r.Stime.Nano())
}
