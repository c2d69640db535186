// Command passbench times a full regeneration pass over a generated agenda
// (default 1,000 series x 100 sessions, about 300 bytes per session per
// format, with the fake renderer) and prints the peak RSS (getrusage
// maxrss), then times a pass with nothing changed.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"syscall"
	"time"

	"github.com/agendafeed/agendafeed/internal/publish"
	"github.com/agendafeed/agendafeed/internal/publish/publishtest"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "passbench:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("passbench", flag.ContinueOnError)
	dir := fs.String("dir", "", "output directory (default: a new temp dir, removed at the end)")
	series := fs.Int("series", 1000, "series")
	sessions := fs.Int("sessions", 100, "sessions per series")
	per := fs.Int("per", 300, "bytes per session per format")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		d, err := os.MkdirTemp("", "passbench")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		*dir = d
	}
	src := publishtest.NewGenSource(*series, *sessions)
	p, err := publish.New(publish.Options{Dir: *dir, Source: src, Renderer: &publishtest.Renderer{PerSession: *per}})
	if err != nil {
		return err
	}
	ctx := context.Background()
	start := time.Now()
	res, err := p.Pass(ctx, false)
	if err != nil {
		return err
	}
	full := time.Since(start)
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	fmt.Fprintf(stdout, "full pass: %d series x %d sessions: %v, %d files written, peak RSS %.1f MB\n",
		*series, *sessions, full.Round(time.Millisecond), res.FilesWritten, float64(ru.Maxrss)/1024)

	start = time.Now()
	const n = 100
	for range n {
		if _, err := p.Pass(ctx, false); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "no-change pass: %v\n", time.Since(start)/n)

	src.Bump("s0000")
	start = time.Now()
	res, err = p.Pass(ctx, false)
	if err != nil {
		return err
	}
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	fmt.Fprintf(stdout, "one series changed: %v, %d files written (incl. all-series files), peak RSS %.1f MB\n",
		time.Since(start).Round(time.Millisecond), res.FilesWritten, float64(ru.Maxrss)/1024)
	return nil
}
