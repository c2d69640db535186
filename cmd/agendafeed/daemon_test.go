package main

import (
	"bufio"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets a test run this test binary as the agendafeed program
// itself (AGENDAFEED_TEST_MAIN=1, arguments after "--"), so that the
// process, its signals and its exit status are the real ones.
func TestMain(m *testing.M) {
	if os.Getenv("AGENDAFEED_TEST_MAIN") == "1" {
		for i, a := range os.Args {
			if a == "--" {
				os.Args = append([]string{"agendafeed"}, os.Args[i+1:]...)
				break
			}
		}
		main()
		return
	}
	os.Exit(m.Run())
}

// The daemon as a process: `serve -demo` publishes and serves, a
// `generate` into its output directory is refused meanwhile, and SIGTERM
// (as a service manager sends) makes it stop and exit 0.
func TestServeStopsOnSIGTERM(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$", "--", "serve", "-demo")
	cmd.Env = append(os.Environ(), "AGENDAFEED_TEST_MAIN=1",
		"AGENDAFEED_DATABASE="+filepath.Join(dir, "agendafeed.db"),
		"AGENDAFEED_OUTPUT_DIR="+filepath.Join(dir, "public"),
		"AGENDAFEED_LISTEN=127.0.0.1:0",
		"AGENDAFEED_LOG_FORMAT=text")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()

	// The log line that says where it listens, then the rest of the log.
	addrRE := regexp.MustCompile(`msg=serving addr=(\S+)`)
	lines := make(chan string, 100)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	var addr string
	var log strings.Builder
	for deadline := time.After(60 * time.Second); addr == ""; {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("the daemon ended before listening:\n%s", log.String())
			}
			log.WriteString(line + "\n")
			if m := addrRE.FindStringSubmatch(line); m != nil {
				addr = m[1]
			}
		case <-deadline:
			t.Fatalf("the daemon did not listen within 60 s:\n%s", log.String())
		}
	}
	resp, err := http.Get("http://" + addr + "/open-policy-debates/calendar.ics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET the demo calendar: %s", resp.Status)
	}

	// A second process publishing into the same directory would delete the
	// daemon's temp files under it: `generate` is refused while it runs,
	// and works once it has stopped.
	generate := func() (string, error) {
		g := exec.Command(os.Args[0], "-test.run=^$", "--", "generate")
		g.Env = cmd.Env
		out, err := g.CombinedOutput()
		return string(out), err
	}
	out, err := generate()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(out, "another agendafeed process (serve or generate) is publishing there") {
		t.Errorf("generate while serve runs: %v, want exit status 1 and the lock's message; output:\n%s", err, out)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for line := range lines {
		log.WriteString(line + "\n")
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("after SIGTERM: %v, want exit 0\n%s", err, log.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("still running 30 s after SIGTERM:\n%s", log.String())
	}
	if !strings.Contains(log.String(), "msg=stopped") {
		t.Errorf("no \"stopped\" log line:\n%s", log.String())
	}
	if out, err := generate(); err != nil {
		t.Errorf("generate after serve stopped: %v\n%s", err, out)
	}
}

// daemon is a `serve` process run from the test binary, with its log.
type daemon struct {
	t     *testing.T
	cmd   *exec.Cmd
	addr  string
	lines chan string
	log   strings.Builder
}

// daemonCmd returns a command running agendafeed with args as a process,
// its database and output directory under dir.
func daemonCmd(dir string, extraEnv []string, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^$", "--"}, args...)...)
	cmd.Env = append(os.Environ(), "AGENDAFEED_TEST_MAIN=1",
		"AGENDAFEED_DATABASE="+filepath.Join(dir, "agendafeed.db"),
		"AGENDAFEED_OUTPUT_DIR="+filepath.Join(dir, "public"),
		"AGENDAFEED_LISTEN=127.0.0.1:0",
		"AGENDAFEED_LOG_FORMAT=text")
	cmd.Env = append(cmd.Env, extraEnv...)
	return cmd
}

// startServe starts `serve -demo` and waits for its "serving" log line.
func startServe(t *testing.T, dir string, extraEnv ...string) *daemon {
	t.Helper()
	d := &daemon{t: t, cmd: daemonCmd(dir, extraEnv, "serve", "-demo"), lines: make(chan string, 1000)}
	stderr, err := d.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	d.cmd.Stdout = io.Discard
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.cmd.Process.Kill() })
	go func() {
		defer close(d.lines)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			d.lines <- sc.Text()
		}
	}()
	addrRE := regexp.MustCompile(`msg=serving addr=(\S+)`)
	for deadline := time.After(60 * time.Second); d.addr == ""; {
		select {
		case line, ok := <-d.lines:
			if !ok {
				t.Fatalf("the daemon ended before listening:\n%s", d.log.String())
			}
			d.log.WriteString(line + "\n")
			if m := addrRE.FindStringSubmatch(line); m != nil {
				d.addr = m[1]
			}
		case <-deadline:
			t.Fatalf("the daemon did not listen within 60 s:\n%s", d.log.String())
		}
	}
	return d
}

