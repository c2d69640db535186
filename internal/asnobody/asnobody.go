//go:build unix

// Package asnobody is test support for checks of file permissions: they do
// not stop root, under which the tests run in CI, so such a test runs a
// copy of its own test binary as the unprivileged user nobody.
package asnobody

import (
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

// UID and GID are nobody's on Debian.
const (
	UID = 65534
	GID = 65534
)

// CopyTestBinary copies the running test binary to dst (mode 0755): the
// original sits in a directory only its owner may enter.
func CopyTestBinary(t testing.TB, dst string) {
	t.Helper()
	src, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// Attr is the SysProcAttr that runs a command as nobody.
func Attr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: UID, Gid: GID}}
}

// RunTest runs the test name of bin (a copy made by CopyTestBinary) as
// nobody in dir, with env added to this process's environment (how the
// test knows it is the probe), and fails t unless that test passed.
func RunTest(t testing.TB, bin, dir, name string, env ...string) {
	t.Helper()
	cmd := exec.Command(bin, "-test.run=^"+name+"$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), env...)
	cmd.Dir = dir
	cmd.SysProcAttr = Attr()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s as nobody: %v\n%s", name, err, out)
	}
	if !strings.Contains(string(out), "--- PASS") {
		t.Fatalf("%s as nobody did not run:\n%s", name, out)
	}
}
