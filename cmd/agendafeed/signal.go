package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// signalContext returns a context cancelled by the first SIGINT, SIGTERM or
// SIGHUP: the daemon then lets its running pass and its requests finish,
// which at scale takes seconds. SIGHUP stops gracefully like SIGTERM rather
// than reloading: agendafeed has no reload (its config is read once, and a
// changed config needs a restart), a closed terminal or a supervisor's
// hangup must not cut a pass short, and the default action (exit 129 with
// no shutdown) would. A second signal calls exit(1) at once: whoever
// presses Ctrl-C twice wants the process gone, and cutting a pass short
// loses nothing (files are published by rename, edits by transaction).
// stop releases the signals.
func signalContext(stderr io.Writer, exit func(code int)) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	done := make(chan struct{})
	go func() {
		select {
		case <-sigs:
		case <-done:
			return
		}
		cancel()
		select {
		case s := <-sigs:
			fmt.Fprintf(stderr, "agendafeed: %v again: exiting without waiting for the running pass and requests\n", s)
			exit(1)
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(done)
		cancel()
	}
}
