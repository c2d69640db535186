// Command agendafeed stores event agendas and publishes them as calendar
// subscriptions and news feeds. `agendafeed serve` is the daemon; every other
// subcommand works on the same database and config.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	_ "time/tzdata" // published calendars must never depend on the host's zone database
)

func main() {
	ctx, stop := signalContext(os.Stderr, os.Exit)
	err := run(ctx, os.Args[1:], env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, environ: os.Environ})
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// env is what a run of the program sees of the outside world, so that tests
// can run the whole program in-process.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	// environ lists the whole environment, "NAME=value", so that the config
	// can refuse a misspelt AGENDAFEED_ variable it would otherwise ignore.
	environ func() []string
}

// usageError marks a command line the program cannot understand: exit 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// errHelp is returned after -h/--help printed the usage: exit 0.
var errHelp = errors.New("help requested")

// exitCode maps run's error to the process exit status and prints it: 0
// success, 1 failure, 2 usage error.
func exitCode(err error, stderr io.Writer) int {
	var ue *usageError
	switch {
	case err == nil, errors.Is(err, errHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "agendafeed: %v\nRun 'agendafeed help' for usage.\n", err)
		return 2
	default:
		fmt.Fprintf(stderr, "agendafeed: %v\n", err)
		return 1
	}
}

const topUsage = `agendafeed publishes event agendas as calendar subscriptions and news feeds.

Usage:
  agendafeed <command> [flags] [arguments]

Commands:
  serve      run the daemon: regenerate on a schedule and after edits, serve files and API
  generate   run one regeneration pass into the output directory and exit
  import     import agenda files (YAML or JSON), all or nothing
  export     write series as agenda files
  demo       load the demo series into the database
  series     list, show, add, edit or remove series
  session    list, show, add, edit, cancel or remove sessions
  post       list, show, add, edit or remove news posts
  check      validate the config and the database
  backup     write a consistent copy of the database, safe while serve runs
  token      make a new admin API token and print its config entry

Every command takes -config FILE (default: $AGENDAFEED_CONFIG, else built-in
defaults with AGENDAFEED_* environment overrides). Run 'agendafeed <command> -h'
or 'agendafeed help <command>' for the command's flags. Exit status: 0 success,
1 failure, 2 usage error.
`

func run(ctx context.Context, args []string, e env) error {
	return unwritableDatabase(runCommand(ctx, args, e))
}

func runCommand(ctx context.Context, args []string, e env) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, topUsage)
		return usagef("no command given")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return runServe(ctx, rest, e)
	case "generate":
		return runGenerate(ctx, rest, e)
	case "import":
		return runImport(ctx, rest, e)
	case "export":
		return runExport(ctx, rest, e)
	case "demo":
		return runDemo(ctx, rest, e)
	case "series":
		return runSeries(ctx, rest, e)
	case "session":
		return runSession(ctx, rest, e)
	case "post":
		return runPost(ctx, rest, e)
	case "check":
		return runCheck(ctx, rest, e)
	case "token":
		return runToken(ctx, rest, e)
	case "backup":
		return runBackup(ctx, rest, e)
	case "help", "-h", "-help", "--help":
		// "help session add" is read as "session add -h", as git and go
		// read theirs: the top usage alone would not show its flags.
		if cmd == "help" && len(rest) > 0 && rest[0] != "help" && !strings.HasPrefix(rest[0], "-") {
			return runCommand(ctx, append(slices.Clone(rest), "-h"), e)
		}
		fmt.Fprint(e.stdout, topUsage)
		return nil
	default:
		return usagef("unknown command %s", quoteArg(cmd))
	}
}
