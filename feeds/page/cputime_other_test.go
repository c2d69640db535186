//go:build !unix

package page

func cpuTime() int64 { return 0 }
