// Command servebench publishes one calendar of about -size bytes (with the
// fake renderer) into -dir and serves -dir with agendafeed's server on
// -addr until interrupted. It prints "ready <url> <etag>" once listening.
// bench/serve.sh runs it next to nginx.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/agendafeed/agendafeed/internal/publish"
	"github.com/agendafeed/agendafeed/internal/publish/publishtest"
	"github.com/agendafeed/agendafeed/internal/server"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "servebench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("servebench", flag.ContinueOnError)
	dir := fs.String("dir", "", "output directory")
	addr := fs.String("addr", "127.0.0.1:8081", "listen address (loopback)")
	size := fs.Int("size", 100<<10, "approximate calendar size in bytes")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		return fmt.Errorf("-dir is required")
	}
	const per = 300
	src := publishtest.NewGenSource(1, max(1, *size/per))
	p, err := publish.New(publish.Options{Dir: *dir, Source: src, Renderer: &publishtest.Renderer{PerSession: per}})
	if err != nil {
		return err
	}
	if _, err := p.Pass(ctx, false); err != nil {
		return err
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	fi := p.Manifest().Files["s0000/calendar.ics"]
	srv, err := server.New(server.Options{Dir: *dir, Files: p, RefreshInterval: 5 * time.Minute})
	if err != nil {
		return err
	}
	return srv.ListenAndServe(ctx, *addr, func(a net.Addr) {
		fmt.Fprintf(stdout, "ready http://%s/s0000/calendar.ics %s %d\n", a, fi.ETag, fi.Size)
	})
}
