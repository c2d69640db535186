package agenda

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

func TestLoadZone(t *testing.T) {
	for _, name := range []string{"Europe/Madrid", "America/Sao_Paulo", "Pacific/Chatham", "Asia/Kolkata", "UTC", "Etc/GMT+5"} {
		loc, err := LoadZone(name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if loc.String() != name {
			t.Errorf("LoadZone(%q).String() = %q", name, loc.String())
		}
	}
	madrid, _ := LoadZone("Europe/Madrid")
	if got := time.Date(2021, 11, 17, 12, 0, 0, 0, madrid).UTC().Format(time.RFC3339); got != "2021-11-17T11:00:00Z" {
		t.Errorf("12:00 Madrid = %s", got)
	}
	for _, bad := range []string{"", "Local", "Mars/Base", "../etc/passwd", "/usr/share/zoneinfo/UTC", "Europe/ Madrid", "europe/madrid"} {
		if _, err := LoadZone(bad); err == nil {
			t.Errorf("LoadZone(%q) succeeded", bad)
		}
	}
}

// The embedded database must be the one the Go toolchain ships, so that the
// binary's zone rules change only when someone refreshes it deliberately.
// When the toolchain's copy differs, copy it:
//
//	cp "$(go env GOROOT)/lib/time/zoneinfo.zip" internal/agenda/zoneinfo.zip
func TestZoneDatabaseIsGos(t *testing.T) {
	goroot, err := filepath.Abs(runtime.GOROOT())
	if err != nil || goroot == "" {
		t.Skip("GOROOT unknown")
	}
	toolchain, err := os.ReadFile(filepath.Join(goroot, "lib", "time", "zoneinfo.zip"))
	if err != nil {
		t.Skipf("toolchain zone database not found: %v", err)
	}
	if !bytes.Equal(toolchain, zoneinfoZip) {
		t.Logf("internal/agenda/zoneinfo.zip differs from %s: the toolchain has other zone rules; refresh it with cp (see the comment)", goroot)
	}
}

func BenchmarkLoadZone(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := LoadZone("Europe/Madrid"); err != nil {
			b.Fatal(err)
		}
	}
}
