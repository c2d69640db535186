package publish_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/agendafeed/agendafeed/internal/publish"
	"github.com/agendafeed/agendafeed/internal/publish/publishtest"
)

const lockEnv = "AGENDAFEED_PUBLISH_LOCK_HELPER"

// lockHelper holds a Publisher on dir until its stdin closes.
func lockHelper(dir string) {
	p, err := publish.New(publish.Options{Dir: dir, Source: publishtest.NewSource(), Renderer: &publishtest.Renderer{}})
	if err != nil {
		fmt.Println("helper:", err)
		os.Exit(3)
	}
	fmt.Println("publishing")
	io.Copy(io.Discard, os.Stdin)
	p.Close()
}

func checkRefused(t *testing.T, err error, dir string) {
	t.Helper()
	if err == nil {
		t.Fatal("a second publisher on the same output directory started")
	}
	if msg := err.Error(); !strings.Contains(msg, dir) || !strings.Contains(msg, "another agendafeed process (serve or generate) is publishing there") {
		t.Errorf("error %q: want one naming %s and the other process", msg, dir)
	}
}

// A second publisher on an output directory in use (generate while serve
// runs, a second serve) is refused before it touches anything: New would
// delete the first one's temp files, staged directories and journal.
func TestSecondPublisherRefused(t *testing.T) {
	dir := t.TempDir()
	src := publishtest.NewSource(publishtest.MakeSnapshot("madrid", 1, 2))
	r := &publishtest.Renderer{}
	p := newPublisher(t, dir, src, r, newClock())
	pass(t, p, false)

	// What the first publisher has in flight during a pass.
	inFlight := []string{".calendar.ics.tmp-0011223344556677", ".tunis.tmp-000000000000000a/calendar.ics", ".pending"}
	for _, f := range inFlight {
		path := filepath.Join(dir, filepath.FromSlash(f))
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte("in flight"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, err := publish.New(publish.Options{Dir: dir, Source: src, Renderer: r})
	checkRefused(t, err, dir)
	for _, f := range inFlight {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(f))); err != nil {
			t.Errorf("the refused publisher touched %s: %v", f, err)
		}
	}

	if err := p.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := p.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := p.Pass(context.Background(), true); !errors.Is(err, publish.ErrClosed) {
		t.Errorf("Pass after Close: %v, want ErrClosed", err)
	}
	p2 := newPublisher(t, dir, src, r, newClock())
	for _, f := range inFlight {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(f))); err == nil {
			t.Errorf("%s survived the next publisher's New", f)
		}
	}
	pass(t, p2, false)
	checkConsistent(t, dir, p2.Manifest())
}

// The lock holds across processes too (flock: released when the holder
// exits, however it ends).
func TestSecondPublisherRefusedAcrossProcesses(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no flock here")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), lockEnv+"="+dir)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	if line != "publishing\n" {
		stdin.Close()
		cmd.Wait()
		t.Fatalf("helper: %q", line)
	}
	_, err = publish.New(publish.Options{Dir: dir, Source: publishtest.NewSource(), Renderer: &publishtest.Renderer{}})
	checkRefused(t, err, dir)
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("helper: %v", err)
	}
	newPublisher(t, dir, publishtest.NewSource(), &publishtest.Renderer{}, newClock())
}
