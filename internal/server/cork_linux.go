package server

import (
	"net"

	"golang.org/x/sys/unix"
)

// setCork sets or clears TCP_CORK; clearing it sends what was held back.
func setCork(c *net.TCPConn, on bool) error {
	raw, err := c.SyscallConn()
	if err != nil {
		return err
	}
	v := 0
	if on {
		v = 1
	}
	var serr error
	err = raw.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_CORK, v)
	})
	if err != nil {
		return err
	}
	return serr
}