// waitLog reads the log until a line matches re, and returns that line.
func (d *daemon) waitLog(re *regexp.Regexp) string {
	d.t.Helper()
	for deadline := time.After(60 * time.Second); ; {
		select {
		case line, ok := <-d.lines:
			if !ok {
				d.t.Fatalf("the daemon ended before logging %s:\n%s", re, d.log.String())
			}
			d.log.WriteString(line + "\n")
			if re.MatchString(line) {
				return line
			}
		case <-deadline:
			d.t.Fatalf("no log line %s within 60 s:\n%s", re, d.log.String())
		}
	}
}

// stop sends sig and returns the exit code and the whole log.
func (d *daemon) stop(sig syscall.Signal) (int, string) {
	d.t.Helper()
	if err := d.cmd.Process.Signal(sig); err != nil {
		d.t.Fatal(err)
	}
	for line := range d.lines {
		d.log.WriteString(line + "\n")
	}
	done := make(chan error, 1)
	go func() { done <- d.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		d.t.Fatalf("still running 30 s after %v:\n%s", sig, d.log.String())
	}
	return d.cmd.ProcessState.ExitCode(), d.log.String()
}

// SIGHUP (a closed terminal, a supervisor's hangup) stops the daemon as
// SIGTERM does: the running pass and requests finish, "stopped" is
// logged and the exit status is 0, not the default action's 129.
func TestServeStopsOnSIGHUP(t *testing.T) {
	d := startServe(t, t.TempDir())
	code, log := d.stop(syscall.SIGHUP)
	if code != 0 {
		t.Errorf("after SIGHUP: exit %d, want 0\n%s", code, log)
	}
	if !strings.Contains(log, "msg=stopped") {
		t.Errorf("no \"stopped\" log line after SIGHUP:\n%s", log)
	}
}

// Every pass is logged once: at INFO when it wrote or removed files (the
// first start), at DEBUG when it wrote nothing (the forced pass of a
// restart, which renders the same bytes), with its trigger, duration_ms
// (as /healthz names it) and counts.
func TestServeLogsEveryPass(t *testing.T) {
	dir := t.TempDir()
	d := startServe(t, dir)
	if code, log := d.stop(syscall.SIGTERM); code != 0 {
		t.Fatalf("first run: exit %d\n%s", code, log)
	}
	first := regexp.MustCompile(`level=INFO msg="regeneration pass" trigger=start series=\d+ written=[1-9]\d* unchanged=\d+ removed=0 duration_ms=\d+ `)
	if !first.MatchString(d.log.String()) {
		t.Errorf("first start: no INFO pass line matching %s:\n%s", first, d.log.String())
	}

	// A yearly schedule: no cron pass adds a line while the test runs.
	d = startServe(t, dir, "AGENDAFEED_LOG_LEVEL=debug", "AGENDAFEED_CRON=@yearly")
	restart := regexp.MustCompile(`level=DEBUG msg="regeneration pass" trigger=start series=\d+ written=0 unchanged=[1-9]\d* removed=0 duration_ms=\d+ `)
	d.waitLog(restart)
	if code, log := d.stop(syscall.SIGTERM); code != 0 {
		t.Fatalf("restart: exit %d\n%s", code, log)
	}
	if n := strings.Count(d.log.String(), `msg="regeneration pass"`); n != 1 {
		t.Errorf("%d pass lines for one pass:\n%s", n, d.log.String())
	}
}

// The daemon runs the cron spellings crontab(5) and the config's durations
// allow and robfig/cron does not read as written: the scheduler gets the
// spec Validate checked (config.CronSpec), not the raw value.
func TestServeCronSpellings(t *testing.T) {
	for _, spec := range []string{"0 4 * * 7", "0 4 * * 5-7", "CRON_TZ=UTC\t0 4 * * *", "@every 1d"} {
		t.Run(spec, func(t *testing.T) {
			d := startServe(t, t.TempDir(), "AGENDAFEED_CRON="+spec)
			if code, log := d.stop(syscall.SIGTERM); code != 0 {
				t.Errorf("exit %d:\n%s", code, log)
			}
		})
	}
}
