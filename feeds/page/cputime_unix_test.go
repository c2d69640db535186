//go:build unix

package page

import "syscall"

// cpuTime is the process's user and system CPU time so far, in ns: on a
// shared machine it is steadier than wall time.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
