package server

import (
	"net"
	"syscall"
)

// peek waits (under c's read deadline) for c's first bytes and copies
// what has arrived into b without reading it: fasthttp reads it all.
// n is 0 when the peer closed first.
func peek(c net.Conn, b []byte) (n int, err error) {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return 0, errNoPeek
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return 0, err
	}
	var perr error
	err = raw.Read(func(fd uintptr) bool {
		for {
			n, _, perr = syscall.Recvfrom(int(fd), b, syscall.MSG_PEEK)
			if perr != syscall.EINTR {
				return perr != syscall.EAGAIN // false: wait until readable
			}
		}
	})
	if err != nil {
		return 0, err
	}
	return n, perr
}
